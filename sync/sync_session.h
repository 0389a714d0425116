// SyncSession: sync as the daemon runs it (tools/daemon_cycle.h). It keeps
// one connection to the server across cycles, rings the daemon's eventfd
// when another host publishes (NatsStream::Watch), and runs a publish and a
// pull per call. The network never blocks or fails a drain: a failure is
// returned for logging, the connection is dropped, and the next attempt
// waits:
//
//   backoff   after the n-th failure in a row, backoff_min_ms * 2^(n-1)
//             (at most backoff_max_ms), +-25 % jitter so machines that
//             lost the server together do not come back together;
//   breaker   after breaker_failures failures in a row it opens: no attempt
//             for breaker_open_ms, then one probe (half-open); a probe that
//             fails opens it again, one that succeeds closes it.
//
// A store without a sync key (sync not set up) makes Run do nothing.
// Thread safety: one thread (the daemon's loop).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "core/status.h"
#include "storage/store.h"
#include "sync/nats_stream.h"
#include "sync/syncer.h"

namespace tb {

inline constexpr int64_t kNoAttempt = INT64_MAX;

struct SyncSessionOptions {
  NatsOptions nats;
  int wake_fd = -1;  // an eventfd the daemon polls (see NatsStream::Watch)
  int backoff_min_ms = 1000;
  int backoff_max_ms = 60000;
  int breaker_failures = 5;
  int breaker_open_ms = 300000;
  std::function<int64_t()> now_ns;  // monotonic; required
  SpanSink spans;                   // the sync spans (sync/trace.h); empty = none
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };

// "closed", "open", "half-open".
const char* BreakerName(BreakerState s);

struct SyncSessionFigures {
  BreakerState breaker = BreakerState::kClosed;
  int failures_in_a_row = 0;
  uint64_t published = 0;  // totals since the daemon started
  uint64_t received = 0;
  uint64_t failures = 0;
  std::string last_error;
};

class SyncSession {
 public:
  explicit SyncSession(SyncSessionOptions options);
  ~SyncSession();

  // One publish and pull on `store` when an attempt is allowed now (the
  // breaker is not open, the backoff has passed); OK and nothing done
  // otherwise, or when the store has no sync key. *counts gets what moved.
  // `publish_only`: no pull, and tried even while backing off (the
  // daemon's last cycle, at logout: what was typed last reaches the other
  // machines now, not at the next login).
  Status Run(Store& store, SyncCounts* counts, bool publish_only = false);
  // When Run should be called again though nothing rang (monotonic ns; a
  // retry after a failure, the breaker's probe), kNoAttempt when not needed.
  int64_t next_attempt_ns() const { return next_attempt_ns_; }
  const SyncSessionFigures& figures() const { return figures_; }

 private:
  Status Attempt(Store& store, const SyncIdentity& self, SyncCounts* counts, bool publish_only);
  void Failed(const Status& s);

  SyncSessionOptions o_;
  std::unique_ptr<NatsStream> stream_;
  std::string account_;  // of the connected stream
  int64_t next_attempt_ns_ = kNoAttempt;
  SyncSessionFigures figures_;
  std::mt19937_64 jitter_;
};

}  // namespace tb
