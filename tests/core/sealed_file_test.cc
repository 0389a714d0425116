// core/sealed_file.h: content sealed under the data key opens only under
// that key, block by block, and only blocks that are whole and unaltered.
#include "core/sealed_file.h"

#include <gtest/gtest.h>

#include "tests/status_assert.h"

namespace tb {
namespace {

DataKey Key(unsigned char fill) {
  DataKey k;
  k.bytes.fill(fill);
  return k;
}

std::string Seal(const DataKey& k, std::string_view plain) {
  std::string out;
  SealTo(k, plain, [&](const char* d, size_t n) { out.append(d, n); });
  return out;
}

// Opens all of `file` (a copy) into *plain.
Status Unseal(const DataKey& k, std::string file, std::string* plain) {
  std::unique_ptr<SealedFile> f;
  TB_RETURN_IF_ERROR(SealedFile::Open(k, file.data(), file.size(), "f", &f));
  TB_RETURN_IF_ERROR(f->OpenAll());
  *plain = std::string(f->content());
  return Status::OK();
}

std::string Content(size_t n) {
  std::string plain(n, '\0');
  for (size_t i = 0; i < n; ++i) plain[i] = static_cast<char>(i * 31 + 7);
  return plain;
}

TEST(SealedFileTest, RoundTripsAnySize) {
  const DataKey k = Key(1);
  for (size_t n : {size_t{0}, size_t{5}, size_t{4096}, size_t{4097}, (size_t{5} << 19) + 3}) {
    const std::string plain = Content(n);
    const std::string sealed = Seal(k, plain);
    EXPECT_TRUE(LooksSealed(sealed));
    EXPECT_EQ(sealed.size(), 64 + n + (n + 4095) / 4096 * 16) << n;
    if (n > 0) {
      EXPECT_EQ(sealed.find(plain.substr(0, std::min<size_t>(n, 64))), std::string::npos);
    }
    std::string back;
    ASSERT_OK(Unseal(k, sealed, &back));
    EXPECT_TRUE(back == plain) << n;
  }
}

TEST(SealedFileTest, BlocksOpenInPlaceOneAtATime) {
  const DataKey k = Key(1);
  const std::string plain = Content(3 * 4096 + 100);
  std::string file = Seal(k, plain);
  std::unique_ptr<SealedFile> f;
  ASSERT_OK(SealedFile::Open(k, file.data(), file.size(), "f", &f));
  EXPECT_TRUE(f->content().substr(4096, 4096) != plain.substr(4096, 4096));  // not opened yet
  ASSERT_TRUE(f->OpenRange(4100, 10));
  EXPECT_TRUE(f->content().substr(4096, 4096) == plain.substr(4096, 4096));
  EXPECT_TRUE(f->content().substr(0, 4096) != plain.substr(0, 4096));
  ASSERT_TRUE(f->OpenRange(4100, 10));  // again: already open, unchanged
  EXPECT_TRUE(f->content().substr(4096, 4096) == plain.substr(4096, 4096));
  ASSERT_TRUE(f->OpenRange(4000, 3 * 4096 + 100 - 4000));
  EXPECT_TRUE(f->content() == plain);
  EXPECT_FALSE(f->OpenRange(3 * 4096 + 90, 11));  // past the end
}

TEST(SealedFileTest, AnotherKeyOrPlainBytesAreIncompatible) {
  std::string sealed = Seal(Key(1), "secret command");
  std::unique_ptr<SealedFile> f;
  Status s = SealedFile::Open(Key(2), sealed.data(), sealed.size(), "f", &f);
  EXPECT_TRUE(s.IsIncompatible());
  EXPECT_EQ(s.message(),
            "f is sealed under another key (key id " + KeyIdHex(Key(1)) + ", not " + KeyIdHex(Key(2)) + ")");
  std::string plain = "plain index bytes";
  s = SealedFile::Open(Key(1), plain.data(), plain.size(), "f", &f);
  EXPECT_EQ(s.ToString(), "incompatible: f is not sealed (written with encryption off)");
}

TEST(SealedFileTest, DamageIsCorruptionAndOnlyTheDamagedBlockFails) {
  const DataKey k = Key(1);
  const std::string plain = Content(3 * 4096);
  const std::string sealed = Seal(k, plain);
  std::string back;
  std::string flipped = sealed;
  flipped[64 + 4096 + 7] ^= 1;  // block 1
  std::unique_ptr<SealedFile> f;
  ASSERT_OK(SealedFile::Open(k, flipped.data(), flipped.size(), "f", &f));
  EXPECT_TRUE(f->OpenRange(0, 4096));
  EXPECT_FALSE(f->OpenRange(4096, 1));
  EXPECT_TRUE(f->content().substr(4096, 4096) != plain.substr(4096, 4096));  // never decrypted
  EXPECT_TRUE(f->OpenRange(8192, 4096));
  EXPECT_EQ(f->OpenAll().ToString(), "corruption: f is damaged: block 1 fails authentication");
  // A flipped tag or header byte fails too (the header is authenticated).
  std::string tag = sealed;
  tag[tag.size() - 1] ^= 1;
  EXPECT_EQ(Unseal(k, tag, &back).ToString(), "corruption: f is damaged: block 2 fails authentication");
  std::string header = sealed;
  header[60] ^= 1;
  EXPECT_EQ(Unseal(k, header, &back).ToString(), "corruption: f is damaged: block 0 fails authentication");
  // Blocks swapped: each fails under the other's nonce.
  std::string swapped = sealed;
  std::copy(sealed.begin() + 64, sealed.begin() + 64 + 4096, swapped.begin() + 64 + 4096);
  EXPECT_EQ(Unseal(k, swapped, &back).ToString(), "corruption: f is damaged: block 1 fails authentication");
  EXPECT_EQ(Unseal(k, sealed.substr(0, sealed.size() - 1), &back).ToString(),
            "corruption: f is damaged: its size does not match its header");
  EXPECT_EQ(Unseal(k, sealed + "x", &back).ToString(), "corruption: f is damaged: its size does not match its header");
  EXPECT_EQ(Unseal(k, sealed.substr(0, 30), &back).ToString(), "corruption: f is damaged: its header is cut short");
}

}  // namespace
}  // namespace tb
