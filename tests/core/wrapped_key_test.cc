// core/wrapped_key.h: the data key wrapped under a passphrase (Argon2id +
// XChaCha20-Poly1305): the file's layout, a wrong passphrase told apart
// from damage, every refusal of a file that is not ours or not whole, and
// the file's own checks (owner, symlink, mode).
#include "core/wrapped_key.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/config.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

// The smallest cost Argon2id allows: the tests are about the format.
constexpr KdfLimits kFast{1, 8192};

DataKey Key(unsigned char seed) {
  DataKey k;
  for (size_t i = 0; i < kDataKeyBytes; ++i) k.bytes[i] = static_cast<unsigned char>(seed + i);
  return k;
}

class WrappedKeySecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tb-wrapped-key-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(WrappedKeySecurity, DefaultCostIsReal) {
  EXPECT_EQ(KdfLimits{}.ops, 4u);
  EXPECT_EQ(KdfLimits{}.memory_bytes, 96ull << 20);
  const Config c;  // the config's defaults are the same
  EXPECT_EQ((KdfLimits{static_cast<uint64_t>(c.storage.kdf_ops), static_cast<uint64_t>(c.storage.kdf_memory_mb) << 20}),
            KdfLimits{});
}

TEST_F(WrappedKeySecurity, RoundTripKeepsTheKeyAndItsIdInTheClear) {
  WrappedKey w;
  ASSERT_OK(WrapDataKey(Key(7), "correct horse", kFast, &w));
  const std::string bytes = EncodeWrappedKey(w);
  ASSERT_EQ(bytes.size(), kWrappedKeyBytes);
  EXPECT_EQ(bytes.substr(0, 8), "TBWRAPK\n");
  EXPECT_EQ(bytes.substr(48, kKeyIdBytes), KeyId(Key(7)));
  EXPECT_EQ(bytes.find(std::string(reinterpret_cast<const char*>(Key(7).bytes.data()), kDataKeyBytes)),
            std::string::npos);
  WrappedKey back;
  ASSERT_OK(DecodeWrappedKey(bytes, "f", &back));
  EXPECT_EQ(back.limits, kFast);
  DataKey k;
  ASSERT_OK(UnwrapDataKey(back, "correct horse", "f", &k));
  EXPECT_EQ(k, Key(7));
  // Salt and nonce are new every time.
  WrappedKey again;
  ASSERT_OK(WrapDataKey(Key(7), "correct horse", kFast, &again));
  EXPECT_NE(again.salt, w.salt);
  EXPECT_NE(again.nonce, w.nonce);
  EXPECT_NE(again.sealed, w.sealed);
}

TEST_F(WrappedKeySecurity, WrongPassphraseIsNotDamage) {
  WrappedKey w;
  ASSERT_OK(WrapDataKey(Key(1), "right", kFast, &w));
  DataKey k;
  Status s = UnwrapDataKey(w, "wrong", "DIR/key.wrapped", &k);
  EXPECT_TRUE(s.IsIncompatible()) << s.ToString();
  EXPECT_EQ(s.message(), "wrong passphrase for DIR/key.wrapped. Nothing was changed");
  EXPECT_EQ(s.ExitCode(), 3);
}

TEST_F(WrappedKeySecurity, EveryFlippedByteIsDamageOrForeign) {
  WrappedKey w;
  ASSERT_OK(WrapDataKey(Key(1), "pw", kFast, &w));
  const std::string bytes = EncodeWrappedKey(w);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string b = bytes;
    b[i] ^= 0x01;
    WrappedKey out;
    Status s = DecodeWrappedKey(b, "f", &out);
    if (i < 8) {
      EXPECT_EQ(s.message(), "not a wrapped key file (f): it does not start with the magic bytes") << i;
    } else {
      EXPECT_TRUE(s.IsCorruption()) << i << " " << s.ToString();
      EXPECT_EQ(s.message(),
                "the wrapped key file f is damaged (size or checksum). Restore it from a copy of the data dir");
    }
  }
  WrappedKey out;
  EXPECT_TRUE(DecodeWrappedKey(bytes.substr(0, bytes.size() - 1), "f", &out).IsCorruption());
  EXPECT_TRUE(DecodeWrappedKey(bytes + "x", "f", &out).IsCorruption());
  EXPECT_TRUE(DecodeWrappedKey("", "f", &out).IsIncompatible());
}

