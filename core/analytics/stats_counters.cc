#include "core/analytics/stats_counters.h"

#include <bit>
#include <cstddef>
#include <cmath>

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

std::optional<uint64_t> StatsCounters::QuantileMs(double q) const {
  uint64_t total = 0;
  for (const auto& [b, n] : buckets) total += n;
  if (total == 0) return std::nullopt;
  // The rank of the quantile (nearest-rank method): ceil(q * total).
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (const auto& [b, n] : buckets) {
    seen += n;
    if (seen >= rank) return BucketMaxMs(b);
  }
  return BucketMaxMs(buckets.back().first);
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

bool DecodeStatsCounters(std::string_view v, StatsCounters* c) {
  c->buckets.clear();  // keeps its capacity: decoding in a loop does not allocate
  uint64_t n;
  if (!GetVarint(&v, &c->uses) || !GetVarint(&v, &c->exits) || !GetVarint(&v, &c->failures) ||
      !GetVarint(&v, &c->timed) || !GetVarint(&v, &c->duration_ms_sum) || !GetVarint(&v, &n) ||
      n > 256) {
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
