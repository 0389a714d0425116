// End-to-end tests of tb import / export / forget:
// per-format fixtures (tests/fixtures/import), idempotence, undo, strict
// mode, bad input, the export -> import round trip, and forget leaving no
// trace while views and the log still verify.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/import/fish_source.h"
#include "core/import/zsh_source.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

std::string Fixture(const std::string& name) { return std::string(TB_SOURCE_DIR) + "/tests/fixtures/import/" + name; }

class ImportTest : public CliTest {
 protected:
  RunResult Import(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"import"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Tb(args);
  }
  void ExpectViewsVerify() {
    RunResult r = Tb({"views", "verify"});
    EXPECT_EXIT_CODE(r, 0);
    RunResult l = Tb({"log", "verify"});
    EXPECT_EXIT_CODE(l, 0);
  }
  std::string HistoryNdjson(const std::string& dir = "") {
    TbCall c;
    if (!dir.empty()) c.data_dir = false;
    std::vector<std::string> args = {"history", "--format", "ndjson"};
    if (!dir.empty()) args.insert(args.begin(), {"--data-dir", dir});
    RunResult r = Tb(args, c);
    EXPECT_EXIT_CODE(r, 0);
    return r.out;
  }
};

TEST(ImportParsersTest, UnmetafyAndFishEscapes) {
  std::string s = "\xe2\x83\xa6\x83\xb2";  // "→" (E2 86 92) as zsh stores it
  Unmetafy(&s);
  EXPECT_EQ(s, "\xe2\x86\x92");
  EXPECT_EQ(UnescapeFish("a\\nb\\\\c"), "a\nb\\c");
}

TEST_F(ImportTest, BashWithTimestampsKeepsMultiLineEntriesAndTimes) {
  RunResult r = Import({"bash", Fixture("bash_timestamps.history")});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("4 imported, 0 duplicates, 0 malformed"), std::string::npos) << r.out;
  std::string h = HistoryNdjson();
  EXPECT_NE(h.find("\"command\":\"for i in 1 2; do\\n  echo $i\\ndone\",\"cwd\":\"\",\"exit_code\":null,"
                   "\"duration_ms\":null,\"started_at\":\"2023-11-14T22:13:30.000Z\""),
            std::string::npos)
      << h;
  // Out-of-order timestamps are kept as they are (history sorts by time);
  // a truncated last line (no LF) is still imported.
  EXPECT_NE(h.find("\"echo out of order\",\"cwd\":\"\",\"exit_code\":null,\"duration_ms\":null,"
                   "\"started_at\":\"2023-11-14T22:13:10.000Z\""),
            std::string::npos);
  EXPECT_NE(h.find("\"make test\""), std::string::npos);
  ExpectViewsVerify();
}

TEST_F(ImportTest, BashPlainKeepsFileOrderAndUnicode) {
  ASSERT_EXIT_CODE(Import({"bash", Fixture("bash_plain.history")}), 0);
  // Newest first: the file's order reversed.
  EXPECT_EQ(Commands(),
            (std::vector<std::string>{"echo \"h\xc3\xa9llo w\xc3\xb6rld\"", "git status", "cd /tmp", "ls -la"}));
}

TEST_F(ImportTest, ZshExtendedMetafiedContinuationCrlfAndBadHeader) {
  RunResult r = Import({"zsh", Fixture("zsh_extended.history")});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("7 imported, 0 duplicates, 0 malformed"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> cmds = Commands();
  ASSERT_EQ(cmds.size(), 8u);  // "echo first\nsecond line" is two plain lines
  EXPECT_EQ(cmds[0], "tail -f log");
  EXPECT_EQ(cmds[1], "echo \xe2\x86\x92 caf\xc3\xa9");
  // Line 6 is not a whole extended header: a plain command, the whole line.
  EXPECT_EQ(cmds[2], ": 17x:0;bad header");
  std::string h = HistoryNdjson();
  EXPECT_NE(h.find("\"command\":\"make -j4\",\"cwd\":\"\",\"exit_code\":null,\"duration_ms\":3000,"
                   "\"started_at\":\"2023-11-14T22:13:25.000Z\""),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("\"echo first \\nsecond line\""), std::string::npos) << h;
}

TEST_F(ImportTest, BashMixedFileDatesUnstampedLinesInFileOrder) {
  // One entry per line (the file does not start with a stamp); the line
  // before the stamp is dated just before it, never "now".
  const std::string file = root() + "/mixed_history";
  WriteFile(file, "git reset\n#1672919006\ngit clean -dxf\ncd ../\n");
  RunResult r = Import({"bash", file});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, file + ": 3 imported, 0 duplicates, 0 malformed (bash, batch 1)\n");
  RunResult h = Tb({"history", "--format", "csv"});
  ASSERT_EXIT_CODE(h, 0);
  std::vector<std::string> rows;
  for (std::string row : SplitLines(h.out)) {
    if (!row.empty() && row.back() == '\r') row.pop_back();
    rows.push_back(row.substr(row.find(',') + 1));  // without the id
  }
  const std::string tail = ",," + ThisHost() + "," + ThisUser() + ",bash";
  EXPECT_EQ(rows, (std::vector<std::string>{"seq,command,cwd,exit_code,duration_ms,started_at,session,host,user,shell",
                                            "3,cd ../,,,,2023-01-05T11:43:26.000Z" + tail,
                                            "2,git clean -dxf,,,,2023-01-05T11:43:26.000Z" + tail,
                                            "1,git reset,,,,2023-01-05T11:43:25.999Z" + tail}));
}

