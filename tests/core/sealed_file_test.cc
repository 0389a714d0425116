// core/sealed_file.h: content sealed under the data key opens only under
// that key and only whole and unaltered.
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

TEST(SealedFileTest, RoundTripsAnySize) {
  const DataKey k = Key(1);
  for (size_t n : {size_t{0}, size_t{5}, size_t{1} << 20, (size_t{5} << 19) + 3}) {
    std::string plain(n, '\0');
    for (size_t i = 0; i < n; ++i) plain[i] = static_cast<char>(i * 31 + 7);
    const std::string sealed = Seal(k, plain);
    EXPECT_TRUE(LooksSealed(sealed));
    if (n > 0) {
      EXPECT_EQ(sealed.find(plain.substr(0, std::min<size_t>(n, 64))), std::string::npos);
    }
    std::string back;
    ASSERT_OK(Unseal(k, sealed, "f", &back));
    EXPECT_EQ(back, plain) << n;
  }
}

TEST(SealedFileTest, AnotherKeyOrPlainBytesAreIncompatible) {
  const std::string sealed = Seal(Key(1), "secret command");
  std::string out;
  Status s = Unseal(Key(2), sealed, "f", &out);
  EXPECT_TRUE(s.IsIncompatible());
  EXPECT_EQ(s.message(),
            "f is sealed under another key (key id " + KeyIdHex(Key(1)) + ", not " + KeyIdHex(Key(2)) + ")");
  s = Unseal(Key(1), "plain index bytes", "f", &out);
  EXPECT_EQ(s.ToString(), "incompatible: f is not sealed (written with encryption off)");
}

TEST(SealedFileTest, DamageIsCorruption) {
  const DataKey k = Key(1);
  const std::string sealed = Seal(k, std::string(3 << 20, 'x'));
  std::string out;
  std::string flipped = sealed;
  flipped[flipped.size() / 2] ^= 1;
  Status s = Unseal(k, flipped, "f", &out);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), "f is damaged: chunk at offset " + std::to_string(48 + 1048593) + " fails authentication");
  // Cut after a whole chunk: the final tag is missing.
  s = Unseal(k, sealed.substr(0, 48 + 1048593), "f", &out);
  EXPECT_EQ(s.message(), "f is damaged: chunk at offset " + std::to_string(48 + 1048593) + " fails authentication");
  s = Unseal(k, sealed + "x", "f", &out);
  EXPECT_EQ(s.message(), "f is damaged: bytes after its final chunk");
  s = Unseal(k, sealed.substr(0, 30), "f", &out);
  EXPECT_EQ(s.message(), "f is damaged: its header is cut short");
}

}  // namespace
}  // namespace tb
