// core/data_key.h: key files (parse, read with their checks, generate), the
// key id, the config's choice of key, and the random-access keystream.
#include "core/data_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "core/config.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

class DataKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tb-data-key-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content, mode_t mode = 0600) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    ::chmod(p.c_str(), mode);
    return p;
  }
  std::string DataDir() const { return (dir_ / "data").string(); }
  fs::path dir_;
};

TEST_F(DataKeyTest, ParsesHexWithOrWithoutNewline) {
  DataKey a, b;
  ASSERT_OK(ParseKeyText(kHex, "k", &a));
  ASSERT_OK(ParseKeyText(std::string(kHex) + "\n", "k", &b));
  EXPECT_EQ(a, b);
  for (size_t i = 0; i < kDataKeyBytes; ++i) EXPECT_EQ(a.bytes[i], i);
  EXPECT_EQ(KeyIdHex(a).size(), 2 * kKeyIdBytes);
  DataKey upper;
  ASSERT_OK(ParseKeyText("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "k", &upper));
  EXPECT_EQ(upper, a);
}

TEST_F(DataKeyTest, RefusesTextThatIsNotAKey) {
  const std::string want =
      "key file k does not hold a key: expected one line of 64 hex digits (32 bytes), as 'tb key generate' writes";
  DataKey k;
  for (const std::string& text : {std::string(kHex).substr(2), std::string(kHex) + "00", std::string(kHex) + "\n\n",
                                  "zz" + std::string(kHex).substr(2), std::string("")}) {
    Status s = ParseKeyText(text, "k", &k);
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    EXPECT_EQ(s.message(), want) << text;
  }
}

TEST_F(DataKeyTest, KeyIdsDifferPerKeyAndAreStable) {
  DataKey a, b;
  ASSERT_OK(ParseKeyText(kHex, "k", &a));
  b = a;
  b.bytes[31] ^= 1;
  EXPECT_NE(KeyId(a), KeyId(b));
  EXPECT_EQ(KeyId(a), KeyId(a));
  EXPECT_EQ(KeyId(a).size(), kKeyIdBytes);
}

TEST_F(DataKeyTest, ReadsAGoodKeyFile) {
  DataKey k;
  ASSERT_OK(ReadKeyFile(Write("key", std::string(kHex) + "\n"), DataDir(), &k));
  EXPECT_EQ(k.bytes[5], 5);
}

TEST_F(DataKeyTest, ReadKeyFileErrors) {
  DataKey k;
  const std::string missing = (dir_ / "none").string();
  Status s = ReadKeyFile(missing, DataDir(), &k);
  EXPECT_TRUE(s.IsIncompatible());
  EXPECT_EQ(s.message(),
            "key file " + missing + " does not exist (storage.key_file): the store cannot be read without its key");
  s = ReadKeyFile("rel/key", DataDir(), &k);
  EXPECT_EQ(s.ToString(), "invalid argument: storage.key_file must be an absolute path, not 'rel/key'");
  const std::string open = Write("open", kHex, 0640);
  s = ReadKeyFile(open, DataDir(), &k);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "key file " + open + " is accessible to group or others (mode 0640). Run 'chmod 600 " + open + "'");
  s = ReadKeyFile(dir_.string(), DataDir(), &k);
  EXPECT_EQ(s.message(), "key file " + dir_.string() + " is not a regular file");
  const std::string inside = Write("data/key", kHex);
  s = ReadKeyFile(inside, DataDir(), &k);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "key file " + inside + " is inside the data dir " + DataDir() +
                             ": a key kept beside the data it protects protects nothing. Keep it elsewhere");
  // Through a symlink from outside, it is still inside.
  fs::create_symlink(inside, dir_ / "link");
  s = ReadKeyFile((dir_ / "link").string(), DataDir(), &k);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  const std::string short_key = Write("short", "abcd\n");
  s = ReadKeyFile(short_key, DataDir(), &k);
  EXPECT_EQ(s.message(), "key file " + short_key +
                             " does not hold a key: expected one line of 64 hex digits (32 bytes), as 'tb key "
                             "generate' writes");
}

TEST_F(DataKeyTest, ReadKeyFileRefusesAFileOfAnotherOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  const std::string p = Write("theirs", kHex);
  ASSERT_EQ(::chown(p.c_str(), 65534, 65534), 0);
  DataKey k;
  Status s = ReadKeyFile(p, DataDir(), &k);
  EXPECT_EQ(s.message(), "key file " + p + " is owned by uid 65534, not by you (uid 0)");
}

TEST_F(DataKeyTest, GenerateWritesA0600KeyItCanRead) {
  const std::string p = (dir_ / "new.key").string();
  DataKey made, read;
  ASSERT_OK(GenerateKeyFile(p, DataDir(), &made));
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 65);
  ASSERT_OK(ReadKeyFile(p, DataDir(), &read));
  EXPECT_EQ(made, read);
  DataKey other;
  ASSERT_OK(GenerateKeyFile((dir_ / "other.key").string(), DataDir(), &other));
  EXPECT_NE(made, other);
}

