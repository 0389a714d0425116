// Telemetry on disk (opt-in; docs/telemetry.md): the counts file under the
// state dir, STATE/termbrain/telemetry (tools/context.h, StateDir), in the
// format of core/telemetry.h.
//
// The file is also the setting: telemetry is on exactly when it exists.
// tb never writes its config file (`tb config` only shows and checks it),
// so `tb telemetry enable` creates the file and `disable` deletes it; where
// the counts go (telemetry.endpoint) is config (core/config.h).
//
// Cost on every command (CountRun): one open(2) without O_CREAT. Telemetry
// off, it fails (ENOENT) and nothing is created, read or written; on, it is
// one write(2) of one line with O_APPEND (about 30 bytes). Nothing is
// printed either way.
// Thread safety: functions are reentrant; concurrent appends from many tb
// processes are whole lines (one O_APPEND write each).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/telemetry.h"
#include "tools/context.h"

namespace tb {

// STATE/termbrain/telemetry ("" when StateDir is "").
std::string TelemetryPath(const Context& ctx);

// True for the command-table names the counts may hold (tools/commands.h).
bool IsTelemetryCommand(std::string_view name);

// Appends the line of one run of `command` to the file at `path` when it
// exists; silently nothing otherwise, or on any error. The `telemetry ...`
// commands themselves are not counted (showing must not change what is
// shown).
void CountRun(const std::string& path, std::string_view command, int64_t duration_ns, Status::Code code);

// Starts the window again: the file becomes a header of `now_s` alone
// (core/atomic_file.h; the state directory is created 0700).
Status StartTelemetryWindow(const std::string& path, int64_t now_s);

// What the file holds. *enabled: whether it exists. A file that cannot be
// believed (core/telemetry.h, ParseTelemetry: damaged, foreign, another
// version) is replaced by a new window starting at `now_s`, and *replaced
// says why in one line ("" when it was fine); the counts are then empty.
// IOError when the file cannot be read or replaced.
Status LoadTelemetry(const std::string& path, int64_t now_s, bool* enabled, TelemetryCounts* counts,
                     std::string* replaced);

}  // namespace tb
