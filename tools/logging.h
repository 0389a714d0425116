// Logging for the `tb` executables: spdlog lives only in tools/.
//
// SetupLogging() installs the spdlog default logger with two sinks:
//  - stderr, for people: "tb: warning: <msg>", "tb: error: <msg>" (generally
//    "tb: <level>: <msg>", one line; control characters in <msg> are shown
//    escaped). Level warn, or debug when `stderr_verbose`.
//  - a size-capped rotating file at cfg.log.level writing JSON lines:
//    {"ts":"2026-11-26T00:16:43.123456Z","level":"warn","pid":123,"msg":"..."}
//    ts is UTC with microseconds; level is trace|debug|info|warn|error|critical;
//    msg is JSON-escaped with invalid UTF-8 replaced by U+FFFD. A record
//    written inside a LogTraceScope also has "trace_id" and "span_id" (hex)
//    after "msg".
//    Path: cfg.log.file, or <data_dir>/logs/tb.log.jsonl when empty; a
//    relative cfg.log.file is relative to data_dir. Missing directories are
//    created 0700 and log files 0600 (also the ones rotation creates). At most
//    cfg.log.max_files files of about cfg.log.max_file_kb KiB each are kept:
//    tb.log.jsonl, tb.log.1.jsonl, ... (a single message larger than the cap
//    still gets written whole). Every record is flushed as it is written, so
//    records of concurrent processes do not interleave within a line.
//    log.level = off disables the file (nothing is created).
//
// RULE FOR CALLERS: command text (and other recorded data: cwd, arguments of
// recorded commands) never appears in log messages above debug level. The file
// log is kept at warn by default and may be shared in bug reports.
//
// Thread safety: the loggers are thread-safe; SetupLogging/ShutdownLogging
// must not race with each other.
#pragma once

#include <string>

#include "core/config.h"
#include "core/status.h"

namespace tb {

// Installs the default logger described above. Never throws. If the log file
// cannot be created or opened, logging continues on stderr only and an
// IOError is returned, meant to be printed as a warning (tb stays usable):
//   cannot open log file (<path>): <strerror>. Logging to stderr only; fix
//   the permissions or set log.file
// Invalid cfg.log values (unknown level) give InvalidArgument, also with the
// stderr sink installed. May be called again to reconfigure.
Status SetupLogging(const Config& cfg, const std::string& data_dir, bool stderr_verbose);

// Flushes and closes the log file; afterwards the default logger writes to
// stderr only (at warn), so late messages are not lost. Never throws.
void ShutdownLogging();

// While one lives, this thread's log records carry `trace_id` and `span_id`
// (sync/trace.h) in the JSON file log. Scopes do not nest.
class LogTraceScope {
 public:
  LogTraceScope(const std::string& trace_id, const std::string& span_id);
  ~LogTraceScope();
  LogTraceScope(const LogTraceScope&) = delete;
  LogTraceScope& operator=(const LogTraceScope&) = delete;
};

// The path SetupLogging() uses for the file log ("" when data_dir is empty and
// cfg.log.file is not absolute).
std::string LogFilePath(const Config& cfg, const std::string& data_dir);

}  // namespace tb
