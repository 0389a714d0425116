// FakeHealthSource: a HealthSource (tools/endpoint.h) whose report a test
// sets (under `mu`), and a one-gauge exposition.
#pragma once

#include <mutex>
#include <string>

#include "tools/endpoint.h"

namespace tb::testutil {

class FakeHealthSource final : public HealthSource {
 public:
  explicit FakeHealthSource(HealthReport r) : report(std::move(r)) {}
  HealthReport Health() override {
    std::lock_guard<std::mutex> lock(mu);
    return report;
  }
  std::string Metrics() override { return "# HELP tb_up Up.\n# TYPE tb_up gauge\ntb_up 1\n"; }

  std::mutex mu;
  HealthReport report;
};

}  // namespace tb::testutil
