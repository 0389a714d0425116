// The manual pages (tools/manpage.h): roff escaping and a group page
// exactly; then every page the built tb writes (tb help --man NAME), rendered
// by man and groff without a warning, naming its commands and flags.
#include "tools/manpage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/tools/run_tb.h"

namespace tb {
namespace {

using testing::RunOptions;
using testing::RunProcess;
using testing::RunResult;
using testing::TbBinary;

TEST(ManPageTest, RoffText) {
  EXPECT_EQ(RoffText("a-b \\n"), "a\\-b \\en");
  EXPECT_EQ(RoffText(".x\n'y z.w'"), "\\&.x\n\\&'y z.w'");
}

TEST(ManPageTest, GroupPageExactly) {
  std::vector<CommandDoc> docs(2);
  docs[0].name = "backup list";
  docs[0].summary = "list backups";
  docs[0].args.usage = "backup list [--format table|json]";
  OptionInfo help;
  help.long_name = "help";
  help.short_name = "h";
  help.description = "show this help";
  OptionInfo format;
  format.long_name = "format";
  format.value_name = "F";
  format.description = "output format";
  format.choices = {"table", "json"};
  docs[0].args.options = {help, format};
  docs[1].name = "backup verify";
  docs[1].summary = "check a backup (ID|latest)";
  docs[1].args.usage = "backup verify ID|latest";
  docs[1].args.options = {help};
  docs[1].args.operands = {"id"};
  docs[1].operand_choices = {"latest"};
  docs[1].operand_values = {.command = "backup list", .key = "id"};
  EXPECT_EQ(ManPageNames(docs), (std::vector<std::string>{"tb", "tb-backup"}));
  EXPECT_EQ(ManPage("tb-backup", docs, "1.2.3"), R"ROFF(.TH TB\-BACKUP 1 "" "termbrain 1.2.3" "User Commands"
.nh
.SH NAME
tb\-backup \- tb backup list, tb backup verify
.SH SYNOPSIS
.nf
tb backup list [\-\-format table|json]
tb backup verify ID|latest
.fi
.SH DESCRIPTION
.SS "tb backup list"
list backups.
.PP
Options:
.TP
\fB\-h\fR, \fB\-\-help\fR
show this help
.TP
\fB\-\-format\fR \fIF\fR
output format (\fBtable\fR or \fBjson\fR)
.SS "tb backup verify"
check a backup (ID|latest).
.PP
The operand is \fBlatest\fR or one that \fBtb backup list\fR lists.
.PP
Options:
.TP
\fB\-h\fR, \fB\-\-help\fR
show this help
.SH SEE ALSO
.BR tb (1)
)ROFF");
  EXPECT_EQ(ManPage("tb-nothing", docs, "1.2.3"), "");
}

// Words of `text`, backspace overstrikes removed.
std::string Plain(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\b') {
      if (!out.empty()) out.pop_back();
    } else {
      out += c;
    }
  }
  return out;
}

TEST(ManPageTest, EveryPageRendersWithoutWarningsAndNamesItsCommandsAndFlags) {
  for (const char* tool : {"/usr/bin/man", "/usr/bin/groff"}) {
    if (::access(tool, X_OK) != 0) GTEST_SKIP() << "missing: " << tool << " (scripts/deps.sh --test installs it)";
  }
  RunOptions env;
  env.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"LC_ALL", "C"}, {"MANWIDTH", "80"}};
  RunResult names = RunProcess({TbBinary(), "help", "--man"}, env);
  ASSERT_EQ(names.exit_code, 0) << names.Describe();
  std::vector<std::string> pages;
  std::istringstream in(names.out);
  for (std::string line; std::getline(in, line);) pages.push_back(line);
  ASSERT_GT(pages.size(), 20u);
  EXPECT_EQ(pages[0], "tb");
  EXPECT_NE(std::find(pages.begin(), pages.end(), "tb-search"), pages.end());
  EXPECT_NE(std::find(pages.begin(), pages.end(), "tb-sync"), pages.end());

  const std::vector<CommandDoc> docs = DescribeCommands();
  const std::string dir = ::testing::TempDir() + "/manpages." + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  for (const std::string& page : pages) {
    SCOPED_TRACE(page);
    RunResult roff = RunProcess({TbBinary(), "help", "--man", page}, env);
    ASSERT_EQ(roff.exit_code, 0) << roff.Describe();
    const std::string file = dir + "/" + page + ".1";
    std::ofstream(file) << roff.out;
    RunResult groff = RunProcess({"/usr/bin/groff", "-man", "-ww", "-z", file}, env);
    EXPECT_EQ(groff.exit_code, 0) << groff.Describe();
    EXPECT_EQ(groff.err, "");
    RunResult man = RunProcess({"/usr/bin/man", "--warnings", "-l", file}, env);
    EXPECT_EQ(man.exit_code, 0) << man.Describe();
    EXPECT_EQ(man.err, "");
    const std::string text = Plain(man.out);
    for (const CommandDoc& d : docs) {
      if (page != "tb" && page != "tb-" + GroupOf(d.name)) continue;
      EXPECT_NE(text.find("tb " + d.name), std::string::npos) << d.name;
      if (page == "tb") continue;
      for (const OptionInfo& o : d.args.options) {
        EXPECT_NE(text.find("--" + o.long_name), std::string::npos) << d.name << " --" << o.long_name;
      }
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tb
