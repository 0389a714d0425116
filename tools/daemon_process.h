// The `tb daemon` process around the loop (tools/daemon.h): the per-user,
// per-data-dir lock (storage/daemon_lock.h), detaching from the terminal,
// low CPU and I/O priority, signals, the JSON-lines log and the systemd
// notification protocol.
//
//   lock      DIR/daemon.lock; a second daemon for the same data dir gets
//             Busy (exit 4) naming the pid that holds it.
//   detach    (--detach, for the shell integration) the process forks,
//             the child starts a new session (setsid: no controlling
//             terminal, its own process group, so closing the terminal does
//             not signal it), forks again, moves to / and points stdin,
//             stdout and stderr at /dev/null. The lock is taken before the
//             fork, so the starting shell sees "busy" and exit 4 itself.
//   priority  nice 10 and I/O class best-effort, level 7 (the lowest), so
//             drains and maintenance yield to the user's work.
//   signals   SIGTERM, SIGINT and SIGHUP stop it: a final drain that waits
//             for the store, a synced write-ahead log, exit 0 (1 when that
//             drain failed, after logging why).
//   log       JSON lines (tools/logging.h) in <data dir>/logs/daemon.log.jsonl
//             unless log.file is set; at info level unless log.level asks
//             for more (or off). Started after the first cycle that opened
//             the store, so nothing is written into a directory that is not
//             a store.
//   systemd   with $NOTIFY_SOCKET (Type=notify): READY=1 once the spool is
//             watched and the first drain ran, STOPPING=1 on a signal,
//             STATUS= with the last figures after each cycle that failed.
#pragma once

#include "core/status.h"
#include "tools/context.h"

namespace tb {

// Runs the daemon for ctx.data_dir until a stop signal.
Status RunDaemonProcess(Context& ctx, bool detach);

}  // namespace tb
