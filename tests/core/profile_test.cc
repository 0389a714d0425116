#include "core/profile.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(Profile, NestedPhasesCountExclusiveTime) {
  int64_t now = 0;
  PhaseProfile p([&] { return now; });
  p.Begin("store open");
  now += 3 * kMs;
  p.Begin("view catch-up");
  now += 5 * kMs;
  p.End();
  now += 1 * kMs;
  p.End();
  p.End();  // nothing open: no effect
  p.Begin("query");
  now += 2 * kMs;
  p.Switch("store open", "render");  // not the innermost: no effect
  p.Switch("query", "render");
  now += 4 * kMs;
  p.End();
  p.Begin("store open");  // entered again: adds up
  now += 1 * kMs;
  p.End();
  EXPECT_EQ(p.Exclusive("store open"), 5 * kMs);
  EXPECT_EQ(p.Exclusive("view catch-up"), 5 * kMs);
  EXPECT_EQ(p.Exclusive("query"), 2 * kMs);
  EXPECT_EQ(p.Exclusive("render"), 4 * kMs);
  EXPECT_EQ(p.Exclusive("never"), 0);
}

TEST(Profile, RenderListsEveryPhaseThenExtrasThenOther) {
  int64_t now = 0;
  PhaseProfile p([&] { return now; });
  p.Add("process start", 1 * kMs);
  p.Begin("config");
  now += kMs / 4;
  p.End();
  p.Begin("maintenance");
  now += 2 * kMs;
  p.End();
  EXPECT_EQ(p.Render(10 * kMs),
            "tb: profile: 10.00 ms\n"
            "  process start       1.00 ms   10.0 %\n"
            "  config              0.25 ms    2.5 %\n"
            "  store open          0.00 ms    0.0 %\n"
            "  view catch-up       0.00 ms    0.0 %\n"
            "  spool drain         0.00 ms    0.0 %\n"
            "  query               0.00 ms    0.0 %\n"
            "  render              0.00 ms    0.0 %\n"
            "  maintenance         2.00 ms   20.0 %\n"
            "  other               6.75 ms   67.5 %\n");
  EXPECT_TRUE(
      PhaseProfile(nullptr).Render(0).starts_with("tb: profile: 0.00 ms\n  process start       0.00 ms    0.0 %\n"));
}

TEST(Profile, ScopedPhaseMarksTheCurrentProfileOnly) {
  { ScopedPhase off("config"); }  // no profile: nothing happens
  int64_t now = 0;
  PhaseProfile p([&] { return now; });
  PhaseProfile::SetCurrent(&p);
  {
    ScopedPhase phase("spool drain");
    now += 7;
  }
  PhaseProfile::SetCurrent(nullptr);
  EXPECT_EQ(p.Exclusive("spool drain"), 7);
  EXPECT_EQ(PhaseProfile::Current(), nullptr);
}

}  // namespace
}  // namespace tb
