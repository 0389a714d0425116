#include "core/metrics.h"

#include <cmath>
#include <limits>
#include <thread>

#include <gtest/gtest.h>

#include "tests/promtool.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

TEST(Metrics, CounterAndGaugeText) {
  MetricsRegistry m;
  ASSERT_OK(m.DefineCounter("tb_events_total", "Events in the log, by kind.", {"kind"}));
  ASSERT_OK(m.DefineGauge("tb_spool_frames", "Frames waiting in the spool."));
  ASSERT_OK(m.Add("tb_events_total", {"started"}, 3));
  ASSERT_OK(m.Add("tb_events_total", {"finished"}, 2));
  ASSERT_OK(m.Add("tb_events_total", {"started"}, 1));
  ASSERT_OK(m.Set("tb_spool_frames", {}, 0.5));
  EXPECT_EQ(m.Render(),
            "# HELP tb_events_total Events in the log, by kind.\n"
            "# TYPE tb_events_total counter\n"
            "tb_events_total{kind=\"finished\"} 2\n"
            "tb_events_total{kind=\"started\"} 4\n"
            "# HELP tb_spool_frames Frames waiting in the spool.\n"
            "# TYPE tb_spool_frames gauge\n"
            "tb_spool_frames 0.5\n");
}

TEST(Metrics, UnlabelledSeriesStartAtZeroAndLabelledFamiliesEmpty) {
  MetricsRegistry m;
  ASSERT_OK(m.DefineCounter("a_total", "A."));
  ASSERT_OK(m.DefineCounter("b_total", "B.", {"kind"}));
  EXPECT_EQ(m.Render(),
            "# HELP a_total A.\n# TYPE a_total counter\na_total 0\n"
            "# HELP b_total B.\n# TYPE b_total counter\n");
  EXPECT_EQ(MetricsRegistry().Render(), "");
}

TEST(Metrics, HistogramText) {
  MetricsRegistry m;
  ASSERT_OK(m.DefineHistogram("tb_drain_lag_seconds", "Lag.", {0.01, 0.1, 1}, {"shell"}));
  ASSERT_OK(m.Observe("tb_drain_lag_seconds", {"zsh"}, 0.01));  // on a bound: that bucket
  ASSERT_OK(m.Observe("tb_drain_lag_seconds", {"zsh"}, 0.25));
  ASSERT_OK(m.Observe("tb_drain_lag_seconds", {"zsh"}, 7));
  EXPECT_EQ(m.Render(),
            "# HELP tb_drain_lag_seconds Lag.\n"
            "# TYPE tb_drain_lag_seconds histogram\n"
            "tb_drain_lag_seconds_bucket{shell=\"zsh\",le=\"0.01\"} 1\n"
            "tb_drain_lag_seconds_bucket{shell=\"zsh\",le=\"0.1\"} 1\n"
            "tb_drain_lag_seconds_bucket{shell=\"zsh\",le=\"1\"} 2\n"
            "tb_drain_lag_seconds_bucket{shell=\"zsh\",le=\"+Inf\"} 3\n"
            "tb_drain_lag_seconds_sum{shell=\"zsh\"} 7.26\n"
            "tb_drain_lag_seconds_count{shell=\"zsh\"} 3\n");
}

TEST(Metrics, Escaping) {
  MetricsRegistry m;
  ASSERT_OK(m.DefineGauge("g", "Back\\slash and\nnewline \"quoted\".", {"path"}));
  ASSERT_OK(m.Set("g", {"a\\b\"c\nd"}, -2));
  EXPECT_EQ(m.Render(),
            "# HELP g Back\\\\slash and\\nnewline \"quoted\".\n"
            "# TYPE g gauge\n"
            "g{path=\"a\\\\b\\\"c\\nd\"} -2\n");
}

TEST(Metrics, NumberFormat) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(12), "12");
  EXPECT_EQ(FormatMetricValue(0.1), "0.1");
  EXPECT_EQ(FormatMetricValue(1e21), "1e+21");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
}

