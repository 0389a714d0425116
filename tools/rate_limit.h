// RateLimiter: a token bucket per client, for the daemon's endpoint
// (tools/endpoint.h). Each client starts with `burst` tokens; a request
// takes one; tokens come back at `per_second` up to `burst`. A request that
// finds no token is refused, with the seconds until the next token.
//
// Clients are strings (an address); buckets that are full again are
// forgotten once more than `max_clients` are tracked, so memory stays
// bounded whoever connects.
// Thread safety: every member may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace tb {

class RateLimiter {
 public:
  // per_second >= 1, burst >= 1.
  RateLimiter(int per_second, int burst, size_t max_clients = 1024);

  // True when `client` may make a request at `now_ns` (a monotonic clock,
  // ns). Otherwise false, and *retry_after_s (may be null) is the whole
  // number of seconds, at least 1, after which a token is back.
  bool Allow(const std::string& client, int64_t now_ns, int64_t* retry_after_s);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_ns = 0;
  };
  void Refill(Bucket* b, int64_t now_ns) const;
  void Prune(int64_t now_ns);

  const double per_second_;
  const double burst_;
  const size_t max_clients_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace tb