TEST_F(ImportTest, WrongFormatIsRefusedAndWritesNothing) {
  const std::string file = root() + "/bash_history";
  WriteFile(file, "ls -la\ngit status\n");
  RunResult r = Import({"fish", file});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.out, "");
  const std::string warn = ": not part of a fish history entry (expected '- cmd: ...') (skipped)\n";
  EXPECT_EQ(r.err, "tb: warning: " + file + ":1" + warn + "tb: warning: " + file + ":2" + warn +
                       "tb: error: cannot import " + file +
                       " as fish history: nothing in it parsed (2 malformed entries). It looks like "
                       "bash history: run 'tb import bash " +
                       file + "'\n");
  RunResult list = Import({"--list", "--format", "json"});
  ASSERT_EXIT_CODE(list, 0);
  EXPECT_EQ(list.out, "[]\n");
  // The right source imports it; an empty file is no error.
  RunResult ok = Import({"bash", file});
  EXPECT_EXIT_CODE(ok, 0);
  EXPECT_EQ(ok.out, file + ": 2 imported, 0 duplicates, 0 malformed (bash, batch 1)\n");
  const std::string empty = root() + "/empty_history";
  WriteFile(empty, "");
  RunResult none = Import({"fish", empty});
  EXPECT_EXIT_CODE(none, 0);
  EXPECT_EQ(none.out, empty + ": 0 imported, 0 duplicates, 0 malformed (fish, batch 4)\n");
}

TEST_F(ImportTest, FishEntriesWithEscapes) {
  RunResult r = Import({"fish", Fixture("fish.history")});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("4 imported, 0 duplicates, 1 malformed"), std::string::npos) << r.out;
  std::string h = HistoryNdjson();
  EXPECT_NE(h.find("\"git commit -m \\\"multi\\nline\\\"\""), std::string::npos) << h;
  EXPECT_NE(h.find("\"echo back\\\\slash\""), std::string::npos) << h;
}

TEST_F(ImportTest, ReimportAddsNothing) {
  for (const char* f : {"bash_timestamps.history", "zsh_extended.history", "fish.history", "bash_plain.history"}) {
    std::string src = std::string(f).starts_with("bash") ? "bash" : std::string(f).starts_with("zsh") ? "zsh" : "fish";
    ASSERT_EXIT_CODE(Import({src, Fixture(f)}), 0);
    std::string before = HistoryNdjson();
    RunResult r = Import({src, Fixture(f)});
    ASSERT_EXIT_CODE(r, 0);
    EXPECT_NE(r.out.find(": 0 imported"), std::string::npos) << r.out;
    EXPECT_EQ(HistoryNdjson(), before) << f;
  }
  ExpectViewsVerify();
}

TEST_F(ImportTest, UndoRemovesExactlyThatBatchFromEveryView) {
  Record("before", {"--exit", "1"});
  ASSERT_EXIT_CODE(Import({"bash", Fixture("bash_timestamps.history")}), 0);
  std::string after_first = HistoryNdjson();
  ASSERT_EXIT_CODE(Import({"zsh", Fixture("zsh_extended.history")}), 0);
  Record("ls", {"--exit", "2"});  // shares a command with the zsh batch
  RunResult list = Import({"--list"});
  ASSERT_EXIT_CODE(list, 0);
  // The zsh batch id is the seq of its first record: 1 record + 4 bash + ImportCompleted + 1.
  EXPECT_NE(list.out.find("\n7 "), std::string::npos) << list.out;
  ASSERT_EXIT_CODE(Import({"--undo", "7"}), 0);
  ExpectViewsVerify();
  std::vector<std::string> cmds = Commands();
  EXPECT_EQ(cmds.front(), "ls");
  EXPECT_EQ(std::count(cmds.begin(), cmds.end(), std::string("ls")), 1);
  EXPECT_EQ(std::find(cmds.begin(), cmds.end(), "tail -f log"), cmds.end());
  EXPECT_NE(Import({"--list"}).out.find("undone"), std::string::npos);
  RunResult again = Import({"--undo", "7"});
  EXPECT_EXIT_CODE(again, 2);
  EXPECT_EXIT_CODE(Import({"--undo", "999"}), 1);
  // Search through the commands view still finds the surviving "ls".
  RunResult s = Tb({"search", "ls", "--format", "plain"});
  EXPECT_EQ(s.out, "ls\nls -la\n");
  // A rebuild from the log gives the same views.
  ASSERT_EXIT_CODE(Tb({"rebuild"}), 0);
  ExpectViewsVerify();
  (void)after_first;
}

