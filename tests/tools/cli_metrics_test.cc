// tb metrics end to end (tools/cmd_metrics.cc): the daemon's exposition
// when its socket answers, else figures computed from the store; both pass
// promtool check metrics.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "storage/spool.h"
#include "tests/promtool.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"
#include "tools/endpoint.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

class FakeDaemon final : public HealthSource {
 public:
  HealthReport Health() override { return HealthReport{true, 1, 0, 0, "", "0.1.0"}; }
  std::string Metrics() override { return "# HELP tb_up Up.\n# TYPE tb_up gauge\ntb_up 1\n"; }
};

class CliMetrics : public CliTest {
 protected:
  std::string SpoolDir() const { return SpoolDirFor(runtime_dir() + "/termbrain", data_dir()); }
};

// The output without the lines whose values depend on RocksDB's layout
// (family sizes) or on time (backup age); those are checked by pattern.
std::string Stable(const std::string& out) {
  static const std::regex kFamily(R"re(tb_column_family_bytes\{family="[a-z_]+",storage="(sst|memtable)"\} \d+)re");
  static const std::regex kAge(R"(tb_last_backup_age_seconds \d+(\.\d+)?(e[-+]\d+)?)");
  std::string kept;
  for (const std::string& l : SplitLines(out)) {
    if (l.starts_with("tb_column_family_bytes{")) {
      EXPECT_TRUE(std::regex_match(l, kFamily)) << l;
      continue;
    }
    if (l.starts_with("tb_last_backup_age_seconds ")) {
      EXPECT_TRUE(std::regex_match(l, kAge)) << l;
      continue;
    }
    kept += l + "\n";
  }
  return kept;
}

TEST_F(CliMetrics, FromTheStoreWithoutADaemon) {
  Record("git status");
  Record("make", {"--exit", "2"});
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
  fs::create_directories(SpoolDir());
  WriteFile(SpoolDir() + "/s1.spool",
            "TB1\tS\tabc\t1\t1732580000.123456\ts1\tbash\t/home/u\tls\t.\n"
            "TB1\tF\tabc\t2\t1732580000.5\t0\t1000\t1\t.\n");
  RunResult r = Tb({"metrics"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Stable(r.out),
            "# HELP tb_build_info The tb that computed these figures (always 1).\n"
            "# TYPE tb_build_info gauge\n"
            "tb_build_info{version=\"0.1.0\"} 1\n"
            "# HELP tb_log_head_seq Sequence number of the last event in the log.\n"
            "# TYPE tb_log_head_seq gauge\n"
            "tb_log_head_seq 3\n"
            "# HELP tb_log_events Events in the log, by kind.\n"
            "# TYPE tb_log_events gauge\n"
            "tb_log_events{kind=\"admin_action\"} 1\n"
            "tb_log_events{kind=\"command_recorded\"} 2\n"
            "# HELP tb_column_family_bytes Bytes per RocksDB column family, in table files (sst) and memtables.\n"
            "# TYPE tb_column_family_bytes gauge\n"
            "# HELP tb_pending_compaction_bytes RocksDB's estimate of the bytes compaction has to rewrite.\n"
            "# TYPE tb_pending_compaction_bytes gauge\n"
            "tb_pending_compaction_bytes 0\n"
            "# HELP tb_spool_files Spool files waiting to be drained.\n"
            "# TYPE tb_spool_files gauge\n"
            "tb_spool_files 1\n"
            "# HELP tb_spool_frames Complete frames in the spool files.\n"
            "# TYPE tb_spool_frames gauge\n"
            "tb_spool_frames 2\n"
            "# HELP tb_spool_bytes Bytes in the spool files.\n"
            "# TYPE tb_spool_bytes gauge\n"
            "tb_spool_bytes 87\n"
            "# HELP tb_backups Backups in the backup directory.\n"
            "# TYPE tb_backups gauge\n"
            "tb_backups 1\n"
            "# HELP tb_last_backup_age_seconds Seconds since the newest backup was taken.\n"
            "# TYPE tb_last_backup_age_seconds gauge\n");
  EXPECT_NE(r.out.find("tb_column_family_bytes{family=\"log\",storage=\"sst\"} "), std::string::npos);
  EXPECT_NE(r.out.find("tb_column_family_bytes{family=\"view_history\",storage=\"memtable\"} "), std::string::npos);
  EXPECT_TRUE(PromtoolCheck(r.out));
  // Read-only: the spooled frames are still there.
  EXPECT_TRUE(fs::exists(SpoolDir() + "/s1.spool"));
}

TEST_F(CliMetrics, FromTheDaemonWhenItAnswers) {
  Record("git status");
  fs::create_directories(SpoolDir());
  FakeDaemon source;
  std::unique_ptr<Endpoint> daemon;
  EndpointOptions o;
  o.unix_path = SpoolDir() + ".sock";
  ASSERT_OK(Endpoint::Start(o, &source, &daemon));
  RunResult r = Tb({"metrics"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "# HELP tb_up Up.\n# TYPE tb_up gauge\ntb_up 1\n");
  r = Tb({"metrics", "--local"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("tb_log_head_seq 1\n"), std::string::npos) << r.out;
  daemon->Stop();
  r = Tb({"metrics"});  // gone again: from the store
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("tb_log_head_seq 1\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("tb_last_backup_age_seconds"), std::string::npos);
  EXPECT_TRUE(PromtoolCheck(r.out));
}

TEST_F(CliMetrics, NoStoreIsAnError) {
  RunResult r = Tb({"metrics"});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.err, "tb: error: no TermBrain store yet (" + data_dir() +
                       "). Record a command first, e.g. tb record --command 'ls'\n");
  r = Tb({"metrics", "--bogus"});
  EXPECT_EXIT_CODE(r, 2);
}

}  // namespace
}  // namespace tb::testing
