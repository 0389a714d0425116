// End-to-end tests of shell completion (tools/completions.h) in real bash,
// zsh and fish under tmux, as `tb init` loads it: Tab completes a command,
// lists the values of --format, completes a workflow name that the script
// asks tb for, and a plugin's name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/shell/shell_sandbox.h"

namespace tb::testing {
namespace {

class Completion : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string missing = MissingShellTools({GetParam()});
    if (!missing.empty()) GTEST_SKIP() << "missing: " << missing;
    // zsh completes only once compinit has run (a user's .zshrc does that).
    sb_.AddRcLines("zsh", "autoload -U compinit && compinit -u -D\n");
  }

  void Start() {
    std::string error;
    ASSERT_TRUE(sb_.Start(GetParam(), "w", &error)) << error;
  }

  // Types `text` (no Enter), then each key of `keys`.
  void Type(const std::string& text, const std::vector<std::string>& keys) {
    if (!text.empty()) sb_.Key("w", text);
    for (const auto& k : keys) sb_.Key("w", k);
  }

  // Polls the screen until `pred` holds (5 s at most).
  ::testing::AssertionResult WaitScreen(const std::function<bool(const std::string&)>& pred, const std::string& what) {
    if (sb_.WaitScreen("w", pred, std::chrono::seconds(5))) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "timed out waiting for " << what << "\n" << sb_.Dump();
  }

  // The list bash shows at the second Tab, zsh and fish at the first.
  std::vector<std::string> ListKeys() const {
    return GetParam() == "bash" ? std::vector<std::string>{"Tab", "Tab"} : std::vector<std::string>{"Tab"};
  }

  ShellSandbox sb_;
};

TEST_P(Completion, CommandNameCompletes) {
  Start();
  Type("tb sea", {"Tab"});
  EXPECT_TRUE(WaitScreen([](const std::string& s) { return LastLine(s) == std::string(kPrompt) + "tb search"; },
                         "the line 'tb search'"));
}

TEST_P(Completion, ThreeWordCommandCompletes) {
  Start();
  Type("tb sync key exp", {"Tab"});
  EXPECT_TRUE(
      WaitScreen([](const std::string& s) { return LastLine(s) == std::string(kPrompt) + "tb sync key export"; },
                 "the line 'tb sync key export'"));
}

TEST_P(Completion, FormatValuesAreListed) {
  Start();
  Type("tb search --format ", ListKeys());
  EXPECT_TRUE(WaitScreen(
      [](const std::string& s) {
        for (const char* v : {"table", "json", "ndjson", "csv", "plain"}) {
          if (s.find(v) == std::string::npos) return false;
        }
        return true;
      },
      "the five formats"));
}

TEST_P(Completion, WorkflowNameCompletes) {
  RunResult r = sb_.Tb({"workflow", "create", "deploy-site", "--", "make", "deploy"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  Start();
  Type("tb workflow run dep", {"Tab"});
  EXPECT_TRUE(WaitScreen(
      [](const std::string& s) { return LastLine(s) == std::string(kPrompt) + "tb workflow run deploy-site"; },
      "the line 'tb workflow run deploy-site'"));
  // The listing the script ran is no command of the user's.
  for (const auto& rec : sb_.History())
    EXPECT_EQ(rec["command"].get<std::string>().find("workflow list"), std::string::npos) << rec.dump();
}

// A plugin (a tb-NAME executable on PATH, tools/plugins.h) completes as a
// command, beside the built-in ones.
TEST_P(Completion, PluginNameCompletes) {
  const std::string bin = sb_.root() + "/plugins";
  std::filesystem::create_directories(bin);
  {
    std::ofstream script(bin + "/tb-zzhello");
    script << "#!/bin/sh\necho hello\n";
  }
  std::filesystem::permissions(bin + "/tb-zzhello", std::filesystem::perms::owner_all);
  std::string path;
  for (const auto& [k, v] : sb_.env()) {
    if (k == "PATH") path = v;
  }
  sb_.SetEnv("PATH", bin + ":" + path);
  Start();
  Type("tb zzh", {"Tab"});
  EXPECT_TRUE(WaitScreen([](const std::string& s) { return LastLine(s) == std::string(kPrompt) + "tb zzhello"; },
                         "the line 'tb zzhello'"));
}

INSTANTIATE_TEST_SUITE_P(Shells, Completion, ::testing::Values("bash", "zsh", "fish"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace tb::testing
