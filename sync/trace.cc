#include "sync/trace.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace tb {
namespace {

std::string RandomHex(size_t bytes) {
  unsigned char b[16];
  std::string out(bytes * 2, '0');
  do {
    randombytes_buf(b, bytes);
  } while (std::all_of(b, b + bytes, [](unsigned char c) { return c == 0; }));
  sodium_bin2hex(out.data(), out.size() + 1, b, bytes);
  return out;
}

bool LowerHex(std::string_view s, size_t digits) {
  if (s.size() != digits) return false;
  bool nonzero = false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    nonzero |= c != '0';
  }
  return nonzero;
}

nlohmann::json Attribute(const std::string& key, nlohmann::json value) {
  return {{"key", key}, {"value", std::move(value)}};
}

nlohmann::json SpanJson(const Span& s) {
  nlohmann::json attrs = nlohmann::json::array();
  attrs.push_back(Attribute("messaging.system", {{"stringValue", "nats"}}));
  for (const auto& [k, v] : s.counts) attrs.push_back(Attribute(k, {{"intValue", std::to_string(v)}}));
  for (const auto& [k, v] : s.strings) attrs.push_back(Attribute(k, {{"stringValue", v}}));
  nlohmann::json j = {{"traceId", s.context.trace_id},
                      {"spanId", s.context.span_id},
                      {"name", s.name},
                      {"kind", s.kind == Span::Kind::kProducer ? 4 : 5},
                      {"startTimeUnixNano", std::to_string(s.start_ns)},
                      {"endTimeUnixNano", std::to_string(s.end_ns)},
                      {"attributes", std::move(attrs)}};
  if (!s.parent_span_id.empty()) j["parentSpanId"] = s.parent_span_id;
  j["status"] = s.error.empty() ? nlohmann::json{{"code", 1}} : nlohmann::json{{"code", 2}, {"message", s.error}};
  return j;
}

}  // namespace

TraceContext NewTrace() { return TraceContext{RandomHex(16), RandomHex(8)}; }

std::string NewSpanId() { return RandomHex(8); }

std::string FormatTraceparent(const TraceContext& ctx) { return "00-" + ctx.trace_id + "-" + ctx.span_id + "-01"; }

bool ParseTraceparent(std::string_view v, TraceContext* out) {
  // version(2) - trace id(32) - span id(16) - flags(2), then for a later
  // version possibly "-" and more.
  constexpr size_t kLength = 2 + 1 + 32 + 1 + 16 + 1 + 2;
  if (v.size() < kLength || v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  const std::string_view version = v.substr(0, 2);
  if (version == "ff" || !std::isxdigit(static_cast<unsigned char>(version[0])) ||
      !std::isxdigit(static_cast<unsigned char>(version[1]))) {
    return false;
  }
  if (version == "00" ? v.size() != kLength : v.size() > kLength && v[kLength] != '-') return false;
  const std::string_view trace = v.substr(3, 32), span = v.substr(36, 16), flags = v.substr(53, 2);
  if (!LowerHex(trace, 32) || !LowerHex(span, 16)) return false;
  if (!std::isxdigit(static_cast<unsigned char>(flags[0])) || !std::isxdigit(static_cast<unsigned char>(flags[1]))) {
    return false;
  }
  *out = TraceContext{std::string(trace), std::string(span)};
  return true;
}

std::string OtlpTracesJson(const std::vector<Span>& spans, const std::string& version) {
  nlohmann::json list = nlohmann::json::array();
  for (const Span& s : spans) list.push_back(SpanJson(s));
  nlohmann::json resource = {{"attributes",
                              {Attribute("service.name", {{"stringValue", "termbrain"}}),
                               Attribute("service.version", {{"stringValue", version}})}}};
  nlohmann::json request = {
      {"resourceSpans",
       {{{"resource", std::move(resource)},
         {"scopeSpans", {{{"scope", {{"name", "termbrain.sync"}}}, {"spans", std::move(list)}}}}}}}};
  return request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tb
