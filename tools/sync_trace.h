// SyncTracer: where the sync spans of one tb process go (sync/trace.h).
// Each span is written to the log as it ends (info level, with its trace
// and span ids in the JSON file log: tools/logging.h), and, when
// sync.otlp_endpoint is set, kept until Export posts them to the OTLP/HTTP
// collector there (docs/sync.md, "Tracing").
// Thread safety: one thread (the one that syncs).
#pragma once

#include <deque>
#include <string>

#include "core/config.h"
#include "core/status.h"
#include "sync/trace.h"

namespace tb {

class SyncTracer {
 public:
  explicit SyncTracer(const Config& config);

  // The sink to give the syncer; it refers to this tracer.
  SpanSink sink();

  // Posts the spans kept since the last export as one OTLP/JSON request to
  // <sync.otlp_endpoint>/v1/traces; OK at once when there are none or no
  // endpoint. Sent spans are dropped, also when the collector refused them.
  // IOError "cannot export traces: <PostJson's error>" when the request
  // fails or is answered with a status other than 2xx; the spans that could not be sent
  // are kept (the newest 10000 at most) for a try a minute later at the
  // earliest (until then Export returns OK at once), so that a collector
  // that is down does not slow a daemon's cycles.
  Status Export();

 private:
  void Keep(const Span& span);
  // *answered: the collector answered (whatever it said).
  Status Post(const std::string& body, bool* answered) const;

  std::string endpoint_;
  int timeout_ms_;
  std::deque<Span> kept_;
  int64_t quiet_until_ns_ = 0;  // steady clock
};

}  // namespace tb
