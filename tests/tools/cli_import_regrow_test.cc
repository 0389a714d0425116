// End-to-end tests of re-importing a plain history file (no timestamps)
// after the shell appended lines and cut lines from the top
// (core/import/plain_dedup.h): bash plain, zsh plain and fish entries
// without `when:`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/timefmt.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

struct Row {
  std::string command;
  int64_t started_ms = 0;
};

// One file format: how a list of commands is written to the file.
struct Format {
  const char* source;
  std::string (*entry)(const std::string& cmd);
};

std::string PlainLine(const std::string& cmd) { return cmd + "\n"; }
std::string FishNoWhen(const std::string& cmd) { return "- cmd: " + cmd + "\n"; }

const Format kFormats[] = {{"bash", PlainLine}, {"zsh", PlainLine}, {"fish", FishNoWhen}};

class ImportRegrowTest : public CliTest, public ::testing::WithParamInterface<Format> {
 protected:
  std::string path() const { return root() + "/history"; }
  void Write(const std::vector<std::string>& cmds) {
    std::string text;
    for (const std::string& c : cmds) text += GetParam().entry(c);
    WriteFile(path(), text);
  }
  // `tb import SOURCE path`: the counts part of its line ("1 imported, 2 duplicates").
  std::string Import() {
    RunResult r = Tb({"import", GetParam().source, path()});
    EXPECT_EXIT_CODE(r, 0);
    size_t colon = r.out.find(": "), malformed = r.out.find(", 0 malformed");
    if (colon == std::string::npos || malformed == std::string::npos) return r.out;
    return r.out.substr(colon + 2, malformed - colon - 2);
  }
  // History oldest first.
  std::vector<Row> Rows() {
    RunResult r = Tb({"history", "--format", "ndjson"});
    EXPECT_EXIT_CODE(r, 0);
    std::vector<Row> rows;
    for (const std::string& line : SplitLines(r.out)) {
      nlohmann::json j = nlohmann::json::parse(line);
      Row row;
      row.command = j["command"];
      int64_t ns = 0;
      EXPECT_OK(ParseTime(j["started_at"].get<std::string>(), 0, &ns));
      row.started_ms = ns / 1000000;
      rows.insert(rows.begin(), row);
    }
    return rows;
  }
  std::vector<std::string> Texts() {
    std::vector<std::string> t;
    for (const Row& r : Rows()) t.push_back(r.command);
    return t;
  }
  // Oldest first, strictly increasing, 1 ms apart.
  void ExpectOneMsApart() {
    std::vector<Row> rows = Rows();
    for (size_t i = 1; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].started_ms - rows[i - 1].started_ms, 1) << rows[i].command;
    }
  }
};

TEST_P(ImportRegrowTest, AppendAndTruncateFromTheTopImportOnlyTheNewLines) {
  Write({"echo one", "echo two"});
  EXPECT_EQ(Import(), "2 imported, 0 duplicates");
  Write({"echo one", "echo two", "echo three"});
  EXPECT_EQ(Import(), "1 imported, 2 duplicates");
  EXPECT_EQ(Texts(), (std::vector<std::string>{"echo one", "echo two", "echo three"}));
  ExpectOneMsApart();
  // HISTFILESIZE: the top line goes, a new one comes.
  Write({"echo two", "echo three", "echo four"});
  EXPECT_EQ(Import(), "1 imported, 2 duplicates");
  EXPECT_EQ(Texts(), (std::vector<std::string>{"echo one", "echo two", "echo three", "echo four"}));
  ExpectOneMsApart();
  // Unchanged: nothing.
  EXPECT_EQ(Import(), "0 imported, 3 duplicates");
  EXPECT_EQ(Texts().size(), 4u);
}

TEST_P(ImportRegrowTest, RepeatedCommandsCountOccurrences) {
  Write({"ls", "ls", "ls"});
  EXPECT_EQ(Import(), "3 imported, 0 duplicates");
  Write({"ls", "ls", "ls", "ls"});
  EXPECT_EQ(Import(), "1 imported, 3 duplicates");
  EXPECT_EQ(Texts(), (std::vector<std::string>{"ls", "ls", "ls", "ls"}));
  ExpectOneMsApart();
}

TEST_P(ImportRegrowTest, UndoneBatchesDoNotCount) {
  Write({"echo one", "echo two"});
  EXPECT_EQ(Import(), "2 imported, 0 duplicates");  // batch 1
  Write({"echo one", "echo two", "echo three"});
  EXPECT_EQ(Import(), "1 imported, 2 duplicates");
  ASSERT_EXIT_CODE(Tb({"import", "--undo", "1"}), 0);
  EXPECT_EQ(Texts(), (std::vector<std::string>{"echo three"}));
  EXPECT_EQ(Import(), "2 imported, 1 duplicates");
  // They come back after what the store holds from this file.
  EXPECT_EQ(Texts(), (std::vector<std::string>{"echo three", "echo one", "echo two"}));
  ExpectOneMsApart();
  EXPECT_EQ(Import(), "0 imported, 3 duplicates");
}

TEST_P(ImportRegrowTest, OnlyTheSameSourceAndFileCount) {
  Write({"echo one"});
  EXPECT_EQ(Import(), "1 imported, 0 duplicates");
  std::string other = root() + "/other";
  WriteFile(other, GetParam().entry("echo one"));
  RunResult r = Tb({"import", GetParam().source, other});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find(": 1 imported, 0 duplicates"), std::string::npos) << r.out;
  // The same file by another spelling of its path is the same file.
  r = Tb({"import", GetParam().source, root() + "/./history"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find(": 0 imported, 1 duplicates"), std::string::npos) << r.out;
}

// Records cut from the top long ago (more than the file holds now) do not
// absorb new entries: the file of 2 lines is compared with the newest 2
// records imported from it, not with all 4.
TEST_P(ImportRegrowTest, OnlyTheNewestRecordsOfTheFileCount) {
  Write({"ls", "ls", "echo a", "echo b"});
  EXPECT_EQ(Import(), "4 imported, 0 duplicates");
  Write({"echo b", "ls"});
  EXPECT_EQ(Import(), "1 imported, 1 duplicates");
  EXPECT_EQ(Texts(), (std::vector<std::string>{"ls", "ls", "echo a", "echo b", "ls"}));
}

INSTANTIATE_TEST_SUITE_P(Shells, ImportRegrowTest, ::testing::ValuesIn(kFormats),
                         [](const ::testing::TestParamInfo<Format>& i) { return std::string(i.param.source); });

// A mixed file: timestamped entries keep the same-text-and-time rule, the
// plain entries before them the counting rule.
TEST_F(CliTest, ImportRegrowMixedZshKeepsTimedRule) {
  std::string p = root() + "/zh";
  WriteFile(p, "ls\n: 1700000000:0;ls\n");
  RunResult r = Tb({"import", "zsh", p});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find(": 2 imported, 0 duplicates"), std::string::npos) << r.out;
  WriteFile(p, "ls\n: 1700000000:0;ls\n: 1700000005:0;ls\n");
  r = Tb({"import", "zsh", p});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find(": 1 imported, 2 duplicates"), std::string::npos) << r.out;
  RunResult h = Tb({"history", "--format", "csv"});
  EXPECT_EQ(SplitLines(h.out).size(), 4u) << h.out;  // header + 3 records
  EXPECT_NE(h.out.find(",ls,,,0,2023-11-14T22:13:25.000Z"), std::string::npos) << h.out;
}

}  // namespace
}  // namespace tb::testing
