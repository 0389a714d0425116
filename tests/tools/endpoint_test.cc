#include "tools/endpoint.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/status_assert.h"
#include "tests/tools/fake_health_source.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

using testutil::FakeHealthSource;

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tb_endpoint.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    options_.unix_path = dir_ + "/spool.sock";
    options_.now_ns = [this] { return now_ns_.load(); };
  }
  void TearDown() override {
    if (endpoint_) endpoint_->Stop();
    fs::remove_all(dir_);
  }

  void Start() { ASSERT_OK(Endpoint::Start(options_, &source_, &endpoint_)); }

  httplib::Result Get(const std::string& path) {
    httplib::Client client(options_.unix_path);
    client.set_address_family(AF_UNIX);
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(5, 0);
    return client.Get(path.c_str());
  }

  // A connection that sends nothing: it holds a slot until it is closed.
  int IdleConnection() {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, options_.unix_path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    return fd;
  }

  // Sends `request` on a new connection and reads the answer until the
  // server closes it (or 3 s pass: *closed is then false); *took is the wait.
  std::string Raw(const std::string& request, bool* closed, std::chrono::steady_clock::duration* took) {
    int fd = IdleConnection();
    EXPECT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string answer;
    auto start = std::chrono::steady_clock::now();
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) answer.append(buf, static_cast<size_t>(n));
    *closed = n == 0;
    *took = std::chrono::steady_clock::now() - start;
    ::close(fd);
    return answer;
  }

  bool WaitForConnections(int n) {
    for (int i = 0; i < 2000; ++i) {
      if (endpoint_->connections() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  std::string dir_;
  EndpointOptions options_;
  FakeHealthSource source_{HealthReport{true, 42, 3, 0.25, "", "0.1.0"}};
  std::atomic<int64_t> now_ns_{1'000'000'000};
  std::unique_ptr<Endpoint> endpoint_;
};

TEST_F(EndpointTest, HealthzWhenHealthy) {
  Start();
  auto r = Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(r->body, R"({"status":"ok","store_open":true,"head_seq":42,"spool_backlog":3,"drain_lag_seconds":0.25,)"
                     R"("last_error":null,"version":"0.1.0"})");
}

TEST_F(EndpointTest, HealthzIs503WhenTheStoreCannotBeWrittenAnd200After) {
  Start();
  {
    std::lock_guard<std::mutex> lock(source_.mu);
    source_.report.last_error = "disk full: 0 MiB free on /";
  }
  auto r = Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body,
            R"({"status":"unhealthy","store_open":true,"head_seq":42,"spool_backlog":3,"drain_lag_seconds":0.25,)"
            R"("last_error":"disk full: 0 MiB free on /","version":"0.1.0"})");
  {
    std::lock_guard<std::mutex> lock(source_.mu);
    source_.report.last_error.clear();
  }
  r = Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(EndpointTest, HealthzIs503WhenTheStoreIsNotOpen) {
  source_.report.store_open = false;
  Start();
  auto r = Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body.substr(0, 41), R"({"status":"unhealthy","store_open":false,)");
}

TEST_F(EndpointTest, MetricsAndNotFound) {
  Start();
  auto r = Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r->body, "# HELP tb_up Up.\n# TYPE tb_up gauge\ntb_up 1\n");
  r = Get("/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"error":"not found"})");
}

TEST_F(EndpointTest, SocketIs0600AndRemovedOnStop) {
  ::umask(022);  // even with a permissive umask
  Start();
  struct stat st;
  ASSERT_EQ(::lstat(options_.unix_path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  endpoint_->Stop();
  endpoint_->Stop();  // idempotent
  EXPECT_FALSE(fs::exists(fs::symlink_status(options_.unix_path)));
  EXPECT_FALSE(Get("/healthz"));
  ::umask(077);
}

TEST_F(EndpointTest, StaleSocketIsReplacedAnotherFileIsRefused) {
  Start();
  endpoint_.reset();  // still removes it; make a stale one by hand
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, options_.unix_path.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  Start();
  ASSERT_TRUE(Get("/healthz"));
  endpoint_.reset();

  std::ofstream(options_.unix_path) << "mine";
  Status s = Endpoint::Start(options_, &source_, &endpoint_);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(),
            "endpoint socket (" + options_.unix_path + "): a file that is not a socket is in the way. Remove it");
  std::ifstream in(options_.unix_path);
  std::string kept;
  in >> kept;
  EXPECT_EQ(kept, "mine");
}

TEST_F(EndpointTest, BadPathsAreErrors) {
  options_.unix_path = "/" + std::string(120, 'x');
  Status s = Endpoint::Start(options_, &source_, &endpoint_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options_.unix_path = dir_ + "/missing/dir.sock";
  s = Endpoint::Start(options_, &source_, &endpoint_);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
}

TEST_F(EndpointTest, ExcessConnectionsAreRefusedThenServedAgain) {
  options_.max_connections = 2;
  Start();
  int a = IdleConnection();
  int b = IdleConnection();
  ASSERT_TRUE(WaitForConnections(2));
  auto r = Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  EXPECT_EQ(r->body, R"({"error":"too many connections"})");
  ::close(a);
  ::close(b);
  ASSERT_TRUE(WaitForConnections(0));
  r = Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(EndpointTest, ARefusedConnectionIsClosedAfterItsAnswer) {
  options_.max_connections = 1;
  Start();
  int idle = IdleConnection();
  ASSERT_TRUE(WaitForConnections(1));
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: tb\r\n\r\n";  // keep-alive by default
  bool closed = false;
  std::chrono::steady_clock::duration took{};
  std::string answer = Raw(request, &closed, &took);
  EXPECT_TRUE(closed) << "the server did not close the connection";
  EXPECT_LT(took, std::chrono::milliseconds(1500)) << "closed only when idle";
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << answer;
  EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos) << answer;
  ::close(idle);
}

// A request with a body is answered 405 at once, the body never read (a
// client announcing 1 GiB, or sending chunks without end, costs no memory).
TEST_F(EndpointTest, RequestBodiesAreNeverRead) {
  Start();
  for (const std::string head : {"POST /healthz HTTP/1.1\r\nHost: tb\r\nContent-Length: 1073741824\r\n\r\n",
                                 "PUT /metrics HTTP/1.1\r\nHost: tb\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "1000\r\n"}) {
    bool closed = false;
    std::chrono::steady_clock::duration took{};
    std::string answer = Raw(head, &closed, &took);
    EXPECT_TRUE(closed) << "the server did not close the connection";
    EXPECT_LT(took, std::chrono::milliseconds(1500)) << "waited for the body";
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 405 Method Not Allowed\r\n")) << answer;
    EXPECT_NE(answer.find("Allow: GET, HEAD\r\n"), std::string::npos) << answer;
    EXPECT_TRUE(answer.ends_with(R"({"error":"method not allowed"})")) << answer;
  }
  EXPECT_EQ(Get("/healthz")->status, 200);
}

// cpp-httplib's own bounds: a request line over 8192 bytes is 414, a
// header line over 8192 bytes ends the connection without an answer.
TEST_F(EndpointTest, LongRequestLinesAndHeadersAreRefused) {
  Start();
  auto r = Get("/" + std::string(9000, 'a'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 414);
  httplib::Client client(options_.unix_path);
  client.set_address_family(AF_UNIX);
  client.set_read_timeout(5, 0);
  auto h = client.Get("/healthz", httplib::Headers{{"X-Big", std::string(9000, 'b')}});
  EXPECT_TRUE(!h || h->status == 400) << h->status;
  EXPECT_EQ(Get("/healthz")->status, 200);
}

TEST_F(EndpointTest, RateLimitHitThenRecovered) {
  options_.rate_per_second = 1;
  options_.rate_burst = 2;
  Start();
  EXPECT_EQ(Get("/healthz")->status, 200);
  EXPECT_EQ(Get("/metrics")->status, 200);
  auto r = Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  EXPECT_EQ(r->body, R"({"error":"rate limited"})");
  now_ns_ += 1'000'000'000;  // one token back
  EXPECT_EQ(Get("/healthz")->status, 200);
  EXPECT_EQ(Get("/healthz")->status, 429);
}

TEST_F(EndpointTest, TcpOnLoopback) {
  options_.tcp_port = EndpointOptions::kAnyPort;
  Start();
  ASSERT_GT(endpoint_->tcp_port(), 0);
  httplib::Client client("127.0.0.1", endpoint_->tcp_port());
  auto r = client.Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  // The Unix socket's clients have a bucket of their own.
  EXPECT_EQ(Get("/healthz")->status, 200);
}

TEST_F(EndpointTest, TcpPortInUseIsAnError) {
  int other = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(other, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(other, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(other, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);
  options_.tcp_port = port;
  Status s = Endpoint::Start(options_, &source_, &endpoint_);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "endpoint (127.0.0.1:" + std::to_string(port) +
                             "): cannot bind: Address already in use. Choose another daemon.tcp_port");
  // Nothing was left behind: the socket path is free for the next start.
  EXPECT_FALSE(fs::exists(fs::symlink_status(options_.unix_path)));
  ::close(other);
}

TEST_F(EndpointTest, FetchFromSocket) {
  Start();
  int status = 0;
  std::string body;
  ASSERT_OK(FetchFromSocket(options_.unix_path, "/metrics", &status, &body));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "# HELP tb_up Up.\n# TYPE tb_up gauge\ntb_up 1\n");
  endpoint_->Stop();
  Status s = FetchFromSocket(options_.unix_path, "/metrics", &status, &body);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "no answer from " + options_.unix_path + " (Connection error)");
}

TEST_F(EndpointTest, FunctionHealthSource) {
  uint64_t calls = 0;
  FunctionHealthSource source([&] { return HealthReport{true, ++calls, 0, 0, "", "9"}; }, [] { return "m\n"; });
  std::unique_ptr<Endpoint> endpoint;
  ASSERT_OK(Endpoint::Start(options_, &source, &endpoint));
  int status = 0;
  std::string body;
  ASSERT_OK(FetchFromSocket(options_.unix_path, "/healthz", &status, &body));
  EXPECT_EQ(body, R"({"status":"ok","store_open":true,"head_seq":1,"spool_backlog":0,"drain_lag_seconds":0.0,)"
                  R"("last_error":null,"version":"9"})");
  ASSERT_OK(FetchFromSocket(options_.unix_path, "/metrics", &status, &body));
  EXPECT_EQ(body, "m\n");
}

TEST(RenderHealth, EscapesTheError) {
  HealthReport r{false, 0, 0, 0, "bad \"x\"\n\xff", "0.1.0"};
  EXPECT_EQ(RenderHealth(r),
            R"({"status":"unhealthy","store_open":false,"head_seq":0,"spool_backlog":0,"drain_lag_seconds":0.0,)"
            R"("last_error":"bad \"x\"\n)"
            "\xEF\xBF\xBD"
            R"(","version":"0.1.0"})");
}

}  // namespace
}  // namespace tb
