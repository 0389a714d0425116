#include "tools/systemd_unit.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/config.h"
#include "storage/daemon_lock.h"

extern char** environ;

namespace tb {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCreatedPrefix = "# tb created: ";

// One ExecStart word: double-quoted, with \ and " escaped, % doubled
// (specifiers) and $ doubled (variable expansion).
std::string UnitWord(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '%' || c == '$') out += c;
    out += c;
  }
  return out + "\"";
}

std::string WantsDir(const Context& ctx) { return UnitDir(ctx) + "/default.target.wants"; }

// The directories on the way to `dir` that do not exist yet, outermost first.
std::vector<std::string> MissingDirs(const std::string& dir) {
  std::vector<std::string> missing;
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && p != p.root_path() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.insert(missing.begin(), p.string());
  }
  return missing;
}

std::vector<std::string> CreatedDirsIn(const std::string& unit_text) {
  std::vector<std::string> dirs;
  std::istringstream in(unit_text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(kCreatedPrefix)) dirs.push_back(line.substr(kCreatedPrefix.size()));
  }
  return dirs;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Status Enable(const Context& ctx) {
  const std::string link = WantsDir(ctx) + "/" + kUnitName;
  const std::string target = std::string("../") + kUnitName;
  std::error_code ec;
  if (fs::is_symlink(link, ec) && fs::read_symlink(link, ec) == target) return Status::OK();
  fs::remove(link, ec);
  if (::symlink(target.c_str(), link.c_str()) != 0) {
    return Status::IOError("cannot enable the unit (" + link + "): " + std::strerror(errno));
  }
  return Status::OK();
}

}  // namespace

std::string UnitDir(const Context& ctx) {
  std::string xdg = ctx.Env("XDG_CONFIG_HOME");
  if (xdg.empty() || xdg[0] != '/') {
    const std::string home = ctx.Env("HOME");
    if (home.empty() || home[0] != '/') return "";
    xdg = home + "/.config";
  }
  return xdg + "/systemd/user";
}

bool UnitInstalled(const Context& ctx) {
  const std::string dir = UnitDir(ctx);
  std::error_code ec;
  return !dir.empty() && fs::exists(dir + "/" + kUnitName, ec);
}

namespace {

// The unit's text after its header comment lines. `exec` is the whole
// ExecStart value, `environment` the Environment= values (each already one
// unit word), `memory_mb` the daemon's memory cap.
std::string UnitBody(const std::string& exec, const std::vector<std::string>& environment, int memory_mb) {
  std::string t =
      "\n[Unit]\n"
      "Description=TermBrain command memory daemon\n"
      "\n[Service]\n"
      "Type=notify\n"
      "ExecStart=" +
      exec + "\n";
  for (const std::string& e : environment) t += "Environment=" + e + "\n";
  t += "Restart=on-failure\n"
       "RestartSec=2\n"
       "# 4: another tb daemon already serves this data dir.\n"
       "RestartPreventExitStatus=4\n"
       "TimeoutStopSec=30\n"
       "MemoryHigh=" +
       std::to_string(memory_mb) + "M\n" + "MemoryMax=" + std::to_string(2 * memory_mb) + "M\n" +
       "Nice=10\n"
       "IOSchedulingClass=best-effort\n"
       "IOSchedulingPriority=7\n"
       "UMask=0077\n"
       "NoNewPrivileges=yes\n"
       "LockPersonality=yes\n"
       "RestrictRealtime=yes\n"
       "RestrictSUIDSGID=yes\n"
       "MemoryDenyWriteExecute=yes\n"
       "SystemCallArchitectures=native\n"
       "\n[Install]\n"
       "WantedBy=default.target\n";
  return t;
}

}  // namespace

std::string UnitText(const Context& ctx, const std::string& binary, const std::vector<std::string>& created_dirs) {
  std::string exec = UnitWord(binary) + " --data-dir " + UnitWord(ctx.data_dir);
  if (ctx.config_explicit) exec += " --config " + UnitWord(ctx.config_path);
  exec += " daemon";
  std::string t =
      "# TermBrain: drains the shell hooks' spool into the store and runs the scheduled\n"
      "# maintenance (tb daemon). Written by tb install; tb uninstall removes it.\n";
  for (const std::string& d : created_dirs) t += std::string(kCreatedPrefix) + d + "\n";
  std::vector<std::string> environment;
  const std::string spool = ctx.Env("TERMBRAIN_SPOOL_DIR");
  if (!spool.empty()) environment.push_back(UnitWord("TERMBRAIN_SPOOL_DIR=" + spool));
  return t + UnitBody(exec, environment, ctx.config.daemon.memory_mb);
}

std::string PackagedUnitText(const std::string& binary) {
  return "# TermBrain: drains the shell hooks' spool into the store and runs the scheduled\n"
         "# maintenance (tb daemon). Installed by the termbrain package; enable it with\n"
         "# systemctl --user enable --now termbrain.service\n" +
         UnitBody(UnitWord(binary) + " daemon", {}, Config{}.daemon.memory_mb);
}

