// Update notices (tools/update_notice.h): tb version --changes prints the
// embedded CHANGELOG.md; after an upgrade the first tb run at a terminal
// prints once what changed since the version run before; never through a
// pipe, never from the commands the shell runs by itself.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

class CliUpdateNotice : public CliTest {
 protected:
  std::string StateFile() const { return root() + "/xdg/state/termbrain/last-version"; }  // $XDG_STATE_HOME
  std::string Version() const {
    std::string v = Tb({"--version"}).out;  // "tb 0.1.0 (store format 1)"
    return v.substr(3, v.find(' ', 3) - 3);
  }
};

TEST_F(CliUpdateNotice, VersionChangesPrintsTheChangelog) {
  RunResult r = Tb({"version", "--changes"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, ReadFile(std::string(TB_SOURCE_DIR) + "/CHANGELOG.md"));
  // Its newest section is this version's.
  EXPECT_NE(r.out.find("\n## " + Version() + " ("), std::string::npos);
  EXPECT_EQ(r.out.find("\n## "), r.out.find("\n## " + Version() + " ("));
  r = Tb({"version", "--since"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: usage: tb version [--changes]\n");
  EXPECT_EQ(Tb({"version"}).out, Tb({"--version"}).out);
}

TEST_F(CliUpdateNotice, AfterAnUpgradeTheFirstRunAtATerminalSaysWhatChangedOnce) {
  // The first run ever: the version is noted, nothing is said.
  auto [shown, code] = OnTerminal({"status"}, {});
  EXPECT_EQ(code, 0) << shown;
  EXPECT_EQ(shown.find("was updated"), std::string::npos) << shown;
  EXPECT_EQ(ReadFile(StateFile()), Version() + "\n");
  EXPECT_EQ(fs::status(StateFile()).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

  // An older version ran last: through a pipe, or from the shell's own
  // commands, nothing is said and the note stays.
  WriteFile(StateFile(), "0.0.1\n");
  EXPECT_EQ(Tb({"status"}).err, "");
  std::tie(shown, code) = OnTerminal({"record", "--command", "ls"}, {});
  EXPECT_EQ(code, 0) << shown;
  EXPECT_EQ(shown.find("was updated"), std::string::npos) << shown;
  EXPECT_EQ(ReadFile(StateFile()), "0.0.1\n");

  // At a terminal: once.
  std::tie(shown, code) = OnTerminal({"status"}, {});
  EXPECT_EQ(code, 0) << shown;
  EXPECT_NE(shown.find("tb was updated from 0.0.1 to " + Version() + ". What changed:\r\n\r\n## " + Version() + " ("),
            std::string::npos)
      << shown;
  EXPECT_NE(shown.find("(tb version --changes shows it again)"), std::string::npos) << shown;
  EXPECT_EQ(ReadFile(StateFile()), Version() + "\n");
  std::tie(shown, code) = OnTerminal({"status"}, {});
  EXPECT_EQ(shown.find("was updated"), std::string::npos) << shown;

  // A newer version ran last (a downgrade): nothing said, the note follows.
  WriteFile(StateFile(), "99.0\n");
  std::tie(shown, code) = OnTerminal({"status"}, {});
  EXPECT_EQ(shown.find("was updated"), std::string::npos) << shown;
  EXPECT_EQ(ReadFile(StateFile()), Version() + "\n");
}

}  // namespace
}  // namespace tb::testing
