// End-to-end: tb patterns, tb fixes, tb suggest on a crafted history, and
// the analytics views after rebuild, forget and import --undo.
#include <gtest/gtest.h>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

using Lines = std::vector<std::string>;

// Sessions (all exits given):
//   sA /home/u/proj: git status, git add src/a.c, git commit -m "first",
//      git push (1), git pull --rebase, git push, gti status (127), git status
//   sB /home/u/proj: git add src/b.c, git commit -m 'second', git push,
//      make test (2), make test            (a plain retry teaches nothing)
//   sC /tmp: git add x.txt, git commit -m "third", git push (1),
//      git pull --rebase, git push
//   sD /home/u/proj, a minute ago: git add src/c.c  (so `git add` -> `git commit`
//      has confidence 3/4)
//   no session /home/u: ls
class CliBrain : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    UseSharedStore("brain", [this] { BuildHistory(); });
  }
  void R(const std::string& cmd, const std::string& session, const std::string& cwd, int exit, const std::string& at) {
    std::vector<std::string> extra{"--cwd", cwd, "--exit", std::to_string(exit), "--started-at", at};
    if (!session.empty()) extra.insert(extra.end(), {"--session", session});
    Record(cmd, extra);
  }
  void BuildHistory() {
    const std::string p = "/home/u/proj";
    R("git status", "sA", p, 0, "2026-03-01T10:00:00Z");
    R("git add src/a.c", "sA", p, 0, "2026-03-01T10:00:10Z");
    R("git commit -m \"first\"", "sA", p, 0, "2026-03-01T10:00:20Z");
    R("git push", "sA", p, 1, "2026-03-01T10:00:30Z");
    R("git pull --rebase", "sA", p, 0, "2026-03-01T10:00:40Z");
    R("git push", "sA", p, 0, "2026-03-01T10:00:50Z");
    R("gti status", "sA", p, 127, "2026-03-01T10:01:00Z");
    R("git status", "sA", p, 0, "2026-03-01T10:01:10Z");
    R("git add src/b.c", "sB", p, 0, "2026-03-02T09:00:00Z");
    R("git commit -m 'second'", "sB", p, 0, "2026-03-02T09:00:10Z");
    R("git push", "sB", p, 0, "2026-03-02T09:00:20Z");
    R("make test", "sB", p, 2, "2026-03-02T09:00:30Z");
    R("make test", "sB", p, 0, "2026-03-02T09:00:40Z");
    R("git add x.txt", "sC", "/tmp", 0, "2026-03-03T08:00:00Z");
    R("git commit -m \"third\"", "sC", "/tmp", 0, "2026-03-03T08:00:10Z");
    R("git push", "sC", "/tmp", 1, "2026-03-03T08:00:20Z");
    R("git pull --rebase", "sC", "/tmp", 0, "2026-03-03T08:00:30Z");
    R("git push", "sC", "/tmp", 0, "2026-03-03T08:00:40Z");
    R("git add src/c.c", "sD", p, 0, "1 minute ago");
    R("ls", "", "/home/u", 0, "2026-03-04T08:00:00Z");
  }
  std::string Out(const std::vector<std::string>& args) {
    RunResult r = Tb(args);
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.err, "");
    return r.out;
  }
};

const char kPatterns[] =
    "SUPPORT  CONFIDENCE  PATTERN\n"
    "      3        1.00  git add <path> -> git commit -m <str> -> git push\n"
    "      3        1.00  git commit -m <str> -> git push\n"
    "      3        0.75  git add <path> -> git commit -m <str>\n"
    "      2        1.00  git commit -m <str> -> git push -> git pull --rebase -> git push\n"
    "      2        0.67  git add <path> -> git commit -m <str> -> git push -> git pull --rebase\n"
    "      2        1.00  git push -> git pull --rebase -> git push\n"
    "      2        0.67  git commit -m <str> -> git push -> git pull --rebase\n"
    "      2        1.00  git pull --rebase -> git push\n"
    "      2        0.40  git push -> git pull --rebase\n";

const char kFixes[] =
    "git push failed (exit 1) -> fixed by git pull --rebase, 2 times, last on 2026-03-03\n"
    "gti status failed (exit 127) -> fixed by git status, 1 time, last on 2026-03-01\n";

