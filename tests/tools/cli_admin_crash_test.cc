// Crash consistency of the administrative commands: a real `tb backup
// create`, `tb backup restore`, `tb rollback` or `tb retention apply` is
// SIGKILLed at a random moment; the store must then open, its log verify
// and its views equal a fresh replay (tb log verify, tb views verify), and
// its history be either the state before or after the operation.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <thread>

#include "storage/store.h"
#include "tests/tools/kill_fixture.h"

namespace tb::testing {
namespace {

using namespace std::chrono_literals;

class CliAdminCrashFault : public KillTest {
 protected:
  // Runs tb args and SIGKILLs it after `delay` unless it finished first.
  void RunAndKill(const std::vector<std::string>& args, const EnvVars& extra, std::chrono::milliseconds delay) {
    if (KillTest::RunAndKill(args, extra, SIGKILL, delay)) ++killed_;
  }
  int killed_ = 0;  // runs that were killed before they finished
};

TEST_F(CliAdminCrashFault, KilledBackupRestoreRollbackAndRetentionLeaveAHealthyStore) {
  Populate(20000, 1'700'000'000'000'000'000LL);
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
  std::mt19937 rng(0x5eed);
  auto delay = [&] { return std::chrono::milliseconds(rng() % 400); };
  for (int i = 0; i < 4; ++i) {
    RunAndKill({"backup", "create"}, {}, delay());
    ExpectHealthy("backup create #" + std::to_string(i));
    RunResult r = Tb({"backup", "verify", "1"});
    EXPECT_EXIT_CODE(r, 0);
  }
  // A later backup still works after killed ones.
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
  for (int i = 0; i < 4; ++i) {
    RunAndKill({"backup", "restore", "1", "--yes"}, {}, delay());
    ExpectHealthy("backup restore #" + std::to_string(i));
  }
  for (int i = 0; i < 4; ++i) {
    uint64_t head = Head();
    ASSERT_GT(head, 2000u);
    RunAndKill({"rollback", "--to", std::to_string(head - 1000), "--yes"}, {}, delay());
    ExpectHealthy("rollback #" + std::to_string(i));
    uint64_t after = Head();
    EXPECT_TRUE(after == head || after == head - 1000 || after == head - 999) << head << " -> " << after;
  }
  for (int i = 0; i < 4; ++i) {
    uint64_t keep = 15000 - static_cast<uint64_t>(i) * 2000;
    RunAndKill({"retention", "apply"}, {{"TERMBRAIN_RETENTION_MAX_EVENTS", std::to_string(keep)}}, delay());
    ExpectHealthy("retention #" + std::to_string(i));
  }
  // Most runs must really have been interrupted (else the test proves little).
  EXPECT_GE(killed_, 8) << "only " << killed_ << " of 16 runs were killed before finishing";
  // And the store still takes writes.
  Record("still alive");
  ExpectHealthy("final");
}

}  // namespace
}  // namespace tb::testing