TEST_F(WrappedKeySecurity, SealedKeyOrHeaderChangedUnderAValidChecksumFailsTheTag) {
  WrappedKey w;
  ASSERT_OK(WrapDataKey(Key(1), "pw", kFast, &w));
  DataKey k;
  WrappedKey sealed = w;
  sealed.sealed[0] ^= 1;
  EXPECT_TRUE(UnwrapDataKey(sealed, "pw", "f", &k).IsIncompatible());
  WrappedKey other_id = w;  // the header is the additional data
  other_id.key_id = KeyId(Key(2));
  EXPECT_TRUE(UnwrapDataKey(other_id, "pw", "f", &k).IsIncompatible());
  WrappedKey cheaper = w;
  cheaper.limits.ops = 2;
  EXPECT_TRUE(UnwrapDataKey(cheaper, "pw", "f", &k).IsIncompatible());
}

TEST_F(WrappedKeySecurity, RefusesOtherVersionsAndCostsOutOfRange) {
  WrappedKey w;
  ASSERT_OK(WrapDataKey(Key(1), "pw", kFast, &w));
  WrappedKey out;
  w.limits = KdfLimits{kMaxKdfOps + 1, 8192};
  Status s = DecodeWrappedKey(EncodeWrappedKey(w), "f", &out);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), "the wrapped key file f asks for Argon2id limits out of range (ops 65, 8192 bytes)");
  w.limits = KdfLimits{1, kMaxKdfMemoryBytes + 1};
  EXPECT_TRUE(DecodeWrappedKey(EncodeWrappedKey(w), "f", &out).IsCorruption());
  w.limits = KdfLimits{0, 8192};
  EXPECT_TRUE(DecodeWrappedKey(EncodeWrappedKey(w), "f", &out).IsCorruption());
  // A newer format or another KDF under a sound checksum: not ours.
  for (size_t at : {8, 12}) {
    std::string b = EncodeWrappedKey(w);
    b[at] = 2;
    unsigned char h[32];
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(b.data()), 136, nullptr, 0);
    b.replace(136, 32, reinterpret_cast<const char*>(h), 32);
    s = DecodeWrappedKey(b, "f", &out);
    EXPECT_TRUE(s.IsIncompatible()) << at;
    EXPECT_EQ(s.message(), std::string("the wrapped key file f has format ") + (at == 8 ? "2" : "1") + " and KDF " +
                               (at == 8 ? "1" : "2") +
                               "; this tb reads format 1 with KDF 1 (Argon2id). Use a newer tb");
  }
}

TEST_F(WrappedKeySecurity, EmptyOrOverlongPassphraseIsRefused) {
  WrappedKey w;
  Status s = WrapDataKey(Key(1), "", kFast, &w);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "empty passphrase refused");
  s = WrapDataKey(Key(1), std::string(kMaxPassphraseBytes + 1, 'a'), kFast, &w);
  EXPECT_EQ(s.message(), "passphrase refused: longer than 4096 bytes");
  ASSERT_OK(WrapDataKey(Key(1), std::string(kMaxPassphraseBytes, 'a'), kFast, &w));
  DataKey k;
  EXPECT_EQ(UnwrapDataKey(w, "", "f", &k).message(), "empty passphrase refused");
}

TEST_F(WrappedKeySecurity, FileIsWritten0600AndReadOnlyWhenOurs) {
  WrappedKey w;
  ASSERT_OK(WrapDataKey(Key(3), "pw", kFast, &w));
  const std::string p = Path("key.wrapped");
  ::umask(022);
  ASSERT_OK(WriteWrappedKeyFile(p, w));
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  WrappedKey back;
  ASSERT_OK(ReadWrappedKeyFile(p, &back));
  EXPECT_EQ(EncodeWrappedKey(back), EncodeWrappedKey(w));
  Status missing = ReadWrappedKeyFile(Path("none"), &back);
  EXPECT_TRUE(missing.IsNotFound());
  fs::create_symlink(p, Path("link"));
  Status link = ReadWrappedKeyFile(Path("link"), &back);
  EXPECT_EQ(link.message(), "cannot use the wrapped key file " + Path("link") + ": it is a symlink");
  fs::create_directory(Path("dir"));
  EXPECT_EQ(ReadWrappedKeyFile(Path("dir"), &back).message(),
            "cannot use the wrapped key file " + Path("dir") + ": it is not a regular file");
}

TEST_F(WrappedKeySecurity, PathIsInsideTheDataDir) { EXPECT_EQ(WrappedKeyPath("/d"), "/d/key.wrapped"); }

}  // namespace
}  // namespace tb