TEST_F(CliBrain, PatternsTable) {
  EXPECT_EQ(Out({"patterns"}), kPatterns);
  EXPECT_EQ(Out({"patterns", "--min-confidence", "0.9", "-n", "2"}),
            "SUPPORT  CONFIDENCE  PATTERN\n"
            "      3        1.00  git add <path> -> git commit -m <str> -> git push\n"
            "      3        1.00  git commit -m <str> -> git push\n");
  EXPECT_EQ(Out({"patterns", "--min-support", "4"}), "no patterns with support >= 4\n");
}

TEST_F(CliBrain, PatternsJson) {
  EXPECT_EQ(Out({"patterns", "--min-support", "3", "-n", "1", "--format", "json"}),
            "[\n  {\n    \"pattern\": \"git add <path> -> git commit -m <str> -> git push\",\n"
            "    \"templates\": [\n      \"git add <path>\",\n      \"git commit -m <str>\",\n      \"git push\"\n"
            "    ],\n    \"length\": 3,\n    \"support\": 3,\n    \"confidence\": 1.0\n  }\n]\n");
  EXPECT_EQ(Out({"patterns", "--min-support", "9", "--format", "json"}), "[]\n");
}

TEST_F(CliBrain, PatternsWithScopeFiltersMineTheMatchingRecords) {
  // Only sC ran in /tmp: every run there was seen once.
  EXPECT_EQ(Out({"patterns", "--cwd", "/tmp", "--min-support", "1", "-n", "3"}),
            "SUPPORT  CONFIDENCE  PATTERN\n"
            "      1        1.00  git add <path> -> git commit -m <str> -> git push -> git pull --rebase\n"
            "      1        1.00  git commit -m <str> -> git push -> git pull --rebase -> git push\n"
            "      1        1.00  git add <path> -> git commit -m <str> -> git push\n");
  EXPECT_EQ(Out({"patterns", "--session", "sB"}), "no patterns with support >= 2\n");
  EXPECT_EQ(Out({"patterns", "--since", "2026-03-02", "--until", "2026-03-03", "--min-support", "1", "-n", "1"}),
            "SUPPORT  CONFIDENCE  PATTERN\n"
            "      1        1.00  git add <path> -> git commit -m <str> -> git push -> make test\n");
}

