// Shared fixture of the kill tests (tests/tools/cli_*_kill_test.cc): a real
// `tb` is started, killed by a signal after a random delay, and the next `tb`
// command must find a healthy store in either the state before or the state
// after the interrupted command.
//
// Suites built on it carry "Fault" in their names so they can be selected
// (or skipped) as a group: --gtest_filter='*Fault*'.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {

class KillTest : public CliTest {
 protected:
  // Appends `n` recorded commands ("command number <i % 997> --flag" ...)
  // through the storage API (fast), the first at `start_ns`, one second
  // apart, plus `extra` (whole command texts) at the end.
  void Populate(int n, int64_t start_ns, const std::vector<std::string>& extra = {});
  // Appends commands with the given texts, after everything else in time.
  void Append(const std::vector<std::string>& commands) { Populate(0, NextTime(), commands); }
  int64_t NextTime() const { return next_time_ns_; }

  // Runs `tb args` (with `extra` added to the environment), sends `sig`
  // after `delay` and reaps it. True when the signal ended it (false: it had
  // already finished; its exit status is checked then).
  // `dir`: another data dir than data_dir().
  bool RunAndKill(const std::vector<std::string>& args, const EnvVars& extra, int sig, std::chrono::milliseconds delay,
                  const std::string& dir = "");
  // Wall time of `tb args` run to completion (asserts exit 0).
  std::chrono::milliseconds TimeRun(const std::vector<std::string>& args, const EnvVars& extra = {});

  // A signal among SIGKILL, SIGTERM, SIGINT and SIGHUP.
  static int RandomSignal(std::mt19937& rng);
  static std::string SignalName(int sig);

  // `tb log verify` and `tb views verify` pass.
  void ExpectHealthy(const std::string& what);
  // `tb history --format ndjson` (asserts exit 0), one record per line.
  std::vector<std::string> History();
  uint64_t Head();

  // The files under the data dir that hold a needle: raw bytes of
  // every file, and for RocksDB table files also their decoded keys and
  // values (a bottom-level file is zstd-compressed, where a text need not
  // appear as raw bytes).
  // One pass over the files for all `needles`: "<path>: <needle>" per hit.
  std::vector<std::string> FilesHolding(const std::vector<std::string>& needles);

 private:
  int64_t next_time_ns_ = 1'700'000'000'000'000'000LL;
};

// `lines` without those containing `needle`.
std::vector<std::string> Without(const std::vector<std::string>& lines, const std::string& needle);
// The "seq" of an ndjson history record (0 when absent).
uint64_t SeqOf(const std::string& ndjson_line);

}  // namespace tb::testing
