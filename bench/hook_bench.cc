// hook_bench: what the shell integration (tools/shell/tb.*) adds to every
// command, per shell, beside a recorder that starts one SQLite process per
// command (atuin's schema), the way process-per-command hooks work.
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTB_BUILD_BENCH=ON
//   ninja -C build-bench hook_bench && build-bench/hook_bench [--shells bash,zsh,fish]
//
// Three measurements (docs/shell-integration.md, "Benchmarks"):
//  1. hooks: inside each shell, a loop calls the start hook and the finish
//     hook of one command (exactly what runs per command line) and times
//     every pair with the shell's own clock ($EPOCHREALTIME; fish: the `time`
//     keyword). The frames go to the real spool directory (memory-backed).
//  2. sqlite: the same loop, timing one `sqlite3 DB "insert ..."` process per
//     command instead (fork + exec from that shell, atuin's schema/pragmas).
//  3. interactive: the shell runs on a pseudo-terminal and gets `true`+Enter
//     N times; each command is timed from Enter to the next prompt, with and
//     without the integration (two shells, commands alternated so both see
//     the same machine load). The difference is everything the integration
//     costs (trap dispatch, readline wrapper, PS0, hooks, frames).
// Budget (docs/benchmarks.md): median < 0.3 ms and p99 < 1 ms per command.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench/peers/atuin_sqlite.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<std::string> shells = {"bash", "zsh", "fish"};
  int n = 5000;             // hook pairs per shell
  int peer_n = 300;         // sqlite3 processes per shell
  int interactive_n = 600;  // commands per configuration
  std::string tb = TB_BINARY;
  // Diagnostic: load the integration but turn its hook bodies into no-ops,
  // to split the interactive cost into dispatch and hook work.
  bool noop_hooks = false;
};

struct Stats {
  size_t n = 0;
  double median = 0, p99 = 0, mean = 0;
};

