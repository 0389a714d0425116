#include "tools/doctor.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/duration.h"
#include "storage/admin.h"
#include "storage/at_rest.h"
#include "storage/disk_space.h"
#include "storage/spool_backlog.h"
#include "storage/spool_trust.h"
#include "tools/commands.h"
#include "tools/endpoint.h"
#include "tools/metrics_snapshot.h"
#include "tools/output.h"
#include "tools/systemd_unit.h"

namespace tb {
namespace {

namespace fs = std::filesystem;
using Level = DoctorCheck::Level;

constexpr int64_t kSecond = 1'000'000'000;
// 2024-01-01T00:00:00Z: a clock before it is unset (tb did not exist).
constexpr int64_t kEarliestSane = 1704067200 * kSecond;

// What one check learns for a later one.
struct DoctorState {
  int64_t now_ns = 0;
  int64_t newest_event_ns = 0;  // 0 when unknown
  bool hooks_loaded = false;
};

DoctorCheck Check(const char* name, Level level, std::string detail, std::string fix = "") {
  return DoctorCheck{name, level, std::move(detail), level == Level::kOk ? "" : std::move(fix)};
}

std::string Shell(const Context& ctx) {
  std::string shell = ctx.Env("TERMBRAIN_SHELL");
  if (shell.empty()) shell = fs::path(ctx.Env("SHELL")).filename().string();
  return shell == "zsh" || shell == "fish" ? shell : "bash";
}

std::string InitCommand(const std::string& shell) {
  return shell == "fish" ? "tb init fish | source" : "eval \"$(tb init " + shell + ")\"";
}

std::string Mode(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

bool HasInstallLine(const std::string& rc) {
  std::ifstream in(rc);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
    if (line.ends_with(kInstallMarker)) return true;
  }
  return false;
}

DoctorCheck CheckHooks(const Context& ctx, DoctorState* state) {
  const std::string shell = Shell(ctx);
  std::string disabled = ctx.Env("TERMBRAIN_DISABLED");
  if (!disabled.empty() && disabled != "0") {
    return Check("hooks", Level::kWarn, "recording is turned off by TERMBRAIN_DISABLED=" + disabled,
                 "unset TERMBRAIN_DISABLED");
  }
  std::string session = ctx.Env("TERMBRAIN_SESSION");
  if (session.empty()) {
    return Check("hooks", Level::kFail, "not loaded in this shell: the commands typed here are not recorded",
                 InitCommand(shell));
  }
  state->hooks_loaded = true;
  return Check("hooks", Level::kOk, "loaded in this " + shell + " shell (session " + session + ")");
}

DoctorCheck CheckInstall(const Context& ctx, const DoctorState& state) {
  if (ctx.Env("HOME").empty()) return Check("install", Level::kWarn, "HOME is not set: no rc file to look at");
  std::string found;
  for (const char* shell : {"bash", "zsh", "fish"}) {
    std::string rc = RcFileFor(ctx, shell);
    if (HasInstallLine(rc)) found += (found.empty() ? "" : ", ") + rc;
  }
  if (!found.empty()) return Check("install", Level::kOk, "the integration is loaded by " + found);
  std::string rc = RcFileFor(ctx, Shell(ctx));
  return Check("install", state.hooks_loaded ? Level::kWarn : Level::kFail,
               "no rc file loads the integration (" + rc + "): new shells will not record",
               "tb install --shell " + Shell(ctx));
}

// f_type of the file system holding `path` or its nearest existing parent.
bool MemoryBacked(fs::path path, std::string* fs_name) {
  struct statfs sf;
  while (::statfs(path.c_str(), &sf) != 0) {
    if (!path.has_parent_path() || path == path.parent_path()) return false;
    path = path.parent_path();
  }
  bool memory = sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC;
  *fs_name = memory ? "in memory" : "on disk";
  return memory;
}

// The first problem of the spool directory or its files ("" when none) and
// the command that fixes it.
std::string SpoolProblem(const std::string& dir, std::string* fix) {
  Fd dfd;
  Status s = OpenTrusted(AT_FDCWD, dir, SpoolObject::kDirectory, &dfd);
  if (!s.ok()) {
    *fix = "rm -r " + dir + "  # after a look at what it holds; the next shell command makes it again";
    return "spool directory " + dir + ": " + s.message() + ": tb refuses to drain it, so recording is lost";
  }
  if (!dfd.valid()) return "";
  struct stat st;
  if (::fstat(dfd.get(), &st) == 0 && (st.st_mode & 077) != 0) {
    *fix = "chmod 700 " + dir;
    return "spool directory " + dir + " is " + Mode(st.st_mode) + ": other users can list it";
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    *fix = "chmod u+w " + dir;
    return "spool directory " + dir + " is not writable: the hooks cannot record";
  }
  for (const auto& entry : fs::directory_iterator(dir, fs::directory_options::skip_permission_denied)) {
    std::string name = entry.path().filename().string();
    Fd f;
    Status fs_status = OpenTrusted(dfd.get(), name, SpoolObject::kFile, &f);
    if (!fs_status.ok()) {
      *fix = "rm " + entry.path().string() + "  # after a look at what it holds";
      return "spool file " + entry.path().string() + ": " + fs_status.message() + ": tb refuses to drain it";
    }
    if (f.valid() && ::fstat(f.get(), &st) == 0 && (st.st_mode & 077) != 0) {
      *fix = "chmod 600 " + entry.path().string();
      return "spool file " + entry.path().string() + " is " + Mode(st.st_mode) +
             ": other users can read the raw commands";
    }
  }
  return "";
}

DoctorCheck CheckSpool(const Context& ctx) {
  const std::string dir = ctx.SpoolDir();
  const std::string fix_place = "set XDG_RUNTIME_DIR (or TERMBRAIN_SPOOL_DIR) to a directory of yours on a tmpfs";
  std::error_code ec;
  const bool exists = fs::exists(fs::symlink_status(dir, ec));
  if (!exists) {
    fs::path parent = fs::path(dir).parent_path();
    while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.parent_path()) parent = parent.parent_path();
    if (::access(parent.c_str(), W_OK | X_OK) != 0) {
      return Check("spool", Level::kFail,
                   dir + " cannot be created (" + parent.string() + " is not writable): recording is lost", fix_place);
    }
  }
  std::string fix;
  std::string problem = SpoolProblem(dir, &fix);
  if (!problem.empty()) return Check("spool", Level::kFail, problem, fix);
  std::string where;
  bool memory = MemoryBacked(dir, &where);
  SpoolBacklog backlog;
  std::string waiting;
  if (MeasureSpool(dir, &backlog).ok()) waiting = "; " + std::to_string(backlog.frames) + " frames waiting";
  if (!memory) {
    return Check("spool", Level::kWarn, dir + " is on disk: raw commands (secrets unmasked) stay there until drained",
                 fix_place);
  }
  if (!exists) return Check("spool", Level::kOk, dir + ": " + where + ", not made yet (the hooks make it 0700)");
  return Check("spool", Level::kOk, dir + ": " + where + ", yours, private" + waiting);
}

DoctorCheck CheckDaemon(const Context& ctx) {
  const std::string sock = DaemonSocketPath(ctx);
  int status = 0;
  std::string body;
  if (!FetchFromSocket(sock, "/healthz", &status, &body).ok()) {
    // Recording goes on, but frames wait in memory (the spool) until some tb
    // drains them: a logout or reboot before then loses them.
    return Check("daemon", Level::kFail,
                 "not running (" + sock + " does not answer): commands wait in the spool until the next tb",
                 UnitInstalled(ctx) ? "systemctl --user start termbrain.service" : "tb daemon --detach");
  }
  if (status == 200) return Check("daemon", Level::kOk, "running and healthy (" + sock + ")");
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  std::string why = j.is_object() && j.contains("last_error") && j["last_error"].is_string()
                        ? j["last_error"].get<std::string>()
                        : "HTTP " + std::to_string(status);
  if (status != 503) return Check("daemon", Level::kWarn, "answers " + why + " (" + sock + ")", "tb doctor");
  return Check("daemon", Level::kFail, "running but unhealthy: " + why, "tb metrics");
}

// Encryption at rest on: the data key (a key file, or the unlocked key of
// passphrase mode), which the store check needs. `tb doctor` loads it here
// instead of before it runs, so a key that cannot be had is one failed check.
DoctorCheck CheckKey(const Context& ctx, bool* usable) {
  Status s = LoadProcessDataKey(ctx);
  *usable = s.ok();
  if (!s.ok()) return Check("key", Level::kFail, s.message(), s.IsLocked() ? "tb unlock" : "tb config check");
  const std::string id = ProcessDataKey() != nullptr ? KeyIdHex(*ProcessDataKey()) : "";
  if (ctx.config.storage.encryption == "passphrase") return Check("key", Level::kOk, "unlocked (key id " + id + ")");
  return Check("key", Level::kOk, "key id " + id + " read from " + ctx.config.storage.key_file);
}

DoctorCheck CheckStore(Context& ctx, DoctorState* state) {
  std::unique_ptr<Store> store;
  Status s = ctx.OpenStoreToRead(&store, /*drain=*/false);
  if (s.IsNotFound())
    return Check("store", Level::kWarn, "no store yet: " + s.message(), "tb record --command 'tb doctor'");
  if (s.ok() && store->head() > 0) {
    Event ev;
    s = store->reader().GetEvent(store->head(), &ev);
    if (s.ok()) state->newest_event_ns = ev.time_ns;
  }
  if (!s.ok()) {
    return Check("store", Level::kFail, s.message(), s.IsCorruption() ? "tb log salvage" : "tb status");
  }
  return Check("store", Level::kOk,
               ctx.data_dir + ": opens, " + std::to_string(store->head()) + " events, the last one reads back");
}

DoctorCheck CheckDisk(const Context& ctx) {
  DiskSpace space;
  Status s = FreeSpaceOf(ctx.data_dir, &space);
  if (!s.ok()) return Check("disk", Level::kWarn, s.message(), "df -h " + ctx.data_dir);
  const uint64_t reserve = uint64_t{static_cast<uint64_t>(ctx.config.storage.reserve_mb)} << 20;
  const std::string free = HumanBytes(space.free_bytes) + " free on " + space.mount;
  const std::string fix = "du -xh " + space.mount + " | sort -h | tail  # then free space";
  if (space.free_bytes < std::max<uint64_t>(reserve, 1 << 20)) {
    return Check("disk", Level::kFail,
                 "disk full: " + free + ", below storage.reserve_mb: writes are refused, commands wait in the spool",
                 fix);
  }
  if (space.free_bytes < reserve + (256ull << 20)) return Check("disk", Level::kWarn, "only " + free, fix);
  return Check("disk", Level::kOk, free);
}

DoctorCheck CheckClock(const DoctorState& state) {
  if (state.now_ns < kEarliestSane) {
    return Check("clock", Level::kFail, "the system clock is before 2024: commands get wrong times",
                 "timedatectl set-ntp true");
  }
  if (state.newest_event_ns > state.now_ns + 3600 * kSecond) {
    return Check("clock", Level::kWarn,
                 "the newest event is " + std::to_string((state.newest_event_ns - state.now_ns) / kSecond) +
                     " s in the future: the clock went back; new commands sort before it",
                 "timedatectl set-ntp true");
  }
  return Check("clock", Level::kOk, "the system clock is not behind the store");
}

DoctorCheck CheckConfig(const Context& ctx) {
  if (!ctx.config_error.empty()) return Check("config", Level::kFail, ctx.config_error, "tb config check");
  std::string where = ctx.config_path.empty() || !fs::exists(ctx.config_path) ? "defaults" : ctx.config_path;
  return Check("config", Level::kOk, "loads (" + where + ")");
}

DoctorCheck CheckBackup(const Context& ctx, const DoctorState& state) {
  std::vector<BackupEntry> backups;
  Status s = ListBackups(BackupDir(ctx), &backups);
  if (!s.ok()) return Check("backup", Level::kWarn, s.message(), "tb backup list");
  if (backups.empty()) return Check("backup", Level::kWarn, "no backup yet", "tb backup create");
  int64_t age = state.now_ns - backups.back().meta.time_ns;
  int64_t interval = 0;
  std::string age_text = std::to_string(age / (3600 * kSecond)) + " h old";
  if (ParseDuration(ctx.config.backup.interval, &interval) && interval > 0 && age > 2 * interval) {
    return Check(
        "backup", Level::kWarn,
        "the newest backup is " + age_text + ", more than twice backup.interval (" + ctx.config.backup.interval + ")",
        "tb backup create");
  }
  return Check("backup", Level::kOk, std::to_string(backups.size()) + " backups, the newest " + age_text);
}

const char* LevelName(Level l) { return l == Level::kOk ? "ok" : l == Level::kWarn ? "warn" : "fail"; }

}  // namespace

