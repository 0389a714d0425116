#include "tools/sync_trace.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "tools/http_post.h"
#include "tools/logging.h"

namespace tb {
namespace {

// At most this many spans wait for an export (a busy daemon with a
// collector that is down keeps the newest ones).
constexpr size_t kMaxKept = 10000;
// After a failed export, the next waits this long.
constexpr int64_t kQuietNs = 60'000'000'000;

std::string SpanLine(const Span& s) {
  std::string line = "sync: span " + s.name + " " + std::to_string((s.end_ns - s.start_ns) / 1000) + " us";
  for (const auto& [k, v] : s.counts) line += " " + k + "=" + std::to_string(v);
  for (const auto& [k, v] : s.strings) line += " " + k + "=" + v;
  if (!s.parent_span_id.empty()) line += " parent=" + s.parent_span_id;
  if (!s.error.empty()) line += " error=" + s.error;
  return line;
}

}  // namespace

SyncTracer::SyncTracer(const Config& config)
    : endpoint_(config.sync.otlp_endpoint), timeout_ms_(config.sync.timeout_ms) {}

SpanSink SyncTracer::sink() {
  return [this](const Span& span) { Keep(span); };
}

void SyncTracer::Keep(const Span& span) {
  {
    LogTraceScope scope(span.context.trace_id, span.context.span_id);
    spdlog::info("{}", SpanLine(span));
  }
  if (endpoint_.empty()) return;
  if (kept_.size() == kMaxKept) kept_.pop_front();
  kept_.push_back(span);
}

Status SyncTracer::Export() {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (kept_.empty() || now < quiet_until_ns_) return Status::OK();
  bool answered = false;
  Status s = Post(OtlpTracesJson({kept_.begin(), kept_.end()}, TB_VERSION), &answered);
  if (!answered) {
    quiet_until_ns_ = now + kQuietNs;
    return s;
  }
  kept_.clear();
  return s;
}

Status SyncTracer::Post(const std::string& body, bool* answered) const {
  int status = 0;
  Status s = PostJson(endpoint_ + "/v1/traces", body, {}, timeout_ms_, &status);
  *answered = status != 0;
  return s.ok() ? s : Status::IOError("cannot export traces: " + s.message());
}

}  // namespace tb
