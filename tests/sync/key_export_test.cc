// The passphrase-wrapped sync key (sync/key_export.h).
#include "sync/key_export.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/keycode.h"
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
  const std::string line = ExportSyncKey(Key(), "correct horse");
  ASSERT_TRUE(line.starts_with("tbsynckey1:")) << line;
  ASSERT_TRUE(line.ends_with("\n"));
  EXPECT_EQ(line.find("ffeeddcc"), std::string::npos);  // the account is sealed too
  SyncKey got;
  ASSERT_OK(ImportSyncKey(line, "correct horse", &got));
  EXPECT_EQ(got, Key());
  ASSERT_OK(ImportSyncKey(line.substr(0, line.size() - 1) + "\r\n", "correct horse", &got));  // CRLF file
  Status s = ImportSyncKey(line, "correct horsE", &got);
  EXPECT_EQ(s.code(), Status::Code::kIncompatible);
  EXPECT_EQ(s.message(), "the passphrase does not open this sync key");
  // Salt and nonce are random: two exports differ.
  EXPECT_NE(ExportSyncKey(Key(), "correct horse"), line);
}

TEST(KeyExportTest, TextThatIsNotAnExportIsRefused) {
  SyncKey got;
  for (std::string bad : {"", "tbsynckey1:", "tbsynckey1:!!!!", "tbsynckey2:AAAA", "hello"}) {
    Status s = ImportSyncKey(bad, "p", &got);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_EQ(s.message(),
              "not an exported sync key (a line that starts with tbsynckey1:, as tb sync key export prints it)");
  }
}

// A crafted line cannot ask Argon2id for hours or gigabytes.
TEST(KeyExportTest, LimitsBeyondSensitiveAreRefusedBeforeAnyWork) {
  const std::string line = ExportSyncKey(Key(), "p");
  std::string blob;
  ASSERT_TRUE(Base64Decode(line.substr(11, line.size() - 12), &blob));
  std::string big = blob.substr(0, 16);
  PutU64BE(&big, 1ull << 40);  // opslimit
  big += blob.substr(24);
  SyncKey got;
  Status s = ImportSyncKey("tbsynckey1:" + Base64Encode(big), "p", &got);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "the exported sync key asks for Argon2id limits outside what tb accepts");
}

}  // namespace
}  // namespace tb
