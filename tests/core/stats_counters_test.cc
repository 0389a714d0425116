// Tests of core/analytics/stats_counters.h: the quantile estimate stays
// within the durations counted.
#include "core/analytics/stats_counters.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>

namespace tb {
namespace {

StatsCounters Of(std::initializer_list<int64_t> ms) {
  StatsCounters c;
  for (int64_t m : ms) c.Add(StatsCounters::One(0, m * 1000000));
  return c;
}

TEST(StatsCountersTest, P95OfEqualDurationsIsThatDuration) {
  // Four runs of 42 s: the bucket is [40960, 49151] ms; its top is no answer.
  EXPECT_EQ(Of({42000, 42000, 42000, 42000}).QuantileMs(0.95), 42000u);
  EXPECT_EQ(Of({60000}).QuantileMs(0.95), 60000u);
  EXPECT_EQ(Of({3}).QuantileMs(0.95), 3u);
}

TEST(StatsCountersTest, P95StaysBetweenTheSmallestAndTheLargest) {
  const std::initializer_list<std::initializer_list<int64_t>> cases = {
      {10, 20, 15},
      {4000, 6000},
      {10000, 12000},
      {1000, 42000},
      {5, 5, 5, 5, 5, 5, 5, 5, 5, 100000},
      {40961, 49150},
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}};
  for (const auto& ms : cases) {
    const int64_t lo = *std::min_element(ms.begin(), ms.end());
    const int64_t hi = *std::max_element(ms.begin(), ms.end());
    for (double q : {0.01, 0.5, 0.95, 1.0}) {
      std::optional<uint64_t> p = Of(ms).QuantileMs(q);
      ASSERT_TRUE(p.has_value());
      EXPECT_GE(*p, static_cast<uint64_t>(lo)) << "q " << q << ", max " << hi;
      EXPECT_LE(*p, static_cast<uint64_t>(hi)) << "q " << q << ", min " << lo;
    }
  }
  EXPECT_EQ(StatsCounters{}.QuantileMs(0.95), std::nullopt);
}

}  // namespace
}  // namespace tb