TEST(Metrics, DefinitionErrors) {
  MetricsRegistry m;
  EXPECT_TRUE(m.DefineCounter("1bad", "x").IsInvalidArgument());
  EXPECT_TRUE(m.DefineCounter("bad-name", "x").IsInvalidArgument());
  EXPECT_TRUE(m.DefineCounter("ok_total", "").IsInvalidArgument());
  EXPECT_TRUE(m.DefineCounter("ok_total", "x", {"__reserved"}).IsInvalidArgument());
  EXPECT_TRUE(m.DefineCounter("ok_total", "x", {"a:b"}).IsInvalidArgument());
  EXPECT_TRUE(m.DefineCounter("ok_total", "x", {"a", "a"}).IsInvalidArgument());
  EXPECT_TRUE(m.DefineHistogram("h", "x", {1, 1}).IsInvalidArgument());
  EXPECT_TRUE(m.DefineHistogram("h", "x", {1, std::numeric_limits<double>::infinity()}).IsInvalidArgument());
  EXPECT_TRUE(m.DefineHistogram("h", "x", {1}, {"le"}).IsInvalidArgument());
  ASSERT_OK(m.DefineCounter("ns:c_total", "x", {"a"}));
  ASSERT_OK(m.DefineCounter("ns:c_total", "x", {"a"}));  // the same again
  Status s = m.DefineGauge("ns:c_total", "x", {"a"});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "metric ns:c_total is already defined differently");
}

TEST(Metrics, UpdateErrors) {
  MetricsRegistry m;
  ASSERT_OK(m.DefineCounter("c_total", "x", {"a"}));
  ASSERT_OK(m.DefineGauge("g", "x"));
  ASSERT_OK(m.DefineHistogram("h", "x", {1}));
  EXPECT_EQ(m.Add("nope", {}, 1).message(), "metric nope is not defined");
  EXPECT_EQ(m.Set("c_total", {"x"}, 1).message(), "metric c_total is a counter, not a gauge");
  EXPECT_EQ(m.Add("c_total", {}, 1).message(), "metric c_total takes 1 label values, not 0");
  EXPECT_EQ(m.Add("c_total", {"x"}, -1).message(), "counter c_total cannot decrease");
  EXPECT_TRUE(m.Add("c_total", {"x"}, std::nan("")).IsInvalidArgument());
  EXPECT_TRUE(m.Set("g", {}, std::nan("")).IsInvalidArgument());
  EXPECT_TRUE(m.Observe("h", {}, std::nan("")).IsInvalidArgument());
  EXPECT_TRUE(m.Observe("g", {}, 1).IsInvalidArgument());
}

TEST(Metrics, ConcurrentUpdatesAllCount) {
  MetricsRegistry m;
  ASSERT_OK(m.DefineCounter("c_total", "x"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) (void)m.Add("c_total", {}, 1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.Render(), "# HELP c_total x\n# TYPE c_total counter\nc_total 4000\n");
}

TEST(Metrics, PromtoolAcceptsAFullExposition) {
  MetricsRegistry m;
  ASSERT_OK(m.DefineCounter("tb_events_total", "Events by kind.", {"kind"}));
  ASSERT_OK(m.DefineGauge("tb_column_family_bytes", "Bytes per family.", {"family"}));
  ASSERT_OK(m.DefineHistogram("tb_drain_lag_seconds", "Lag.", {0.001, 0.01, 0.1, 1}));
  ASSERT_OK(m.DefineGauge("tb_up", "Up."));
  ASSERT_OK(m.Add("tb_events_total", {"recorded"}, 5));
  ASSERT_OK(m.Add("tb_events_total", {"a \"quoted\"\\ kind\n"}, 1));
  ASSERT_OK(m.Set("tb_column_family_bytes", {"log"}, 1e12));
  ASSERT_OK(m.Observe("tb_drain_lag_seconds", {}, 0.004));
  ASSERT_OK(m.Set("tb_up", {}, std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(testing::PromtoolCheck(m.Render()));
}

TEST(Metrics, PromtoolRejectsABrokenExposition) {
  // The check itself must be able to fail.
  EXPECT_FALSE(testing::PromtoolCheck("# TYPE x counter\nx{a=\"b} 1\n"));
}

}  // namespace
}  // namespace tb
