/// @file
/// StatsCounters: the additive counters the `stats` view keeps per key, and
/// their encoding (docs/formats.md, "stats view").
///
///   counters := varint(uses) varint(exits) varint(failures) varint(timed)
///               varint(duration_ms_sum) varint(n) { varint(bucket_delta) varint(count) }*n
///   uses      commands counted (finished or recorded)
///   exits     of which the exit status is known
///   failures  of which the exit status is non-zero
///   timed     of which the duration is known; duration_ms_sum their total
///   buckets   duration histogram (ms): 0..3 exact, then 4 linear buckets per
///             power of two (BucketOf); listed ascending, counts > 0, the first
///             delta from 0, each next one from the previous bucket
/// The encoding is canonical (one byte string per value), so a replay and an
/// exact removal give identical bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tb {

/// The counters of one key (field meanings in the file comment).
struct StatsCounters {
  uint64_t uses = 0;                                   ///< commands counted (finished or recorded)
  uint64_t exits = 0;                                  ///< of which the exit status is known
  uint64_t failures = 0;                               ///< of which the exit status is non-zero
  uint64_t timed = 0;                                  ///< of which the duration is known
  uint64_t duration_ms_sum = 0;                        ///< total duration of the timed ones, ms
  std::vector<std::pair<uint32_t, uint64_t>> buckets;  ///< ascending, counts > 0

  /// One command with this outcome (duration clamped at 0, floored to ms).
  static StatsCounters One(std::optional<int32_t> exit, std::optional<int64_t> duration_ns);
  /// Adds `o` field by field (histograms bucket by bucket).
  void Add(const StatsCounters& o);
  /// Subtracts `o` (saturating at 0; buckets that reach 0 disappear).
  void Subtract(const StatsCounters& o);
  /// Mean duration in ms; nullopt when nothing is timed.
  std::optional<double> MeanMs() const;
  /// Quantile q (0 < q <= 1, nearest rank) of the timed commands' whole ms;
  /// nullopt when nothing is timed. An estimate from the histogram: linear
  /// inside the bucket holding the rank, then clamped to what the counters
  /// prove about the extremes (at most a value the largest duration is known
  /// to reach, at least one the smallest is known to stay under; see
  /// ExtremeBounds in stats_counters.cc). So it never exceeds the largest
  /// duration counted nor falls below the smallest, and n equal durations
  /// give exactly that duration.
  std::optional<uint64_t> QuantileMs(double q) const;
  /// Field by field.
  bool operator==(const StatsCounters&) const = default;
};

///@{
/// Histogram bucket of a duration in ms, and the smallest and the largest ms
/// in bucket `b`.
uint32_t BucketOf(uint64_t ms);
uint64_t BucketMinMs(uint32_t b);
uint64_t BucketMaxMs(uint32_t b);
///@}

/// Appends the canonical encoding of `c` (layout above).
void EncodeStatsCounters(const StatsCounters& c, std::string* out);
/// Decodes a whole value; false when malformed or not canonical.
bool DecodeStatsCounters(std::string_view v, StatsCounters* c);
/// Only the use count of an encoded value (its first field); false when
/// malformed there.
bool DecodeStatsUses(std::string_view v, uint64_t* uses);

}  // namespace tb