Stats Summarize(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.n = v.size();
  s.median = v[v.size() / 2];
  s.p99 = v[std::min(v.size() - 1, static_cast<size_t>(std::ceil(v.size() * 0.99)) - 1)];
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

std::string Which(const std::string& prog) {
  for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin"}) {
    std::string p = std::string(dir) + "/" + prog;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

std::vector<std::string> Env(const std::string& home, const std::string& data) {
  std::vector<std::string> env = {"HOME=" + home,
                                  "PATH=/usr/local/bin:/usr/bin:/bin",
                                  "LANG=C.UTF-8",
                                  "TERM=xterm-256color",
                                  "TERMBRAIN_DATA_DIR=" + data,
                                  "XDG_CONFIG_HOME=" + home + "/.config",
                                  "XDG_DATA_HOME=" + home + "/.local/share"};
  // The spool goes where it goes for users: $XDG_RUNTIME_DIR or /dev/shm.
  if (const char* rt = std::getenv("XDG_RUNTIME_DIR")) env.push_back(std::string("XDG_RUNTIME_DIR=") + rt);
  if (const char* user = std::getenv("USER")) env.push_back(std::string("USER=") + user);
  return env;
}

// Runs argv with env, stdout+stderr to `log`; returns the exit status.
int Run(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawn(&pid, a[0], &fa, nullptr, a.data(), e.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

std::vector<double> ReadNumbers(const std::string& path, double scale) {
  std::vector<double> v;
  std::ifstream in(path);
  double x;
  while (in >> x) v.push_back(x * scale);
  return v;
}

// fish's `time` prints "Executed in  123.45 micros" (or millis/secs).
std::vector<double> ReadFishTimes(const std::string& path) {
  std::vector<double> v;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t at = line.find("Executed in");
    if (at == std::string::npos) continue;
    std::istringstream ss(line.substr(at + 11));
    double x;
    std::string unit;
    ss >> x >> unit;
    if (unit == "millis") x *= 1000;
    if (unit == "secs") x *= 1e6;
    if (unit == "mins") x *= 60e6;
    v.push_back(x);
  }
  return v;
}

// The in-shell loop: `pairs` hook pairs, then `peer` sqlite3 processes,
// samples in microseconds, one per line.
std::string HookScript(const std::string& shell, const Options& o, const std::string& dir, const std::string& db) {
  std::string cmd = "git commit -m \"fix: the thing\"";
  std::string insert =
      "insert or ignore into history(id, timestamp, duration, exit, command, cwd, session, hostname, "
      "deleted_at) values(lower(hex(randomblob(16))), strftime('%s','now') * 1000000000, 1000, 0, "
      "'git status', '/home/u/src', 'f1e2d3c4b5a60718', 'host:user', null)";
  std::ostringstream s;
  if (shell == "bash") {
    s << "eval \"$('" << o.tb << "' init bash)\"\n"
      << "trap - DEBUG  # the loop calls the hooks itself\n"
      << "cmd='" << cmd << "'\ns=()\n"
      << "for ((i = 0; i < " << o.n << "; i++)); do\n"
      << "  __tb_buf=$cmd __tb_cno=-1\n"
      << "  t0=$EPOCHREALTIME\n  __tb_debug \"$_\"\n  __tb_precmd \"$_\"\n  t1=$EPOCHREALTIME\n"
      << "  s[i]=$(( ${t1/[.,]/} - ${t0/[.,]/} ))\ndone\n"
      << "printf '%s\\n' \"${s[@]}\" > '" << dir << "/hooks.bash'\ns=()\n"
      << "for ((i = 0; i < " << o.peer_n << "; i++)); do\n"
      << "  t0=$EPOCHREALTIME\n  sqlite3 -cmd 'PRAGMA busy_timeout=5000' -cmd 'PRAGMA synchronous=NORMAL' '" << db
      << "' \"" << insert << "\"\n  t1=$EPOCHREALTIME\n"
      << "  s[i]=$(( ${t1/[.,]/} - ${t0/[.,]/} ))\ndone\n"
      << "printf '%s\\n' \"${s[@]}\" > '" << dir
      << "/sqlite.bash'\n"
      // The DEBUG trap also runs (fast path) before every other simple
      // command of a line: time 3 per iteration with and without it.
      << "eval \"$('" << o.tb << "' init bash)\"\n"
      << "t0=$EPOCHREALTIME; for ((i = 0; i < 100000; i++)); do :; done; t1=$EPOCHREALTIME\n"
      << "trap - DEBUG\n"
      << "t2=$EPOCHREALTIME; for ((i = 0; i < 100000; i++)); do :; done; t3=$EPOCHREALTIME\n"
      << "echo $(( (${t1/[.,]/} - ${t0/[.,]/} - ${t3/[.,]/} + ${t2/[.,]/}) * 1000 / 300000 )) > '" << dir
      << "/fastpath.bash'\n";
  } else if (shell == "zsh") {
    s << "eval \"$('" << o.tb << "' init zsh)\"\n"
      << "cmd='" << cmd << "'\ns=()\n"
      << "for ((i = 0; i < " << o.n << "; i++)); do\n"
      << "  t0=$EPOCHREALTIME\n  __tb_preexec \"$cmd\" \"$cmd\" \"$cmd\"\n  __tb_precmd\n  t1=$EPOCHREALTIME\n"
      << "  s+=$(( (t1 - t0) * 1000000 ))\ndone\n"
      << "print -l -- $s > '" << dir << "/hooks.zsh'\ns=()\n"
      << "for ((i = 0; i < " << o.peer_n << "; i++)); do\n"
      << "  t0=$EPOCHREALTIME\n  sqlite3 -cmd 'PRAGMA busy_timeout=5000' -cmd 'PRAGMA synchronous=NORMAL' '" << db
      << "' \"" << insert << "\"\n  t1=$EPOCHREALTIME\n"
      << "  s+=$(( (t1 - t0) * 1000000 ))\ndone\n"
      << "print -l -- $s > '" << dir << "/sqlite.zsh'\n";
  } else {
    // `time` reports on fish's own stderr: the driver reads it from the log.
    s << "'" << o.tb << "' init fish | source\n"
      << "set -l cmd '" << cmd << "'\nset -g CMD_DURATION 3\n"
      << "if test \"$argv[1]\" = hooks\n"
      << "  for i in (seq " << o.n << ")\n"
      << "    time begin; __tb_preexec $cmd; __tb_postexec; end\n  end\nelse\n"
      << "  for i in (seq " << o.peer_n << ")\n"
      << "    time sqlite3 -cmd 'PRAGMA busy_timeout=5000' -cmd 'PRAGMA synchronous=NORMAL' '" << db << "' \"" << insert
      << "\"\n  end\nend\n";
  }
  return s.str();
}

// ---- interactive: a shell on a pseudo-terminal ------------------------------

class PtyShell {
 public:
  ~PtyShell() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  bool Start(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& cwd) {
    winsize ws{};
    ws.ws_row = 50;
    ws.ws_col = 200;
    std::vector<char*> a, e;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
    e.push_back(nullptr);
    pid_ = forkpty(&fd_, nullptr, nullptr, &ws);
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      if (chdir(cwd.c_str()) != 0) _exit(126);
      execve(a[0], a.data(), e.data());
      _exit(127);
    }
    return WaitPrompts(1, std::chrono::seconds(20));
  }
  // Sends `line` + CR; returns microseconds until the next prompt, or -1.
  double Command(const std::string& line) {
    int want = prompts_ + 1;
    std::string keys = line + "\r";
    auto t0 = Clock::now();
    if (write(fd_, keys.data(), keys.size()) != static_cast<ssize_t>(keys.size())) return -1;
    if (!WaitPrompts(want, std::chrono::seconds(10))) return -1;
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  }

 private:
  // Prompts are "tbp<counter>$ " (see the rc files): a new counter value is
  // a new prompt, the same value again is a repaint.
  bool WaitPrompts(int n, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    char buf[65536];
    while (prompts_ < n) {
      int left =
          static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) continue;
      ssize_t got = read(fd_, buf, sizeof buf);
      if (got <= 0) return false;
      out_.append(buf, static_cast<size_t>(got));
      size_t at;
      while ((at = out_.find("tbp")) != std::string::npos) {
        size_t end = out_.find("$ ", at);
        if (end == std::string::npos) break;  // the rest has not arrived yet
        std::string num = out_.substr(at + 3, end - at - 3);
        out_.erase(0, end + 2);
        if (num.empty() || num.find_first_not_of("0123456789") != std::string::npos) continue;
        long v = std::atol(num.c_str());
        if (v != last_) {
          last_ = v;
          ++prompts_;
        }
      }
      if (out_.size() > 1 << 20) out_.erase(0, out_.size() - 4096);
    }
    return true;
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  int prompts_ = 0;
  long last_ = -1;
  std::string out_;
};

// rc lines for a counted prompt, with or without the integration.
std::vector<std::string> InteractiveShell(const std::string& shell, bool integration, const Options& o,
                                          const std::string& dir) {
  std::string tag = dir + "/" + shell + (integration ? "-with" : "-without");
  fs::create_directories(tag);
  if (shell == "bash") {
    std::ofstream(tag + "/rc") << "__n=0\nPROMPT_COMMAND='(( __n += 1 ))'\nPS1='tbp${__n}$ '\n"
                               << (integration ? "eval \"$('" + o.tb + "' init bash)\"\n" : "")
                               << (integration && o.noop_hooks ? "__tb_begin() { :; }; __tb_end() { :; }\n" : "");
    return {Which("bash"), "--noprofile", "--rcfile", tag + "/rc", "-i"};
  }
  if (shell == "zsh") {
    std::ofstream(tag + "/.zshrc") << "__n=0\nprecmd() { (( __n += 1 )) }\nsetopt PROMPT_SUBST\n"
                                   << "unsetopt PROMPT_CR PROMPT_SP\nPROMPT='tbp${__n}$ '\n"
                                   << (integration ? "eval \"$('" + o.tb + "' init zsh)\"\n" : "")
                                   << (integration && o.noop_hooks ? "__tb_preexec() { }; __tb_precmd() { }\n" : "");
    return {Which("env"), "ZDOTDIR=" + tag, Which("zsh"), "-i"};
  }
  std::ofstream(tag + "/config.fish") << "set -g fish_greeting ''\nset -g fish_autosuggestion_enabled 0\n"
                                      << "function fish_prompt; printf 'tbp%s$ ' $status_generation; end\n"
                                      << (integration ? "'" + o.tb + "' init fish | source\n" : "")
                                      << (integration && o.noop_hooks
                                              ? "function __tb_preexec --on-event fish_preexec; end\n"
                                                "function __tb_postexec --on-event fish_postexec; end\n"
                                              : "");
  return {Which("fish"), "--no-config", "-C", "source " + tag + "/config.fish", "-i"};
}

void PrintRow(const std::string& shell, const std::string& what, const Stats& s) {
  std::printf("  %-5s %-44s %7zu %10.1f %10.1f %10.1f\n", shell.c_str(), what.c_str(), s.n, s.median, s.p99, s.mean);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--shells") {
      o.shells.clear();
      std::stringstream ss(next());
      for (std::string s; std::getline(ss, s, ',');) o.shells.push_back(s);
    } else if (a == "--n") {
      o.n = std::atoi(next().c_str());
    } else if (a == "--peer") {
      o.peer_n = std::atoi(next().c_str());
    } else if (a == "--interactive") {
      o.interactive_n = std::atoi(next().c_str());
    } else if (a == "--noop-hooks") {
      o.noop_hooks = true;
    } else if (a == "--tb") {
      o.tb = next();
    } else {
      std::fprintf(stderr,
                   "usage: hook_bench [--shells bash,zsh,fish] [--n PAIRS] [--peer PROCESSES] "
                   "[--interactive COMMANDS] [--tb PATH]\n");
      return 2;
    }
  }
  char tmpl[] = "/tmp/tb-hook-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  std::string dir = tmpl, home = dir + "/home", data = dir + "/data";
  fs::create_directories(home + "/.config/fish");
  std::vector<std::string> env = Env(home, data);
  std::string db = dir + "/atuin.db", error;
  {
    auto peer = tb::bench::AtuinSqlite::Open(db, &error);  // schema + WAL, like atuin's first start
    if (!peer) {
      std::fprintf(stderr, "hook_bench: cannot create %s: %s\n", db.c_str(), error.c_str());
      return 1;
    }
  }
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) < 0) load[0] = -1;
  std::printf("hook_bench: per command, microseconds (load average %.2f at start)\n", load[0]);
  std::printf("  %-5s %-44s %7s %10s %10s %10s\n", "shell", "what", "n", "median", "p99", "mean");

  for (const auto& shell : o.shells) {
    if (Which(shell).empty()) {
      std::printf("  %-5s not installed, skipped\n", shell.c_str());
      continue;
    }
    // 1 + 2: in-shell loops.
    std::string script = dir + "/loop." + shell;
    std::ofstream(script) << HookScript(shell, o, dir, db);
    std::vector<std::string> argv;
    if (shell == "bash") argv = {Which("bash"), "--norc", "--noprofile", "-i", script};
    if (shell == "zsh") argv = {Which("zsh"), "-f", "-i", "-c", "source " + script};
    if (shell == "fish") argv = {Which("fish"), "--no-config", "-i", "-c", "source " + script + " hooks"};
    int rc = Run(argv, env, dir + "/log." + shell);
    std::vector<double> hooks, sqlite;
    if (shell == "fish") {
      hooks = ReadFishTimes(dir + "/log.fish");
      argv.back() = "source " + script + " sqlite";
      rc |= Run(argv, env, dir + "/log.fish-sqlite");
      sqlite = ReadFishTimes(dir + "/log.fish-sqlite");
    } else {
      hooks = ReadNumbers(dir + "/hooks." + shell, 1);
      sqlite = ReadNumbers(dir + "/sqlite." + shell, 1);
    }
    if (rc != 0 || hooks.empty()) {
      std::printf("  %-5s loop failed (exit %d):\n", shell.c_str(), rc);
      std::ifstream log(dir + "/log." + shell);
      for (std::string l; std::getline(log, l);) std::printf("    | %s\n", l.c_str());
    }
    PrintRow(shell, "tb hooks: start + finish (in-shell loop)", Summarize(hooks));
    PrintRow(shell, "sqlite3 process per command (atuin schema)", Summarize(sqlite));
    if (shell == "bash") {
      std::vector<double> fp = ReadNumbers(dir + "/fastpath.bash", 0.001);
      if (!fp.empty()) {
        std::printf("  %-5s %-44s %7s %10.2f\n", shell.c_str(), "DEBUG trap, each other simple command", "-", fp[0]);
      }
    }

    // 3: interactive, with vs without, alternating.
    if (o.interactive_n > 0) {
      PtyShell with, without;
      if (!with.Start(InteractiveShell(shell, true, o, dir), env, home) ||
          !without.Start(InteractiveShell(shell, false, o, dir), env, home)) {
        std::printf("  %-5s interactive shells did not start\n", shell.c_str());
        continue;
      }
      std::vector<double> a, b, diff;
      for (int i = 0; i < o.interactive_n; ++i) {
        double x = with.Command("true"), y = without.Command("true");
        if (x < 0 || y < 0) break;
        a.push_back(x);
        b.push_back(y);
      }
      Stats sa = Summarize(a), sb = Summarize(b);
      if (std::getenv("HOOK_BENCH_TAILS") != nullptr) {
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        for (double q : {0.5, 0.9, 0.95, 0.98, 0.99, 0.995, 1.0}) {
          size_t i = std::min(a.size() - 1, static_cast<size_t>(q * a.size()));
          std::printf("    q%.3f with %10.1f without %10.1f\n", q, a[i], b[i]);
        }
      }
      PrintRow(shell, "interactive: Enter -> prompt, with tb", sa);
      PrintRow(shell, "interactive: Enter -> prompt, without", sb);
      Stats d;
      d.n = sa.n;
      d.median = sa.median - sb.median;
      d.p99 = sa.p99 - sb.p99;
      d.mean = sa.mean - sb.mean;
      PrintRow(shell, "interactive: added by tb (difference)", d);
    }
  }
  if (getloadavg(load, 3) >= 0) std::printf("(load average %.2f at end)\n", load[0]);
  // Leave no spool files behind: the frames went to this data dir's own
  // spool subdirectory, which `tb init` names.
  std::error_code ec;
  if (Run({o.tb, "init", "bash"}, env, dir + "/init.out") == 0) {
    std::ifstream in(dir + "/init.out");
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("__tb_spool='") && line.size() > 13) fs::remove_all(line.substr(12, line.size() - 13), ec);
    }
  }
  fs::remove_all(dir, ec);
  return 0;
}