TEST_F(ImportTest, StrictStopsAtTheFirstProblemAndWritesNothing) {
  RunResult r = Import({"fish", Fixture("fish.history"), "--strict"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_NE(r.err.find("fish.history:9:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was imported"), std::string::npos) << r.err;
  EXPECT_EQ(HistoryNdjson(), "");
  ASSERT_EXIT_CODE(Import({"bash", Fixture("bash_plain.history"), "--strict"}), 0);
}

TEST_F(ImportTest, BadInputIsOneLineErrorOrZeroImported) {
  RunResult missing = Import({"bash", root() + "/nope"});
  EXPECT_EXIT_CODE(missing, 1);
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  RunResult dir = Import({"bash", root()});
  EXPECT_EXIT_CODE(dir, 2);
  EXPECT_NE(dir.err.find("directory"), std::string::npos);
  WriteFile(root() + "/bin", std::string("\x7f"
                                         "ELF\0\0\0",
                                         7));
  RunResult bin = Import({"zsh", root() + "/bin"});
  EXPECT_EXIT_CODE(bin, 2);
  EXPECT_NE(bin.err.find("binary"), std::string::npos);
  WriteFile(root() + "/empty", "");
  RunResult empty = Import({"fish", root() + "/empty"});
  EXPECT_EXIT_CODE(empty, 0);
  EXPECT_NE(empty.out.find("0 imported"), std::string::npos);
  EXPECT_EXIT_CODE(Import({"nosuchshell", root() + "/empty"}), 2);
}

TEST_F(ImportTest, ExportImportRoundTripIsByteIdentical) {
  Record("first", {"--exit", "0", "--duration-ms", "1.234567", "--cwd", "/tmp/\xff\xfe", "--session", "s1"});
  Record(std::string("bad \xc3\x28 bytes"), {"--exit", "3", "--started-at", "2024-01-02T03:04:05.123456Z"});
  ASSERT_EXIT_CODE(Import({"zsh", Fixture("zsh_extended.history")}), 0);
  Record("last", {"--exit", "1"});
  std::string out = root() + "/export.ndjson";
  ASSERT_EXIT_CODE(Tb({"export", "-o", out}), 0);
  EXPECT_NE(ReadFile(out).find("\"cwd_b64\":\"L3RtcC///g==\""), std::string::npos) << ReadFile(out);
  std::string other = root() + "/other";
  TbCall c;
  c.data_dir = false;
  RunResult imp = Tb({"--data-dir", other, "import", "ndjson", out}, c);
  ASSERT_EXIT_CODE(imp, 0);
  EXPECT_EQ(HistoryNdjson(other), HistoryNdjson());
  RunResult plain_a = Tb({"history", "--format", "plain"});
  RunResult plain_b = Tb({"--data-dir", other, "history", "--format", "plain"}, c);
  EXPECT_EQ(plain_a.out, plain_b.out);  // bytes, not just their UTF-8 form
  RunResult again = Tb({"--data-dir", other, "import", "ndjson", out}, c);
  EXPECT_NE(again.out.find("0 imported"), std::string::npos) << again.out;
  EXPECT_EXIT_CODE(Tb({"--data-dir", other, "views", "verify"}, c), 0);
  for (const char* f : {"json", "csv", "markdown"}) {
    RunResult e = Tb({"export", "--format", f});
    EXPECT_EXIT_CODE(e, 0);
    EXPECT_NE(e.out.find("last"), std::string::npos) << f;
  }
}

TEST_F(ImportTest, NdjsonWithOtherToolsIdsImportsOnceAndKeepsTheMappedIds) {
  const std::string file = root() + "/other-tool.ndjson";
  WriteFile(file,
            R"({"id":"gen-1","command":"make","cwd":"/src","exit_code":0,"duration_ms":1500,)"
            R"("started_at":"2024-05-01T10:00:00.000Z","session":"a","host":"h","user":"u","shell":"bash"})"
            "\n"
            R"({"id":"gen-2","command":"make test","started_at":"2024-05-01T10:00:05.000Z"})"
            "\n"
            R"({"id":"550e8400-e29b-41d4-a716-446655440000","command":"ls","started_at":"2024-05-01T10:01:00.000Z"})"
            "\n");
  RunResult first = Import({"ndjson", file});
  ASSERT_EXIT_CODE(first, 0);
  EXPECT_EQ(first.out, file + ": 3 imported, 0 duplicates, 0 malformed (ndjson, batch 1)\n");
  EXPECT_EQ(first.err, "");
  // The ids are (ffffffffffffffff, XXH3-64 of the foreign id), docs/formats.md.
  std::string h = HistoryNdjson();
  EXPECT_NE(h.find(R"({"id":"ffffffffffffffff-18440075313148275124","seq":1,"command":"make","cwd":"/src",)"
                   R"("exit_code":0,"duration_ms":1500,"started_at":"2024-05-01T10:00:00.000Z","session":"a",)"
                   R"("host":"h","user":"u","shell":"bash"})"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find(R"({"id":"ffffffffffffffff-8020647319395219075","seq":2,"command":"make test",)"), std::string::npos)
      << h;
  EXPECT_NE(h.find(R"({"id":"ffffffffffffffff-421870232619748035","seq":3,"command":"ls",)"), std::string::npos) << h;

  RunResult again = Import({"ndjson", file});
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_EQ(again.out, file + ": 0 imported, 3 duplicates, 0 malformed (ndjson, batch 5)\n");
  EXPECT_EQ(again.err, "");
  EXPECT_EQ(HistoryNdjson(), h);
  ExpectViewsVerify();

  // A file of malformed records only is refused: nothing is written.
  const std::string bad = root() + "/bad.ndjson";
  WriteFile(bad, "{\"id\":\"\",\"command\":\"x\"}\nnot json\n");
  RunResult none = Import({"ndjson", bad});
  EXPECT_EXIT_CODE(none, 2);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err, "tb: warning: " + bad + ":1: invalid 'id' (skipped)\ntb: warning: " + bad +
                          ":2: not a JSON object (skipped)\ntb: error: cannot import " + bad +
                          " as ndjson history: nothing in it parsed (2 malformed entries). Check that "
                          "it is ndjson history, or name its format (tb import bash|zsh|fish|ndjson "
                          "FILE)\n");
  EXPECT_EQ(HistoryNdjson(), h);
}

TEST_F(ImportTest, ForgetLeavesNoTraceAndViewsVerify) {
  ASSERT_EXIT_CODE(Import({"bash", Fixture("bash_timestamps.history")}), 0);
  Record("curl -H 'X-Api: SECRETXYZ123' https://example.com", {"--exit", "1"});
  Record("echo keep me");
  Record("echo SECRETXYZ123 again");
  RunResult dry = Tb({"forget", "--match", "SECRETXYZ123", "--dry-run"});
  ASSERT_EXIT_CODE(dry, 0);
  EXPECT_NE(dry.out.find("2 command(s) would be forgotten"), std::string::npos);
  EXPECT_EXIT_CODE(Tb({"forget", "--match", "SECRETXYZ123"}), 2);  // no --yes, no terminal
  RunResult f = Tb({"forget", "--match", "SECRETXYZ123", "--yes"});
  ASSERT_EXIT_CODE(f, 0);
  ExpectViewsVerify();
  for (const auto& [path, entry] : Snapshot(data_dir())) {
    EXPECT_EQ(entry.content.find("SECRETXYZ123"), std::string::npos) << path;
  }
  std::vector<std::string> cmds = Commands();
  EXPECT_EQ(cmds.front(), "echo keep me");
  // The Forgotten event holds seqs only.
  RunResult dump = Tb({"log", "dump"});
  EXPECT_EQ(dump.out.find("SECRETXYZ"), std::string::npos);
  // Forget by id.
  RunResult nd = Tb({"history", "-n", "1", "--format", "ndjson"});
  std::string id = nd.out.substr(nd.out.find("\"id\":\"") + 6);
  id = id.substr(0, id.find('"'));
  ASSERT_EXIT_CODE(Tb({"forget", id, "--yes"}), 0);
  EXPECT_EQ(Commands().front(), "make test");
  ExpectViewsVerify();
  ASSERT_EXIT_CODE(Tb({"rebuild"}), 0);
  ExpectViewsVerify();
}

}  // namespace
}  // namespace tb::testing
