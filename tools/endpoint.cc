#include "tools/endpoint.h"

#include <httplib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "tools/rate_limit.h"

namespace tb {
namespace {

constexpr int kIdleSeconds = 2;

// Set on the thread serving a connection beyond max_connections: every
// request on it is answered 503 (the pre-routing handler reads it).
thread_local bool tl_refused = false;

// Connections being served, shared by the Unix and TCP servers.
struct Gate {
  const int max;
  std::atomic<int> in_flight{0};
};

// cpp-httplib hands each accepted connection to a TaskQueue as a job that
// serves and closes it. This one runs up to `max` of them on its workers
// and hands the rest to one refusing thread (a refused job still has to
// run: it is what closes the socket). Jobs are never dropped.
class GatedQueue final : public httplib::TaskQueue {
 public:
  explicit GatedQueue(Gate* gate) : gate_(gate) {
    for (int i = 0; i < gate->max; ++i) threads_.emplace_back([this] { Work(&jobs_, false); });
    threads_.emplace_back([this] { Work(&refusals_, true); });
  }

  void enqueue(std::function<void()> fn) override {
    bool admit = gate_->in_flight.fetch_add(1) < gate_->max;
    if (!admit) gate_->in_flight.fetch_sub(1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      (admit ? jobs_ : refusals_).push_back(std::move(fn));
    }
    cv_.notify_all();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Work(std::deque<std::function<void()>>* queue, bool refusing) {
    tl_refused = refusing;
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !queue->empty() || shutdown_; });
        if (queue->empty()) return;  // shut down, nothing left
        fn = std::move(queue->front());
        queue->pop_front();
      }
      fn();
      if (!refusing) gate_->in_flight.fetch_sub(1);
    }
  }

  Gate* gate_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_, refusals_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

void JsonError(httplib::Response& res, int status, const std::string& what, int64_t retry_after_s) {
  res.status = status;
  res.set_header("Retry-After", std::to_string(retry_after_s));
  res.set_content(nlohmann::json{{"error", what}}.dump(), "application/json");
}

class EndpointImpl final : public Endpoint {
 public:
  EndpointImpl(const EndpointOptions& options, HealthSource* source)
      : options_(options),
        source_(source),
        gate_{std::max(options.max_connections, 1)},
        limiter_(options.rate_per_second, options.rate_burst) {}
  ~EndpointImpl() override { StopImpl(); }

  Status Bind();
  int tcp_port() const override { return tcp_port_; }
  int connections() const override { return gate_.in_flight.load(); }

 protected:
  void StopImpl() override;

 private:
  std::unique_ptr<httplib::Server> NewServer();
  Status BindUnix(httplib::Server* server);
  // Serves `server` (bound) on a new thread; returns once it accepts.
  void Listen(httplib::Server* server);
  httplib::Server::HandlerResponse Admit(const httplib::Request& req, httplib::Response& res);
  int64_t Now() const;

  EndpointOptions options_;
  HealthSource* source_;
  Gate gate_;
  RateLimiter limiter_;
  std::vector<std::unique_ptr<httplib::Server>> servers_;
  std::vector<std::thread> threads_;
  int tcp_port_ = 0;
  bool unix_bound_ = false;
};

int64_t EndpointImpl::Now() const {
  if (options_.now_ns) return options_.now_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

httplib::Server::HandlerResponse EndpointImpl::Admit(const httplib::Request& req, httplib::Response& res) {
  if (tl_refused) {
    JsonError(res, 503, "too many connections", 1);
    return httplib::Server::HandlerResponse::Handled;
  }
  // Only GET and HEAD are served, so no request body is ever read:
  // cpp-httplib 0.11.4 would read a body (chunked, or up to EOF) into
  // memory before routing, without a bound.
  if (req.method != "GET" && req.method != "HEAD") {
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
    res.set_content(R"({"error":"method not allowed"})", "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }
  int64_t retry_after = 0;
  const std::string client = req.remote_addr.empty() ? "unix" : req.remote_addr;
  if (!limiter_.Allow(client, Now(), &retry_after)) {
    JsonError(res, 429, "rate limited", retry_after);
    return httplib::Server::HandlerResponse::Handled;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

std::unique_ptr<httplib::Server> EndpointImpl::NewServer() {
  auto server = std::make_unique<httplib::Server>();
  server->new_task_queue = [this] { return new GatedQueue(&gate_); };
  server->set_read_timeout(kIdleSeconds, 0);
  server->set_write_timeout(kIdleSeconds, 0);
  // One request per connection: a connection never sits idle in a slot
  // (max_connections counts connections), and a refused one is closed right
  // after its 503 (cpp-httplib 0.11.4 ignores a handler's Connection: close).
  server->set_keep_alive_max_count(1);
  server->set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return Admit(req, res); });
  server->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    HealthReport report = source_->Health();
    res.status = report.healthy() ? 200 : 503;
    res.set_content(RenderHealth(report), "application/json");
  });
  server->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(source_->Metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) res.set_content(R"({"error":"not found"})", "application/json");
  });
  return server;
}

