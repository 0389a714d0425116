// The passphrase-wrapped sync key (sync/key_export.h).
#include "sync/key_export.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/wrapped_key.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

SyncKey Key() {
  SyncKey k;
  k.account = "ffeeddccbbaa99887766554433221100";
  k.epoch = 3;
  for (size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<unsigned char>(i * 7);
  return k;
}

TEST(KeyExportTest, RoundTripsUnderThePassphraseOnly) {
  std::string line;
  ASSERT_OK(ExportSyncKey(Key(), "correct horse", &line));
  ASSERT_TRUE(line.starts_with("tbsynckey1:")) << line;
  ASSERT_TRUE(line.ends_with("\n"));
  SyncKey got;
  ASSERT_OK(ImportSyncKey(line, "correct horse", "/k.txt", &got));
  EXPECT_EQ(got, Key());
  ASSERT_OK(ImportSyncKey(line.substr(0, line.size() - 1) + "\r\n", "correct horse", "/k.txt", &got));  // CRLF
  Status s = ImportSyncKey(line, "correct horsE", "/k.txt", &got);
  EXPECT_EQ(s.code(), Status::Code::kIncompatible);
  EXPECT_EQ(s.message(), "wrong passphrase for /k.txt. Nothing was changed");
  EXPECT_EQ(ImportSyncKey(line, "", "/k.txt", &got).message(), "empty passphrase refused");
  // Salt and nonce are random: two exports differ.
  std::string again;
  ASSERT_OK(ExportSyncKey(Key(), "correct horse", &again));
  EXPECT_NE(again, line);
  EXPECT_EQ(ExportSyncKey(Key(), "", &again).message(), "empty passphrase refused");
}

TEST(KeyExportTest, TextThatIsNotAnExportIsRefused) {
  SyncKey got;
  std::string line;
  ASSERT_OK(ExportSyncKey(Key(), "p", &line));
  const std::string cut = line.substr(0, line.size() - 9) + "\n";  // too short
  for (std::string bad : {std::string(""), std::string("tbsynckey1:"), std::string("tbsynckey1:!!!!"),
                          std::string("tbsynckey2:AAAA"), std::string("hello"), cut}) {
    Status s = ImportSyncKey(bad, "p", "/k.txt", &got);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_EQ(s.message(),
              "not an exported sync key (a line that starts with tbsynckey1:, as tb sync key export prints it)");
  }
}

// The wrapped bytes are checked like a wrapped key file: a flipped byte is
// damage, and a crafted line cannot ask Argon2id for unbounded work.
TEST(KeyExportTest, DamagedWrappedBytesAreCorruption) {
  std::string line;
  ASSERT_OK(ExportSyncKey(Key(), "p", &line));
  std::string blob;
  ASSERT_TRUE(Base64Decode(line.substr(11, line.size() - 12), &blob));
  blob[20 + 40] = static_cast<char>(blob[20 + 40] ^ 1);  // inside the salt
  SyncKey got;
  Status s = ImportSyncKey("tbsynckey1:" + Base64Encode(blob), "p", "/k.txt", &got);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_TRUE(s.message().starts_with("the wrapped key file /k.txt ")) << s.message();
}

}  // namespace
}  // namespace tb