Status InstallUnit(const Context& ctx, const std::string& binary, bool* changed) {
  *changed = false;
  const std::string dir = UnitDir(ctx);
  if (dir.empty())
    return Status::InvalidArgument("HOME is not set (tb install): cannot find the systemd unit directory");
  const std::string path = dir + "/" + kUnitName;
  std::error_code ec;
  // Keep the record of what an earlier install created.
  std::vector<std::string> created = fs::exists(path, ec) ? CreatedDirsIn(Slurp(path)) : MissingDirs(WantsDir(ctx));
  const std::string text = UnitText(ctx, binary, created);
  fs::create_directories(WantsDir(ctx), ec);
  if (ec) return Status::IOError("cannot create " + WantsDir(ctx) + ": " + ec.message());
  const std::string link = WantsDir(ctx) + "/" + kUnitName;
  const bool enabled = fs::is_symlink(link, ec);
  if (Slurp(path) != text || !fs::exists(path, ec)) {
    TB_RETURN_IF_ERROR(WriteFileAtomically(path, text, 0644));
    *changed = true;
  }
  TB_RETURN_IF_ERROR(Enable(ctx));
  if (!enabled) *changed = true;
  return Status::OK();
}

Status RemoveUnit(const Context& ctx, bool* removed) {
  *removed = false;
  const std::string dir = UnitDir(ctx);
  const std::string path = dir + "/" + kUnitName;
  std::error_code ec;
  if (dir.empty() || !fs::exists(path, ec)) return Status::OK();
  const std::vector<std::string> created = CreatedDirsIn(Slurp(path));
  const std::string link = WantsDir(ctx) + "/" + kUnitName;
  if (fs::is_symlink(link, ec) && !fs::remove(link, ec)) {
    return Status::IOError("cannot remove " + link + ": " + ec.message());
  }
  if (!fs::remove(path, ec)) return Status::IOError("cannot remove " + path + ": " + ec.message());
  // Innermost first; a directory that holds anything else stays.
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    if (fs::is_directory(*it, ec) && fs::is_empty(*it, ec)) fs::remove(*it, ec);
  }
  *removed = true;
  return Status::OK();
}

bool Systemctl(const std::vector<std::string>& args) {
  std::vector<std::string> words = {"systemctl", "--user", "--quiet"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd = 0; fd <= 2; ++fd) posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", O_RDWR, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, "systemctl", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool UserManagerRuns() { return Systemctl({"show-environment"}); }

namespace {

std::string SelfBinary() {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("tb") : p.string();
}

// SIGTERM to the daemon holding the lock; waits for it to let go.
Status StopDetachedDaemon(const Context& ctx, std::string* message) {
  const DaemonHolder d = ProbeDaemon(ctx.data_dir);
  if (!d.running || d.pid <= 0) return Status::OK();
  if (::kill(d.pid, SIGTERM) != 0) {
    return Status::IOError("cannot stop the daemon (pid " + std::to_string(d.pid) + "): " + std::strerror(errno));
  }
  for (int i = 0; i < 1000 && ProbeDaemon(ctx.data_dir).running; ++i) ::usleep(10000);
  if (ProbeDaemon(ctx.data_dir).running) {
    return Status::Busy("the daemon (pid " + std::to_string(d.pid) +
                        ") did not stop within 10 s. Stop it with kill -TERM " + std::to_string(d.pid));
  }
  *message += "tb: stopped the daemon (pid " + std::to_string(d.pid) + ")\n";
  return Status::OK();
}

}  // namespace

Status CheckServiceMode(const std::string& mode) {
  if (mode == "auto" || mode == "systemd" || mode == "shell") return Status::OK();
  return Status::InvalidArgument("unknown --service '" + mode + "' (tb install): expected auto, systemd or shell");
}

Status SetUpService(const Context& ctx, const std::string& mode, std::string* message) {
  TB_RETURN_IF_ERROR(CheckServiceMode(mode));
  const bool manager = UserManagerRuns();
  const std::string unit = UnitDir(ctx) + "/" + kUnitName;
  if (mode == "shell" || (mode == "auto" && !manager)) {
    if (mode == "auto") return Status::OK();  // an existing unit stays
    bool removed = false;
    if (manager && UnitInstalled(ctx)) Systemctl({"stop", kUnitName});
    TB_RETURN_IF_ERROR(RemoveUnit(ctx, &removed));
    if (removed) *message += "tb: removed the systemd user unit " + unit + "; shells start the daemon\n";
    return Status::OK();
  }
  bool changed = false;
  TB_RETURN_IF_ERROR(InstallUnit(ctx, SelfBinary(), &changed));
  if (!manager) {
    if (changed) *message += "tb: installed and enabled " + unit + "; it starts at your next login\n";
    return Status::OK();
  }
  Systemctl({"daemon-reload"});
  const bool started = Systemctl({changed ? "restart" : "start", kUnitName});
  if (changed) {
    *message += "tb: installed and enabled " + unit +
                (started ? "; the daemon runs\n" : "; starting it failed: see systemctl --user status termbrain\n");
  }
  return Status::OK();
}

Status TearDownService(const Context& ctx, std::string* message) {
  const bool unit = UnitInstalled(ctx);
  const bool manager = unit && UserManagerRuns();
  if (manager) Systemctl({"stop", kUnitName});
  TB_RETURN_IF_ERROR(StopDetachedDaemon(ctx, message));
  bool removed = false;
  TB_RETURN_IF_ERROR(RemoveUnit(ctx, &removed));
  if (manager) Systemctl({"daemon-reload"});
  if (removed) *message += "tb: removed the systemd user unit " + UnitDir(ctx) + "/" + kUnitName + "\n";
  return Status::OK();
}

}  // namespace tb
