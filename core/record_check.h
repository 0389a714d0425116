/// @file
/// Checks of the fields a user gives `tb record` (tools/cmd_record.cc), so
/// that a script's typo never becomes a record that no shell could have
/// written:
///   - exit status: 0 to 255 (what a shell reports; a signal is 128 + n);
///   - directory: an absolute path, or empty (unknown, as in imported
///     records); a relative one says nothing about where the command ran;
///   - start time: at most kMaxFutureNs after now (clock skew between hosts
///     is allowed for; a mistyped year or a time zone error is not).
/// The shell hooks do not go through these checks: they write the spool
/// (core/spool_frame.h) with values the shell itself gave them.
///
/// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "core/event.h"
#include "core/status.h"

namespace tb {

/// How far in the future a --started-at may be: one hour.
inline constexpr int64_t kMaxFutureNs = 3600LL * 1000000000LL;

/// OK, or InvalidArgument with a one-line message naming the flag
/// (--exit, --cwd, --started-at) of the first field out of bounds.
/// `now_ns` is the current time (injected for tests).
Status CheckRecordFields(const Event& ev, int64_t now_ns);

}  // namespace tb
