/// @file
/// The `stats` view: pre-aggregated counters for `tb stats`, per UTC day and
/// dimension, plus all-time totals, so a summary reads a few thousand small
/// entries instead of a million records.
///
///   key   := dim:u8 u32be(day XOR 0x80000000) name     (per day: 'g', 'h', 'd')
///          | dim:u8 name                               (all time: 'G', 'H', 'D')
///   day   := floor(started_at / 86400 s): UTC days since 1970-01-01 (signed)
///   dim   := 'g' name = group (core/analytics/classify.h; tool + subcommand)
///          | 'h' name = u8(UTC hour of the start, 0-23) host bytes
///          | 'd' name = directory (cwd bytes)
///          | 'G' group, 'H' host, 'D' directory: the same counters summed
///            over every day
/// Dimension first, so a period reads three ranges (one per dimension, from
/// its first day) and the whole history reads the all-time keys plus the
/// hour keys' use counts for the heat map. (Hour and host share one key:
/// the heat map sums the hosts of each hour, at most 24 x hosts keys a day.)
///   value := counters (core/analytics/stats_counters.h)
/// Every command counted adds one counter set (StatsCounters::One) to one
/// key of each dimension, as a merge operand in the same encoding: six
/// operands per command, folded per batch. Counted: recorded commands (when
/// they are recorded) and started ones when their finish arrives (the
/// start's time, group, directory and host with the finish's exit and
/// duration); a command still running, or never finished, is not counted.
/// Categories are not stored: they are a function of the group, applied when
/// read. Hours are stored in UTC; readers convert (day, hour) to local time.
///
/// Removal (ApplyRemoval) reads each touched key, subtracts the removed
/// commands' counters and writes the result (deletes it when no use is
/// left), which is byte-identical to a replay. The duration of a removed
/// started command comes from its `history` entry (so a single-view rebuild
/// of `stats` after a forget has the limit described for `commands` in
/// docs/architecture.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/view.h"

namespace tb {

/// The view's name (column family "view_stats").
inline constexpr std::string_view kStatsViewName = "stats";

/// A key's dimension, its first byte (layout above): per day lowercase,
/// all-time totals uppercase.
enum class StatsDim : char {
  kGroup = 'g',
  kHourHost = 'h',
  kDirectory = 'd',
  kGroupTotal = 'G',
  kHostTotal = 'H',
  kDirectoryTotal = 'D',
};
/// Whether `dim` is one of the all-time totals (keys without a day).
bool IsStatsTotal(StatsDim dim);

/// floor(time_ns / 1 day).
int64_t UtcDay(int64_t time_ns);
/// The first key of per-day dimension `dim` at `day` (a scan from here to
/// the end of the dimension covers day and later days).
std::string StatsDayPrefix(StatsDim dim, int64_t day);
/// The prefix of every key of `dim`.
std::string StatsDimPrefix(StatsDim dim);
/// The key of `name` under per-day dimension `dim` on `day` (UtcDay).
std::string StatsKey(int64_t day, StatsDim dim, std::string_view name);
/// The key of `name` under all-time dimension `dim` ('G', 'H' or 'D').
std::string StatsTotalKey(StatsDim dim, std::string_view name);
/// False unless `key` has the layout above (a known dim; an hour-host name
/// starts with a byte < 24). *day is 0 for the all-time keys.
bool ParseStatsKey(std::string_view key, int64_t* day, StatsDim* dim, std::string_view* name);

/// The `stats` view (see the file comment).
class StatsView final : public View {
 public:
  /// Classifier::Default().GroupingFingerprint() the keys were made with;
  /// a test fails when data/categories.toml's [grouping] changes without a
  /// bump of version().
  static constexpr uint64_t kGroupingFingerprint = 966625617529074140ull;
  std::string_view name() const override { return kStatsViewName; }
  uint32_t version() const override { return 2; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
  bool HasMerge() const override { return true; }
  bool FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                 std::string* out) const override;
  ///@{
  /// Operands and values share one encoding: the folded operand is the sum.
  bool FoldsOperands() const override { return true; }
  bool PartialMerge(std::span<const std::string_view> operands, std::string* out) const override {
    return FullMerge(nullptr, operands, out);
  }
  ///@}
};

}  // namespace tb
