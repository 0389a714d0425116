// The `stats` view: pre-aggregated counters for `tb stats`, per UTC day and
// dimension, so a whole-history summary reads a few hundred thousand small
// entries instead of a million records.
//
//   key   := u32be(day XOR 0x80000000) dim:u8 name
//   day   := floor(started_at / 86400 s): UTC days since 1970-01-01 (signed)
//   dim   := 'g' name = group (core/analytics/classify.h; tool + subcommand)
//          | 'h' name = u8(UTC hour of the start, 0-23) host bytes
//          | 'd' name = directory (cwd bytes)
// (hour and host share one key: the totals and the heat map sum the hosts
// of each hour, the host breakdown sums the hours: one operand fewer per
// command than separate keys, for at most 24 x hosts keys a day).
//   value := counters (core/analytics/stats_counters.h)
// Every command counted adds one counter set (StatsCounters::One) to one
// key of each dimension, as a merge operand in the same encoding: three
// operands per command. Counted: recorded commands (when they are
// recorded) and started ones when their finish arrives (the start's time,
// group, directory and host with the finish's exit and duration); a
// command still running, or never finished, is not counted. Categories
// are not stored: they are a function of the group, applied when read.
// Hours are stored in UTC; readers convert (day, hour) to local time.
//
// Removal (ApplyRemoval) reads each touched key, subtracts the removed
// commands' counters and writes the result (deletes it when no use is
// left), which is byte-identical to a replay. The duration of a removed
// started command comes from its `history` entry (so a single-view rebuild
// of `stats` after a forget has the limit described for `commands` in
// docs/architecture.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/view.h"

namespace tb {

inline constexpr std::string_view kStatsViewName = "stats";

enum class StatsDim : char { kGroup = 'g', kHourHost = 'h', kDirectory = 'd' };

// floor(time_ns / 1 day).
int64_t UtcDay(int64_t time_ns);
// The first key of `day` (a scan from here covers day and later days).
std::string StatsDayPrefix(int64_t day);
std::string StatsKey(int64_t day, StatsDim dim, std::string_view name);
// False unless `key` has the layout above (a known dim; an hour-host name
// starts with a byte < 24).
bool ParseStatsKey(std::string_view key, int64_t* day, StatsDim* dim, std::string_view* name);

class StatsView final : public View {
 public:
  // Classifier::Default().GroupingFingerprint() the keys were made with;
  // a test fails when data/categories.toml's [grouping] changes without a
  // bump of version().
  static constexpr uint64_t kGroupingFingerprint = 966625617529074140ull;
  std::string_view name() const override { return kStatsViewName; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
  bool HasMerge() const override { return true; }
  bool FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                 std::string* out) const override;
  // Operands and values share one encoding: the folded operand is the sum.
  bool FoldsOperands() const override { return true; }
  bool PartialMerge(std::span<const std::string_view> operands, std::string* out) const override {
    return FullMerge(nullptr, operands, out);
  }
};

}  // namespace tb
