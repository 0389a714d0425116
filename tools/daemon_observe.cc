#include "tools/daemon_observe.h"

#include <spdlog/spdlog.h>

#include "tools/commands.h"
#include "tools/daemon.h"

namespace tb {

DaemonObservability::DaemonObservability(Context& ctx, DaemonState* state) : ctx_(ctx), state_(state) {
  figures_.version = TB_VERSION;
  state_->SetDrainObserver([this](int64_t lag_ns) { Drained(lag_ns); });
  source_ = std::make_unique<FunctionHealthSource>([this] { return Health(); }, [this] { return Metrics(); });
  Status s =
      Endpoint::Start(EndpointOptions::FromConfig(ctx_.config, DaemonSocketPath(ctx_)), source_.get(), &endpoint_);
  if (!s.ok()) spdlog::warn("daemon: health and metrics endpoint not started: {}", s.message());
}

void DaemonObservability::Stop() {
  if (endpoint_) endpoint_->Stop();
  endpoint_.reset();
}

void DaemonObservability::Drained(int64_t lag_ns) {
  const DaemonFigures f = state_->Snapshot();
  for (const auto& [kind, n] : f.appended_by_kind) {
    uint64_t& counted = counted_[kind];
    if (n > counted) metrics_.Appended(kind, n - counted);
    counted = n;
  }
  metrics_.AppendTook(static_cast<double>(f.last_append_ns) / 1e9);
  metrics_.DrainLag(static_cast<double>(lag_ns) / 1e9);
}

namespace {

// The `kind` label of tb_errors_total: the failure's Status code, so the
// label has a fixed set of values (a message names paths).
std::string_view ErrorKind(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNoSpace: return "disk_full";
    case Status::Code::kIOError: return "io";
    case Status::Code::kCorruption: return "corruption";
    case Status::Code::kIncompatible: return "incompatible";
    case Status::Code::kInvalidArgument: return "invalid";
    case Status::Code::kTimedOut: return "timeout";
    case Status::Code::kNotFound: return "not_found";
    default: return "other";
  }
}

}  // namespace

void DaemonObservability::AfterCycle(const Status& status, Store* store) {
  if (!status.ok() && !status.IsBusy()) metrics_.Failed(ErrorKind(status));
  const int64_t now = MonotonicNs();
  if (store == nullptr || !wanted_ || (figures_at_ != 0 && now - figures_at_ < kSnapshotEveryNs)) return;
  wanted_ = false;
  MetricsSnapshot snap;
  if (!CollectSnapshot(ctx_, *store, &snap, /*count_events=*/false).ok()) return;
  figures_at_ = now;
  std::lock_guard<std::mutex> lock(mu_);
  figures_ = std::move(snap);
}

HealthReport DaemonObservability::Health() const {
  const DaemonFigures f = state_->Snapshot();
  HealthReport h;
  h.store_open = f.store_open_ok;
  h.head_seq = f.head_seq;
  h.spool_backlog = f.spool_frames_pending;
  h.drain_lag_seconds = static_cast<double>(f.last_drain_lag_ns) / 1e9;
  h.last_error = f.last_error;
  h.version = TB_VERSION;
  return h;
}

std::string DaemonObservability::Metrics() {
  wanted_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  figures_.now_ns = NowNs();
  return metrics_.Render(figures_);
}

}  // namespace tb