Status EndpointImpl::BindUnix(httplib::Server* server) {
  const std::string& path = options_.unix_path;
  if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path)) {
    return Status::InvalidArgument("endpoint socket path (" + path + ") must be 1 to " +
                                   std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return Status::IOError("endpoint socket (" + path + "): a file that is not a socket is in the way. Remove it");
    ::unlink(path.c_str());  // left by a daemon that died
  }
  server->set_address_family(AF_UNIX);
  // The port is unused for AF_UNIX, but must not be 0: cpp-httplib would
  // then ask the socket which port it got, which fails for a Unix socket.
  if (!server->bind_to_port(path, 1)) {
    return Status::IOError("endpoint socket (" + path + "): cannot bind: " + std::strerror(errno));
  }
  unix_bound_ = true;
  if (::chmod(path.c_str(), 0600) != 0) {
    return Status::IOError("endpoint socket (" + path + "): cannot make it 0600: " + std::strerror(errno));
  }
  return Status::OK();
}

Status EndpointImpl::Bind() {
  servers_.push_back(NewServer());
  TB_RETURN_IF_ERROR(BindUnix(servers_.back().get()));
  Listen(servers_.back().get());  // serving before the TCP bind: a failure there stops it cleanly
  if (options_.tcp_port == 0) return Status::OK();
  servers_.push_back(NewServer());
  httplib::Server* tcp = servers_.back().get();
  if (options_.tcp_port == EndpointOptions::kAnyPort) {
    tcp_port_ = tcp->bind_to_any_port("127.0.0.1");
  } else if (tcp->bind_to_port("127.0.0.1", options_.tcp_port)) {
    tcp_port_ = options_.tcp_port;
  }
  if (tcp_port_ <= 0) {
    tcp_port_ = 0;
    Status s = Status::IOError("endpoint (127.0.0.1:" + std::to_string(options_.tcp_port) +
                               "): cannot bind: " + std::strerror(errno) + ". Choose another daemon.tcp_port");
    servers_.pop_back();
    return s;
  }
  Listen(tcp);
  return Status::OK();
}

void EndpointImpl::Listen(httplib::Server* server) {
  threads_.emplace_back([server] { server->listen_after_bind(); });
  while (!server->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void EndpointImpl::StopImpl() {
  for (auto& s : servers_) s->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  servers_.clear();
  if (unix_bound_) ::unlink(options_.unix_path.c_str());
  unix_bound_ = false;
}

}  // namespace

std::string RenderHealth(const HealthReport& r) {
  nlohmann::ordered_json j;
  j["status"] = r.healthy() ? "ok" : "unhealthy";
  j["store_open"] = r.store_open;
  j["head_seq"] = r.head_seq;
  j["spool_backlog"] = r.spool_backlog;
  j["drain_lag_seconds"] = r.drain_lag_seconds;
  j["last_error"] = r.last_error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.last_error);
  j["version"] = r.version;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

EndpointOptions EndpointOptions::FromConfig(const Config& config, std::string unix_path) {
  EndpointOptions o;
  o.unix_path = std::move(unix_path);
  o.tcp_port = config.daemon.tcp_port;
  o.max_connections = config.daemon.max_connections;
  o.rate_per_second = config.daemon.rate_per_second;
  o.rate_burst = config.daemon.rate_burst;
  return o;
}

Status Endpoint::Start(const EndpointOptions& options, HealthSource* source, std::unique_ptr<Endpoint>* out) {
  auto impl = std::make_unique<EndpointImpl>(options, source);
  Status s = impl->Bind();
  if (!s.ok()) return s;  // the destructor stops what did start
  *out = std::move(impl);
  return Status::OK();
}

void Endpoint::Stop() { StopImpl(); }

Status FetchFromSocket(const std::string& socket_path, const std::string& path, int* status, std::string* body) {
  httplib::Client client(socket_path);
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  httplib::Result r = client.Get(path.c_str());
  if (!r) return Status::IOError("no answer from " + socket_path + " (" + httplib::to_string(r.error()) + " error)");
  *status = r->status;
  *body = r->body;
  return Status::OK();
}

}  // namespace tb
