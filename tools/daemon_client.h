// What other tb commands need to know about a running `tb daemon`
// (tools/daemon.h): whether one runs, and waiting for it to drain.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "tools/context.h"

namespace tb {

// True when a daemon holds the data dir's daemon lock (storage/daemon_lock.h).
bool DaemonRunning(const Context& ctx);

// How long a read command waits for a running daemon to drain the spool.
inline constexpr int kDaemonDrainWaitMs = 250;
// A spool file written longer ago than this, and still there, is one the
// daemon did not drain (it refused the file, or its drains fail): nothing to
// wait for.
inline constexpr std::chrono::milliseconds kDaemonDrainWindow{1000};

// For a read command that finds frames in the spool: when a daemon runs,
// waits up to kDaemonDrainWaitMs for it to drain them, so the command can
// stay read-only (with a daemon, read commands do not write). True when the
// spool is empty by then; false at once when no daemon runs or no spool file
// was written within kDaemonDrainWindow.
bool DaemonDrainedSpool(const Context& ctx);

// True when a regular file in `dir` was modified less than `window` before
// `now` (false when `dir` is missing or unreadable).
bool SpoolHasFreshFile(const std::string& dir, std::chrono::milliseconds window,
                       std::filesystem::file_time_type now = std::filesystem::file_time_type::clock::now());

}  // namespace tb
