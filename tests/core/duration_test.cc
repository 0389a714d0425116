// ParseDuration (core/duration.h).
#include "core/duration.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

TEST(DurationTest, Parses) {
  int64_t ns = -1;
  EXPECT_TRUE(ParseDuration("0", &ns));
  EXPECT_EQ(ns, 0);
  EXPECT_TRUE(ParseDuration("90s", &ns));
  EXPECT_EQ(ns, 90'000'000'000LL);
  EXPECT_TRUE(ParseDuration("2h", &ns));
  EXPECT_EQ(ns, 7'200'000'000'000LL);
  EXPECT_TRUE(ParseDuration("1d", &ns));
  EXPECT_EQ(ns, 86'400'000'000'000LL);
  EXPECT_TRUE(ParseDuration("1w", &ns));
  EXPECT_EQ(ns, 7 * 86'400'000'000'000LL);
  EXPECT_FALSE(ParseDuration("999999999999d", &ns));
  EXPECT_FALSE(ParseDuration("5", &ns));
  EXPECT_FALSE(ParseDuration("5x", &ns));
}

}  // namespace
}  // namespace tb
