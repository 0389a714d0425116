#include "tools/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace tb {

RateLimiter::RateLimiter(int per_second, int burst, size_t max_clients)
    : per_second_(std::max(per_second, 1)), burst_(std::max(burst, 1)), max_clients_(max_clients) {}

void RateLimiter::Refill(Bucket* b, int64_t now_ns) const {
  if (now_ns <= b->at_ns) return;
  b->tokens = std::min(burst_, b->tokens + static_cast<double>(now_ns - b->at_ns) * 1e-9 * per_second_);
  b->at_ns = now_ns;
}

void RateLimiter::Prune(int64_t now_ns) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(&it->second, now_ns);
    it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
  }
}

bool RateLimiter::Allow(const std::string& client, int64_t now_ns, int64_t* retry_after_s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) Prune(now_ns);
    it = buckets_.emplace(client, Bucket{burst_, now_ns}).first;
  }
  Bucket& b = it->second;
  Refill(&b, now_ns);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  if (retry_after_s != nullptr) {
    *retry_after_s = std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - b.tokens) / per_second_)));
  }
  return false;
}

}  // namespace tb
