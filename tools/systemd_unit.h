// The systemd user unit of `tb daemon`, written by `tb install` and removed
// by `tb uninstall` (tools/cmd_install.cc).
//
//   UNIT_DIR = $XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user)
//   UNIT_DIR/termbrain.service                     the unit (0644)
//   UNIT_DIR/default.target.wants/termbrain.service
//                                                  a symlink to the unit one
//                                                  level up: "enabled" (what
//                                                  `systemctl --user enable`
//                                                  creates)
//
// The unit names the directories the install had to create, one comment
// line each ("# tb created: DIR"), so the uninstall removes exactly those
// (when empty) and leaves the unit directories as they were before.
// Type=notify (tb daemon sends READY=1), Restart=on-failure except exit 4
// (another daemon holds the data dir), low CPU and I/O priority, and the
// hardening options that work in a user manager without user namespaces.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "tools/context.h"

namespace tb {

inline constexpr const char* kUnitName = "termbrain.service";

// UNIT_DIR for this user ("" when HOME is unset).
std::string UnitDir(const Context& ctx);
// True when UNIT_DIR/termbrain.service exists (then the shell integration
// leaves starting the daemon to systemd).
bool UnitInstalled(const Context& ctx);

// The unit's text: ExecStart runs `binary` with this data dir (and config
// file when one was given), TERMBRAIN_SPOOL_DIR passed on when set.
std::string UnitText(const Context& ctx, const std::string& binary, const std::vector<std::string>& created_dirs);
// The unit the Debian package installs as /usr/lib/systemd/user/termbrain.service
// (cmake/packaging.cmake prints it with `tb install --print-unit packaged`):
// the same service as UnitText's, but for every user, so ExecStart names no
// data dir or config (tb finds the user's own: XDG_DATA_HOME, XDG_CONFIG_HOME)
// and the memory cap is the default config's.
std::string PackagedUnitText(const std::string& binary);

// Writes and enables the unit (see above). *changed = false when the same
// unit was already in place and enabled.
Status InstallUnit(const Context& ctx, const std::string& binary, bool* changed);
// Removes the unit, its "enabled" link and the directories the install
// created (when they are empty). *removed = false when there was no unit.
Status RemoveUnit(const Context& ctx, bool* removed);

// True when `systemctl --user` reaches a user manager.
bool UserManagerRuns();
// Runs `systemctl --user ARGS...` quietly; true when it exits 0.
bool Systemctl(const std::vector<std::string>& args);

// tb install's part for the daemon. `mode`: "auto" (systemd when a user
// manager answers, else the shell integration), "systemd" (write and enable
// the unit even when no manager answers now: it starts at the next login),
// or "shell" (no unit; an earlier one is removed: the shells start the
// daemon). With a manager, the unit is (re)started. *message: what changed,
// one line each ("" when nothing did).
Status SetUpService(const Context& ctx, const std::string& mode, std::string* message);
// InvalidArgument unless `mode` is one SetUpService takes.
Status CheckServiceMode(const std::string& mode);
// tb uninstall's part: stops the daemon (through systemd when a unit is
// installed and a manager answers, else with SIGTERM to the pid holding the
// daemon lock, waiting up to 10 s for its final drain) and removes the unit.
Status TearDownService(const Context& ctx, std::string* message);

}  // namespace tb
