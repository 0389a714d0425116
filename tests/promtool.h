// PromtoolCheck: runs `promtool check metrics` (Debian's prometheus package,
// installed by scripts/deps.sh --test) on an exposition, for the tests of
// the Prometheus text format (core/metrics.h, `tb metrics`).
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "tests/tools/run_tb.h"

namespace tb::testing {

// Success when promtool accepts `exposition` with no lint problem; the
// failure message carries promtool's output.
inline ::testing::AssertionResult PromtoolCheck(const std::string& exposition) {
  RunOptions options;
  options.env = {{"PATH", "/usr/bin:/bin"}};
  options.stdin_data = exposition;
  RunResult r = RunProcess({"/usr/bin/promtool", "check", "metrics"}, options);
  if (r.spawn_failed) return ::testing::AssertionFailure() << "promtool not found: run scripts/deps.sh --test";
  if (r.exit_code == 0 && r.out.empty() && r.err.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "promtool check metrics: " << r.Describe() << "\n" << exposition;
}

}  // namespace tb::testing
