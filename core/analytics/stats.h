/// @file
/// Statistics for `tb stats`: aggregation from the `stats` view (fast: no
/// scope filter) or from a walk of the matching records (scope filters),
/// and the report both give.
///
/// Fast path (ReadStatsFromView): scans the `stats` view's three per-day
/// dimensions from the first day of the period (UTC days; the period runs to
/// the end of the history), or for the whole history its all-time totals
/// and the hour keys' use counts, and counts the `commands` view entries whose last use is in the period (the
/// unique commands: a command was used in [start, end of history] exactly
/// when its last use is). Hours are converted from UTC (day, hour) buckets to
/// local weekday x hour by the start of each UTC hour (in a zone with a
/// non-whole-hour offset an hour's commands land in the local hour where
/// that UTC hour starts).
/// Slow path (ReadStatsFromRecords): QueryHistory with the filter; counts
/// exactly what the view counts (running commands are skipped), local hours
/// from each start time.
/// Thread safety: one call per StoreReader at a time.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/analytics/classify.h"
#include "core/analytics/stats_counters.h"
#include "core/history_query.h"
#include "core/status.h"
#include "core/store_reader.h"

namespace tb {

/// Hash of strings that lets an unordered map be looked up by string_view
/// without building a std::string.
struct StringViewHash {
  using is_transparent = void;  ///< enables heterogeneous lookup
  /// std::hash of the bytes (the same for a std::string and its view).
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
/// Counters by name (group, directory or host), looked up by string_view.
using StatsCounterMap = std::unordered_map<std::string, StatsCounters, StringViewHash, std::equal_to<>>;

/// Everything counted, before ranking.
struct StatsAggregate {
  StatsCounters total;           ///< every command counted
  uint64_t unique_commands = 0;  ///< distinct command texts used in the period
  ///@{
  /// Counters per command group (Classifier), per directory and per host.
  StatsCounterMap groups, directories, hosts;
  ///@}
  std::array<std::array<uint64_t, 24>, 7> heat{};  ///< [local weekday, Monday = 0][local hour]
};

/// `from_day` (UtcDay) = first day counted; nullopt = all history.
Status ReadStatsFromView(StoreReader& reader, std::optional<int64_t> from_day, StatsAggregate* out);
/// The slow path: walks the records `filter` matches (QueryHistory) and
/// counts them as the view would.
Status ReadStatsFromRecords(StoreReader& reader, const HistoryFilter& filter, StatsAggregate* out);

/// One row of a ranked list of the report.
struct StatsRow {
  std::string name;        ///< group, category, directory or host
  std::string category;    ///< groups only ("" otherwise)
  StatsCounters counters;  ///< what was counted for it
};

/// What `tb stats` shows: the aggregate ranked into lists.
struct StatsReport {
  std::string period;                              ///< "all", "day", "week", "month", "year"
  std::optional<int64_t> from_day;                 ///< first UTC day counted (fast path)
  bool scoped = false;                             ///< scope filters: records walked
  StatsCounters total;                             ///< every command counted
  uint64_t unique_commands = 0;                    ///< distinct command texts used in the period
  std::vector<StatsRow> top;                       ///< uses desc, then name
  std::vector<StatsRow> slowest;                   ///< mean duration desc, then name (timed groups)
  std::vector<StatsRow> failing;                   ///< failures desc, then rate desc, then name (failures > 0)
  std::vector<StatsRow> categories;                ///< uses desc, then CategoryNames() order (uses > 0)
  std::vector<StatsRow> directories;               ///< uses desc, then name
  std::vector<StatsRow> hosts;                     ///< uses desc, then name
  std::array<std::array<uint64_t, 24>, 7> heat{};  ///< as StatsAggregate::heat
};

/// Ranks the aggregate; every list keeps at most `top` rows (categories:
/// all of them).
StatsReport BuildStatsReport(const StatsAggregate& agg, size_t top, const Classifier& classifier);

/// The local weekday (Monday = 0) and hour of a UTC time in seconds.
void LocalWeekdayHour(int64_t utc_seconds, int* weekday, int* hour);

}  // namespace tb
