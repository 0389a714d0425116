// End-to-end: tb workflow create/list/show/run/delete/suggest.
#include <gtest/gtest.h>

#include <regex>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

class CliWorkflow : public CliTest {
 protected:
  std::string Out(const std::vector<std::string>& args, const EnvVars& env = {}) {
    RunResult r = TbEnv(args, env);
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.err, "");
    return r.out;
  }
  void CreateBuild() {
    EXPECT_EQ(Out({"workflow", "create", "build", "--", "echo one", "echo two | tr a-z A-Z", "exit 3", "echo 'never'"}),
              "saved workflow 'build' (4 steps)\n");
  }
};

TEST_F(CliWorkflow, RoundTrip) {
  CreateBuild();
  std::string list = Out({"workflow", "list"});
  EXPECT_TRUE(
      std::regex_match(list, std::regex("NAME                  STEPS  SAVED\n"
                                        "build                     4  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\n")))
      << list;
  std::string json = Out({"workflow", "list", "--format", "json"});
  EXPECT_TRUE(std::regex_match(json, std::regex(R"(\[
  \{
    "name": "build",
    "steps": \[
      "echo one",
      "echo two \| tr a-z A-Z",
      "exit 3",
      "echo 'never'"
    \],
    "saved_at": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
  \}
\]
)"))) << json;
  std::string show = Out({"workflow", "show", "build"});
  EXPECT_TRUE(
      std::regex_match(show, std::regex("workflow build \\(4 steps, saved [-0-9: ]+\\)\n"
                                        "1  echo one\n2  echo two \\| tr a-z A-Z\n3  exit 3\n4  echo 'never'\n")))
      << show;
  EXPECT_NE(Out({"workflow", "show", "build", "--format", "json"}).find("\"echo two | tr a-z A-Z\""),
            std::string::npos);
  EXPECT_EQ(Out({"workflow", "run", "build", "--dry-run"}),
            "1  echo one\n2  echo two | tr a-z A-Z\n3  exit 3\n4  echo 'never'\n");

  // Runs in the shell, stops at the failing step; each step is recorded.
  RunResult r = TbEnv({"workflow", "run", "build", "--yes"}, {{"TERMBRAIN_SESSION", "wf"}});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.out, "one\nTWO\n");
  EXPECT_EQ(r.err,
            "tb: [1/4] echo one\ntb: [2/4] echo two | tr a-z A-Z\ntb: [3/4] exit 3\n"
            "tb: error: workflow 'build' stopped at step 3 of 4 (exit 3): exit 3\n");
  EXPECT_EQ(Commands({"--session", "wf"}), (std::vector<std::string>{"exit 3", "echo two | tr a-z A-Z", "echo one"}));
  EXPECT_EQ(Commands({"--session", "wf", "--failed"}), (std::vector<std::string>{"exit 3"}));

  EXPECT_EQ(Out({"workflow", "delete", "build"}), "deleted workflow 'build'\n");
  EXPECT_EQ(Out({"workflow", "list"}), "no workflows yet: tb workflow create NAME -- CMD...\n");
  EXPECT_EQ(Out({"workflow", "list", "--format", "json"}), "[]\n");
  r = Tb({"workflow", "show", "build"});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.err, "tb: error: no workflow 'build'. List them with 'tb workflow list'\n");
  r = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(r, 0);
  r = Tb({"rebuild"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(Out({"workflow", "list", "--format", "json"}), "[]\n");
}

TEST_F(CliWorkflow, RunAllStepsAndRecreate) {
  EXPECT_EQ(Out({"workflow", "create", "ok", "--", "echo a", "true"}), "saved workflow 'ok' (2 steps)\n");
  RunResult r = Tb({"workflow", "run", "ok", "--yes"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "a\n");
  r = Tb({"workflow", "create", "ok", "--", "ls"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: workflow 'ok' exists. Use --force to replace it\n");
  EXPECT_EQ(Out({"workflow", "create", "ok", "--force", "--", "ls"}), "saved workflow 'ok' (1 step)\n");
  EXPECT_EQ(Out({"workflow", "run", "ok", "--dry-run"}), "1  ls\n");
}

TEST_F(CliWorkflow, FromHistory) {
  for (const char* c : {"make", "make test", "git push"}) Record(c, {"--session", "s1"});
  Record("other", {"--session", "s2"});
  EXPECT_EQ(Out({"workflow", "create", "last2", "--from-last", "2"}, {{"TERMBRAIN_SESSION", "s1"}}),
            "saved workflow 'last2' (2 steps)\n");
  EXPECT_EQ(Out({"workflow", "run", "last2", "--dry-run"}), "1  make test\n2  git push\n");
  EXPECT_EQ(Out({"workflow", "create", "all", "--from-session", "s1"}), "saved workflow 'all' (3 steps)\n");
  EXPECT_EQ(Out({"workflow", "run", "all", "--dry-run"}), "1  make\n2  make test\n3  git push\n");
  RunResult r = Tb({"workflow", "create", "none", "--from-session", "nope"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: workflow 'none' would have no steps (tb workflow create)\n");
}

TEST_F(CliWorkflow, UsageErrors) {
  Record("ls");
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string err;
  };
  const Case cases[] = {
      {{"workflow", "create", "a b", "--", "ls"},
       2,
       "tb: error: tb workflow create: invalid workflow name 'a b': use 1-64 letters, digits, '.', '_' or '-'\n"},
      {{"workflow", "create", std::string(65, 'x'), "--", "ls"},
       2,
       "tb: error: tb workflow create: invalid workflow name '" + std::string(65, 'x') +
           "': use 1-64 letters, digits, '.', '_' or '-'\n"},
      {{"workflow", "create", "x"},
       2,
       "tb: error: give exactly one of --from-last N, --from-session ID or -- CMD... (tb workflow create)\n"},
      {{"workflow", "create", "x", "--from-last", "2", "--", "ls"},
       2,
       "tb: error: give exactly one of --from-last N, --from-session ID or -- CMD... (tb workflow create)\n"},
      {{"workflow", "create", "x", "--"}, 2, "tb: error: workflow 'x' would have no steps (tb workflow create)\n"},
      {{"workflow", "create", "--", "ls"},
       2,
       "tb: error: missing NAME (tb workflow create). Run 'tb help workflow create'\n"},
      {{"workflow", "show", "x/y"},
       2,
       "tb: error: tb workflow show: invalid workflow name 'x/y': use 1-64 letters, digits, '.', '_' or '-'\n"},
      {{"workflow", "run", "nope", "--yes"}, 1, "tb: error: no workflow 'nope'. List them with 'tb workflow list'\n"},
      {{"workflow", "delete", "nope"}, 1, "tb: error: no workflow 'nope'. List them with 'tb workflow list'\n"},
  };
  for (const Case& c : cases) {
    RunResult r = Tb(c.args);
    EXPECT_EXIT_CODE(r, c.code);
    EXPECT_EQ(r.err, c.err);
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(Out({"workflow", "create", "A.b_c-9", "--", "ls"}), "saved workflow 'A.b_c-9' (1 step)\n");
  RunResult r = Tb({"workflow", "run", "A.b_c-9"});  // stdin is not a terminal
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: add --yes to run workflow 'A.b_c-9' without a terminal (tb workflow run), or --dry-run to see "
            "its steps\n");
}

TEST_F(CliWorkflow, SuggestFromFrequentSequences) {
  for (int s = 0; s < 3; ++s) {
    std::string session = "s" + std::to_string(s);
    Record("cd /src/app", {"--session", session});
    Record("make -j " + std::to_string(4 + s), {"--session", session});
    Record("./run --port 80" + std::to_string(s), {"--session", session});
  }
  EXPECT_EQ(Out({"workflow", "suggest"}),
            "cd <path> -> make -j <num> -> ./run --port <num>  (3 times)\n"
            "  tb workflow create NAME -- 'cd /src/app' 'make -j 6' './run --port 802'\n");
  EXPECT_EQ(Out({"workflow", "suggest", "--min-support", "4"}), "no frequent sequences yet (support >= 4)\n");
  EXPECT_EQ(
      Out({"workflow", "suggest", "--format", "json"}),
      "[\n  {\n    \"pattern\": \"cd <path> -> make -j <num> -> ./run --port <num>\",\n    \"support\": 3,\n"
      "    \"steps\": [\n      \"cd /src/app\",\n      \"make -j 6\",\n      \"./run --port 802\"\n    ]\n  }\n]\n");
}

}  // namespace
}  // namespace tb::testing
