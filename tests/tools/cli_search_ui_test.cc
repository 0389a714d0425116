// End-to-end: `tb search -i` option errors (before any terminal or store is
// touched) and its help. The UI itself is tested on a pty (tui_loop_test.cc)
// and in real shells (tests/shell/shell_search_ui_test.cc).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

class CliSearchUi : public CliTest {
 protected:
  // Runs `tb search -i args...`: exit 2, nothing on stdout, exactly `err`,
  // and no data dir created.
  void ExpectUsageError(const std::vector<std::string>& args, const std::string& err, EnvVars env = {}) {
    std::vector<std::string> full{"search", "-i"};
    full.insert(full.end(), args.begin(), args.end());
    RunResult r = TbEnv(full, std::move(env));
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, err);
    EXPECT_FALSE(std::filesystem::exists(data_dir()));
  }
};

TEST_F(CliSearchUi, BadOptionsAreUsageErrors) {
  ExpectUsageError({"--scope", "galaxy"},
                   "tb: error: --scope: unknown scope 'galaxy': expected global, host, session, directory or "
                   "workspace\n");
  ExpectUsageError({"--mode", "fuzy"},
                   "tb: error: --mode: unknown search mode 'fuzy': expected substring, prefix, fuzzy, regex or "
                   "exact\n");
  ExpectUsageError({"--rank", "best"}, "tb: error: --rank: unknown ranking 'best': expected recent or frecency\n");
  ExpectUsageError({"--height", "5000"},
                   "tb: error: tb search -i: invalid value '5000' for --height: expected a whole number from 0 to "
                   "1000\n");
  ExpectUsageError({"--bogus"}, "tb: error: unrecognised option '--bogus' (tb search -i). Run 'tb help search -i'\n");
}

TEST_F(CliSearchUi, BadConfigIsAUsageError) {
  ExpectUsageError({},
                   "tb: error: invalid config (env TERMBRAIN_SEARCH_SCOPE): search.scope = \"planet\" is not "
                   "one of global, host, session, directory, workspace. Fix or unset the variable\n",
                   {{"TERMBRAIN_SEARCH_SCOPE", "planet"}});
  ExpectUsageError({},
                   "tb: error: invalid config (env TERMBRAIN_SEARCH_INLINE_HEIGHT): search.inline_height = "
                   "-1 is out of range 0..1000. Fix or unset the variable\n",
                   {{"TERMBRAIN_SEARCH_INLINE_HEIGHT", "-1"}});
}

TEST_F(CliSearchUi, Help) {
  RunResult r = Tb({"help", "search", "-i"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(r.out.starts_with("usage: tb search -i [QUERY...] [--shell-line TEXT]")) << r.out;
  EXPECT_NE(r.out.find("--action-line"), std::string::npos) << r.out;
}

// search.up_arrow reaches the script `tb init` prints (the binding itself is
// tested in real shells).
TEST_F(CliSearchUi, InitBakesInTheUpArrowSetting) {
  RunResult r = Tb({"init", "bash"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("\n__tb_up_arrow=\n"), std::string::npos);
  r = TbEnv({"init", "zsh"}, {{"TERMBRAIN_SEARCH_UP_ARROW", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("\n__tb_up_arrow=1\n"), std::string::npos);
  r = TbEnv({"init", "fish"}, {{"TERMBRAIN_SEARCH_UP_ARROW", "1"}});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("\nset -g __tb_up_arrow 1\n"), std::string::npos);
}

}  // namespace
}  // namespace tb::testing
