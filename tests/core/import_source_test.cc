// Text import sources (core/import/*_source.*) on the byte sequences the
// real shells write, found by tests/shell/shell_import_test.cc: what zsh 5.9
// writes for a command ending in a backslash, and for one starting with ':'
// in a plain file.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/import/source.h"
#include "tests/core/import_test_util.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

using testutil::ParseImport;

TEST(ImportSourceTest, ZshDropsTheGuardSpaceAfterAFinalBackslash) {
  // zsh writes "echo trail\\ " for `echo trail\\` (and one more space after
  // a backslash followed by spaces); a space after anything else is the
  // command's own.
  auto p = ParseImport("zsh",
                       ": 10:0;echo trail\\\\ \n"
                       ": 11:0;echo bs\\  \n"
                       ": 12:0;echo sp \n"
                       ": 13:0;echo one\\ \n"
                       ": 14:0;two\\\n"
                       "lines\\\\ \n");
  EXPECT_EQ(p.commands,
            (std::vector<std::string>{"echo trail\\\\", "echo bs\\ ", "echo sp ", "echo one\\", "two\nlines\\\\"}));
  EXPECT_EQ(p.times, (std::vector<int64_t>{10, 11, 12, 13, 14}));
  EXPECT_TRUE(p.problems.empty());
}

TEST(ImportSourceTest, ZshPlainLeadingColonIsEscaped) {
  // Plain files escape a leading ':' as "\:" (so it is not read as an
  // extended header); only at the start of an entry.
  auto p = ParseImport("zsh",
                       "\\: colon first\n"
                       "\\: 1:0;not a header\n"
                       "echo \\: kept\n"
                       "echo a \\\\\n"
                       "\\: continued\n");
  EXPECT_EQ(p.commands, (std::vector<std::string>{": colon first", ": 1:0;not a header", "echo \\: kept",
                                                  "echo a \\\n\\: continued"}));
  EXPECT_EQ(p.times, (std::vector<int64_t>{-1, -1, -1, -1}));
  EXPECT_TRUE(p.problems.empty());
}

TEST(ImportSourceTest, ZshExtendedKeepsAColonAfterTheHeader) {
  auto p = ParseImport("zsh", ": 20:3;: colon first\n: 21:0;\\: as typed\n");
  EXPECT_EQ(p.commands, (std::vector<std::string>{": colon first", "\\: as typed"}));
  EXPECT_EQ(p.times, (std::vector<int64_t>{20, 21}));
}

TEST(ImportSourceTest, ZshHeaderWithoutItsSemicolonIsAPlainCommand) {
  // ':' is the no-op builtin: a line that is not a whole extended header
  // is a command as it stands, with no time; nothing is malformed.
  auto p = ParseImport("zsh", ": 1613322469:0\n: 17x:0;bad header\n: > file\n: 1613322470:2;ls\n");
  EXPECT_EQ(p.commands, (std::vector<std::string>{": 1613322469:0", ": 17x:0;bad header", ": > file", "ls"}));
  EXPECT_EQ(p.times, (std::vector<int64_t>{-1, -1, -1, 1613322470}));
  EXPECT_EQ(p.problems, std::vector<std::string>{});
}

TEST(ImportSourceTest, BashMixedStampedAndUnstampedLinesAreOneEntryEach) {
  // The file does not start with a stamp: one entry per line, as bash
  // reads it; the stamp dates the line after it only.
  auto p = ParseImport("bash", "git reset\n#1672919006\ngit clean -dxf\ncd ../\n");
  EXPECT_EQ(p.commands, (std::vector<std::string>{"git reset", "git clean -dxf", "cd ../"}));
  EXPECT_EQ(p.times, (std::vector<int64_t>{-1, 1672919006, -1}));
  EXPECT_EQ(p.problems, std::vector<std::string>{});
}

TEST(ImportSourceTest, BashFileStartingWithAStampHasTimestampDelimitedEntries) {
  // What bash writes with HISTTIMEFORMAT: a quoted newline (or any line
  // under lithist) stays inside the entry its stamp opened.
  auto p = ParseImport("bash", "#10\necho 'two\nlines'\n#11\nls\n#12\ncat <<EOF\nx\nEOF\n");
  EXPECT_EQ(p.commands, (std::vector<std::string>{"echo 'two\nlines'", "ls", "cat <<EOF\nx\nEOF"}));
  EXPECT_EQ(p.times, (std::vector<int64_t>{10, 11, 12}));
  EXPECT_EQ(p.problems, std::vector<std::string>{});
}

TEST(ImportSourceTest, NdjsonReturnsRecordsBySeqAcrossReadAheadBlocks) {
  // In file order, records come from 1 MiB reads: 3 MiB of records cross
  // block boundaries. Out of file order, each record is read on its own.
  std::string in_order, out_of_order;
  std::vector<std::string> want;
  const std::string pad(1000, 'x');
  for (int i = 1; i <= 3000; ++i) {
    std::string cmd = "echo " + std::to_string(i) + " " + pad;
    want.push_back(cmd);
    in_order += R"({"seq":)" + std::to_string(i) + R"(,"command":")" + cmd + "\"}\n";
  }
  auto p = ParseImport("ndjson", in_order + "\n  \n");
  EXPECT_EQ(p.commands, want);
  EXPECT_TRUE(p.problems.empty());
  p = ParseImport("ndjson",
                  "{\"seq\":3,\"command\":\"c\"}\nnot json\n{\"seq\":1,\"command\":\"a\"}\n"
                  "{\"seq\":2,\"command\":\"b\"}\n");
  EXPECT_EQ(p.commands, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(p.problems, (std::vector<std::string>{"2: not a JSON object"}));
}

}  // namespace
}  // namespace tb
