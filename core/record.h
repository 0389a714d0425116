/// @file
/// HistoryRecord: one command as the user sees it in history/search/export.
///
/// It is derived: the log event that started (or completely recorded) the
/// command, joined with its finish (exit, duration) by the `history` view.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/event.h"

namespace tb {

/// One command as history shows it: its started/recorded event joined with
/// its final state.
struct HistoryRecord {
  EventId id;                          ///< id of the started/recorded event
  uint64_t seq = 0;                    ///< its log sequence number
  std::string command;                 ///< bytes, may be invalid UTF-8 or contain NUL
  std::string cwd;                     ///< bytes
  std::optional<int32_t> exit_code;    ///< nullopt: running or unknown
  std::optional<int64_t> duration_ns;  ///< nullopt: running or unknown
  int64_t started_at_ns = 0;           ///< UTC ns since the epoch
  std::string session;                 ///< the shell session's id ("" when none)
  std::string host;                    ///< host name it ran on
  std::string user;                    ///< user it ran as
  std::string shell;                   ///< the shell's name ("" = unknown)
  bool truncated = false;              ///< command was cut at the configured maximum
  bool running = false;                ///< started, no finish seen yet

  /// Field by field.
  bool operator==(const HistoryRecord&) const = default;
};

}  // namespace tb
