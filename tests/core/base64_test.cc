// Tests for core/base64.h (RFC 4648 test vectors, bytes of every value,
// rejected input).
#include "core/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace tb {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> kVectors[] = {{"", ""},
                                                          {"f", "Zg=="},
                                                          {"fo", "Zm8="},
                                                          {"foo", "Zm9v"},
                                                          {"foob", "Zm9vYg=="},
                                                          {"fooba", "Zm9vYmE="},
                                                          {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    std::string back;
    ASSERT_TRUE(Base64Decode(encoded, &back)) << encoded;
    EXPECT_EQ(back, plain);
  }
}

TEST(Base64Test, EveryByteValueRoundTrips) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string enc = Base64Encode(all);
  EXPECT_EQ(enc.substr(0, 8), "AAECAwQF");
  std::string back;
  ASSERT_TRUE(Base64Decode(enc, &back));
  EXPECT_EQ(back, all);
}

TEST(Base64Test, RejectsWhatIsNotBase64) {
  std::string out = "left over";
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v!", "Zm 9v", "Zg==Zg==", "Zm9vYg=a", "-_==", "Zm9vYmFy\n"}) {
    EXPECT_FALSE(Base64Decode(bad, &out)) << bad;
    EXPECT_EQ(out, "") << bad;
  }
}

}  // namespace
}  // namespace tb
