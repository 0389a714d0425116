/// @file
/// The spool warning: how the shells learn that their frames wait in the
/// spool because the store cannot be written (disk full, unwritable, held
/// by another process for long, or more than daemon.spool_max_mb waiting).
/// The frames are kept either way; the warning makes sure the user hears of
/// it (once per shell), since a logout or reboot would lose what waits in
/// memory.
///
/// File: SPOOL.warning (beside the spool directory, like the daemon's
/// socket), 0600, replaced atomically (core/atomic_file.h):
///   line 1  ID: the time the condition began (UTC ns, decimal)
///   line 2  the message, one line, starting "tb: "
/// The shell integration (tools/shell/tb.*) shows line 2 on stderr after a
/// command, once per ID per shell; a new episode (a new ID) is shown again.
/// Thread safety: free functions; concurrent writers race only on which
/// whole file lands last.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace tb {

/// The warning file of `spool_dir`.
std::string SpoolWarningPath(const std::string& spool_dir);

/// The contents of a warning file.
struct SpoolWarning {
  int64_t since_ns = 0;  ///< the ID
  std::string message;   ///< line 2: one line, starting "tb: "
};

/// Writes the warning. An existing warning keeps its ID (the same episode,
/// so shells that showed it stay quiet) and takes the new message; else the
/// ID is `now_ns`. A newline in `message` becomes a space.
Status RaiseSpoolWarning(const std::string& spool_dir, const std::string& message, int64_t now_ns);

/// Removes the warning (the frames could be stored again). No warning is OK.
Status ClearSpoolWarning(const std::string& spool_dir);

/// Reads the warning: NotFound when there is none, Corruption when the file
/// is not two lines with a decimal ID.
Status ReadSpoolWarning(const std::string& spool_dir, SpoolWarning* out);

}  // namespace tb
