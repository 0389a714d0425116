// End-to-end tests of the shell integration (tools/shell/tb.*): real bash,
// zsh and fish, started interactively under tmux with `tb init` evaluated,
// typed into, then checked through `tb history --format ndjson`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <ctime>
#include <optional>
#include <regex>

#include "tests/shell/shell_sandbox.h"

namespace tb::testing {
namespace {

using nlohmann::json;

std::string Host() {
  char buf[HOST_NAME_MAX + 1] = {0};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// One command line the test types and what `tb history` must say about it.
struct Expected {
  std::string command;
  std::string cwd;
  std::optional<int> exit;
  double min_ms = 0;
  double max_ms = 20000;
};

// Types commands into one shell and remembers what should be recorded.
class Typist {
 public:
  Typist(ShellSandbox& sb, std::string window) : sb_(sb), w_(std::move(window)), cwd_(sb.work_dir()) {}

  // Types `lines` (one command) and waits for the prompt; `exit` is the
  // status it must be recorded with, nullopt when it must not be recorded.
  ::testing::AssertionResult Cmd(const std::vector<std::string>& lines, std::optional<int> exit, double min_ms = 0,
                                 double max_ms = 20000) {
    if (!sb_.RunLines(w_, lines))
      return ::testing::AssertionFailure() << "no prompt after " << lines[0] << "\n" << sb_.Dump();
    if (exit) Add(lines, *exit, min_ms, max_ms);
    return ::testing::AssertionSuccess();
  }
  ::testing::AssertionResult Cmd(const char* line, std::optional<int> exit) {
    return Cmd(std::vector<std::string>{line}, exit);
  }
  ::testing::AssertionResult Cmd(const std::string& line, std::optional<int> exit) {
    return Cmd(std::vector<std::string>{line}, exit);
  }
  // Starts `line`, waits for its child `comm`, presses Ctrl-C.
  ::testing::AssertionResult Interrupt(const std::string& line, const std::string& comm) {
    int n = sb_.Prompts(w_);
    sb_.Line(w_, line);
    if (!sb_.WaitChild(w_, comm)) return ::testing::AssertionFailure() << comm << " never started\n" << sb_.Dump();
    sb_.Key(w_, "C-c");
    if (!sb_.WaitPrompts(w_, n + 1)) return ::testing::AssertionFailure() << "no prompt after C-c\n" << sb_.Dump();
    Add({line}, 130, 0, 20000);
    return ::testing::AssertionSuccess();
  }
  void Cd(const std::string& dir) { cwd_ = dir; }
  // A command that ended the shell.
  void Exited(const std::string& line, int exit) { Add({line}, exit, 0, 20000); }
  const std::vector<Expected>& expected() const { return expected_; }

 private:
  void Add(const std::vector<std::string>& lines, int exit, double min_ms, double max_ms) {
    std::string text;
    for (size_t i = 0; i < lines.size(); ++i) text += (i ? "\n" : "") + lines[i];
    expected_.push_back({text, cwd_, exit, min_ms, max_ms});
  }

  ShellSandbox& sb_;
  std::string w_;
  std::string cwd_;
  std::vector<Expected> expected_;
};

// Now as `tb history` prints times ("2026-01-02T03:04:05.678Z"), shifted.
std::string UtcNow(int shift_seconds) {
  auto now = std::chrono::system_clock::now() + std::chrono::seconds(shift_seconds);
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

std::string SessionOnScreen(const std::string& screen) {
  std::smatch m;
  static const std::regex re("SID=([0-9a-f]{16})\\b");
  return std::regex_search(screen, m, re) ? m[1].str() : "";
}

// Checks `records` (oldest first) against `expected`, field by field.
void CheckRecords(const std::vector<json>& records, const std::vector<Expected>& expected, const std::string& shell,
                  const std::string& session, const std::string& begin, const std::string& end,
                  const std::string& dump) {
  std::string got;
  for (const auto& r : records) got += "  " + r.dump() + "\n";
  ASSERT_EQ(records.size(), expected.size()) << "recorded:\n" << got << dump;
  std::string last_start;
  for (size_t i = 0; i < expected.size(); ++i) {
    const json& r = records[i];
    const Expected& e = expected[i];
    SCOPED_TRACE("record " + std::to_string(i) + ": " + r.dump());
    EXPECT_EQ(r.at("command"), e.command);
    EXPECT_EQ(r.at("cwd"), e.cwd);
    ASSERT_TRUE(r.at("exit_code").is_number_integer());
    EXPECT_EQ(r.at("exit_code").get<int>(), *e.exit);
    ASSERT_TRUE(r.at("duration_ms").is_number());
    EXPECT_GE(r.at("duration_ms").get<double>(), e.min_ms);
    EXPECT_LT(r.at("duration_ms").get<double>(), e.max_ms);
    EXPECT_EQ(r.at("session"), session);
    EXPECT_EQ(r.at("shell"), shell);
    EXPECT_EQ(r.at("host"), Host());
    EXPECT_FALSE(r.at("user").get<std::string>().empty());
    EXPECT_TRUE(r.at("id").get<std::string>().starts_with(session + "-"));
    std::string start = r.at("started_at");
    EXPECT_GE(start, last_start) << "start times go backwards";
    // The shells' clocks agree with the real one (fish: /proc/uptime plus
    // the offset `tb init` measured).
    EXPECT_GE(start, begin);
    EXPECT_LE(start, end);
    last_start = start;
  }
}

class ShellIntegrationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string missing = MissingShellTools({GetParam()});
    if (!missing.empty()) GTEST_SKIP() << "not installed: " << missing << " (scripts/deps.sh --test)";
  }
};

TEST_P(ShellIntegrationTest, RecordsEveryCommandAsTyped) {
  const std::string shell = GetParam();
  const std::string begin = UtcNow(-1);
  ShellSandbox sb;
  // Hooks of the user's own, which must keep working next to ours.
  // The integration is loaded under the user's strict options.
  sb.AddRcLines("bash",
                "set -u\n__user_dbg=0\ntrap '(( __user_dbg += 1 ))' DEBUG\n"
                "trap 'echo user-exit-trap >> \"$HOME/exit-trap.log\"' EXIT\n"
                "PROMPT_COMMAND=('__user_pc=$(( ${__user_pc:-0} + 1 ))')\n");
  sb.AddRcLines("zsh",
                "setopt NO_UNSET NO_CLOBBER SH_WORD_SPLIT\n"
                "__user_pc=0\n__user_precmd() { (( __user_pc += 1 )) }\nprecmd_functions+=(__user_precmd)\n");
  std::string error;
  ASSERT_TRUE(sb.Start(shell, "w", &error)) << error;
  Typist t(sb, "w");
  const std::string work = sb.work_dir();

  ASSERT_TRUE(t.Cmd("echo \"SID=$TERMBRAIN_SESSION\"", 0));
  ASSERT_TRUE(t.Cmd("false", 1));
  ASSERT_TRUE(t.Cmd("false; true", 0));
  ASSERT_TRUE(t.Cmd(std::vector<std::string>{"echo \"multi", "line\""}, 0));
  ASSERT_TRUE(t.Cmd("echo 'it''s' \"dq\\\"x\" b\\\\s ünïcødé 日本語 ✓", 0));
  ASSERT_TRUE(t.Cmd("printf 'x\\ty\\n' | grep -c y | cat", 0));
  ASSERT_TRUE(t.Cmd("mkdir -p sub && cd sub", 0));
  t.Cd(work + "/sub");
  ASSERT_TRUE(t.Cmd("pwd", 0));
  ASSERT_TRUE(t.Cmd("cd ..", 0));
  t.Cd(work);
  ASSERT_TRUE(t.Cmd(" echo leading-space", std::nullopt));
  ASSERT_TRUE(t.Cmd("tb off", 0));  // starts before it pauses
  ASSERT_TRUE(t.Cmd("echo while-off", std::nullopt));
  ASSERT_TRUE(t.Cmd("tb on", std::nullopt));
  ASSERT_TRUE(t.Cmd("echo back-on", 0));
  if (shell == "fish") {
    ASSERT_TRUE(t.Cmd("set -gx TERMBRAIN_DISABLED 1", 0));  // started while enabled
    ASSERT_TRUE(t.Cmd("echo while-disabled", std::nullopt));
    ASSERT_TRUE(t.Cmd("set -e TERMBRAIN_DISABLED", std::nullopt));
  } else {
    ASSERT_TRUE(t.Cmd("export TERMBRAIN_DISABLED=1", 0));
    ASSERT_TRUE(t.Cmd("echo while-disabled", std::nullopt));
    ASSERT_TRUE(t.Cmd("unset TERMBRAIN_DISABLED", std::nullopt));
  }
  ASSERT_TRUE(t.Cmd("echo enabled-again", 0));
  ASSERT_TRUE(t.Cmd(shell == "fish" ? "tb init fish | source" : "eval \"$(tb init " + shell + ")\"", 0));
  ASSERT_TRUE(t.Cmd("echo after-second-init", 0));
  ASSERT_TRUE(t.Cmd(std::vector<std::string>{"sleep 1.2"}, 0, 1200, 10000));
  ASSERT_TRUE(t.Interrupt("sleep 30", "sleep"));

  if (shell == "bash") {
    ASSERT_TRUE(t.Cmd("( exit 3 )", 3));  // never reaches the DEBUG trap
    ASSERT_TRUE(t.Cmd("f() { echo f; }", 0));
    ASSERT_TRUE(t.Cmd("echo twice", 0));  // HISTCONTROL=ignoreboth keeps one in history
    ASSERT_TRUE(t.Cmd("echo twice", 0));
    ASSERT_TRUE(t.Cmd(std::vector<std::string>{"for i in 1 2", "do echo \"i=$i\"", "done"}, 0));
    ASSERT_TRUE(t.Cmd("false | (exit 3)", 3));
    ASSERT_TRUE(t.Cmd("echo \"ps=${PIPESTATUS[*]} st=$?\"", 0));
    ASSERT_TRUE(t.Cmd("echo x y lastarg", 0));
    ASSERT_TRUE(t.Cmd("echo \"u=$_\"", 0));
    ASSERT_TRUE(t.Cmd("set -u", 0));
    ASSERT_TRUE(t.Cmd("echo nounset-ok", 0));
    ASSERT_TRUE(t.Cmd("set +u", 0));
    ASSERT_TRUE(t.Cmd("set -e", 0));
    ASSERT_TRUE(t.Cmd("! true", 1));
    ASSERT_TRUE(t.Cmd("echo errexit-alive", 0));
    ASSERT_TRUE(t.Cmd("set +e", 0));
    ASSERT_TRUE(t.Cmd("set +o history", 0));
    ASSERT_TRUE(t.Cmd("echo history-off", 0));
    ASSERT_TRUE(t.Cmd("set -o history", 0));
    ASSERT_TRUE(t.Cmd("set -o vi", 0));  // Enter is wrapped in the vi keymaps too
    ASSERT_TRUE(t.Cmd("echo in-vi-mode", 0));
    ASSERT_TRUE(t.Cmd("set -o emacs", 0));
    ASSERT_TRUE(t.Cmd("echo \"hooks=$__user_dbg/$__user_pc\"", 0));
  } else if (shell == "zsh") {
    ASSERT_TRUE(t.Cmd("(exit 3)", 3));
    ASSERT_TRUE(t.Cmd("false | true", 0));
    ASSERT_TRUE(t.Cmd("echo \"ps=$pipestatus st=$?\"", 0));
    ASSERT_TRUE(t.Cmd("echo x y lastarg", 0));
    ASSERT_TRUE(t.Cmd("echo \"u=$_\"", 0));
    ASSERT_TRUE(t.Cmd("set -u", 0));
    ASSERT_TRUE(t.Cmd("echo nounset-ok", 0));
    ASSERT_TRUE(t.Cmd("set +u", 0));
    ASSERT_TRUE(t.Cmd("echo \"hooks=$__user_pc\"", 0));
  } else {
    ASSERT_TRUE(t.Cmd("sh -c 'exit 3'", 3));
    ASSERT_TRUE(t.Cmd("echo \"st=$status\"", 0));
    ASSERT_TRUE(t.Cmd("true | false", 1));
    ASSERT_TRUE(t.Cmd("echo \"ps=$pipestatus\"", 0));
  }
  ASSERT_TRUE(t.Cmd("echo done", 0));
  // `exit` ends the shell before any prompt: the exit hooks finish it.
  sb.Line("w", "exit 3");
  ASSERT_TRUE(sb.WaitExited("w")) << sb.Dump();
  t.Exited("exit 3", 3);
  if (shell == "bash") {
    EXPECT_EQ(SlurpFile(sb.home() + "/exit-trap.log"), "user-exit-trap\n") << "the user's EXIT trap did not run";
  }

  std::string screen = sb.Screen("w");
  std::string session = SessionOnScreen(screen);
  ASSERT_EQ(session.size(), 16u) << screen;
  // What the user sees is untouched by the hooks.
  EXPECT_EQ(screen.find("unbound variable"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("command not found"), std::string::npos) << screen;
  if (shell == "bash") {
    EXPECT_NE(screen.find("ps=1 3 st=3"), std::string::npos) << screen;
    EXPECT_NE(screen.find("u=lastarg"), std::string::npos) << screen;
    EXPECT_NE(screen.find("errexit-alive"), std::string::npos) << screen;
    // The user's DEBUG trap and PROMPT_COMMAND ran for every line, not just
    // until ours were installed.
    std::smatch m;
    ASSERT_TRUE(std::regex_search(screen, m, std::regex("hooks=([0-9]+)/([0-9]+)"))) << screen;
    EXPECT_GE(std::stoi(m[1]), 35) << screen;
    EXPECT_GE(std::stoi(m[2]), 35) << screen;
  } else if (shell == "zsh") {
    EXPECT_NE(screen.find("ps=1 0 st=0"), std::string::npos) << screen;
    EXPECT_NE(screen.find("u=lastarg"), std::string::npos) << screen;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(screen, m, std::regex("hooks=([0-9]+)"))) << screen;
    EXPECT_GE(std::stoi(m[1]), 25) << screen;
  } else {
    EXPECT_NE(screen.find("st=3"), std::string::npos) << screen;
    EXPECT_NE(screen.find("ps=0 1"), std::string::npos) << screen;
  }
  CheckRecords(sb.History(), t.expected(), shell, session, begin, UtcNow(1), sb.Dump());
}

INSTANTIATE_TEST_SUITE_P(Shells, ShellIntegrationTest, ::testing::Values("bash", "zsh", "fish"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tb::testing
