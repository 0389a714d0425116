// End-to-end: tb stats on a crafted history (exact numbers in table and
// json), its filters and errors, and the `stats` view after rebuild and
// forget.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;

class CliStats : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    UseSharedStore("stats", [this] {
      Rec("git status", "/p", "0", "10", "2026-03-02T09:00:00Z");
      Rec("git commit -m \"x\"", "/p", "0", "300", "2026-03-02T09:05:00Z");
      Rec("sudo make -j8", "/p", "2", "4000", "2026-03-02T09:10:00Z");
      Rec("make -j8", "/p", "0", "6000", "2026-03-02T09:20:00Z");
      Rec("git status", "/p", "0", "20", "2026-03-02T10:00:00Z");
      Rec("cargo test", "/q", "101", "12000", "2026-03-03T14:00:00Z");
      Rec("cargo test", "/q", "0", "10000", "2026-03-03T14:10:00Z");
      Rec("ls -la", "/q", "", "", "2026-03-03T14:20:00Z");
      Rec("vim notes.txt", "/q", "0", "60000", "2026-03-07T22:00:00Z");
      Rec("git status", "/q", "1", "15", "2026-03-07T22:30:00Z");
    });
  }
  void Rec(const std::string& cmd, const std::string& cwd, const std::string& exit, const std::string& ms,
           const std::string& at) {
    std::vector<std::string> extra{"--cwd", cwd, "--started-at", at, "--session", "s1"};
    if (!exit.empty()) extra.insert(extra.end(), {"--exit", exit});
    if (!ms.empty()) extra.insert(extra.end(), {"--duration-ms", ms});
    Record(cmd, extra);
  }
  Json StatsJson(std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"stats", "--format", "json"});
    RunResult r = Tb(args);
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.err, "");
    return Json::parse(r.out, nullptr, false);
  }
};

Json Row(const char* group, const char* cat, int uses, int failures, int timed, Json mean, Json p95, Json rate) {
  return Json{{"group", group}, {"category", cat}, {"uses", uses},  {"failures", failures},
              {"timed", timed}, {"mean_ms", mean}, {"p95_ms", p95}, {"failure_rate", rate}};
}

TEST_F(CliStats, JsonNumbers) {
  Json j = StatsJson();
  EXPECT_EQ(j["period"], "all");
  EXPECT_EQ(j["from"], nullptr);
  EXPECT_EQ(j["filtered"], false);
  EXPECT_EQ(j["totals"], (Json{{"commands", 10},
                               {"unique_commands", 7},
                               {"with_exit", 9},
                               {"failures", 3},
                               {"success_rate", 0.6667},
                               {"timed", 9},
                               {"mean_ms", 10260.6},
                               {"p95_ms", 59213}}));
  Json git_status = Row("git status", "version control", 3, 1, 3, 15.0, 20, 0.3333);
  Json cargo = Row("cargo test", "test", 2, 1, 2, 11000.0, 11761, 0.5);
  Json make = Row("make", "build", 2, 1, 2, 5000.0, 5905, 0.5);
  Json commit = Row("git commit", "version control", 1, 0, 1, 300.0, 300, 0.0);
  Json ls = Row("ls", "navigation", 1, 0, 0, nullptr, nullptr, nullptr);
  Json vim = Row("vim", "editor", 1, 0, 1, 60000.0, 60000, 0.0);
  EXPECT_EQ(j["top"], (Json{git_status, cargo, make, commit, ls, vim}));
  EXPECT_EQ(j["slowest"], (Json{vim, cargo, make, commit, git_status}));
  EXPECT_EQ(j["failing"], (Json{cargo, make, git_status}));
  EXPECT_EQ(j["categories"], (Json{{{"category", "version control"}, {"uses", 4}, {"failures", 1}},
                                   {{"category", "build"}, {"uses", 2}, {"failures", 1}},
                                   {{"category", "test"}, {"uses", 2}, {"failures", 1}},
                                   {{"category", "editor"}, {"uses", 1}, {"failures", 0}},
                                   {{"category", "navigation"}, {"uses", 1}, {"failures", 0}}}));
  EXPECT_EQ(j["directories"], (Json{{{"directory", "/p"}, {"uses", 5}, {"failures", 1}},
                                    {{"directory", "/q"}, {"uses", 5}, {"failures", 2}}}));
  EXPECT_EQ(j["hosts"], (Json{{{"host", ThisHost()}, {"uses", 10}, {"failures", 3}}}));
  Json hours = Json::array();
  for (int h = 0; h < 24; ++h) hours.push_back(h == 9 ? 4 : h == 10 ? 1 : h == 14 ? 3 : h == 22 ? 2 : 0);
  EXPECT_EQ(j["hours"], hours);
  EXPECT_EQ(j["weekdays"], (Json{5, 3, 0, 0, 0, 2, 0}));
  ASSERT_EQ(j["heatmap"].size(), 7u);
  EXPECT_EQ(j["heatmap"][0][9], 4);
  EXPECT_EQ(j["heatmap"][0][10], 1);
  EXPECT_EQ(j["heatmap"][1][14], 3);
  EXPECT_EQ(j["heatmap"][5][22], 2);
  std::vector<std::string> keys;  // in output order
  nlohmann::ordered_json o = nlohmann::ordered_json::parse(Tb({"stats", "--format", "json"}).out);
  for (auto it = o.begin(); it != o.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"period", "from", "filtered", "totals", "top", "slowest", "failing",
                                            "categories", "directories", "hosts", "hours", "weekdays", "heatmap"}));
}

