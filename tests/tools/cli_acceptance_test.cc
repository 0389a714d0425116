// End-to-end: the acceptance flow of the interface contract and the exact
// text of every history output format; plus the process runner itself.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

using Json = nlohmann::ordered_json;

const std::vector<std::string> kRecordKeys = {"id",         "seq",     "command", "cwd",  "exit_code", "duration_ms",
                                              "started_at", "session", "host",    "user", "shell"};

std::vector<std::string> KeysOf(const Json& obj) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : obj.items()) keys.push_back(k);
  return keys;
}

// A JSON string literal as tb writes it (host and user are not ours to pick).
std::string Q(const std::string& s) { return Json(s).dump(); }

// ----------------------------------------------------------------- runner

TEST(CliRunner, CapturesOutputExitCodeAndStdin) {
  RunOptions o;
  o.env = {{"PATH", "/usr/bin:/bin"}};
  o.stdin_data = std::string("hello\0world\n", 12);
  RunResult r = RunProcess({"/bin/sh", "-c", "cat; echo err >&2; exit 7"}, o);
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.out, std::string("hello\0world\n", 12));
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.timed_out);
}

TEST(CliRunner, UsesOnlyTheGivenEnvironmentAndDirectory) {
  RunOptions o;
  o.env = {{"ONLY", "this"}};
  o.cwd = "/";
  // The shell's own variables, and the sanitizer settings every child gets
  // in the sanitized run (tests/tools/run_tb.h), are not the test's.
  RunResult r =
      RunProcess({"/bin/sh", "-c",
                  "env | grep -v '^PWD=' | grep -v '^SHLVL=' | grep -v '^_=' | grep -v '^[A-Z]*SAN_OPTIONS='; pwd"},
                 o);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "ONLY=this\n/\n");
}

// The sanitized run's settings reach every child, unless the test sets them.
TEST(CliRunner, PassesTheSanitizerSettingsOn) {
  const char* had = std::getenv("LSAN_OPTIONS");
  const std::string old = had != nullptr ? had : "";
  ASSERT_EQ(::setenv("LSAN_OPTIONS", "verbosity=0", 1), 0);
  RunOptions o;
  RunResult inherited = RunProcess({"/bin/sh", "-c", "echo \"$LSAN_OPTIONS\""}, o);
  o.env = {{"LSAN_OPTIONS", "mine"}};
  RunResult own = RunProcess({"/bin/sh", "-c", "echo \"$LSAN_OPTIONS\""}, o);
  if (had != nullptr) {
    ::setenv("LSAN_OPTIONS", old.c_str(), 1);
  } else {
    ::unsetenv("LSAN_OPTIONS");
  }
  EXPECT_EQ(inherited.out, "verbosity=0\n") << inherited.Describe();
  EXPECT_EQ(own.out, "mine\n") << own.Describe();
}

TEST(CliRunner, KillsAHungChildAtTheTimeout) {
  RunOptions o;
  o.timeout = std::chrono::milliseconds(200);
  RunResult r = RunProcess({"/bin/sh", "-c", "sleep 30 & sleep 30"}, o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.signaled);
  EXPECT_LT(r.elapsed.count(), 5000);
}

TEST(CliRunner, ReportsAProgramThatCannotStart) {
  RunResult r = RunProcess({"/nonexistent/tb"}, RunOptions{});
  EXPECT_TRUE(r.spawn_failed);
  EXPECT_NE(r.err.find("No such file"), std::string::npos) << r.err;
}

// ------------------------------------------------------------- acceptance

class CliAcceptance : public CliTest {};

