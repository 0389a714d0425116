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
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

using namespace std::chrono_literals;

class CliAdminCrash : public CliTest {
 protected:
  // Appends `n` recorded commands through the storage API (fast).
  void Populate(int n, int64_t start_ns) {
    StoreOptions o;
    o.data_dir = data_dir();
    o.access = StoreOptions::Access::kReadWrite;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(o, &store).ok());
    std::vector<Event> batch;
    for (int i = 0; i < n; ++i) {
      Event ev;
      ev.kind = EventKind::kRecorded;
      ev.time_ns = start_ns + static_cast<int64_t>(i) * 1'000'000'000LL;
      ev.command = "command number " + std::to_string(i % 997) + " --flag";
      ev.cwd = "/home/u/p" + std::to_string(i % 13);
      ev.session = "s" + std::to_string(i % 5);
      ev.host = "h";
      ev.user = "u";
      ev.exit_code = i % 7 == 0 ? 1 : 0;
      ev.duration_ns = 1000;
      batch.push_back(ev);
      if (batch.size() == 2000) {
        ASSERT_TRUE(store->Append(batch, false).ok());
        batch.clear();
      }
    }
    if (!batch.empty()) {
      ASSERT_TRUE(store->Append(batch, true).ok());
    }
  }

  // Runs tb args and kills it after `delay` unless it finished first.
  void RunAndKill(const std::vector<std::string>& args, const EnvVars& extra, std::chrono::milliseconds delay) {
    std::vector<std::string> argv = {TbBinary(), "--data-dir", data_dir()};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions o;
    o.env = BaseEnv();
    for (const auto& e : extra) o.env.push_back(e);
    Child c;
    ASSERT_TRUE(c.Start(argv, o));
    std::this_thread::sleep_for(delay);
    ::kill(c.pid(), SIGKILL);
    if (c.Finish(5000ms) == 128 + SIGKILL) ++killed_;
  }
  int killed_ = 0;  // runs that were killed before they finished

  void ExpectHealthy(const std::string& what) {
    RunResult r = Tb({"log", "verify"});
    EXPECT_EXIT_CODE(r, 0) << what;
    r = Tb({"views", "verify"});
    EXPECT_EXIT_CODE(r, 0) << what;
  }

  uint64_t Head() {
    RunResult r = Tb({"status", "--format", "json"});
    size_t at = r.out.find("\"head_seq\": ");
    return at == std::string::npos ? 0 : std::stoull(r.out.substr(at + 12));
  }
};

TEST_F(CliAdminCrash, KilledBackupRestoreRollbackAndRetentionLeaveAHealthyStore) {
  Populate(30000, 1'700'000'000'000'000'000LL);
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
    RunAndKill({"backup", "restore", "1"}, {}, delay());
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
    uint64_t keep = 25000 - static_cast<uint64_t>(i) * 3000;
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
