/// @file
/// The `history` view: one entry per command (started or recorded event),
/// ordered by start time, holding what changes after the start (exit code,
/// duration, running). The static part of a record (text, cwd, session, ...)
/// is read from the log event at `seq`.
///
///   key   := i64key(started_at_ns) u64be(seq)
///   value := flags:u8 [zigzag(exit_code) if flags&1] [zigzag(duration_ns) if flags&2]
///   flags := 1 has exit | 2 has duration | 4 running
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/view.h"

namespace tb {

struct HistoryState {
  std::optional<int32_t> exit_code;
  std::optional<int64_t> duration_ns;
  bool running = false;
  bool operator==(const HistoryState&) const = default;
};

inline constexpr std::string_view kHistoryViewName = "history";

std::string HistoryKey(int64_t time_ns, uint64_t seq);
/// The prefix shared by the keys of every record started at `time_ns`.
std::string HistoryTimePrefix(int64_t time_ns);
bool ParseHistoryKey(std::string_view key, int64_t* time_ns, uint64_t* seq);
/// A cursor over the history view of `reader`; null when it has none.
std::unique_ptr<KvCursor> NewHistoryCursor(StoreReader& reader);
std::string EncodeHistoryState(const HistoryState& s);
bool DecodeHistoryState(std::string_view v, HistoryState* s);

class HistoryView final : public View {
 public:
  std::string_view name() const override { return kHistoryViewName; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
};

}  // namespace tb
