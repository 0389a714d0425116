/// @file
/// History queries: `tb history` and `tb search` (newest first, filtered).
///
/// The engine picks the narrowest view to walk: by_cwd or by_session when
/// that filter is given, by_command through the commands view for a text
/// search, else history; it walks newest first within [since, until] and
/// checks the remaining filters on each record.
/// Thread safety: one query per StoreReader at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/record.h"
#include "core/status.h"
#include "core/store_reader.h"

namespace tb {

/// Which records a history query returns; unset fields do not filter.
struct HistoryFilter {
  size_t limit = 0;                    ///< 0 = no limit
  std::optional<std::string> cwd;      ///< exact directory
  std::optional<std::string> session;  ///< exact session id
  std::optional<std::string> host;     ///< exact host name
  std::optional<int32_t> exit_code;    ///< exact exit status
  bool failed = false;                 ///< exit known and != 0
  bool succeeded = false;              ///< exit == 0
  std::optional<int64_t> since_ns;     ///< started_at >= since
  std::optional<int64_t> until_ns;     ///< started_at <= until
  std::optional<std::string> text;     ///< case-insensitive substring (ASCII folding)
};

/// Calls `emit` for each matching record, newest first (started_at, then
/// seq), at most filter.limit times; `emit` returns false to stop early.
Status QueryHistory(StoreReader& reader, const HistoryFilter& filter,
                    const std::function<bool(const HistoryRecord&)>& emit);

/// Builds the record for the command at (time, seq) from the log and the
/// history view entry `state_value`.
Status LoadRecord(StoreReader& reader, uint64_t seq, std::string_view state_value, HistoryRecord* out);

/// True when `haystack` contains `needle_lower` ignoring ASCII case.
/// `needle_lower` must already be lowercase.
bool ContainsFolded(std::string_view haystack, std::string_view needle_lower);
/// `s` with ASCII letters lowercased (other bytes unchanged).
std::string AsciiLower(std::string_view s);

}  // namespace tb
