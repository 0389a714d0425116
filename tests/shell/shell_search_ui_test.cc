// End-to-end tests of the interactive search (`tb search -i`) through the
// Ctrl-R bindings of `tb init` in real bash, zsh and fish under tmux: the
// chosen command lands on the shell's command line (and is not run unless
// search.enter_runs), Esc leaves the line exactly as it was.
#include <gtest/gtest.h>

#include <functional>
#include <sstream>

#include "tests/shell/shell_sandbox.h"

namespace tb::testing {
namespace {

// True when a line of `screen` (trailing spaces dropped) is exactly `want`.
bool HasLine(const std::string& screen, const std::string& want) {
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (line == want) return true;
  }
  return false;
}

class SearchUi : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string missing = MissingShellTools({GetParam()});
    if (!missing.empty()) GTEST_SKIP() << "missing: " << missing;
    // A fixed history, oldest first.
    const char* kCommands[][3] = {{"make build", "2", "/tmp"},
                                  {"git status", "0", "/tmp"},
                                  {"git commit -m wip", "0", "/tmp"},
                                  {"make test", "0", "/tmp"},
                                  {"echo done", "0", "/tmp"}};
    int minute = 10;
    for (const auto& c : kCommands) {
      RunResult r = sb_.Tb({"record", "--command", c[0], "--exit", c[1], "--cwd", c[2], "--started-at",
                            "2026-01-01T10:" + std::to_string(minute++) + ":00Z"});
      ASSERT_EQ(r.exit_code, 0) << r.Describe();
    }
  }

  // Adds `export NAME=VALUE` to the rc file of the shell under test.
  void Export(const std::string& name, const std::string& value) {
    if (GetParam() == "fish") {
      sb_.AddRcLines("fish", "set -gx " + name + " " + value + "\n");
    } else {
      sb_.AddRcLines(GetParam(), "export " + name + "=" + value + "\n");
    }
  }

  void Start() {
    std::string error;
    ASSERT_TRUE(sb_.Start(GetParam(), "w", &error)) << error;
  }

  // Polls the screen until `pred` holds (10 s at most).
  ::testing::AssertionResult WaitScreen(const std::function<bool(const std::string&)>& pred, const std::string& what) {
    if (sb_.WaitScreen("w", pred, std::chrono::seconds(10))) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "timed out waiting for " << what << "\n" << sb_.Dump();
  }
  // Waits until the UI shows `query` and its result count.
  ::testing::AssertionResult WaitUi(const std::string& query, const std::string& count) {
    return WaitScreen(
        [&](const std::string& s) {
          bool query_line = false;
          std::istringstream in(s);
          for (std::string line; std::getline(in, line);) {
            while (!line.empty() && line.back() == ' ') line.pop_back();
            query_line = query_line || line == ("tb> " + query).substr(0, query.empty() ? 3 : std::string::npos);
          }
          return query_line && s.find("· " + count) != std::string::npos;
        },
        "the UI with query '" + query + "' and " + count);
  }
  // Waits until the UI is gone and the command line reads `line`.
  ::testing::AssertionResult WaitLine(const std::string& line) {
    return WaitScreen(
        [&](const std::string& s) {
          return s.find("tb> ") == std::string::npos && LastLine(s) == std::string(kPrompt) + line;
        },
        "the command line '" + line + "'");
  }
  void Type(const std::string& text) { sb_.Key("w", text); }

  ShellSandbox sb_;
};

