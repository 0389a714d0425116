// ProcessStats: this process's resource use from /proc/self, for the
// daemon's metrics (the Prometheus client libraries' standard process_*
// names, tools/daemon_metrics.h).
// Thread safety: a free function, no shared state.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace tb {

struct ProcessStats {
  uint64_t resident_bytes = 0;  // RSS (/proc/self/statm)
  uint64_t virtual_bytes = 0;
  double cpu_seconds = 0;         // user + system (/proc/self/stat)
  double start_time_seconds = 0;  // since the epoch
  uint64_t open_fds = 0;          // entries of /proc/self/fd
};

// IOError when /proc cannot be read (not Linux, or /proc not mounted).
Status ReadProcessStats(ProcessStats* out);

}  // namespace tb
