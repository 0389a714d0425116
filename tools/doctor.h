// Doctor: `tb doctor`'s checks of a TermBrain setup, each one line with a
// level and, when it is not ok, the command that fixes it (the checks and
// fixes are listed in docs/operations.md, "tb doctor").
//
//   install  an rc file loads the integration (the line `tb install` adds)
//   hooks    the integration is loaded in the shell that runs tb doctor
//   spool    the spool directory: writable, yours, 0700, files 0600, in memory
//   daemon   the daemon's socket answers /healthz with 200
//   store    the store opens and its last event reads back (a quick verify)
//   disk     free space on the data dir's file system above storage.reserve_mb
//   clock    the system clock is not before the newest event or this build
//   config   the config file and TERMBRAIN_* variables load
//   backup   a backup exists, and is not older than twice backup.interval
//
// A check fails when recording is lost or broken (hooks missing, a spool
// others can read or that cannot be written, a full disk, a damaged store,
// a config that stops every command); it warns when things work but could
// be better (no daemon: any tb drains the spool; a spool on disk; no
// backup). The store is opened read-only; nothing is drained or repaired.
// Thread safety: functions of their arguments; RunDoctor reads the file
// system and the daemon's socket.
#pragma once

#include <string>
#include <vector>

#include "tools/context.h"

namespace tb {

struct DoctorCheck {
  enum class Level { kOk, kWarn, kFail };
  std::string name;  // "spool"
  Level level = Level::kOk;
  std::string detail;  // one line, what was found
  std::string fix;     // a command to run ("" when ok or nothing to run)
};

// Every check above, in that order.
std::vector<DoctorCheck> RunDoctor(Context& ctx);

// One line per check: "LEVEL  NAME     DETAIL" and, when there is a fix,
// "; fix: FIX". LEVEL is ok, warn or FAIL, padded to 4.
std::string RenderDoctorText(const std::vector<DoctorCheck>& checks);
// {"ok":BOOL,"checks":[{"name":..,"level":"ok|warn|fail","detail":..,
// "fix":..|null},...]} (JsonText format).
std::string RenderDoctorJson(const std::vector<DoctorCheck>& checks);
// True when no check failed.
bool DoctorPassed(const std::vector<DoctorCheck>& checks);

}  // namespace tb