TEST_F(CliAcceptance, RecordThenHistoryJson) {
  RunResult rec = Tb(
      {"record", "--command", "git status", "--cwd", "/tmp", "--exit", "0", "--duration-ms", "12", "--session", "s1"});
  ASSERT_EXIT_CODE(rec, 0);
  EXPECT_EQ(rec.out, "");
  EXPECT_EQ(rec.err, "");

  RunResult r = Tb({"history", "--format", "json"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  Json j = Json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  const Json& rec0 = j[0];
  EXPECT_EQ(KeysOf(rec0), kRecordKeys);
  EXPECT_TRUE(rec0["id"].is_string());
  EXPECT_TRUE(std::regex_match(rec0["id"].get<std::string>(), std::regex("[0-9a-f]{16}-1"))) << rec0["id"];
  EXPECT_TRUE(rec0["seq"].is_number_integer());
  EXPECT_EQ(rec0["seq"], 1);
  EXPECT_EQ(rec0["command"], "git status");
  EXPECT_EQ(rec0["cwd"], "/tmp");
  EXPECT_TRUE(rec0["exit_code"].is_number_integer());
  EXPECT_EQ(rec0["exit_code"], 0);
  EXPECT_EQ(rec0["duration_ms"], 12);
  EXPECT_EQ(rec0["session"], "s1");
  EXPECT_EQ(rec0["host"], ThisHost());
  EXPECT_EQ(rec0["user"], ThisUser());
  EXPECT_EQ(rec0["shell"], "");
  std::string started = rec0["started_at"].get<std::string>();
  EXPECT_TRUE(std::regex_match(started, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"))) << started;
  // The exact text of the pretty array too (the id is the only unknown).
  std::string id = rec0["id"].get<std::string>();
  EXPECT_EQ(r.out, "[\n  {\n    \"id\": \"" + id +
                       "\",\n    \"seq\": 1,\n    \"command\": \"git status\",\n"
                       "    \"cwd\": \"/tmp\",\n    \"exit_code\": 0,\n    \"duration_ms\": 12,\n"
                       "    \"started_at\": \"" +
                       started +
                       "\",\n    \"session\": \"s1\",\n"
                       "    \"host\": " +
                       Q(ThisHost()) + ",\n    \"user\": " + Q(ThisUser()) + ",\n    \"shell\": \"\"\n  }\n]\n");
}

TEST_F(CliAcceptance, EmptyHistoryInEveryFormat) {
  Record("x");  // creates the store, then look at an empty selection
  struct Case {
    const char* format;
    const char* out;
  } cases[] = {
      {"json", "[]\n"},
      {"ndjson", ""},
      {"csv", "id,seq,command,cwd,exit_code,duration_ms,started_at,session,host,user,shell\r\n"},
      {"plain", ""},
      {"table", "TIME                 DURATION  EXIT  DIRECTORY                       COMMAND\n"},
  };
  for (const auto& c : cases) {
    RunResult r = Tb({"history", "--session", "nobody", "--format", c.format});
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.out, c.out) << c.format;
    EXPECT_EQ(r.err, "");
  }
}

// Not a real directory: the stored store is shared between tests (each has
// its own temp HOME), so the recorded home must be fixed.
constexpr const char* kHome = "/home/tbuser";

// A small fixed history: every field known except host, user and the id's
// origin, which are read back and checked for shape.
class CliFormats : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    UseSharedStore("CliFormats", [this] { Build(); });
    RunResult r = Tb({"history", "--format", "ndjson", "-n", "1"});
    ASSERT_EXIT_CODE(r, 0);
    std::string id = Json::parse(r.out)["id"].get<std::string>();
    std::smatch m;
    ASSERT_TRUE(std::regex_match(id, m, std::regex("([0-9a-f]{16})-3"))) << id;
    origin_ = m[1];
  }
  void Build() {
    Record("git status", {"--cwd", "/tmp", "--exit", "0", "--duration-ms", "12", "--session", "s1", "--shell", "bash",
                          "--started-at", "2026-01-02T03:04:05.678Z"});
    Record("make -j4 test", {"--cwd", std::string(kHome) + "/src/proj", "--exit", "2", "--duration-ms", "1500.25",
                             "--session", "s2", "--shell", "zsh", "--started-at", "2026-01-02T03:05:00Z"});
    Record("echo \"a, b\"", {"--cwd", "/srv/a,b", "--session", "s1", "--started-at", "2026-01-03T01:00:00+01:00"});
  }
  std::string Id(int seq) const { return origin_ + "-" + std::to_string(seq); }
  std::string origin_;
};

TEST_F(CliFormats, Ndjson) {
  RunResult r = Tb({"history", "--format", "ndjson"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  std::string hu = ",\"host\":" + Q(ThisHost()) + ",\"user\":" + Q(ThisUser());
  EXPECT_EQ(r.out, "{\"id\":\"" + Id(3) +
                       "\",\"seq\":3,\"command\":\"echo \\\"a, b\\\"\",\"cwd\":\"/srv/a,b\","
                       "\"exit_code\":null,\"duration_ms\":null,\"started_at\":\"2026-01-03T00:00:00.000Z\","
                       "\"session\":\"s1\"" +
                       hu +
                       ",\"shell\":\"\"}\n"
                       "{\"id\":\"" +
                       Id(2) +
                       "\",\"seq\":2,\"command\":\"make -j4 "
                       "test\",\"cwd\":\"/home/tbuser/src/proj\",\"exit_code\":2,\"duration_ms\":1500.25,"
                       "\"started_at\":\"2026-01-02T03:05:00.000Z\",\"session\":\"s2\"" +
                       hu +
                       ",\"shell\":\"zsh\"}\n"
                       "{\"id\":\"" +
                       Id(1) +
                       "\",\"seq\":1,\"command\":\"git status\",\"cwd\":\"/tmp\","
                       "\"exit_code\":0,\"duration_ms\":12,\"started_at\":\"2026-01-02T03:04:05.678Z\","
                       "\"session\":\"s1\"" +
                       hu + ",\"shell\":\"bash\"}\n");
  for (const auto& line : SplitLines(r.out)) {
    Json j = Json::parse(line);
    EXPECT_EQ(KeysOf(j), kRecordKeys);
  }
}

TEST_F(CliFormats, JsonIsTheSameRecordsAsAnArray) {
  RunResult nd = Tb({"history", "--format", "ndjson"});
  RunResult r = Tb({"history", "--format", "json"});
  ASSERT_EXIT_CODE(r, 0);
  Json arr = Json::parse(r.out);
  std::vector<std::string> lines = SplitLines(nd.out);
  ASSERT_EQ(arr.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(arr[i], Json::parse(lines[i]));
    EXPECT_EQ(KeysOf(arr[i]), kRecordKeys);
  }
  EXPECT_EQ(r.out.substr(0, 8), "[\n  {\n  ");
  EXPECT_EQ(r.out.substr(r.out.size() - 7), "\n  }\n]\n");
}

TEST_F(CliFormats, Csv) {
  RunResult r = Tb({"history", "--format", "csv"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  std::string hu = "," + ThisHost() + "," + ThisUser() + ",";
  EXPECT_EQ(r.out, "id,seq,command,cwd,exit_code,duration_ms,started_at,session,host,user,shell\r\n" + Id(3) +
                       ",3,\"echo \"\"a, b\"\"\",\"/srv/a,b\",,,2026-01-03T00:00:00.000Z,s1" + hu + "\r\n" + Id(2) +
                       ",2,make -j4 test,/home/tbuser/src/proj,2,1500.25,2026-01-02T03:05:00.000Z,s2" + hu + "zsh\r\n" +
                       Id(1) + ",1,git status,/tmp,0,12,2026-01-02T03:04:05.678Z,s1" + hu + "bash\r\n");
}

TEST_F(CliFormats, Plain) {
  RunResult r = Tb({"history", "--format", "plain"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "echo \"a, b\"\nmake -j4 test\ngit status\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(CliFormats, TableInUtc) {
  TbCall call;
  call.env = {{"HOME", kHome}};         // the directory column shows ~ for it
  RunResult r = Tb({"history"}, call);  // table is the default
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            "TIME                 DURATION  EXIT  DIRECTORY                       COMMAND\n"
            "2026-01-03 00:00:00         -     -  /srv/a,b                        echo \"a, b\"\n"
            "2026-01-02 03:05:00      1.5s     2  ~/src/proj                      make -j4 test\n"
            "2026-01-02 03:04:05      12ms     0  /tmp                            git status\n");
  RunResult explicit_table = Tb({"history", "--format", "TABLE"}, call);
  EXPECT_EXIT_CODE(explicit_table, 0);
  EXPECT_EQ(explicit_table.out, r.out);
}

TEST_F(CliFormats, TableUsesTheLocalTimeZone) {
  TbCall call;
  call.env = {{"TZ", "IST-5:30"}};  // POSIX TZ: UTC+05:30, no tzdata needed
  RunResult r = Tb({"history", "-n", "1"}, call);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(SplitLines(r.out).at(1).substr(0, 19), "2026-01-03 05:30:00");
  // Machine formats stay in UTC.
  RunResult j = Tb({"history", "-n", "1", "--format", "ndjson"}, call);
  EXPECT_EQ(Json::parse(j.out)["started_at"], "2026-01-03T00:00:00.000Z");
}

}  // namespace
}  // namespace tb::testing
