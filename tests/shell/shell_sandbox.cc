#include "tests/shell/shell_sandbox.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kSession = "tbt";

std::string Which(const std::string& prog) {
  for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin"}) {
    std::string p = std::string(dir) + "/" + prog;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

std::string UserName() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return "user";
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// 'text' for bash/zsh/fish alike (no ' or \ in the paths we quote).
std::string Quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace

std::string MissingShellTools(const std::vector<std::string>& shells) {
  std::string missing;
  std::vector<std::string> tools = shells;
  tools.push_back("tmux");
  for (const auto& t : tools) {
    if (Which(t).empty()) missing += (missing.empty() ? "" : ", ") + t;
  }
  return missing;
}

std::string SlurpFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool TreeContains(const std::string& dir, const std::string& needle, std::string* where) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string data = SlurpFile(it->path().string());
    if (data.find(needle) != std::string::npos) {
      if (where) *where = it->path().string();
      return true;
    }
  }
  return false;
}

ShellSandbox::ShellSandbox() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/tb-shell-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed: " << std::strerror(errno);
    return;
  }
  root_ = tmpl;
  home_ = root_ + "/home";
  data_dir_ = root_ + "/data";
  spool_dir_ = root_ + "/spool";
  socket_ = root_ + "/tmux.sock";
  fs::create_directories(home_ + "/work");
  fs::create_directories(home_ + "/.config/fish");
  fs::create_directories(root_ + "/zdot");
  env_ = {{"HOME", home_},
          {"PATH", "/usr/local/bin:/usr/bin:/bin"},
          {"LANG", "C.UTF-8"},
          {"TERM", "xterm-256color"},
          {"TZ", "UTC"},
          {"USER", UserName()},
          {"LOGNAME", UserName()},
          {"XDG_CONFIG_HOME", home_ + "/.config"},
          {"XDG_DATA_HOME", home_ + "/.local/share"},
          {"TERMBRAIN_DATA_DIR", data_dir_},
          {"TERMBRAIN_SPOOL_DIR", spool_dir_},
          // Shells would start a daemon that outlives the test; the tests of
          // the daemon turn it on themselves (SetEnv).
          {"TERMBRAIN_DAEMON_AUTOSTART", "0"}};
  std::ofstream(root_ + "/tmux.conf") << "set -g history-limit 50000\n"
                                         "set -g remain-on-exit on\n"
                                         "set -g status off\n"
                                         "set -g escape-time 0\n";
}

void ShellSandbox::SetEnv(const std::string& name, const std::string& value) {
  for (auto& [k, v] : env_) {
    if (k == name) {
      v = value;
      return;
    }
  }
  env_.emplace_back(name, value);
}

ShellSandbox::~ShellSandbox() {
  if (server_started_) (void)Tmux({"kill-server"});
  std::error_code ec;
  if (!root_.empty() && std::getenv("TB_KEEP_SHELL_SANDBOX") == nullptr) fs::remove_all(root_, ec);
}

