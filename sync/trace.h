// Tracing of sync (docs/sync.md, "Tracing"): W3C trace context in the NATS
// message headers, spans, and their OTLP/JSON encoding.
//
// A publish batch is one span, "sync.publish" (kind producer), the root of
// a new trace; every message of the batch carries its context in a
// `traceparent` header: "00-<trace id>-<span id>-01" (W3C Trace Context,
// version 00, sampled). A host that appends received events records, per
// publish span its messages came from, a span "sync.apply" (kind consumer)
// in the same trace, child of that publish span. Messages without the
// header (published by an older tb) open no span.
//
// Spans carry counts and opaque ids only (the host id, never a hostname,
// a command or a directory): they leave the machine when an OTLP endpoint
// is configured.
// Thread safety: functions are pure or use libsodium's thread-safe RNG.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tb {

// A span's place in a trace: lowercase hex, 32 and 16 digits, not all zero.
struct TraceContext {
  std::string trace_id;
  std::string span_id;
};

// A context with a new random trace id and span id.
TraceContext NewTrace();
// A new random span id (16 hex digits).
std::string NewSpanId();
// "00-<trace id>-<span id>-01".
std::string FormatTraceparent(const TraceContext& ctx);
// Reads a traceparent header value. False (and *out untouched) unless it
// is version 00 with lowercase hex ids of the right lengths, neither id all
// zeros, and two hex digits of flags; a later version is read by its first
// four fields, as the specification asks.
bool ParseTraceparent(std::string_view value, TraceContext* out);

struct Span {
  enum class Kind { kProducer, kConsumer };
  std::string name;  // "sync.publish", "sync.apply"
  Kind kind = Kind::kProducer;
  TraceContext context;        // its trace and its own span id
  std::string parent_span_id;  // "" for a root span
  int64_t start_ns = 0;        // Unix time, ns
  int64_t end_ns = 0;
  std::vector<std::pair<std::string, int64_t>> counts;       // integer attributes ("tb.events")
  std::vector<std::pair<std::string, std::string>> strings;  // string attributes ("tb.host", "tb.origin_host")
  std::string error;                                         // "" = ok; else the failure, as the status message
};

// Receives each span as it ends; an empty sink records nothing.
using SpanSink = std::function<void(const Span&)>;

// The OTLP/JSON ExportTraceServiceRequest of `spans` (OTLP/HTTP, path
// /v1/traces): one resource (service.name "termbrain", service.version
// `version`), one scope "termbrain.sync"; each span's attributes are
// messaging.system "nats", then its counts, then its strings. Ids are hex
// and times decimal strings, as the OTLP JSON encoding asks.
std::string OtlpTracesJson(const std::vector<Span>& spans, const std::string& version);

}  // namespace tb
