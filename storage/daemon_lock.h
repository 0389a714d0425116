/// @file
/// DaemonLock: the one `tb daemon` of a data dir (storage/data_dir.h lists
/// the data dir's files).
///
///   DIR/daemon.lock   flock()ed (exclusive) by the running daemon for its
///                     whole life; holds one line
///                       pid PID since TIME\n   (TIME: RFC 3339, UTC, milliseconds)
///                     The line stays after the daemon exits (a crash cannot
///                     clear it): only the lock says whether one runs. A
///                     clean exit empties the file.
///
/// The shell integration reads the pid from the line (without a process) to
/// decide whether to start a daemon; tb reads the lock itself.
/// Thread safety: a DaemonLock is used from one thread; ProbeDaemon is
/// reentrant.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/status.h"

namespace tb {

/// The lock file's name in the data dir.
inline constexpr const char* kDaemonLockFile = "daemon.lock";

/// Whether a daemon runs for a data dir, and what its line says.
struct DaemonHolder {
  bool running = false;  ///< the lock is held
  pid_t pid = 0;         ///< from the line (0 when unreadable)
  int64_t since_ns = 0;  ///< from the line (0 when unreadable)
};

/// The running daemon's hold on DIR/daemon.lock (released by the destructor).
class DaemonLock {
 public:
  DaemonLock() = default;
  ~DaemonLock();  ///< empties the line and releases the lock
  DaemonLock(const DaemonLock&) = delete;
  DaemonLock& operator=(const DaemonLock&) = delete;

  /// Takes the lock on DIR/daemon.lock without waiting (DIR must exist) and
  /// writes this process's line with `now_ns`. Busy when another process
  /// holds it: "a daemon already runs for <dir> (pid N, since T)".
  Status Acquire(const std::string& dir, int64_t now_ns);
  /// Rewrites the line with the current pid (after a fork: the lock is
  /// inherited by the child, the pid is not).
  Status UpdatePid();
  /// True while this object holds the lock.
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  int64_t since_ns_ = 0;
};

/// Whether a daemon holds DIR's lock, and its line. A missing file or
/// directory is "not running". Never creates or writes anything. While the
/// lock is held but the line is missing or names a dead process (a daemon
/// that has just started, or has just forked away from its starter) it
/// reads again, for up to 50 ms.
DaemonHolder ProbeDaemon(const std::string& dir);

/// "pid N, since 2026-12-07T08:00:00Z" for messages.
std::string DescribeDaemon(const DaemonHolder& holder);

}  // namespace tb
