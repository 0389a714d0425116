// Endpoint: the daemon's health and metrics over HTTP (cpp-httplib), on a
// Unix socket (mode 0600) and optionally on 127.0.0.1:PORT.
//
//   GET /healthz  200 when healthy, else 503; JSON body (RenderHealth):
//                 {"status":"ok","store_open":true,"head_seq":42,
//                  "spool_backlog":0,"drain_lag_seconds":0.012,
//                  "last_error":null,"version":"0.1.0"}
//   GET /metrics  200, the Prometheus text exposition (core/metrics.h),
//                 Content-Type text/plain; version=0.0.4; charset=utf-8
//   any other path 404 {"error":"not found"}
//   any other method 405 {"error":"method not allowed"}, Allow: GET, HEAD;
//                 its body is never read
//
// Limits (config [daemon], docs/operations.md):
//  - at most `max_connections` connections are served at once (the Unix
//    socket and TCP together); a connection beyond them is answered
//    503 {"error":"too many connections"} with Retry-After: 1 and closed;
//  - each client gets a token bucket (tools/rate_limit.h): `rate_burst`
//    requests at once, `rate_per_second` after that; a request beyond it is
//    answered 429 {"error":"rate limited"} with Retry-After: <seconds>.
//    A TCP client is its address. cpp-httplib 0.11.4 gives a request on a
//    Unix socket no peer identity, so the Unix socket's clients (all of
//    them the user: the socket is 0600) share one bucket.
// One request per connection (the answer says Connection: close); a
// connection that sends nothing for 2 s is closed. cpp-httplib bounds the
// request line (8192 bytes, else 414) and each header line (8192 bytes).
//
// Thread safety: Start/Stop from one thread. The HealthSource is called
// from the endpoint's threads, several at once: it must be thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "core/config.h"
#include "core/status.h"

namespace tb {

// What /healthz reports.
struct HealthReport {
  bool store_open = false;       // the daemon's last open of the store for writing succeeded
  uint64_t head_seq = 0;         // last seq in the log
  uint64_t spool_backlog = 0;    // frames waiting in the spool
  double drain_lag_seconds = 0;  // the last drain's lag: its first frame seen -> drained and synced
  std::string last_error;        // the last write's error; "" once a write succeeds again
  std::string version;           // tb's version
  // Healthy: the store is open and the last write succeeded.
  bool healthy() const { return store_open && last_error.empty(); }
};

// The JSON body of /healthz (one line, no trailing newline); "status" is
// "ok" or "unhealthy", "last_error" null when empty.
std::string RenderHealth(const HealthReport& report);

// Where the endpoint gets its figures (the daemon's live state; a fake in
// tests). Called concurrently from the endpoint's threads.
class HealthSource {
 public:
  virtual ~HealthSource() = default;
  virtual HealthReport Health() = 0;
  // The whole exposition for /metrics.
  virtual std::string Metrics() = 0;
};

// A HealthSource of two functions (e.g. the daemon's, reading its live
// state under its own mutex); both must be thread-safe.
class FunctionHealthSource final : public HealthSource {
 public:
  FunctionHealthSource(std::function<HealthReport()> health, std::function<std::string()> metrics)
      : health_(std::move(health)), metrics_(std::move(metrics)) {}
  HealthReport Health() override { return health_(); }
  std::string Metrics() override { return metrics_(); }

 private:
  std::function<HealthReport()> health_;
  std::function<std::string()> metrics_;
};

struct EndpointOptions {
  // The Unix socket (the daemon's: Context::SpoolDir() + ".sock"). An
  // existing socket there (left by a daemon that died) is replaced; any
  // other kind of file is an error.
  std::string unix_path;
  // Also 127.0.0.1:tcp_port; 0 = no TCP; kAnyPort = a free port (tests).
  int tcp_port = 0;
  static constexpr int kAnyPort = -1;
  int max_connections = 8;
  int rate_per_second = 20;
  int rate_burst = 40;
  // Monotonic clock for the rate limit, ns; null = steady_clock.
  std::function<int64_t()> now_ns;

  // The limits and port from config [daemon].
  static EndpointOptions FromConfig(const Config& config, std::string unix_path);
};

class Endpoint {
 public:
  // Binds the socket(s) and starts serving on background threads.
  // InvalidArgument: unix_path empty or longer than a socket address holds
  // (107 bytes). IOError: the path is taken by something that is not a
  // socket, or a bind/listen failed (the message names the address).
  // `source` must outlive the Endpoint.
  static Status Start(const EndpointOptions& options, HealthSource* source, std::unique_ptr<Endpoint>* out);
  // Stops serving, joins the threads and removes the Unix socket. Idempotent.
  void Stop();
  virtual ~Endpoint() = default;

  // The TCP port actually bound (0 when none).
  virtual int tcp_port() const = 0;
  // Connections being served now (tests wait on it).
  virtual int connections() const = 0;

 protected:
  virtual void StopImpl() = 0;
};

// A client of the endpoint's Unix socket: GET `path` (1 s to connect, 2 s to
// read). IOError "no answer from SOCKET (WHAT error)" when nothing answers
// (WHAT: cpp-httplib's name of the failure, e.g. Connection); else OK
// with the HTTP status and body.
Status FetchFromSocket(const std::string& socket_path, const std::string& path, int* status, std::string* body);

}  // namespace tb