RunResult ShellSandbox::Tmux(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {Which("tmux"), "-S", socket_, "-f", root_ + "/tmux.conf"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions o;
  o.env = env_;
  o.timeout = std::chrono::seconds(10);
  return RunProcess(argv, o);
}

std::string ShellSandbox::WriteRc(const std::string& shell) {
  std::string tb = TbBinary();
  std::string extra = extra_rc_.count(shell) ? extra_rc_[shell] : "";
  if (shell == "bash") {
    std::string path = root_ + "/rc.bash";
    std::ofstream(path) << "PS1=" << Quote(kPrompt) << "\nPS2='> '\nHISTCONTROL=ignoreboth\n"
                        << "HISTFILE=" << Quote(home_ + "/.bash_history") << "\n"
                        << extra << "eval \"$(" << Quote(tb) << " init bash)\"\n";
    return path;
  }
  if (shell == "zsh") {
    std::string path = root_ + "/zdot/.zshrc";
    std::ofstream(path) << "PROMPT=" << Quote(kPrompt) << "\nunsetopt PROMPT_CR PROMPT_SP\n"
                        << "setopt HIST_IGNORE_SPACE\nHISTFILE=" << Quote(home_ + "/.zsh_history")
                        << "\nHISTSIZE=1000\nSAVEHIST=1000\n"
                        << extra << "eval \"$(" << Quote(tb) << " init zsh)\"\n";
    return path;
  }
  std::string path = home_ + "/.config/fish/config.fish";
  std::ofstream(path) << "set -g fish_greeting ''\nset -g fish_autosuggestion_enabled 0\n"
                      << "function fish_prompt; printf '%s' " << Quote(kPrompt) << "; end\n"
                      << "function fish_right_prompt; end\nfunction fish_title; end\n"
                      << extra << Quote(tb) << " init fish | source\n";
  return path;
}

bool ShellSandbox::Start(const std::string& shell, const std::string& name, std::string* error) {
  return Launch(shell, name, WriteRc(shell), error);
}

bool ShellSandbox::StartInstalled(const std::string& shell, const std::string& name, std::string* error) {
  return Launch(shell, name, "", error);
}

bool ShellSandbox::Launch(const std::string& shell, const std::string& name, const std::string& rc,
                          std::string* error) {
  std::vector<std::string> cmd;
  if (shell == "bash") {
    cmd = {Which("bash"), "--noprofile"};
    if (!rc.empty()) cmd.insert(cmd.end(), {"--rcfile", rc});
    cmd.push_back("-i");
  } else if (shell == "zsh") {
    cmd = {Which("zsh"), "-i"};
    if (!rc.empty()) cmd.insert(cmd.begin(), {Which("env"), "ZDOTDIR=" + root_ + "/zdot"});
  } else {
    cmd = {Which("fish"), "-i"};
  }
  std::vector<std::string> args;
  if (!server_started_) {
    args = {"new-session", "-d", "-s", kSession, "-n", name, "-x", "220", "-y", "50", "-c", work_dir(), "--"};
  } else {
    args = {"new-window", "-d", "-t", std::string(kSession) + ":", "-n", name, "-c", work_dir(), "--"};
  }
  args.insert(args.end(), cmd.begin(), cmd.end());
  RunResult r = Tmux(args);
  if (r.exit_code != 0) {
    *error = "tmux could not start " + shell + ": " + r.Describe();
    return false;
  }
  server_started_ = true;
  windows_.push_back(name);
  if (!WaitPrompts(name, 1, std::chrono::seconds(20))) {
    *error = shell + " did not show its first prompt:\n" + Dump();
    return false;
  }
  return true;
}

void ShellSandbox::Line(const std::string& name, const std::string& text) {
  std::string target = std::string(kSession) + ":" + name;
  RunResult r = Tmux({"send-keys", "-t", target, "-l", "--", text});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  r = Tmux({"send-keys", "-t", target, "Enter"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
}

void ShellSandbox::Key(const std::string& name, const std::string& key) {
  RunResult r = Tmux({"send-keys", "-t", std::string(kSession) + ":" + name, key});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
}

std::string ShellSandbox::Screen(const std::string& name) {
  RunResult r = Tmux({"capture-pane", "-p", "-J", "-S", "-", "-t", std::string(kSession) + ":" + name});
  return r.out;
}

int ShellSandbox::Prompts(const std::string& name) {
  std::string p = Trim(kPrompt);
  int n = 0;
  for (const auto& l : SplitLines(Screen(name))) n += l.starts_with(p) ? 1 : 0;
  return n;
}

bool ShellSandbox::WaitPrompts(const std::string& name, int n, std::chrono::milliseconds timeout) {
  std::string p = Trim(kPrompt);
  auto deadline = Clock::now() + timeout;
  while (true) {
    std::vector<std::string> lines = SplitLines(Screen(name));
    int count = 0;
    std::string last;
    for (const auto& l : lines) {
      count += l.starts_with(p) ? 1 : 0;
      if (!Trim(l).empty()) last = Trim(l);
    }
    if (count >= n && last == p) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool ShellSandbox::Run(const std::string& name, const std::string& text, std::chrono::milliseconds timeout) {
  return RunLines(name, {text}, timeout);
}

bool ShellSandbox::RunLines(const std::string& name, const std::vector<std::string>& lines,
                            std::chrono::milliseconds timeout) {
  int n = Prompts(name);
  for (const auto& l : lines) Line(name, l);
  return WaitPrompts(name, n + 1, timeout);
}

bool ShellSandbox::WaitScreen(const std::string& name, const std::function<bool(const std::string&)>& pred,
                              std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred(Screen(name))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string LastLine(const std::string& screen) {
  std::istringstream in(screen);
  std::string line, last;
  while (std::getline(in, line)) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!line.empty()) last = line;
  }
  return last;
}

bool ShellSandbox::WaitExited(const std::string& name, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    RunResult r = Tmux({"display-message", "-p", "-t", std::string(kSession) + ":" + name, "#{pane_dead}"});
    if (Trim(r.out) == "1") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

pid_t ShellSandbox::ShellPid(const std::string& name) {
  RunResult r = Tmux({"display-message", "-p", "-t", std::string(kSession) + ":" + name, "#{pane_pid}"});
  return static_cast<pid_t>(std::atoi(r.out.c_str()));
}

bool ShellSandbox::WaitChild(const std::string& name, const std::string& comm, std::chrono::milliseconds timeout) {
  pid_t shell = ShellPid(name);
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
      std::string stat = SlurpFile(e.path().string() + "/stat");
      size_t open = stat.find('('), close = stat.rfind(')');
      if (open == std::string::npos || close == std::string::npos || close + 4 >= stat.size()) continue;
      std::string c = stat.substr(open + 1, close - open - 1);
      pid_t ppid = static_cast<pid_t>(std::atoi(stat.c_str() + close + 4));
      if (c == comm && ppid == shell) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

RunResult ShellSandbox::Tb(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {TbBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions o;
  o.env = env_;
  o.cwd = home_;
  o.timeout = std::chrono::seconds(30);
  return RunProcess(argv, o);
}

std::vector<nlohmann::json> ShellSandbox::History() const {
  RunResult r = Tb({"history", "--format", "ndjson", "-n", "100000"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  std::vector<nlohmann::json> out;
  for (const auto& l : SplitLines(r.out)) {
    if (l.empty()) continue;
    try {
      out.push_back(nlohmann::json::parse(l));
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << l << " (" << e.what() << ")";
    }
  }
  std::reverse(out.begin(), out.end());  // newest first -> oldest first
  return out;
}

std::string ShellSandbox::Dump() {
  std::string out;
  for (const auto& w : windows_) {
    std::vector<std::string> lines = SplitLines(Screen(w));
    size_t from = lines.size() > 40 ? lines.size() - 40 : 0;
    out += "=== window " + w + " (last 40 lines) ===\n";
    for (size_t i = from; i < lines.size(); ++i) out += lines[i] + "\n";
  }
  return out;
}

}  // namespace tb::testing
