// Storage-level tests of storage/admin.h: retention floor, rollback,
// replay that preserves seqs, log export framing.
#include <gtest/gtest.h>

#include <fstream>

#include "storage/admin.h"
#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

using testutil::ExpectVerifies;
using testutil::OpenStore;
using testutil::TempDir;
using Access = StoreOptions::Access;

std::vector<Event> Commands(int n, int64_t t0) {
  std::vector<Event> out;
  for (int i = 0; i < n; ++i) {
    Event ev;
    ev.kind = EventKind::kRecorded;
    ev.time_ns = t0 + i * 1'000'000'000LL;
    ev.command = "c" + std::to_string(i);
    ev.cwd = "/d";
    ev.exit_code = 0;
    out.push_back(ev);
  }
  return out;
}

TEST(AdminTest, RetentionFloorIsAcceptedByVerifyLogAndSurvivesReopen) {
  TempDir dir;
  {
    std::unique_ptr<Store> s;
    ASSERT_OK(OpenStore(dir.path(), Access::kReadWrite, &s));
    auto evs = Commands(100, 1'000'000'000'000'000'000LL);
    ASSERT_OK(s->Append(evs, true));
    RetentionPolicy p;
    p.max_events = 40;
    RetentionPlan plan;
    ASSERT_OK(PlanRetention(*s, p, 0, &plan));
    EXPECT_EQ(plan.floor_after, 60u);
    EXPECT_EQ(plan.by_count, 60u);
    ASSERT_OK(ApplyRetention(*s, plan));
    EXPECT_EQ(s->log_floor(), 60u);
    ExpectVerifies(*s);
  }
  std::unique_ptr<Store> s;
  ASSERT_OK(OpenStore(dir.path(), Access::kReadWrite, &s));
  EXPECT_EQ(s->log_floor(), 60u);
  EXPECT_EQ(s->head(), 100u);
  ExpectVerifies(*s);
  // Everything by age: an empty log at floor == head still verifies.
  RetentionPolicy p;
  p.max_age_ns = 1;
  RetentionPlan plan;
  ASSERT_OK(PlanRetention(*s, p, 2'000'000'000'000'000'000LL, &plan));
  EXPECT_EQ(plan.by_age, 40u);
  ASSERT_OK(ApplyRetention(*s, plan));
  ExpectVerifies(*s);
  // New events continue after head.
  auto more = Commands(3, 3'000'000'000'000'000'000LL);
  ASSERT_OK(s->Append(more, true));
  EXPECT_EQ(more[0].seq, 101u);
  ExpectVerifies(*s);
}

TEST(AdminTest, RollbackMovesHeadBackAndRebuildsViews) {
  TempDir dir;
  std::unique_ptr<Store> s;
  ASSERT_OK(OpenStore(dir.path(), Access::kReadWrite, &s));
  auto evs = Commands(50, 1'000'000'000'000'000'000LL);
  ASSERT_OK(s->Append(evs, true));
  uint64_t at = 0;
  ASSERT_OK(SeqAtTime(*s, evs[19].time_ns, &at));
  EXPECT_EQ(at, 20u);
  RollbackResult r;
  ASSERT_OK(Rollback(*s, 20, evs[0].time_ns, &r));
  EXPECT_EQ(r.removed, 30u);
  EXPECT_EQ(s->head(), 20u);
  EXPECT_FALSE(r.safety.name.empty());
  ExpectVerifies(*s);
  std::vector<SnapshotEntry> snaps;
  ASSERT_OK(ListSnapshots(dir.path(), &snaps));
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].head, 50u);
  EXPECT_EQ(snaps[0].reason, "before-rollback");
}

TEST(AdminTest, ReplayOfAnExportAfterRetentionKeepsSeqsAndFloor) {
  TempDir dir;
  std::string file = dir.Sub("x.tblog");
  {
    std::unique_ptr<Store> s;
    ASSERT_OK(OpenStore(dir.Sub("a"), Access::kReadWrite, &s));
    auto evs = Commands(30, 1'000'000'000'000'000'000LL);
    ASSERT_OK(s->Append(evs, true));
    ASSERT_OK(s->DropLogThrough(10));
    ExportStats st;
    ASSERT_OK(ExportLog(*s, file, 0, UINT64_MAX, 1, &st));
    EXPECT_EQ(st.events, 20u);
    EXPECT_EQ(st.first_seq, 11u);
  }
  ReplayOptions o;
  o.from_file = file;
  o.into = dir.Sub("b");
  o.until_seq = 25;
  ReplayStats st;
  ASSERT_OK(Replay(o, &st));
  EXPECT_EQ(st.events, 15u);
  std::unique_ptr<Store> b;
  ASSERT_OK(OpenStore(dir.Sub("b"), Access::kReadWrite, &b));
  EXPECT_EQ(b->log_floor(), 10u);
  EXPECT_EQ(b->head(), 25u);
  Event ev;
  ASSERT_OK(b->reader().GetEvent(11, &ev));
  EXPECT_EQ(ev.command, "c10");
  ExpectVerifies(*b);
}

TEST(AdminTest, ReplayRefusesAForeignFileAndANonEmptyTarget) {
  TempDir dir;
  {
    std::ofstream f(dir.Sub("junk"));
    f << "this is not a log export at all, just some text";
  }
  ReplayOptions o;
  o.from_file = dir.Sub("junk");
  o.into = dir.Sub("b");
  ReplayStats st;
  Status s = Replay(o, &st);
  EXPECT_TRUE(s.IsIncompatible()) << s.ToString();
  o.from_file = dir.Sub("missing");
  EXPECT_TRUE(Replay(o, &st).IsNotFound());
}

}  // namespace
}  // namespace tb