std::vector<DoctorCheck> RunDoctor(Context& ctx) {
  DoctorState state;
  state.now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<DoctorCheck> out;
  DoctorCheck hooks = CheckHooks(ctx, &state);
  out.push_back(CheckInstall(ctx, state));
  out.push_back(std::move(hooks));
  out.push_back(CheckSpool(ctx));
  out.push_back(CheckDaemon(ctx));
  bool key = true;
  if (ctx.config.storage.encryption != "off") out.push_back(CheckKey(ctx, &key));
  out.push_back(key ? CheckStore(ctx, &state)
                    : Check("store", Level::kWarn, "not opened: it needs the data key (see key)"));
  out.push_back(CheckDisk(ctx));
  out.push_back(CheckClock(state));
  out.push_back(CheckConfig(ctx));
  out.push_back(CheckBackup(ctx, state));
  return out;
}

std::string RenderDoctorText(const std::vector<DoctorCheck>& checks) {
  std::string out;
  for (const DoctorCheck& c : checks) {
    std::string level = c.level == Level::kFail ? "FAIL" : LevelName(c.level);
    std::string name = c.name;
    level.resize(4, ' ');
    name.resize(7, ' ');
    out += level + "  " + name + "  " + c.detail + (c.fix.empty() ? "" : "; fix: " + c.fix) + "\n";
  }
  return out;
}

std::string RenderDoctorJson(const std::vector<DoctorCheck>& checks) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const DoctorCheck& c : checks) {
    list.push_back({{"name", c.name},
                    {"level", LevelName(c.level)},
                    {"detail", c.detail},
                    {"fix", c.fix.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.fix)}});
  }
  nlohmann::ordered_json j;
  j["ok"] = DoctorPassed(checks);
  j["checks"] = list;
  return JsonText(j);
}

bool DoctorPassed(const std::vector<DoctorCheck>& checks) {
  for (const DoctorCheck& c : checks) {
    if (c.level == Level::kFail) return false;
  }
  return true;
}

}  // namespace tb
