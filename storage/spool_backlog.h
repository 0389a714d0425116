/// @file
/// What waits in a spool directory (storage/spool.h): for `tb metrics`,
/// `tb doctor` and the daemon's health. Read-only: nothing is drained,
/// moved or judged (trust is the drain's business).
/// Thread safety: a free function, no shared state.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace tb {

/// What waits in a spool directory.
struct SpoolBacklog {
  uint64_t files = 0;           ///< spool files (live and being drained)
  uint64_t frames = 0;          ///< complete frames (lines) in them; a file being
                                ///< drained counts whole, consumed part included
  uint64_t bytes = 0;           ///< total size of the spool files
  int64_t oldest_mtime_ns = 0;  ///< the least recently written file; 0 when none
};

/// Measures the regular files directly in `spool_dir` (symlinks and
/// subdirectories are skipped). A missing directory is an empty backlog;
/// IOError when it cannot be listed or a file cannot be read.
Status MeasureSpool(const std::string& spool_dir, SpoolBacklog* out);

}  // namespace tb
