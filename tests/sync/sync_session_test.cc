// SyncSession (sync/sync_session.h): backoff, circuit breaker and recovery
// against a real nats-server on loopback, with a fake clock; and the
// syncer's refusal of a message sealed with another key.
#include "sync/sync_session.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"
#include "tests/tools/nats_server.h"

namespace tb {
namespace {

using testutil::OpenStore;
using testutil::TempDir;
using Access = StoreOptions::Access;
constexpr int64_t kMs = 1'000'000;

class SyncSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(OpenStore(dir_.Sub("a"), Access::kReadWrite, &store_));
    SyncIdentity id;
    ASSERT_OK(SetUpSync(*store_, nullptr, &id));
    wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  }
  void TearDown() override { ::close(wake_); }
  SyncSessionOptions Options(const std::string& url) {
    SyncSessionOptions o;
    o.nats.url = url;
    o.nats.timeout_ms = 500;
    o.wake_fd = wake_;
    o.backoff_min_ms = 1000;
    o.backoff_max_ms = 4000;
    o.breaker_failures = 4;
    o.breaker_open_ms = 60000;
    o.now_ns = [this] { return now_; };
    return o;
  }
  void Record(const std::string& command) {
    Event ev;
    ev.kind = EventKind::kRecorded;
    ev.time_ns = 1'700'000'000'000'000'000;
    ev.command = command;
    ASSERT_OK(store_->Append(std::span<Event>(&ev, 1), true));
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
  int wake_ = -1;
  int64_t now_ = 1'000'000 * kMs;
};

// Backoff doubles (with at most 25 % jitter either way) up to its cap; the
// breaker opens after the configured failures, probes once when its time
// is up, opens again when the probe fails, and closes on a success.
TEST_F(SyncSessionTest, BacksOffOpensTheBreakerAndRecovers) {
  tb::testing::NatsServer nats;
  ASSERT_TRUE(nats.Start(dir_.Sub("nats")));
  const int port = nats.port();
  nats.Stop();
  SyncSession session(Options("nats://127.0.0.1:" + std::to_string(port)));
  Record("make");
  SyncCounts c;
  const int64_t expected_ms[] = {1000, 2000, 4000};
  for (int i = 0; i < 3; ++i) {
    Status s = session.Run(*store_, &c);
    EXPECT_EQ(s.code(), Status::Code::kIOError);
    EXPECT_TRUE(s.message().starts_with("cannot reach the sync server (nats://127.0.0.1:")) << s.message();
    EXPECT_EQ(session.figures().breaker, BreakerState::kClosed);
    EXPECT_EQ(session.figures().failures_in_a_row, i + 1);
    const int64_t wait = session.next_attempt_ns() - now_;
    EXPECT_GE(wait, expected_ms[i] * 3 / 4 * kMs) << i;
    EXPECT_LE(wait, expected_ms[i] * 5 / 4 * kMs) << i;
    // Before its time, Run does nothing at all.
    now_ += wait - kMs;
    ASSERT_OK(session.Run(*store_, &c));
    EXPECT_EQ(session.figures().failures_in_a_row, i + 1);
    now_ += kMs;
  }
  EXPECT_EQ(session.Run(*store_, &c).code(), Status::Code::kIOError);  // the fourth
  EXPECT_EQ(session.figures().breaker, BreakerState::kOpen);
  EXPECT_EQ(session.next_attempt_ns(), now_ + 60000 * kMs);
  now_ += 60000 * kMs;
  EXPECT_EQ(session.Run(*store_, &c).code(), Status::Code::kIOError);  // the probe fails
  EXPECT_EQ(session.figures().breaker, BreakerState::kOpen);
  EXPECT_EQ(session.figures().failures, 5u);
  // The server is back: the next probe publishes what waited and closes it.
  ASSERT_TRUE(nats.Start(dir_.Sub("nats"), port));
  now_ += 60000 * kMs;
  ASSERT_OK(session.Run(*store_, &c));
  EXPECT_EQ(c.published, 1u);
  EXPECT_EQ(session.figures().breaker, BreakerState::kClosed);
  EXPECT_EQ(session.figures().failures_in_a_row, 0);
  EXPECT_EQ(session.figures().last_error, "");
  EXPECT_EQ(session.next_attempt_ns(), kNoAttempt);
  nats.Stop();
}

// Another host's publication rings the eventfd; this host's own does not.
TEST_F(SyncSessionTest, OtherHostsPublicationsRingTheDoorbell) {
  tb::testing::NatsServer nats;
  ASSERT_TRUE(nats.Start(dir_.Sub("nats")));
  SyncSession a(Options(nats.url()));
  SyncCounts c;
  Record("mine");
  ASSERT_OK(a.Run(*store_, &c));  // connects, watches, publishes its own
  EXPECT_EQ(c.published, 1u);
  uint64_t rings = 0;
  EXPECT_EQ(::read(wake_, &rings, sizeof rings), -1);  // its own message: no ring
  // Host B, same key.
  SyncIdentity self;
  ASSERT_OK(LoadSyncIdentity(*store_, &self));
  std::unique_ptr<Store> b;
  ASSERT_OK(OpenStore(dir_.Sub("b"), Access::kReadWrite, &b));
  SyncIdentity other;
  ASSERT_OK(SetUpSync(*b, &self.key, &other));
  Event ev;
  ev.kind = EventKind::kRecorded;
  ev.command = "theirs";
  ASSERT_OK(b->Append(std::span<Event>(&ev, 1), true));
  std::unique_ptr<NatsStream> stream;
  ASSERT_OK(NatsStream::Connect(Options(nats.url()).nats, self.key.account, &stream));
  ASSERT_OK(PublishOutbox(*b, other, *stream, &c));
  bool rang = false;
  for (int i = 0; i < 200 && !rang; ++i) {
    rang = ::read(wake_, &rings, sizeof rings) == static_cast<ssize_t>(sizeof rings);
    if (!rang) ::usleep(10000);
  }
  EXPECT_TRUE(rang);
  ASSERT_OK(a.Run(*store_, &c));
  EXPECT_EQ(c.received, 1u);
  nats.Stop();
}

// A message sealed with another key of the account stops the pull with a
// one-line error; nothing after it is consumed, and once the right key is
// there the next pull takes it.
TEST_F(SyncSessionTest, AMessageUnderAnotherKeyStopsThePullUntilTheKeyIsRight) {
  tb::testing::NatsServer nats;
  ASSERT_TRUE(nats.Start(dir_.Sub("nats")));
  SyncIdentity self;
  ASSERT_OK(LoadSyncIdentity(*store_, &self));
  std::unique_ptr<Store> b;
  ASSERT_OK(OpenStore(dir_.Sub("b"), Access::kReadWrite, &b));
  SyncKey wrong = self.key;
  wrong.bytes[0] ^= 1;
  SyncIdentity other;
  ASSERT_OK(SetUpSync(*b, &wrong, &other));
  Event ev;
  ev.kind = EventKind::kRecorded;
  ev.command = "sealed with another key";
  ASSERT_OK(b->Append(std::span<Event>(&ev, 1), true));
  std::unique_ptr<NatsStream> stream;
  ASSERT_OK(NatsStream::Connect(Options(nats.url()).nats, self.key.account, &stream));
  SyncCounts c;
  ASSERT_OK(PublishOutbox(*b, other, *stream, &c));
  std::unique_ptr<NatsStream> mine;
  ASSERT_OK(NatsStream::Connect(Options(nats.url()).nats, self.key.account, &mine));
  Status s = PullInbox(*store_, self, *mine, &c);
  EXPECT_EQ(s.code(), Status::Code::kIncompatible);
  EXPECT_EQ(s.message(),
            "sync message (stream seq 1) does not open with this store's sync key: the key differs from the one it was "
            "sealed with, or the message was altered. Import the account's key (tb sync key import FILE)");
  EXPECT_EQ(store_->head(), 0u);
  // This store takes B's key (as if it had imported the right one): the
  // message is read again and appended.
  self.key = wrong;
  std::unique_ptr<NatsStream> again;
  ASSERT_OK(NatsStream::Connect(Options(nats.url()).nats, self.key.account, &again));
  ASSERT_OK(PullInbox(*store_, self, *again, &c));
  EXPECT_EQ(c.received, 1u);
  EXPECT_EQ(store_->head(), 1u);
  nats.Stop();
}

}  // namespace
}  // namespace tb
