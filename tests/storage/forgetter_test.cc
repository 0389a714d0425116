// Tests for storage/forgetter.h: resolving targets, the copies that still
// hold forgotten records (before and after the forget), the forget and the
// deletion of the copies.
#include "storage/forgetter.h"

#include <gtest/gtest.h>

#include "storage/admin.h"
#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

using testutil::TempDir;

constexpr int64_t kT0 = 1'700'000'000'000'000'000;

Event Recorded(int i, const std::string& cmd) {
  Event ev;
  ev.kind = EventKind::kRecorded;
  ev.time_ns = kT0 + i * 1'000'000'000LL;
  ev.command = cmd;
  ev.cwd = "/w";
  ev.host = "h";
  ev.user = "u";
  ev.shell = "bash";
  ev.exit_code = 0;
  return ev;
}

class ForgetterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(testutil::OpenStore(dir_.Sub("data"), StoreOptions::Access::kReadWrite, &store_));
    std::vector<Event> evs = {Recorded(1, "echo one"), Recorded(2, "export TOKEN=secret"), Recorded(3, "ls")};
    ASSERT_OK(store_->Append(evs, true));
  }
  ForgetterOptions Where() const { return ForgetterOptions{dir_.Sub("data"), dir_.Sub("backups")}; }
  Event Forgotten(const std::vector<HistoryRecord>& rs) const {
    Event ev;
    ev.kind = EventKind::kForgotten;
    ev.time_ns = kT0 + 100'000'000'000LL;
    for (const auto& r : rs) ev.targets.push_back(r.seq);
    return ev;
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ForgetterTest, ResolvesMatchesAndIds) {
  Forgetter f(*store_, Where());
  std::vector<HistoryRecord> found;
  ASSERT_OK(f.ResolveMatch("TOKEN", &found));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].command, "export TOKEN=secret");
  std::vector<HistoryRecord> by_id;
  ASSERT_OK(f.ResolveIds({found[0].id.ToString()}, &by_id));
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].seq, found[0].seq);
  EXPECT_EQ(by_id[0].command, found[0].command);
}

TEST_F(ForgetterTest, BadIdsAreRefusedWithTheirMessage) {
  Forgetter f(*store_, Where());
  std::vector<HistoryRecord> out;
  Status s = f.ResolveIds({"nope"}, &out);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid id 'nope' (tb forget): expected <16 hex>-<number>");
  s = f.ResolveIds({"0123456789abcdef-99"}, &out);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), "no command with id 0123456789abcdef-99 (tb forget)");
  EXPECT_TRUE(out.empty());
}

TEST_F(ForgetterTest, CopiesTakenBeforeTheForgetHoldItUntilDeleted) {
  BackupEntry b;
  ASSERT_OK(CreateBackup(*store_, dir_.Sub("backups"), "before", kT0, &b));
  SnapshotEntry snap;
  ASSERT_OK(CreateSnapshot(*store_, "before", "test", kT0, &snap));
  Forgetter f(*store_, Where());
  std::vector<HistoryRecord> found;
  ASSERT_OK(f.ResolveMatch("TOKEN", &found));
  std::vector<ForgetCopy> copies;
  ASSERT_OK(f.FindCopies({}, 0, &copies));
  EXPECT_TRUE(copies.empty());  // nothing forgotten yet
  ASSERT_OK(f.FindCopies({found[0].seq}, kT0 + 1, &copies));
  ASSERT_EQ(copies.size(), 2u);  // a dry run's forget
  EXPECT_TRUE(copies[0].backup);
  EXPECT_EQ(copies[0].note, "before");
  EXPECT_EQ(copies[1].name, "before");
  Event ev = Forgotten(found);
  ASSERT_OK(f.Forget(&ev));
  std::vector<HistoryRecord> after;
  ASSERT_OK(f.ResolveMatch("TOKEN", &after));
  EXPECT_TRUE(after.empty());
  ASSERT_OK(f.FindCopies({}, 0, &copies));
  ASSERT_EQ(copies.size(), 2u);
  Event audit;
  audit.kind = EventKind::kAdminAction;
  audit.time_ns = kT0 + 200'000'000'000LL;
  audit.source = "forget.purge_backups";
  audit.detail = "{}";
  ASSERT_OK(f.DeleteCopies(copies, audit));
  ASSERT_OK(f.FindCopies({}, 0, &copies));
  EXPECT_TRUE(copies.empty());
  std::vector<BackupEntry> backups;
  ASSERT_OK(ListBackups(dir_.Sub("backups"), &backups));
  EXPECT_TRUE(backups.empty());
}

TEST_F(ForgetterTest, CopiesTakenAfterTheForgetDoNotHoldIt) {
  Forgetter f(*store_, Where());
  std::vector<HistoryRecord> found;
  ASSERT_OK(f.ResolveMatch("echo", &found));
  Event ev = Forgotten(found);
  ASSERT_OK(f.Forget(&ev));
  BackupEntry b;
  ASSERT_OK(CreateBackup(*store_, dir_.Sub("backups"), "after", kT0 + 300'000'000'000LL, &b));
  std::vector<ForgetCopy> copies;
  ASSERT_OK(f.FindCopies({}, 0, &copies));
  EXPECT_TRUE(copies.empty());
}

}  // namespace
}  // namespace tb
