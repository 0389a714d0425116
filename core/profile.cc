#include "core/profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace tb {
namespace {

PhaseProfile* g_current = nullptr;

std::string Row(std::string_view name, int64_t ns, int64_t total_ns) {
  char buf[96];
  double pct = total_ns > 0 ? 100.0 * static_cast<double>(ns) / static_cast<double>(total_ns) : 0;
  std::snprintf(buf, sizeof buf, "  %-15.*s %8.2f ms %6.1f %%\n", static_cast<int>(name.size()), name.data(),
                static_cast<double>(ns) / 1e6, pct);
  return buf;
}

}  // namespace

PhaseProfile::PhaseProfile(std::function<int64_t()> now_ns) : now_ns_(std::move(now_ns)) { mark_ = Now(); }

int64_t PhaseProfile::Now() const {
  if (now_ns_) return now_ns_();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void PhaseProfile::Charge(int64_t now) {
  if (!stack_.empty()) Add(stack_.back(), now - mark_);
  mark_ = now;
}

void PhaseProfile::Begin(std::string_view phase) {
  Charge(Now());
  stack_.emplace_back(phase);
  Add(phase, 0);  // listed in the order first entered
}

void PhaseProfile::End() {
  if (stack_.empty()) return;
  Charge(Now());
  stack_.pop_back();
}

void PhaseProfile::Switch(std::string_view from, std::string_view to) {
  if (stack_.empty() || stack_.back() != from) return;
  End();
  Begin(to);
}

void PhaseProfile::Add(std::string_view phase, int64_t ns) {
  for (auto& [name, total] : totals_) {
    if (name == phase) {
      total += ns;
      return;
    }
  }
  totals_.emplace_back(std::string(phase), ns);
}

int64_t PhaseProfile::Exclusive(std::string_view phase) const {
  for (const auto& [name, total] : totals_) {
    if (name == phase) return total;
  }
  return 0;
}

std::string PhaseProfile::Render(int64_t total_ns) const {
  char head[64];
  std::snprintf(head, sizeof head, "tb: profile: %.2f ms\n", static_cast<double>(total_ns) / 1e6);
  std::string out = head;
  int64_t listed = 0;
  for (std::string_view p : kPhases) {
    out += Row(p, Exclusive(p), total_ns);
    listed += Exclusive(p);
  }
  for (const auto& [name, ns] : totals_) {
    if (std::find(kPhases.begin(), kPhases.end(), name) != kPhases.end()) continue;
    out += Row(name, ns, total_ns);
    listed += ns;
  }
  return out + Row("other", std::max<int64_t>(0, total_ns - listed), total_ns);
}

PhaseProfile* PhaseProfile::Current() { return g_current; }

void PhaseProfile::SetCurrent(PhaseProfile* profile) { g_current = profile; }

ScopedPhase::ScopedPhase(std::string_view phase) : profile_(PhaseProfile::Current()) {
  if (profile_ != nullptr) profile_->Begin(phase);
}

ScopedPhase::~ScopedPhase() {
  if (profile_ != nullptr) profile_->End();
}

}  // namespace tb