TEST_F(CliBrain, PatternsUsageErrors) {
  RunResult r = Tb({"patterns", "--min-confidence", "2"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: invalid value '2' for --min-confidence (tb patterns): expected a number from 0.00 to 1.00\n");
  r = Tb({"patterns", "--min-support", "0"});
  EXPECT_EXIT_CODE(r, 2);
  r = Tb({"patterns", "--format", "csv"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: unknown format 'csv' for tb patterns: expected table or json\n");
}

TEST_F(CliBrain, Fixes) {
  EXPECT_EQ(Out({"fixes"}), kFixes);
  EXPECT_EQ(Out({"fixes", "GTI"}), "gti status failed (exit 127) -> fixed by git status, 1 time, last on 2026-03-01\n");
  EXPECT_EQ(Out({"fixes", "rebase"}),
            "git push failed (exit 1) -> fixed by git pull --rebase, 2 times, last on 2026-03-03\n");
  EXPECT_EQ(Out({"fixes", "-n", "1"}),
            "git push failed (exit 1) -> fixed by git pull --rebase, 2 times, last on 2026-03-03\n");
  EXPECT_EQ(Out({"fixes", "make"}), "no fixes match 'make'\n") << "a plain retry is not a fix";
  EXPECT_EQ(Out({"fixes", "--format", "json"}),
            "[\n  {\n    \"failed\": \"git push\",\n    \"exit_code\": 1,\n    \"fix\": \"git pull --rebase\",\n"
            "    \"count\": 2,\n    \"last_at\": \"2026-03-03T08:00:40.000Z\"\n  },\n"
            "  {\n    \"failed\": \"gti status\",\n    \"exit_code\": 127,\n    \"fix\": \"git status\",\n"
            "    \"count\": 1,\n    \"last_at\": \"2026-03-01T10:01:10.000Z\"\n  }\n]\n");
}

TEST_F(CliBrain, SuggestFromTheSessionThenTheDirectory) {
  // sD's last command is `git add`. Levels (count / total / distinct):
  //   bigram after `git add <path>`: commit 3 / 3 / 1
  //   directory /home/u/proj: push 3, add 3, status 2, commit 2, make test 2,
  //     pull 1, gti 1 / 14 / 7
  //   global: push 5, add 4, commit 3, ... / 20 / 8
  // With the bigram's distinct count weighted 16 (sequence_caution):
  // commit: P0 = 3/28, P1 = (2 + 7 P0)/21, P2 = (3 + 16 P1)/19 = 0.2682;
  // push: P0 = 5/28, P1 = (3 + 7 P0)/21, P2 = (0 + 16 P1)/19 = 0.1704.
  // `gti status` (failed its only use, fixed by `git status`) ranks below
  // the top 5: it is never read, so its score stays out of `git status`'s.
  EXPECT_EQ(Out({"suggest", "--session", "sD", "--cwd", "/home/u/proj"}),
            " #  SCORE  SOURCE     COMMAND\n"
            " 1  0.27  bigram     git commit -m 'second'\n"
            " 2  0.17  directory  git push\n"
            " 3  0.16  directory  git add src/c.c\n"
            " 4  0.10  directory  git status\n"
            " 5  0.10  directory  make test\n");
  EXPECT_EQ(Out({"suggest", "--session", "sD", "--cwd", "/home/u/proj", "-n", "2", "--format", "json"}),
            "[\n  {\n    \"command\": \"git commit -m 'second'\",\n    \"template\": \"git commit -m <str>\",\n"
            "    \"score\": 0.2682,\n    \"source\": \"bigram\",\n    \"count\": 3\n  },\n"
            "  {\n    \"command\": \"git push\",\n    \"template\": \"git push\",\n"
            "    \"score\": 0.1704,\n    \"source\": \"directory\",\n    \"count\": 3\n  }\n]\n");
  // $TERMBRAIN_SESSION is the default session.
  RunResult r = TbEnv({"suggest", "--cwd", "/home/u/proj", "-n", "1"}, {{"TERMBRAIN_SESSION", "sD"}});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, " #  SCORE  SOURCE     COMMAND\n 1  0.27  bigram     git commit -m 'second'\n");
  // A session whose last command is old: the directory decides.
  EXPECT_EQ(Out({"suggest", "--session", "sC", "--cwd", "/tmp", "-n", "1"}),
            " #  SCORE  SOURCE     COMMAND\n 1  0.30  directory  git push\n");
  // Nowhere known: global frequencies.
  EXPECT_EQ(Out({"suggest", "--session", "none", "--cwd", "/nowhere", "-n", "1"}),
            " #  SCORE  SOURCE     COMMAND\n 1  0.18  global     git push\n");
}

TEST_F(CliBrain, ViewsVerifyAndRebuildKeepEverything) {
  RunResult r = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(r, 0);
  r = Tb({"rebuild"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(Out({"patterns"}), kPatterns);
  EXPECT_EQ(Out({"fixes"}), kFixes);
  r = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(r, 0);
}

TEST_F(CliBrain, ForgetRecomputesPatternsAndFixes) {
  RunResult r = Tb({"forget", "--match", "pull --rebase", "--yes"});
  ASSERT_EXIT_CODE(r, 0);
  // Without the pulls, each failed push is followed by a plain retry.
  EXPECT_EQ(Out({"fixes"}), "gti status failed (exit 127) -> fixed by git status, 1 time, last on 2026-03-01\n");
  EXPECT_EQ(Out({"patterns", "-n", "3"}),
            "SUPPORT  CONFIDENCE  PATTERN\n"
            "      3        1.00  git add <path> -> git commit -m <str> -> git push\n"
            "      3        1.00  git commit -m <str> -> git push\n"
            "      3        0.75  git add <path> -> git commit -m <str>\n");
  EXPECT_EQ(Out({"patterns", "--min-support", "2", "--format", "json"}).find("rebase"), std::string::npos);
  r = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(r, 0) << r.out;
}

TEST_F(CliBrain, ImportUndoRemovesWhatTheImportTaught) {
  WriteFile(
      root() + "/imp.ndjson",
      "{\"command\":\"gti "
      "status\",\"cwd\":\"/w\",\"exit_code\":127,\"started_at\":\"2026-03-05T10:00:00.000Z\",\"session\":\"sI\"}\n"
      "{\"command\":\"git "
      "status\",\"cwd\":\"/w\",\"exit_code\":0,\"started_at\":\"2026-03-05T10:00:10.000Z\",\"session\":\"sI\"}\n");
  RunResult r = Tb({"import", "ndjson", root() + "/imp.ndjson"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(Out({"fixes", "gti"}),
            "gti status failed (exit 127) -> fixed by git status, 2 times, last on 2026-03-05\n");
  r = Tb({"import", "--undo", "21"});  // the batch id: the seq of its first event
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(Out({"fixes"}), kFixes);
  EXPECT_EQ(Out({"patterns"}), kPatterns);
  r = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(r, 0) << r.out;
}

}  // namespace
}  // namespace tb::testing