TEST_P(SearchUi, EnterPutsTheChosenCommandOnTheLine) {
  Start();
  int prompts = sb_.Prompts("w");
  Type("gi");  // the partial line becomes the initial query
  sb_.Key("w", "C-r");
  ASSERT_TRUE(WaitUi("gi", "2 results"));
  // The prompt line stays on screen above the UI, as it was.
  EXPECT_TRUE(HasLine(sb_.Screen("w"), std::string(kPrompt) + "gi")) << sb_.Dump();
  Type("t");
  ASSERT_TRUE(WaitUi("git", "2 results"));
  std::string ui = sb_.Screen("w");
  // Newest first, the selection on the first row.
  EXPECT_NE(ui.find(">1"), std::string::npos) << ui;
  EXPECT_LT(ui.find("git commit -m wip"), ui.find("git status")) << ui;
  sb_.Key("w", "Down");
  sb_.Key("w", "Enter");
  ASSERT_TRUE(WaitLine("git status"));
  // Not run: the hooks recorded nothing. (Prompt lines are not counted:
  // tmux's scroll-on-clear copies the prompt line into the scrollback when
  // a shell redraws from the top of the screen.)
  EXPECT_EQ(sb_.History().size(), 5u);

  // The line is the shell's to edit and run.
  sb_.Key("w", "Enter");
  ASSERT_TRUE(sb_.WaitPrompts("w", prompts + 1)) << sb_.Dump();
  std::vector<nlohmann::json> h = sb_.History();
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h.back()["command"], "git status");
}

TEST_P(SearchUi, EscapeLeavesTheLineAsItWas) {
  Start();
  ASSERT_TRUE(sb_.Run("w", "true")) << sb_.Dump();  // spooled: the UI drains it first
  Type("echo partial");
  sb_.Key("w", "C-r");
  ASSERT_TRUE(WaitUi("echo partial", "0 results"));
  // The open UI does not hold the store's write lock.
  RunResult rec = sb_.Tb({"record", "--command", "make clean"});
  EXPECT_EQ(rec.exit_code, 0) << rec.Describe();
  sb_.Key("w", "C-u");
  Type("make");
  ASSERT_TRUE(WaitUi("make", "2 results"));
  sb_.Key("w", "Escape");
  ASSERT_TRUE(WaitLine("echo partial"));
  // Ctrl-G cancels too.
  sb_.Key("w", "C-r");
  ASSERT_TRUE(WaitUi("echo partial", "0 results"));
  sb_.Key("w", "C-g");
  ASSERT_TRUE(WaitLine("echo partial"));
  EXPECT_EQ(sb_.History().size(), 7u);  // the 5, `true`, `make clean`
}

TEST_P(SearchUi, TabPutsTheCommandThereForEditing) {
  Start();
  sb_.Key("w", "C-r");
  ASSERT_TRUE(WaitUi("", "5 results"));
  Type("make");
  ASSERT_TRUE(WaitUi("make", "2 results"));
  sb_.Key("w", "Tab");
  ASSERT_TRUE(WaitLine("make test"));
  Type(" -j2");
  ASSERT_TRUE(WaitLine("make test -j2"));
  EXPECT_EQ(sb_.History().size(), 5u);
}

TEST_P(SearchUi, EnterRunsAtOnceWhenConfigured) {
  Export("TERMBRAIN_SEARCH_ENTER_RUNS", "1");
  Start();
  int prompts = sb_.Prompts("w");
  sb_.Key("w", "C-r");
  ASSERT_TRUE(WaitUi("", "5 results"));
  Type("done");
  ASSERT_TRUE(WaitUi("done", "1 result"));
  sb_.Key("w", "Enter");
  ASSERT_TRUE(sb_.WaitPrompts("w", prompts + 1)) << sb_.Dump();
  std::string screen = sb_.Screen("w");
  EXPECT_NE(screen.find(std::string(kPrompt) + "echo done\ndone\n"), std::string::npos) << screen;
  // It ran through the shell's normal path, so the hooks recorded it.
  std::vector<nlohmann::json> h = sb_.History();
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h.back()["command"], "echo done");
  EXPECT_EQ(h.back()["shell"], GetParam());
}

TEST_P(SearchUi, UpArrowOpensTheSearchWhenConfigured) {
  Export("TERMBRAIN_SEARCH_UP_ARROW", "1");
  Start();
  Type("ma");
  sb_.Key("w", "Up");
  ASSERT_TRUE(WaitUi("ma", "2 results"));
  sb_.Key("w", "Enter");
  ASSERT_TRUE(WaitLine("make test"));
}

INSTANTIATE_TEST_SUITE_P(Shells, SearchUi, ::testing::Values("bash", "zsh", "fish"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tb::testing