TEST_F(CliStats, TopLimitsEveryList) {
  Json j = StatsJson({"--top", "2"});
  ASSERT_EQ(j["top"].size(), 2u);
  EXPECT_EQ(j["top"][1]["group"], "cargo test");
  EXPECT_EQ(j["slowest"].size(), 2u);
  EXPECT_EQ(j["failing"].size(), 2u);
  EXPECT_EQ(j["categories"].size(), 5u) << "categories are never cut";
  EXPECT_EQ(j["totals"]["commands"], 10);
}

TEST_F(CliStats, ScopeFiltersWalkTheRecords) {
  Json j = StatsJson({"--cwd", "/q"});
  EXPECT_EQ(j["filtered"], true);
  EXPECT_EQ(j["totals"], (Json{{"commands", 5},
                               {"unique_commands", 4},
                               {"with_exit", 4},
                               {"failures", 2},
                               {"success_rate", 0.5},
                               {"timed", 4},
                               {"mean_ms", 20503.8},
                               {"p95_ms", 59474}}));
  EXPECT_EQ(j["directories"], (Json{{{"directory", "/q"}, {"uses", 5}, {"failures", 2}}}));
  EXPECT_EQ(j["weekdays"], (Json{0, 3, 0, 0, 0, 2, 0}));
  // The walk and the view agree on the whole history.
  Json all = StatsJson();
  Json walked = StatsJson({"--since", "2000-01-01"});
  for (const char* k :
       {"totals", "top", "slowest", "failing", "categories", "directories", "hosts", "hours", "weekdays", "heatmap"}) {
    EXPECT_EQ(all[k], walked[k]) << k;
  }
  Json failed = StatsJson({"--failed"});
  EXPECT_EQ(failed["totals"]["commands"], 3);
  EXPECT_EQ(failed["totals"]["success_rate"], 0.0);
}

