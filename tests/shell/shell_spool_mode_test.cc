// The spool files real bash, zsh and fish write are 0600 whatever the
// user's umask (tools/shell/tb.*, __tb_mkfile), also when a drain renamed
// the live file away and the shell starts a new one, and the user's umask
// is left as it was.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/shell/shell_sandbox.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

// "name mode" of every spool file under `dir`, sorted by discovery.
std::vector<std::string> SpoolModes(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.find(".spool") == std::string::npos) continue;
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    out.push_back(name + " " + mode);
  }
  return out;
}

class ShellSpoolModeSecurityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string missing = MissingShellTools({GetParam()});
    if (!missing.empty()) GTEST_SKIP() << "not installed: " << missing << " (scripts/deps.sh --test)";
  }
};

TEST_P(ShellSpoolModeSecurityTest, SpoolFilesArePrivateUnderUmask000) {
  const std::string shell = GetParam();
  ShellSandbox sb;
  sb.AddRcLines(shell, "umask 000\n");
  std::string error;
  ASSERT_TRUE(sb.Start(shell, "w", &error)) << error;
  ASSERT_TRUE(sb.Run("w", "true")) << sb.Dump();
  std::vector<std::string> modes = SpoolModes(sb.spool_dir());
  ASSERT_EQ(modes.size(), 1u) << sb.Dump();
  EXPECT_TRUE(modes[0].ends_with(".spool 0600")) << modes[0];
  // A drain renames the live file away; the next frame starts a new one.
  RunResult r = sb.Tb({"history", "--format", "plain"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.err, "");
  ASSERT_TRUE(SpoolModes(sb.spool_dir()).empty()) << "not drained";
  ASSERT_TRUE(sb.Run("w", "echo second")) << sb.Dump();
  modes = SpoolModes(sb.spool_dir());
  ASSERT_EQ(modes.size(), 1u) << sb.Dump();
  EXPECT_TRUE(modes[0].ends_with(".spool 0600")) << modes[0];
  // The user's umask is untouched: a file the user creates is 0666.
  ASSERT_TRUE(sb.Run("w", "echo x > mine")) << sb.Dump();
  struct stat st {};
  ASSERT_EQ(::stat((sb.work_dir() + "/mine").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  std::vector<std::string> commands;
  for (const auto& rec : sb.History()) commands.push_back(rec.at("command"));
  EXPECT_EQ(commands, (std::vector<std::string>{"true", "echo second", "echo x > mine"}));
}

INSTANTIATE_TEST_SUITE_P(Shells, ShellSpoolModeSecurityTest, ::testing::Values("bash", "zsh", "fish"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tb::testing
