#include "tools/daemon_metrics.h"

#include <gtest/gtest.h>

#include <regex>

#include "tests/promtool.h"
#include "tools/process_stats.h"

namespace tb {
namespace {

TEST(DaemonMetrics, LiveSeries) {
  DaemonMetrics m;
  m.Appended(EventKind::kStarted, 3);
  m.Appended(EventKind::kFinished, 2);
  m.Appended(EventKind::kStarted, 1);
  m.AppendTook(0.003);
  m.DrainLag(0.04);
  m.DrainLag(20);
  m.Failed("drain");
  int64_t now = 0;
  PhaseProfile p([&] { return now; });
  p.Begin("spool drain");
  now += 2'000'000;  // 2 ms
  p.End();
  m.ObservePhases(p);
  std::string out = m.Render(MetricsSnapshot{});
  EXPECT_NE(out.find("# TYPE tb_events_appended_total counter\n"
                     "tb_events_appended_total{kind=\"command_finished\"} 2\n"
                     "tb_events_appended_total{kind=\"command_started\"} 4\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("tb_append_duration_seconds_bucket{le=\"0.0025\"} 0\n"
                     "tb_append_duration_seconds_bucket{le=\"0.005\"} 1\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("tb_drain_lag_seconds_bucket{le=\"10\"} 1\n"
                     "tb_drain_lag_seconds_bucket{le=\"+Inf\"} 2\n"
                     "tb_drain_lag_seconds_sum 20.04\n"
                     "tb_drain_lag_seconds_count 2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("tb_errors_total{kind=\"drain\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("tb_phase_duration_seconds_bucket{phase=\"spool drain\",le=\"0.001\"} 0\n"
                     "tb_phase_duration_seconds_bucket{phase=\"spool drain\",le=\"0.0025\"} 1\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("tb_phase_duration_seconds_sum{phase=\"spool drain\"} 0.002\n"), std::string::npos) << out;
  // Then the process, then the store's figures.
  EXPECT_LT(out.find("tb_errors_total"), out.find("process_resident_memory_bytes "));
  EXPECT_LT(out.find("process_open_fds "), out.find("tb_build_info"));
  EXPECT_TRUE(testing::PromtoolCheck(out));
}

TEST(DaemonMetrics, WithStoreFiguresPassesPromtool) {
  DaemonMetrics m;
  MetricsSnapshot s;
  s.version = "0.1.0";
  s.store.head = 7;
  s.store.families = {{"log", 100, 2048}, {"view_history", 50, 0}};
  s.spool.frames = 3;
  s.backups = 2;
  s.last_backup_ns = 1'000'000'000;
  s.now_ns = 61'000'000'000;
  std::string out = m.Render(s);
  EXPECT_NE(out.find("tb_column_family_bytes{family=\"log\",storage=\"memtable\"} 2048\n"), std::string::npos);
  EXPECT_NE(out.find("tb_last_backup_age_seconds 60\n"), std::string::npos);
  EXPECT_TRUE(testing::PromtoolCheck(out));
}

TEST(ProcessStats, ReadsThisProcess) {
  ProcessStats p;
  ASSERT_TRUE(ReadProcessStats(&p).ok());
  EXPECT_GT(p.resident_bytes, 1u << 20);
  EXPECT_GE(p.virtual_bytes, p.resident_bytes);
  EXPECT_GE(p.open_fds, 3u);  // stdin, stdout, stderr at least
  EXPECT_GT(p.start_time_seconds, 1.7e9);
  EXPECT_GE(p.cpu_seconds, 0);
}

}  // namespace
}  // namespace tb