TEST_F(CliStats, Table) {
  RunResult r = Tb({"stats"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  // The fixture's host row is for a host called "HOST" (32 columns).
  std::string expected = ReadFile(std::string(TB_SOURCE_DIR) + "/tests/fixtures/stats/table.txt");
  std::string host = ThisHost() + std::string(ThisHost().size() < 32 ? 32 - ThisHost().size() : 0, ' ');
  size_t at = expected.find("HOST                            ");
  ASSERT_NE(at, std::string::npos);
  expected.replace(at, 32, host);
  EXPECT_EQ(r.out, expected);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "no colour when stdout is not a terminal";
}

TEST_F(CliStats, Errors) {
  RunResult r = Tb({"stats", "--period", "decade"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: unknown period 'decade' for tb stats: expected day, week, month, year or all\n");
  r = Tb({"stats", "--top", "0"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_NE(r.err.find("--top"), std::string::npos) << r.err;
  r = Tb({"stats", "--format", "csv"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: unknown format 'csv' for tb stats: expected table or json\n");
}

TEST_F(CliStats, ViewsEqualAfterRebuildAndForget) {
  ASSERT_EXIT_CODE(Tb({"rebuild"}), 0);
  EXPECT_EXIT_CODE(Tb({"views", "verify"}), 0);
  Json before = StatsJson();
  RunResult f = Tb({"forget", "--match", "cargo test", "--yes"});
  ASSERT_EXIT_CODE(f, 0);
  RunResult v = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(v, 0);
  Json j = StatsJson();
  EXPECT_EQ(j["totals"], (Json{{"commands", 8},
                               {"unique_commands", 6},
                               {"with_exit", 7},
                               {"failures", 2},
                               {"success_rate", 0.7143},
                               {"timed", 7},
                               {"mean_ms", 10049.3},
                               {"p95_ms", 59739}}));
  for (const Json& row : j["top"]) EXPECT_NE(row["group"], "cargo test");
  EXPECT_EQ(j["directories"][1], (Json{{"directory", "/q"}, {"uses", 3}, {"failures", 1}}));
  EXPECT_EQ(before["totals"]["commands"], 10);
}

class CliStatsPeriods : public CliTest {};

TEST_F(CliStatsPeriods, PeriodsCountWholeUtcDaysUpToToday) {
  Record("old", {"--started-at", "400 days ago", "--exit", "0"});
  Record("month", {"--started-at", "20 days ago", "--exit", "0"});
  Record("week", {"--started-at", "3 days ago", "--exit", "0"});
  Record("today", {"--exit", "1"});
  Record("today", {"--exit", "0"});
  auto commands = [&](const char* period) {
    RunResult r = Tb({"stats", "--format", "json", "--period", period});
    EXPECT_EXIT_CODE(r, 0);
    Json j = Json::parse(r.out, nullptr, false);
    return std::make_pair(j["totals"]["commands"].get<int>(), j["totals"]["unique_commands"].get<int>());
  };
  EXPECT_EQ(commands("all"), std::make_pair(5, 4));
  EXPECT_EQ(commands("year"), std::make_pair(4, 3));
  EXPECT_EQ(commands("month"), std::make_pair(4, 3));
  EXPECT_EQ(commands("week"), std::make_pair(3, 2));
  EXPECT_EQ(commands("day"), std::make_pair(2, 1));
  RunResult r = Tb({"stats", "--format", "json", "--period", "day", "--failed"});
  EXPECT_EQ(Json::parse(r.out, nullptr, false)["totals"]["commands"], 1);
}

TEST_F(CliStatsPeriods, EmptyHistory) {
  RunResult r = Tb({"stats"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "period     all\ncommands   0\nunique     0\nsuccess    -\n");
}

class CliStatsP95 : public CliTest {};

TEST_F(CliStatsP95, NeverAboveTheLongestRun) {
  // Four runs of 42 s share the histogram bucket [40960, 49151] ms: its top
  // (49.1s) was shown as the p95.
  for (const char* at :
       {"2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z"}) {
    Record("make all", {"--cwd", "/p", "--exit", "0", "--duration-ms", "42000", "--started-at", at});
  }
  RunResult r = Tb({"stats"});
  ASSERT_EXIT_CODE(r, 0);
  std::vector<std::string> lines = SplitLines(r.out);
  ASSERT_GE(lines.size(), 10u) << r.out;
  EXPECT_EQ(lines[4], "duration   mean 42.0s, p95 42.0s (4 timed)");
  EXPECT_EQ(lines[9], "SLOWEST                             RUNS      MEAN       P95");
  EXPECT_EQ(lines[10], "make all                               4     42.0s     42.0s");
  RunResult j = Tb({"stats", "--format", "json"});
  ASSERT_EXIT_CODE(j, 0);
  EXPECT_EQ(Json::parse(j.out)["totals"]["p95_ms"], 42000);
}

}  // namespace
}  // namespace tb::testing
