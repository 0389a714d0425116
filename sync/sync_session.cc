#include "sync/sync_session.h"

#include <algorithm>

namespace tb {

const char* BreakerName(BreakerState s) {
  switch (s) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half-open";
  }
  return "closed";
}

SyncSession::SyncSession(SyncSessionOptions options) : o_(std::move(options)), jitter_(std::random_device{}()) {}

SyncSession::~SyncSession() = default;

Status SyncSession::Run(Store& store, SyncCounts* counts, bool publish_only) {
  *counts = SyncCounts{};
  const int64_t now = o_.now_ns();
  // Backing off; but the last publish (at exit) is always tried once.
  if (!publish_only && next_attempt_ns_ != kNoAttempt && now < next_attempt_ns_) return Status::OK();
  SyncIdentity self;
  Status s = LoadSyncIdentity(store, &self);
  if (s.IsNotFound()) return Status::OK();  // sync not set up for this store
  TB_RETURN_IF_ERROR(s);
  if (figures_.breaker == BreakerState::kOpen) figures_.breaker = BreakerState::kHalfOpen;
  s = Attempt(store, self, counts, publish_only);
  figures_.published += counts->published;
  figures_.received += counts->received;
  if (!s.ok()) {
    Failed(s);
    return s;
  }
  figures_.breaker = BreakerState::kClosed;
  figures_.failures_in_a_row = 0;
  figures_.last_error.clear();
  next_attempt_ns_ = kNoAttempt;
  return Status::OK();
}

Status SyncSession::Attempt(Store& store, const SyncIdentity& self, SyncCounts* counts, bool publish_only) {
  if (stream_ != nullptr && (!stream_->connected() || account_ != self.key.account)) stream_.reset();
  if (stream_ == nullptr) {
    TB_RETURN_IF_ERROR(NatsStream::Connect(o_.nats, self.key.account, &stream_));
    account_ = self.key.account;
    Status s = stream_->Watch(self.host_id, o_.wake_fd);
    if (!s.ok()) {
      stream_.reset();
      return s;
    }
  }
  TB_RETURN_IF_ERROR(PublishOutbox(store, self, *stream_, counts, o_.spans));
  return publish_only ? Status::OK() : PullInbox(store, self, *stream_, counts, o_.spans);
}

void SyncSession::Failed(const Status& s) {
  stream_.reset();  // a fresh connection next time
  ++figures_.failures;
  figures_.last_error = s.message();
  const int n = ++figures_.failures_in_a_row;
  const int64_t now = o_.now_ns();
  if (figures_.breaker == BreakerState::kHalfOpen || n >= o_.breaker_failures) {
    figures_.breaker = BreakerState::kOpen;
    next_attempt_ns_ = now + static_cast<int64_t>(o_.breaker_open_ms) * 1'000'000;
    return;
  }
  int64_t ms = o_.backoff_min_ms;
  for (int i = 1; i < n && ms < o_.backoff_max_ms; ++i) ms *= 2;
  ms = std::min<int64_t>(ms, o_.backoff_max_ms);
  std::uniform_int_distribution<int64_t> spread(-ms / 4, ms / 4);
  next_attempt_ns_ = now + (ms + spread(jitter_)) * 1'000'000;
}

}  // namespace tb
