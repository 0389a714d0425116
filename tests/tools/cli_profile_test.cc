// tb --profile / TERMBRAIN_PROFILE=1 (tools/profile_report.h): the phase
// names and the format of the report, not the times.
#include <gtest/gtest.h>

#include <regex>

#include "tests/tools/cli_fixture.h"
#include "tools/profile_report.h"

namespace tb::testing {
namespace {

using CliProfile = CliTest;

// Checks the report in `err` and returns its phase names in order.
std::vector<std::string> Phases(const std::string& err) {
  static const std::regex kHead(R"(tb: profile: \d+\.\d\d ms)");
  static const std::regex kRow(R"(  ([a-z -]+?) +\d+\.\d\d ms +\d+\.\d %)");
  static const std::regex kRocks(R"(  rocksdb (perf|io):( [a-z_]+=\d+)*( \(none\))?)");
  std::vector<std::string> lines = SplitLines(err);
  std::vector<std::string> names;
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return names;
  EXPECT_TRUE(std::regex_match(lines[0], kHead)) << lines[0];
  for (size_t i = 1; i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_match(lines[i], m, kRow)) {
      names.push_back(m[1]);
    } else {
      EXPECT_TRUE(std::regex_match(lines[i], kRocks)) << lines[i];
      EXPECT_GE(i + 2, lines.size()) << "the rocksdb lines come last";
    }
  }
  EXPECT_EQ(lines[lines.size() - 2].substr(0, 16), "  rocksdb perf: ");
  EXPECT_EQ(lines.back().substr(0, 14), "  rocksdb io: ");
  return names;
}

const std::vector<std::string> kBase = {"process start", "config", "store open", "view catch-up",
                                        "spool drain",   "query",  "render"};

TEST_F(CliProfile, AWriteCommandListsEveryPhase) {
  RunResult r = Tb({"--profile", "record", "--command", "ls"});
  ASSERT_EXIT_CODE(r, 0);
  std::vector<std::string> want = kBase;
  want.push_back("maintenance");
  want.push_back("other");
  EXPECT_EQ(Phases(r.err), want) << r.err;
  // The first open of a new store builds every view: RocksDB wrote.
  EXPECT_NE(r.err.find(" bytes_written="), std::string::npos) << r.err;
}

TEST_F(CliProfile, AReadCommandByEnvironmentAndItsOutputIsUntouched) {
  Record("git status");
  RunResult r = TbEnv({"history", "--format", "plain"}, {{"TERMBRAIN_PROFILE", "1"}});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "git status\n");
  std::vector<std::string> want = kBase;
  want.push_back("other");
  EXPECT_EQ(Phases(r.err), want) << r.err;
  EXPECT_NE(r.err.find(" user_key_comparison_count="), std::string::npos) << r.err;
}

TEST_F(CliProfile, ErrorsStillGetAReportAndNoFlagNoReport) {
  RunResult r = Tb({"--profile", "history", "--bogus"});
  EXPECT_EXIT_CODE(r, 2);
  std::vector<std::string> lines = SplitLines(r.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].substr(0, 21), "tb: error: unrecognis");
  lines.erase(lines.begin());
  std::string rest;
  for (const auto& l : lines) rest += l + "\n";
  EXPECT_EQ(Phases(rest).size(), 8u);
  r = TbEnv({"history"}, {{"TERMBRAIN_PROFILE", "0"}});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err.find("tb: profile"), std::string::npos) << r.err;
}

TEST(ProfileReport, RequestedValuesAndCounterLines) {
  for (const char* v : {"1", "true", "YES"}) EXPECT_TRUE(ProfileRequested(v)) << v;
  for (const char* v : {"", "0", "no", "false", "2"}) EXPECT_FALSE(ProfileRequested(v)) << v;
  PerfCounters c;
  c.perf = {{"block_read_count", 3}, {"block_cache_hit_count", 0}, {"get_cpu_nanos", 12}};
  c.io = {{"bytes_read", 0}};
  EXPECT_EQ(RenderPerfCounters(c),
            "  rocksdb perf: block_read_count=3 get_cpu_nanos=12\n"
            "  rocksdb io: (none)\n");
  EXPECT_GE(ProcessAgeNs(), 0);
}

}  // namespace
}  // namespace tb::testing
