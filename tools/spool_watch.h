// SpoolWatch: inotify on the spool directory (storage/spool.h), so the
// daemon sleeps until a shell writes a frame: no polling, no timer.
//
// When the spool directory exists it is watched for files closed after
// writing and files moved in (the hooks append with `>>`: open, write,
// close). The drainer's own renames ("*.draining.*") and deletions do not
// count. When it does not exist (a logout emptied $XDG_RUNTIME_DIR, or no
// shell has started yet), the deepest existing ancestor is watched for the
// next path component to appear, and the watch moves down as it does.
//
// Thread safety: one thread.
#pragma once

#include <string>

#include "core/status.h"

namespace tb {

class SpoolWatch {
 public:
  SpoolWatch() = default;
  ~SpoolWatch();
  SpoolWatch(const SpoolWatch&) = delete;
  SpoolWatch& operator=(const SpoolWatch&) = delete;

  // Starts watching `spool_dir` (absolute).
  Status Start(const std::string& spool_dir);
  // The descriptor to poll for POLLIN.
  int fd() const { return fd_; }
  // Reads the queued events (non-blocking). *activity is true when frames
  // may be waiting: a spool file was written or moved in, or the spool
  // directory has just (re)appeared.
  Status Read(bool* activity);
  // The directory watched now (the spool directory or an ancestor).
  const std::string& watched() const { return watched_; }

 private:
  // Watches the spool directory if it exists, else its deepest existing
  // ancestor. True when the spool directory itself is watched.
  Status Rewatch(bool* on_spool);

  int fd_ = -1;
  int wd_ = -1;
  std::string spool_dir_;
  std::string watched_;
};

}  // namespace tb
