// Rollback, retention and restore killed at many random points: a real
// `tb rollback`, `tb retention apply`, `tb backup restore` or `tb snapshot
// restore` gets SIGKILL, SIGTERM, SIGINT or SIGHUP after a random delay
// within its measured duration; the next `tb` command must open the store,
// `tb log verify` and `tb views verify` pass, and the history be exactly the
// state before or exactly the state after the operation.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>

#include "tests/tools/kill_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class AdminKillFault : public KillTest {
 protected:
  // Kills `args` at a random point of `full`, runs the next command and
  // checks the store is healthy and exactly `before` or `after`.
  void KillAndCheck(const std::vector<std::string>& args, const EnvVars& env, std::chrono::milliseconds full,
                    const std::vector<std::string>& before, const std::vector<std::string>& after,
                    const std::string& label) {
    const int sig = RandomSignal(rng_);
    const auto delay = std::chrono::milliseconds(rng_() % static_cast<uint64_t>(full.count() + 1));
    const std::string what = label + " (" + SignalName(sig) + " after " + std::to_string(delay.count()) + " ms of " +
                             std::to_string(full.count()) + ")";
    killed_ += RunAndKill(args, env, sig, delay);
    ASSERT_EXIT_CODE(Tb({"history", "-n", "1"}), 0) << what;
    std::vector<std::string> now = History();
    EXPECT_TRUE(now == before || now == after)
        << what << ": " << now.size() << " records; before " << before.size() << ", after " << after.size();
    after_ += now == after && now != before;
    ExpectHealthy(what);
  }

  // The search index lists nothing that history does not.
  void ExpectSearchWithinHistory(const std::string& what) {
    RunResult r = Tb({"search", "command", "-n", "100000", "--format", "ndjson"});
    ASSERT_EXIT_CODE(r, 0) << what;
    std::set<uint64_t> seqs;
    for (const auto& l : History()) seqs.insert(SeqOf(l));
    for (const auto& l : SplitLines(r.out)) {
      EXPECT_TRUE(seqs.count(SeqOf(l))) << what << ": search lists a removed record: " << l;
      if (::testing::Test::HasFailure()) return;
    }
  }

  // No half-built database or snapshot is left once a writable command ran.
  void ExpectNoLeftovers() {
    Append({"echo a writable open"});
    std::error_code ec;
    EXPECT_FALSE(fs::exists(data_dir() + "/db.incoming", ec));
    for (const auto& e : fs::directory_iterator(data_dir() + "/snapshots", ec)) {
      EXPECT_FALSE(e.path().filename().string().starts_with(".")) << e.path();
    }
  }

  void ExpectMostKilled(int runs) {
    EXPECT_GE(killed_, runs / 2) << "only " << killed_ << " of " << runs << " runs were interrupted";
    EXPECT_GE(after_, 1) << "no run reached the after state";
  }

  std::mt19937 rng_{0xad017};
  int killed_ = 0;
  int after_ = 0;
};

std::vector<std::string> UpToSeq(const std::vector<std::string>& lines, uint64_t seq) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (SeqOf(l) <= seq) out.push_back(l);
  }
  return out;
}

std::vector<std::string> AfterSeq(const std::vector<std::string>& lines, uint64_t seq) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (SeqOf(l) > seq) out.push_back(l);
  }
  return out;
}

std::vector<std::string> Batch(const std::string& tag, int n) {
  std::vector<std::string> out;
  for (int j = 0; j < n; ++j) out.push_back("echo " + tag + " " + std::to_string(j));
  return out;
}

constexpr int kRuns = 10;

TEST_F(AdminKillFault, RollbackIsAllOrNothing) {
  Populate(2000, 1'700'000'000'000'000'000LL);
  Append(Batch("calibrate", 300));
  std::chrono::milliseconds full = TimeRun({"rollback", "--to", std::to_string(Head() - 200), "--yes"});
  for (int i = 0; i < kRuns; ++i) {
    Append(Batch("rollback" + std::to_string(i), 300));
    const uint64_t to = Head() - 200;
    const std::vector<std::string> before = History();
    KillAndCheck({"rollback", "--to", std::to_string(to), "--yes"}, {}, full, before, UpToSeq(before, to),
                 "rollback " + std::to_string(i));
    if (::testing::Test::HasFailure()) return;
  }
  ExpectMostKilled(kRuns);
  ExpectNoLeftovers();
}

TEST_F(AdminKillFault, RetentionIsAllOrNothingAndSearchForgetsTheRemoved) {
  Populate(2000, 1'700'000'000'000'000'000LL);
  ASSERT_EXIT_CODE(Tb({"search", "command"}), 0);  // builds DIR/search.idx
  Append(Batch("calibrate", 300));
  std::chrono::milliseconds full =
      TimeRun({"retention", "apply"}, {{"TERMBRAIN_RETENTION_MAX_EVENTS", std::to_string(Head() - 200)}});
  for (int i = 0; i < kRuns; ++i) {
    Append(Batch("retention" + std::to_string(i), 300));
    ASSERT_EXIT_CODE(Tb({"search", "command"}), 0);  // the index is up to date before the kill
    const uint64_t head = Head();
    const uint64_t keep = head - 250 - static_cast<uint64_t>(i) * 50;  // the floor moves by ~350 a run
    const std::vector<std::string> before = History();
    KillAndCheck({"retention", "apply"}, {{"TERMBRAIN_RETENTION_MAX_EVENTS", std::to_string(keep)}}, full, before,
                 AfterSeq(before, head - keep), "retention " + std::to_string(i));
    ExpectSearchWithinHistory("retention " + std::to_string(i));
    if (::testing::Test::HasFailure()) return;
  }
  ExpectMostKilled(kRuns);
  ExpectNoLeftovers();
}

TEST_F(AdminKillFault, RestoreSwapsWholeDatabasesOnly) {
  Populate(2000, 1'700'000'000'000'000'000LL);
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
  const std::vector<std::string> at_backup = History();
  Append(Batch("between", 100));
  ASSERT_EXIT_CODE(Tb({"snapshot", "create", "base"}), 0);
  const std::vector<std::string> at_snapshot = History();
  std::chrono::milliseconds full = TimeRun({"backup", "restore", "1", "--yes"});
  for (int i = 0; i < kRuns; ++i) {
    Append(Batch("restore" + std::to_string(i), 100));
    const std::vector<std::string> before = History();
    const bool backup = i % 2 == 0;
    KillAndCheck(backup ? std::vector<std::string>{"backup", "restore", "1", "--yes"}
                        : std::vector<std::string>{"snapshot", "restore", "base"},
                 {}, full, before, backup ? at_backup : at_snapshot, "restore " + std::to_string(i));
    if (::testing::Test::HasFailure()) return;
  }
  ExpectMostKilled(kRuns);
  ExpectNoLeftovers();
}

}  // namespace
}  // namespace tb::testing
