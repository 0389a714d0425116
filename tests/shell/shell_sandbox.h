// ShellSandbox: real interactive bash, zsh and fish shells with the TermBrain
// integration loaded, driven through tmux, for the end-to-end tests of
// tools/shell/ (docs/shell-integration.md).
//
// Each sandbox owns a temp directory holding HOME, the data dir
// (TERMBRAIN_DATA_DIR), the spool dir (TERMBRAIN_SPOOL_DIR) and its own tmux
// server socket (tmux -S), so tests never touch the user's files or tmux and
// can run in parallel. Every shell is a tmux window started with a clean
// environment and an rc file that sets a recognisable prompt and evaluates
// `tb init <shell>`.
//
// Synchronisation is by polling with bounded timeouts, never by fixed
// sleeps: a command has finished once one more prompt line is on the screen
// (the hooks write the finished frame before the prompt is drawn).
//
// Not thread-safe, except Tb(), which may run concurrently with the rest.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/tools/run_tb.h"

namespace tb::testing {

// The prompt every sandboxed shell shows (lines starting with it are
// counted).
inline constexpr const char* kPrompt = "tbp$ ";

// Missing programs among tmux, bash, zsh, fish ("" when all are there).
std::string MissingShellTools(const std::vector<std::string>& shells);

class ShellSandbox {
 public:
  ShellSandbox();
  ~ShellSandbox();  // kills the tmux server, removes the temp directory
  ShellSandbox(const ShellSandbox&) = delete;
  ShellSandbox& operator=(const ShellSandbox&) = delete;

  const std::string& root() const { return root_; }
  const std::string& home() const { return home_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& spool_dir() const { return spool_dir_; }
  std::string work_dir() const { return home_ + "/work"; }  // where shells start

  // Lines added to the shell's rc file before `tb init` is evaluated.
  void AddRcLines(const std::string& shell, const std::string& lines) { extra_rc_[shell] += lines; }

  // Starts `shell` (bash | zsh | fish) in a new tmux window named `name` and
  // waits for its first prompt. False (with a message) on failure.
  bool Start(const std::string& shell, const std::string& name, std::string* error);
  // Same, but the shell reads the user's own rc file in HOME (~/.bashrc,
  // ~/.zshrc, ~/.config/fish/config.fish), as a freshly opened terminal does.
  bool StartInstalled(const std::string& shell, const std::string& name, std::string* error);

  // Types `text` literally, then Enter.
  void Line(const std::string& name, const std::string& text);
  // Sends a tmux key name (e.g. "C-c").
  void Key(const std::string& name, const std::string& key);
  // The whole scrollback of the window, wrapped lines joined.
  std::string Screen(const std::string& name);
  // Number of prompt lines on the screen so far.
  int Prompts(const std::string& name);
  // Waits until at least `n` prompt lines are shown and the shell is idle at
  // the last one. False on timeout.
  bool WaitPrompts(const std::string& name, int n, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Types `text` + Enter and waits for the next prompt. False on timeout.
  bool Run(const std::string& name, const std::string& text,
           std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Types several lines (one command spanning them) and waits for the next
  // prompt.
  bool RunLines(const std::string& name, const std::vector<std::string>& lines,
                std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Waits until the shell of window `name` has a child process called
  // `comm` (e.g. "sleep"). False on timeout.
  bool WaitChild(const std::string& name, const std::string& comm,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Polls the screen of window `name` until `pred` holds. False on timeout.
  bool WaitScreen(const std::string& name, const std::function<bool(const std::string&)>& pred,
                  std::chrono::milliseconds timeout);
  // Waits until the shell of window `name` has exited (the pane stays, dead).
  bool WaitExited(const std::string& name, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The pid of the shell in window `name`.
  pid_t ShellPid(const std::string& name);

  // Runs the real tb with the sandbox environment.
  RunResult Tb(const std::vector<std::string>& args) const;
  // `tb history --format ndjson -n 100000`, oldest first. Fails the test on
  // error.
  std::vector<nlohmann::json> History() const;

  // Sets (or replaces) a variable of that environment, for shells started
  // and tb runs after the call.
  void SetEnv(const std::string& name, const std::string& value);
  // The environment every shell and tb gets.
  const std::vector<std::pair<std::string, std::string>>& env() const { return env_; }

  // The last 40 lines of every window, for failure messages.
  std::string Dump();

 private:
  RunResult Tmux(const std::vector<std::string>& args) const;
  std::string WriteRc(const std::string& shell);
  bool Launch(const std::string& shell, const std::string& name, const std::string& rc, std::string* error);

  std::string root_, home_, data_dir_, spool_dir_, socket_;
  std::vector<std::pair<std::string, std::string>> env_;
  std::map<std::string, std::string> extra_rc_;
  std::vector<std::string> windows_;
  bool server_started_ = false;
};

// The last non-blank line of a screen, trailing spaces dropped.
std::string LastLine(const std::string& screen);
// Reads a whole file ("" when missing).
std::string SlurpFile(const std::string& path);
// True when `needle` occurs in any file under `dir` (recursively, binary).
// `where` gets the first file that has it.
bool TreeContains(const std::string& dir, const std::string& needle, std::string* where);

}  // namespace tb::testing
