/// @file
/// Free-space checks made before a write starts (docs/operations.md, "Disk
/// full"). A write that would run the file system out of space is refused
/// with a NoSpace Status before RocksDB (or any file) is touched, so a full
/// disk costs nothing: no half-written batch, no sticky store error.
///
/// The check is advisory (another process can fill the disk right after
/// it); a write that still fails for lack of space returns NoSpace from
/// RocksDB, which tools/cli.cc reports the same way.
/// Thread safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace tb {

/// The free space of the file system holding a path.
struct DiskSpace {
  uint64_t free_bytes = 0;  ///< available to an unprivileged writer (f_bavail)
  std::string mount;        ///< the mount point holding the path ("" unknown)
};

/// The space left on the file system holding `path` (or its nearest
/// existing parent directory, when `path` does not exist yet).
Status FreeSpaceOf(const std::string& path, DiskSpace* out);

/// OK when the file system holding `path` has at least `need_bytes` free;
/// else NoSpace with the one-line message
///   disk full: N MiB free on MOUNT (WHAT needs M MiB); nothing was lost.
///   Free space and run RETRY again
/// `need_bytes` 0 always passes (the check is off). A path whose free space
/// cannot be read passes too: the check must never stop a write that could
/// succeed.
Status CheckFreeSpace(const std::string& path, uint64_t need_bytes, const std::string& what, const std::string& retry);

/// The message above for a space of `space` (need 0: the "(WHAT needs ...)"
/// part is left out; used for NoSpace errors raised by a write itself).
std::string DiskFullMessage(const DiskSpace& space, uint64_t need_bytes, const std::string& what,
                            const std::string& retry);

}  // namespace tb
