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

/// The value of one record: what changes after its start.
struct HistoryState {
  std::optional<int32_t> exit_code;    ///< nullopt: running or unknown
  std::optional<int64_t> duration_ns;  ///< nullopt: running or unknown
  bool running = false;                ///< started and not finished yet
  /// Field by field.
  bool operator==(const HistoryState&) const = default;
};

/// The view's name (column family "view_history").
inline constexpr std::string_view kHistoryViewName = "history";

/// The key of the record at `seq` started at `time_ns` (layout above).
std::string HistoryKey(int64_t time_ns, uint64_t seq);
/// The prefix shared by the keys of every record started at `time_ns`.
std::string HistoryTimePrefix(int64_t time_ns);
/// Splits a key into start time and seq; false when malformed.
bool ParseHistoryKey(std::string_view key, int64_t* time_ns, uint64_t* seq);
/// A cursor over the history view of `reader`; null when it has none.
std::unique_ptr<KvCursor> NewHistoryCursor(StoreReader& reader);
/// The value encoding of `s` (layout above).
std::string EncodeHistoryState(const HistoryState& s);
/// Decodes a value; false when malformed.
bool DecodeHistoryState(std::string_view v, HistoryState* s);
/// Reads the state of the record at `seq` started at `time_ns` through
/// `lookup`: NotFound when the view holds no such record (`*state` is then
/// unchanged), Corruption when its value is malformed.
Status GetHistoryState(ViewLookup& lookup, int64_t time_ns, uint64_t seq, HistoryState* state);

/// The `history` view (see the file comment).
class HistoryView final : public View {
 public:
  std::string_view name() const override { return kHistoryViewName; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
};

}  // namespace tb