TEST_F(DataKeyTest, GenerateErrors) {
  DataKey k;
  const std::string existing = Write("exists", "x");
  Status s = GenerateKeyFile(existing, DataDir(), &k);
  EXPECT_EQ(s.ToString(), "invalid argument: key file " + existing + " already exists: tb never overwrites a key");
  EXPECT_EQ(GenerateKeyFile("k", DataDir(), &k).message(), "the key file path must be absolute, not 'k'");
  const std::string inside = DataDir() + "/k";
  s = GenerateKeyFile(inside, DataDir(), &k);
  EXPECT_EQ(s.message(), "key file " + inside + " is inside the data dir " + DataDir() +
                             ": a key kept beside the data it protects protects nothing. Keep it elsewhere");
  EXPECT_FALSE(fs::exists(inside));
  s = GenerateKeyFile((dir_ / "no/such/dir/k").string(), DataDir(), &k);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
}

TEST_F(DataKeyTest, ConfigChoosesTheKey) {
  Config c;
  std::optional<DataKey> key;
  ASSERT_OK(DataKeyFromConfig(c, DataDir(), &key));
  EXPECT_FALSE(key.has_value());
  c.storage.encryption = "keyfile";
  Status s = DataKeyFromConfig(c, DataDir(), &key);
  EXPECT_EQ(s.ToString(),
            "invalid argument: storage.encryption = \"keyfile\" needs storage.key_file, the absolute path of the key "
            "(create one with 'tb key generate PATH')");
  c.storage.key_file = Write("key", kHex);
  ASSERT_OK(DataKeyFromConfig(c, DataDir(), &key));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->bytes[1], 1);
}

TEST_F(DataKeyTest, ConfigKeysAreValidated) {
  Config c;
  Status s = LoadConfig("", false, {{"TERMBRAIN_STORAGE_ENCRYPTION", "aes"}}, &c, nullptr);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("TERMBRAIN_STORAGE_ENCRYPTION"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("off, keyfile, passphrase"), std::string::npos) << s.message();
  s = LoadConfig("", false, {{"TERMBRAIN_STORAGE_KEY_FILE", "key.hex"}}, &c, nullptr);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("\"key.hex\" is not an absolute path"), std::string::npos) << s.message();
  ASSERT_OK(LoadConfig("", false, {{"TERMBRAIN_STORAGE_ENCRYPTION", "KeyFile"}, {"TERMBRAIN_STORAGE_KEY_FILE", "/k"}},
                       &c, nullptr));
  EXPECT_EQ(c.storage.encryption, "keyfile");
  EXPECT_EQ(c.storage.key_file, "/k");
  ASSERT_OK(LoadConfig("", false,
                       {{"TERMBRAIN_STORAGE_ENCRYPTION", "passphrase"},
                        {"TERMBRAIN_STORAGE_KDF_OPS", "1"},
                        {"TERMBRAIN_STORAGE_KDF_MEMORY_MB", "1"}},
                       &c, nullptr));
  EXPECT_EQ(c.storage.encryption, "passphrase");
  EXPECT_EQ(c.storage.kdf_ops, 1);
  EXPECT_EQ(c.storage.kdf_memory_mb, 1);
  for (const auto& [name, value] : {std::pair{"TERMBRAIN_STORAGE_KDF_OPS", "0"},
                                    {"TERMBRAIN_STORAGE_KDF_OPS", "65"},
                                    {"TERMBRAIN_STORAGE_KDF_MEMORY_MB", "0"},
                                    {"TERMBRAIN_STORAGE_KDF_MEMORY_MB", "4097"}}) {
    EXPECT_TRUE(LoadConfig("", false, {{name, value}}, &c, nullptr).IsInvalidArgument()) << name << "=" << value;
  }
  // The passphrase mode is never read as "off" by the key file code.
  c.storage.encryption = "passphrase";
  std::optional<DataKey> key;
  EXPECT_TRUE(DataKeyFromConfig(c, DataDir(), &key).IsInvalidArgument());
}

TEST_F(DataKeyTest, KeystreamIsRandomAccess) {
  DataKey k;
  ASSERT_OK(ParseKeyText(kHex, "k", &k));
  const unsigned char nonce[kStreamNonceBytes] = {7};
  std::string plain(1000, '\0');
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<char>(i * 7);
  std::string whole = plain;
  XorKeystream(k, nonce, 0, whole.data(), whole.size());
  EXPECT_NE(whole, plain);
  // The same bytes in pieces at odd offsets (partial blocks on both ends).
  std::string pieces = plain;
  const std::vector<size_t> cuts = {0, 1, 63, 64, 65, 130, 500, 999, 1000};
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    XorKeystream(k, nonce, cuts[i], pieces.data() + cuts[i], cuts[i + 1] - cuts[i]);
  }
  EXPECT_EQ(pieces, whole);
  XorKeystream(k, nonce, 0, whole.data(), whole.size());
  EXPECT_EQ(whole, plain);
}

}  // namespace
}  // namespace tb
