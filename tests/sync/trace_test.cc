// W3C trace context and the OTLP/JSON encoding of sync spans (sync/trace.h).
#include "sync/trace.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const std::string kSpan = "00f067aa0ba902b7";

TEST(TraceContextTest, FormatsAndParsesVersion00) {
  const std::string header = FormatTraceparent(TraceContext{kTrace, kSpan});
  EXPECT_EQ(header, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  TraceContext back;
  ASSERT_TRUE(ParseTraceparent(header, &back));
  EXPECT_EQ(back.trace_id, kTrace);
  EXPECT_EQ(back.span_id, kSpan);
  ASSERT_TRUE(ParseTraceparent("00-" + kTrace + "-" + kSpan + "-00", &back));  // not sampled: still a parent
}

TEST(TraceContextTest, ALaterVersionIsReadByItsFirstFields) {
  TraceContext back;
  ASSERT_TRUE(ParseTraceparent("cc-" + kTrace + "-" + kSpan + "-01-what-the-future-adds", &back));
  EXPECT_EQ(back.span_id, kSpan);
  ASSERT_TRUE(ParseTraceparent("01-" + kTrace + "-" + kSpan + "-01", &back));
}

TEST(TraceContextTest, RefusesWhatTheSpecificationRefuses) {
  const std::string zeros_trace(32, '0'), zeros_span(16, '0');
  for (const std::string& bad : {
           std::string(""),
           "00-" + kTrace + "-" + kSpan,                            // no flags
           "00-" + kTrace + "-" + kSpan + "-01-extra",              // version 00 has exactly four fields
           "ff-" + kTrace + "-" + kSpan + "-01",                    // version ff is invalid
           "0g-" + kTrace + "-" + kSpan + "-01",                    // version not hex
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + kSpan + "-01",  // upper case
           "00-" + zeros_trace + "-" + kSpan + "-01",               // all-zero trace id
           "00-" + kTrace + "-" + zeros_span + "-01",               // all-zero span id
           "00-" + kTrace.substr(1) + "-" + kSpan + "0-01",         // misplaced dash
           "00-" + kTrace + "-" + kSpan + "-0x",                    // flags not hex
           "00_" + kTrace + "-" + kSpan + "-01",                    // wrong separator
           "01-" + kTrace + "-" + kSpan + "-01x",                   // a later version, but no dash after flags
       }) {
    TraceContext out{"keep", "keep"};
    EXPECT_FALSE(ParseTraceparent(bad, &out)) << bad;
    EXPECT_EQ(out.trace_id, "keep") << bad;
  }
}

TEST(TraceContextTest, NewIdsAreRandomLowercaseHex) {
  TraceContext a = NewTrace(), b = NewTrace();
  EXPECT_NE(a.trace_id, b.trace_id);
  EXPECT_NE(a.span_id, b.span_id);
  TraceContext back;
  ASSERT_TRUE(ParseTraceparent(FormatTraceparent(a), &back));
  EXPECT_EQ(back.trace_id, a.trace_id);
  EXPECT_EQ(NewSpanId().size(), 16u);
}

TEST(OtlpTracesJsonTest, EncodesSpansAsTheOtlpJsonMappingAsks) {
  Span publish;
  publish.name = "sync.publish";
  publish.kind = Span::Kind::kProducer;
  publish.context = {kTrace, kSpan};
  publish.start_ns = 1700000000000000000;
  publish.end_ns = 1700000000000001234;
  publish.counts = {{"tb.events", 3}};
  publish.strings = {{"tb.host", "h1"}};
  Span apply;
  apply.name = "sync.apply";
  apply.kind = Span::Kind::kConsumer;
  apply.context = {kTrace, "1111111111111111"};
  apply.parent_span_id = kSpan;
  apply.start_ns = 5;
  apply.end_ns = 6;
  apply.error = "cannot \"append\"";
  EXPECT_EQ(
      OtlpTracesJson({publish, apply}, "1.2.3"),
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"termbrain"}},)"
      R"({"key":"service.version","value":{"stringValue":"1.2.3"}}]},"scopeSpans":[{"scope":{"name":"termbrain.sync"},)"
      R"("spans":[{"attributes":[{"key":"messaging.system","value":{"stringValue":"nats"}},)"
      R"({"key":"tb.events","value":{"intValue":"3"}},{"key":"tb.host","value":{"stringValue":"h1"}}],)"
      R"("endTimeUnixNano":"1700000000000001234","kind":4,"name":"sync.publish","spanId":"00f067aa0ba902b7",)"
      R"("startTimeUnixNano":"1700000000000000000","status":{"code":1},"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"},)"
      R"({"attributes":[{"key":"messaging.system","value":{"stringValue":"nats"}}],"endTimeUnixNano":"6","kind":5,)"
      R"("name":"sync.apply","parentSpanId":"00f067aa0ba902b7","spanId":"1111111111111111","startTimeUnixNano":"5",)"
      R"("status":{"code":2,"message":"cannot \"append\""},"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}]}]}]})");
}

}  // namespace
}  // namespace tb
