// Real bash, zsh and fish show the spool warning (storage/spool_warning.h:
// frames wait because the store cannot be written) on stderr after a
// command, once per episode: not again for the same ID, again for a new
// one, and nothing once the warning is gone.
#include <gtest/gtest.h>

#include <string>

#include "storage/spool.h"
#include "storage/spool_warning.h"
#include "tests/shell/shell_sandbox.h"
#include "tests/status_assert.h"

namespace tb::testing {
namespace {

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

class ShellSpoolWarningTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string missing = MissingShellTools({GetParam()});
    if (!missing.empty()) GTEST_SKIP() << "not installed: " << missing << " (scripts/deps.sh --test)";
  }
};

TEST_P(ShellSpoolWarningTest, ShownOncePerEpisode) {
  ShellSandbox sb;
  std::string error;
  ASSERT_TRUE(sb.Start(GetParam(), "w", &error)) << error;
  const std::string spool = SpoolDirFor(sb.spool_dir(), sb.data_dir());
  ASSERT_TRUE(sb.Run("w", "echo before")) << sb.Dump();
  EXPECT_EQ(Count(sb.Screen("w"), "tb: "), 0u) << sb.Dump();

  ASSERT_OK(RaiseSpoolWarning(spool, "tb: WARNING-ONE disk full", 111));
  ASSERT_TRUE(sb.Run("w", "echo a")) << sb.Dump();
  ASSERT_TRUE(sb.Run("w", "echo b")) << sb.Dump();
  // The same episode with a new message: still shown once.
  ASSERT_OK(RaiseSpoolWarning(spool, "tb: WARNING-ONE again", 222));
  ASSERT_TRUE(sb.Run("w", "echo c")) << sb.Dump();
  std::string screen = sb.Screen("w");
  EXPECT_EQ(Count(screen, "tb: WARNING-ONE"), 1u) << screen;
  EXPECT_EQ(Count(screen, "tb: WARNING-ONE disk full\n"), 1u) << screen;

  // A new episode is shown again; after the warning is cleared, nothing.
  ASSERT_OK(ClearSpoolWarning(spool));
  ASSERT_OK(RaiseSpoolWarning(spool, "tb: WARNING-TWO held", 333));
  ASSERT_TRUE(sb.Run("w", "echo d")) << sb.Dump();
  ASSERT_OK(ClearSpoolWarning(spool));
  ASSERT_TRUE(sb.Run("w", "echo e")) << sb.Dump();
  screen = sb.Screen("w");
  EXPECT_EQ(Count(screen, "tb: WARNING-"), 2u) << screen;
  EXPECT_EQ(Count(screen, "tb: WARNING-TWO held\n"), 1u) << screen;
  std::vector<std::string> commands;
  for (const auto& rec : sb.History()) commands.push_back(rec.at("command"));
  EXPECT_EQ(commands, (std::vector<std::string>{"echo before", "echo a", "echo b", "echo c", "echo d", "echo e"}));
}

INSTANTIATE_TEST_SUITE_P(Shells, ShellSpoolWarningTest, ::testing::Values("bash", "zsh", "fish"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tb::testing
