#include "core/analytics/stats_counters.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>

#include "core/keycode.h"

namespace tb {

uint32_t BucketOf(uint64_t ms) {
  if (ms < 4) return static_cast<uint32_t>(ms);
  int b = std::bit_width(ms) - 1;  // >= 2
  uint64_t sub = (ms >> (b - 2)) & 3;
  return static_cast<uint32_t>(4 * (b - 1) + sub);
}

uint64_t BucketMaxMs(uint32_t k) {
  if (k < 4) return k;
  int b = static_cast<int>(k / 4) + 1;
  uint64_t sub = k % 4;
  if (b >= 63) return UINT64_MAX;
  unsigned __int128 upper = static_cast<unsigned __int128>(5 + sub) << (b - 2);
  return upper > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(upper) - 1;
}

StatsCounters StatsCounters::One(std::optional<int32_t> exit, std::optional<int64_t> duration_ns) {
  StatsCounters c;
  c.uses = 1;
  if (exit) {
    c.exits = 1;
    c.failures = *exit != 0 ? 1 : 0;
  }
  if (duration_ns) {
    uint64_t ms = *duration_ns > 0 ? static_cast<uint64_t>(*duration_ns) / 1000000 : 0;
    c.timed = 1;
    c.duration_ms_sum = ms;
    c.buckets.emplace_back(BucketOf(ms), 1);
  }
  return c;
}

void StatsCounters::Add(const StatsCounters& o) {
  uses += o.uses;
  exits += o.exits;
  failures += o.failures;
  timed += o.timed;
  duration_ms_sum += o.duration_ms_sum;
  // In place (both sorted): no allocation unless a new bucket appears.
  size_t i = 0;
  for (const auto& [b, n] : o.buckets) {
    while (i < buckets.size() && buckets[i].first < b) ++i;
    if (i < buckets.size() && buckets[i].first == b) {
      buckets[i].second += n;
    } else {
      buckets.insert(buckets.begin() + static_cast<std::ptrdiff_t>(i), {b, n});
    }
    ++i;
  }
}

void StatsCounters::Subtract(const StatsCounters& o) {
  auto sub = [](uint64_t* a, uint64_t b) { *a = *a > b ? *a - b : 0; };
  sub(&uses, o.uses);
  sub(&exits, o.exits);
  sub(&failures, o.failures);
  sub(&timed, o.timed);
  sub(&duration_ms_sum, o.duration_ms_sum);
  for (const auto& [b, n] : o.buckets) {
    for (auto it = buckets.begin(); it != buckets.end(); ++it) {
      if (it->first != b) continue;
      sub(&it->second, n);
      if (it->second == 0) buckets.erase(it);
      break;
    }
  }
}

std::optional<double> StatsCounters::MeanMs() const {
  if (timed == 0) return std::nullopt;
  return static_cast<double>(duration_ms_sum) / static_cast<double>(timed);
}

uint64_t BucketMinMs(uint32_t k) { return k < 4 ? k : BucketMaxMs(k - 1) + 1; }

namespace {

// Bounds the counters prove for the largest and the smallest duration: the
// largest is at least the lowest ms of the highest bucket, the mean, and
// the mean of the highest bucket at its smallest (the others at their
// largest); the smallest mirrors it. Integers: max >= ceil, min <= floor.
void ExtremeBounds(const StatsCounters& c, uint64_t total, uint64_t* max_at_least, uint64_t* min_at_most) {
  const auto& [top, n_top] = c.buckets.back();
  const auto& [bottom, n_bottom] = c.buckets.front();
  using U128 = unsigned __int128;
  U128 others_hi = 0, others_lo = 0;  // all but the top (bottom) bucket at their largest (smallest)
  for (size_t i = 0; i < c.buckets.size(); ++i) {
    const auto& [b, n] = c.buckets[i];
    if (i + 1 < c.buckets.size()) others_hi += static_cast<U128>(n) * BucketMaxMs(b);
    if (i > 0) others_lo += static_cast<U128>(n) * BucketMinMs(b);
  }
  const U128 sum = c.duration_ms_sum;
  auto ceil_div = [](U128 a, uint64_t b) { return static_cast<uint64_t>((a + b - 1) / b); };
  *max_at_least = std::max(BucketMinMs(top), ceil_div(sum, total));
  if (sum > others_hi) *max_at_least = std::max(*max_at_least, ceil_div(sum - others_hi, n_top));
  *min_at_most = std::min(BucketMaxMs(bottom), static_cast<uint64_t>(sum / total));
  if (sum >= others_lo) {
    *min_at_most = std::min(*min_at_most, static_cast<uint64_t>((sum - others_lo) / n_bottom));
  }
}

}  // namespace

std::optional<uint64_t> StatsCounters::QuantileMs(double q) const {
  uint64_t total = 0;
  for (const auto& [b, n] : buckets) total += n;
  if (total == 0) return std::nullopt;
  // The rank of the quantile (nearest-rank method): ceil(q * total).
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  rank = std::clamp<uint64_t>(rank, 1, total);
  uint64_t seen = 0, estimate = 0;
  for (const auto& [b, n] : buckets) {
    if (seen + n >= rank) {
      // Linear inside the bucket: its k-th of n entries at k/n of its width.
      const uint64_t lo = BucketMinMs(b), width = BucketMaxMs(b) - lo;
      estimate = lo + static_cast<uint64_t>(static_cast<unsigned __int128>(width) * (rank - seen) / n);
      break;
    }
    seen += n;
  }
  uint64_t max_at_least = 0, min_at_most = 0;
  ExtremeBounds(*this, total, &max_at_least, &min_at_most);
  return std::clamp(estimate, min_at_most, max_at_least);
}

void EncodeStatsCounters(const StatsCounters& c, std::string* out) {
  PutVarint(out, c.uses);
  PutVarint(out, c.exits);
  PutVarint(out, c.failures);
  PutVarint(out, c.timed);
  PutVarint(out, c.duration_ms_sum);
  PutVarint(out, c.buckets.size());
  uint32_t prev = 0;
  for (const auto& [b, n] : c.buckets) {
    PutVarint(out, b - prev);
    PutVarint(out, n);
    prev = b;
  }
}

bool DecodeStatsUses(std::string_view v, uint64_t* uses) { return GetVarint(&v, uses); }

bool DecodeStatsCounters(std::string_view v, StatsCounters* c) {
  c->buckets.clear();  // keeps its capacity: decoding in a loop does not allocate
  uint64_t n;
  if (!GetVarint(&v, &c->uses) || !GetVarint(&v, &c->exits) || !GetVarint(&v, &c->failures) ||
      !GetVarint(&v, &c->timed) || !GetVarint(&v, &c->duration_ms_sum) || !GetVarint(&v, &n) || n > 256) {
    return false;
  }
  uint64_t prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta, count;
    if (!GetVarint(&v, &delta) || !GetVarint(&v, &count) || count == 0) return false;
    if (i > 0 && delta == 0) return false;
    prev += delta;
    if (prev > 255) return false;
    c->buckets.emplace_back(static_cast<uint32_t>(prev), count);
  }
  return v.empty();
}

}  // namespace tb
