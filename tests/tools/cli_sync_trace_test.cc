// Tracing of sync through the real binary, a real nats-server and a local
// OTLP/HTTP receiver: the W3C trace context travels in the message headers
// from the publishing host to the host that appends; both log their spans
// with the trace and span ids and export them as OTLP JSON; an export that
// fails is a warning, never a failed sync.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/tools/cli_sync_fixture.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;

// An OTLP/HTTP collector on 127.0.0.1 that keeps the body of every request
// to /v1/traces and answers `status`.
class Receiver {
 public:
  explicit Receiver(int status = 200) {
    server_.Post("/v1/traces", [this, status](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(req.body);
      content_types_.push_back(req.get_header_value("Content-Type"));
      res.status = status;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard<std::mutex> lock(mu_);
    return content_types_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_, content_types_;
};

// The spans of an OTLP request (one resource, one scope, as tb sends).
Json SpansOf(const std::string& body) {
  Json j = Json::parse(body);
  EXPECT_EQ(j["resourceSpans"].size(), 1u) << body;
  const Json& rs = j["resourceSpans"][0];
  EXPECT_EQ(rs["resource"]["attributes"][0],
            Json::parse(R"({"key":"service.name","value":{"stringValue":"termbrain"}})"));
  EXPECT_EQ(rs["scopeSpans"][0]["scope"]["name"], "termbrain.sync");
  return rs["scopeSpans"][0]["spans"];
}

// The value of attribute `key` of `span`, as its JSON value object.
Json Attr(const Json& span, const std::string& key) {
  for (const Json& a : span["attributes"]) {
    if (a["key"] == key) return a["value"];
  }
  return nullptr;
}

// The lines of `host`'s JSON log that carry a trace.
std::vector<Json> TracedLogLines(const std::string& dir) {
  std::vector<Json> out;
  for (const std::string& line : SplitLines(ReadFile(dir + "/logs/tb.log.jsonl"))) {
    Json j = Json::parse(line);
    if (j.contains("trace_id")) out.push_back(j);
  }
  return out;
}

class CliSyncTrace : public CliSync {
 protected:
  void Traced(const std::string& endpoint) {
    env_ = {{"TERMBRAIN_SYNC_OTLP_ENDPOINT", endpoint}, {"TERMBRAIN_LOG_LEVEL", "info"}};
  }
  // A has a key and one command, B has A's key.
  void TwoHosts() {
    ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
    RecordOn("A", "make build-marker");
    Join("B");
  }
};

TEST_F(CliSyncTrace, TraceContextTravelsFromPublishToTheRemoteAppend) {
  Receiver receiver;
  Traced(receiver.url());
  TwoHosts();
  EXPECT_EQ(SyncNow("A"), "published 1 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(SyncNow("B"), "published 0 event(s); received 1 event(s) (0 already here, 0 record(s) forgotten)\n");

  const std::vector<std::string> bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(receiver.content_types(), (std::vector<std::string>{"application/json", "application/json"}));
  const Json published = SpansOf(bodies[0]);
  const Json applied = SpansOf(bodies[1]);
  ASSERT_EQ(published.size(), 1u) << bodies[0];
  ASSERT_EQ(applied.size(), 1u) << bodies[1];
  const Json& p = published[0];
  const Json& a = applied[0];
  EXPECT_EQ(p["name"], "sync.publish");
  EXPECT_EQ(p["kind"], 4);
  EXPECT_FALSE(p.contains("parentSpanId"));
  EXPECT_EQ(p["status"], Json::parse(R"({"code":1})"));
  EXPECT_EQ(Attr(p, "tb.events"), Json::parse(R"({"intValue":"1"})"));
  EXPECT_EQ(a["name"], "sync.apply");
  EXPECT_EQ(a["kind"], 5);
  // One trace: B's span is the child of A's.
  EXPECT_EQ(a["traceId"], p["traceId"]);
  EXPECT_EQ(a["parentSpanId"], p["spanId"]);
  EXPECT_NE(a["spanId"], p["spanId"]);
  EXPECT_EQ(p["traceId"].get<std::string>().size(), 32u);
  EXPECT_EQ(p["spanId"].get<std::string>().size(), 16u);
  EXPECT_EQ(Attr(a, "tb.events"), Json::parse(R"({"intValue":"1"})"));
  EXPECT_EQ(Attr(a, "tb.origin_host"), Attr(p, "tb.host"));
  EXPECT_NE(Attr(a, "tb.host"), Attr(p, "tb.host"));
  EXPECT_LE(std::stoll(p["startTimeUnixNano"].get<std::string>()), std::stoll(p["endTimeUnixNano"].get<std::string>()));

  // Both hosts logged their span with its ids.
  std::vector<Json> logged_a = TracedLogLines(Dir("A")), logged_b = TracedLogLines(Dir("B"));
  ASSERT_EQ(logged_a.size(), 1u);
  ASSERT_EQ(logged_b.size(), 1u);
  EXPECT_EQ(logged_a[0]["trace_id"], p["traceId"]);
  EXPECT_EQ(logged_a[0]["span_id"], p["spanId"]);
  EXPECT_TRUE(logged_a[0]["msg"].get<std::string>().starts_with("sync: span sync.publish ")) << logged_a[0];
  EXPECT_EQ(logged_b[0]["trace_id"], p["traceId"]);
  EXPECT_EQ(logged_b[0]["span_id"], a["spanId"]);

  // Spans say nothing of what was recorded.
  for (const std::string& b : bodies) {
    EXPECT_EQ(b.find("build-marker"), std::string::npos);
    EXPECT_EQ(b.find("/work/A"), std::string::npos);
  }
}

TEST_F(CliSyncTrace, AnExportThatFailsIsAWarningAndTheSyncStands) {
  int closed_port = 0;
  {
    Receiver gone;
    closed_port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
  }
  Traced("http://127.0.0.1:" + std::to_string(closed_port));
  TwoHosts();
  RunResult r = On("A", {"sync", "now"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "published 1 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(r.err, "tb: warning: cannot export traces: http://127.0.0.1:" + std::to_string(closed_port) +
                       "/v1/traces: cannot connect\n");

  Receiver refusing(500);
  Traced(refusing.url());
  r = On("B", {"sync", "now"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "published 0 event(s); received 1 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(r.err, "tb: warning: cannot export traces: " + refusing.url() + "/v1/traces answered HTTP 500\n");
  EXPECT_EQ(refusing.bodies().size(), 1u);
}

TEST_F(CliSyncTrace, WithoutAnEndpointNothingIsSentAndSpansAreLogged) {
  env_ = {{"TERMBRAIN_LOG_LEVEL", "info"}};
  TwoHosts();
  SyncNow("A");
  SyncNow("B");
  EXPECT_EQ(TracedLogLines(Dir("A")).size(), 1u);
  EXPECT_EQ(TracedLogLines(Dir("B")).size(), 1u);
}

TEST_F(CliSyncTrace, AnEndpointThatIsNoPlainHttpUrlIsRefused) {
  for (const auto& [value, why] : std::vector<std::pair<std::string, std::string>>{
           {"collector:4318", "is not an http:// or https:// URL with a host"},
           {"http://:4318", "is not an http:// or https:// URL with a host"},
           {"http://collector:4318/", "ends with '/': give the base URL, tb appends /v1/traces"}}) {
    Traced(value);
    RunResult r = On("A", {"sync", "status"});
    EXPECT_EXIT_CODE(r, 2);
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace tb::testing
