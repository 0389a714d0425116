#include "tools/rate_limit.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(RateLimit, BurstThenRefill) {
  RateLimiter limiter(2, 3);
  int64_t retry = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("a", 0, &retry)) << i;
  EXPECT_FALSE(limiter.Allow("a", 0, &retry));
  EXPECT_EQ(retry, 1);                         // half a second, rounded up to whole seconds
  EXPECT_TRUE(limiter.Allow("b", 0, &retry));  // another client, its own bucket
  EXPECT_TRUE(limiter.Allow("a", kSec / 2, &retry));
  EXPECT_FALSE(limiter.Allow("a", kSec / 2, nullptr));
  EXPECT_TRUE(limiter.Allow("a", 10 * kSec, &retry));  // refilled, capped at the burst
  EXPECT_TRUE(limiter.Allow("a", 10 * kSec, &retry));
  EXPECT_TRUE(limiter.Allow("a", 10 * kSec, &retry));
  EXPECT_FALSE(limiter.Allow("a", 10 * kSec, &retry));
}

TEST(RateLimit, RetryAfterCountsWholeSecondsAtLowRates) {
  RateLimiter limiter(1, 1);
  int64_t retry = 0;
  EXPECT_TRUE(limiter.Allow("a", 0, &retry));
  EXPECT_FALSE(limiter.Allow("a", kSec / 10, &retry));
  EXPECT_EQ(retry, 1);
  EXPECT_TRUE(limiter.Allow("a", kSec, &retry));
}

TEST(RateLimit, ClockGoingBackDoesNotMint) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.Allow("a", 5 * kSec, nullptr));
  EXPECT_FALSE(limiter.Allow("a", 0, nullptr));
}

TEST(RateLimit, FullBucketsAreForgottenPastMaxClients) {
  RateLimiter limiter(1, 1, 2);
  EXPECT_TRUE(limiter.Allow("a", 0, nullptr));
  EXPECT_TRUE(limiter.Allow("b", 0, nullptr));
  // At 10 s "a" and "b" are full again and forgotten to make room.
  EXPECT_TRUE(limiter.Allow("c", 10 * kSec, nullptr));
  EXPECT_TRUE(limiter.Allow("a", 10 * kSec, nullptr));
  EXPECT_FALSE(limiter.Allow("a", 10 * kSec, nullptr));
}

}  // namespace
}  // namespace tb
