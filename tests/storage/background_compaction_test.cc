// Tests of Store::StartBackgroundCompaction / PollBackgroundCompaction:
// appends and reads beside a running compaction, one report per
// compaction, and cancellation by close, rebuild and verify.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "storage/store.h"
#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

using testutil::OpenStore;
using testutil::TempDir;
using Access = StoreOptions::Access;
using State = BackgroundCompaction::State;

constexpr int64_t kT0 = 1'700'000'000'000'000'000;

std::vector<Event> Commands(int from, int n) {
  std::vector<Event> out;
  for (int i = from; i < from + n; ++i) {
    Event ev;
    ev.kind = EventKind::kRecorded;
    ev.time_ns = kT0 + i * 1'000'000'000LL;
    ev.command = "make target-" + std::to_string(i % 977) + " --jobs " + std::to_string(i);
    ev.cwd = "/src/p" + std::to_string(i % 13);
    ev.session = "s" + std::to_string(i % 7);
    ev.exit_code = i % 5 == 0 ? 1 : 0;
    out.push_back(ev);
  }
  return out;
}

void AppendCommands(Store& s, int from, int n) {
  for (int done = 0; done < n; done += 1000) {
    auto evs = Commands(from + done, std::min(1000, n - done));
    ASSERT_OK(s.Append(evs, false));
  }
}

// Polls until the compaction has ended (or 60 s passed).
BackgroundCompaction WaitEnded(Store& s) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < end) {
    BackgroundCompaction bc = s.PollBackgroundCompaction();
    if (bc.state != State::kRunning) return bc;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return BackgroundCompaction{State::kRunning, Status::OK(), 0};
}

void ExpectVerifies(Store& s, uint64_t head) {
  EXPECT_EQ(s.head(), head);
  testutil::ExpectVerifies(s);
}

TEST(BackgroundCompactionTest, AppendsGoOnBesideItAndItIsReportedOnce) {
  TempDir dir;
  std::unique_ptr<Store> s;
  ASSERT_OK(OpenStore(dir.path(), Access::kReadWrite, &s));
  AppendCommands(*s, 0, 5000);
  EXPECT_EQ(s->PollBackgroundCompaction().state, State::kNone);
  ASSERT_OK(s->StartBackgroundCompaction());
  ASSERT_OK(s->StartBackgroundCompaction());  // one already runs: nothing
  AppendCommands(*s, 5000, 1000);             // beside it
  const BackgroundCompaction bc = WaitEnded(*s);
  ASSERT_EQ(bc.state, State::kEnded);
  ASSERT_OK(bc.result);
  EXPECT_EQ(bc.head_at_start, 5000u);
  EXPECT_EQ(s->PollBackgroundCompaction().state, State::kNone);  // reported once
  ExpectVerifies(*s, 6000);
  // A second one after the first has ended, not polled, is started anew.
  ASSERT_OK(s->StartBackgroundCompaction());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_OK(s->StartBackgroundCompaction());
  const BackgroundCompaction again = WaitEnded(*s);
  EXPECT_EQ(again.state, State::kEnded);
  EXPECT_EQ(again.head_at_start, 6000u);
}

TEST(BackgroundCompactionTest, ClosingCancelsItAndTheStoreReopensWhole) {
  TempDir dir;
  {
    std::unique_ptr<Store> s;
    ASSERT_OK(OpenStore(dir.path(), Access::kReadWrite, &s));
    AppendCommands(*s, 0, 5000);
    ASSERT_OK(s->StartBackgroundCompaction());
    EXPECT_EQ(s->PollBackgroundCompaction().state, State::kRunning);
  }  // the destructor cancels and joins it
  std::unique_ptr<Store> s;
  ASSERT_OK(OpenStore(dir.path(), Access::kReadWrite, &s));
  EXPECT_EQ(s->PollBackgroundCompaction().state, State::kNone);
  ExpectVerifies(*s, 5000);
}

TEST(BackgroundCompactionTest, RebuildAndVerifyCancelAndForgetIt) {
  TempDir dir;
  std::unique_ptr<Store> s;
  ASSERT_OK(OpenStore(dir.path(), Access::kReadWrite, &s));
  AppendCommands(*s, 0, 5000);
  ASSERT_OK(s->StartBackgroundCompaction());
  ASSERT_OK(s->Rebuild("history"));  // drops and recreates a family
  EXPECT_EQ(s->PollBackgroundCompaction().state, State::kNone);
  ASSERT_OK(s->StartBackgroundCompaction());
  ExpectVerifies(*s, 5000);  // verify drops its scratch families
  EXPECT_EQ(s->PollBackgroundCompaction().state, State::kNone);
}

TEST(BackgroundCompactionTest, AReadOnlyStoreCannotStartOne) {
  TempDir dir;
  {
    std::unique_ptr<Store> s;
    ASSERT_OK(OpenStore(dir.path(), Access::kReadWrite, &s));
    AppendCommands(*s, 0, 10);
  }
  std::unique_ptr<Store> s;
  ASSERT_OK(OpenStore(dir.path(), Access::kReadOnly, &s));
  Status st = s->StartBackgroundCompaction();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(s->PollBackgroundCompaction().state, State::kNone);
}

// A compaction that fails (here: the file system is full) ends with its
// error, reported once.
TEST(BackgroundCompactionTest, AFailureIsItsResult) {
  TempDir dir;
  const std::string mnt = dir.Sub("mnt");
  std::filesystem::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=16m,mode=0700") != 0) {
    GTEST_SKIP() << "mounting a tmpfs is not permitted here (" << std::strerror(errno) << "); this test needs root";
  }
  {
    std::unique_ptr<Store> s;
    ASSERT_OK(OpenStore(mnt + "/data", Access::kReadWrite, &s));
    AppendCommands(*s, 0, 5000);
    {
      std::ofstream fill(mnt + "/fill", std::ios::binary);
      const std::string block(1 << 16, 'f');
      while (fill.write(block.data(), block.size())) {
      }
    }
    ASSERT_OK(s->StartBackgroundCompaction());
    const BackgroundCompaction bc = WaitEnded(*s);
    EXPECT_EQ(bc.state, State::kEnded);
    EXPECT_FALSE(bc.result.ok());
    EXPECT_NE(bc.result.message().find("flushing"), std::string::npos) << bc.result.ToString();
  }
  ::umount2(mnt.c_str(), MNT_DETACH);
}

}  // namespace
}  // namespace tb
