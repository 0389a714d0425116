// An interrupted `tb forget` is finished by the next command: a real forget
// is killed (SIGKILL, SIGTERM, SIGINT or SIGHUP) at random moments of its
// run; then either the forget never happened (the record is still listed)
// or it is complete — the record is gone from every view and its text from
// every file of the data dir — once the next `tb` command has run.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "tests/tools/kill_fixture.h"

namespace tb::testing {
namespace {

using namespace std::chrono_literals;

class ForgetKillFault : public KillTest {
 protected:
  static std::string Marker(int i) { return "zq" + std::to_string(i) + "xKILLMARKvw" + std::to_string(i * 7919); }
  static std::string Secret(int i) { return "curl -H 'X-Token: " + Marker(i) + "' https://example.com"; }

  // No marker up to `upto` (every one forgotten by now) is in any file.
  void ExpectNoTrace(int upto, const std::string& what) {
    std::vector<std::string> markers;
    for (int j = 0; j <= upto; ++j) markers.push_back(Marker(j));
    std::vector<std::string> holding = FilesHolding(markers);
    EXPECT_TRUE(holding.empty()) << what << ": still on disk: " << ::testing::PrintToString(holding);
  }
};

constexpr int kKills = 20;

TEST_F(ForgetKillFault, AKilledForgetIsFinishedByTheNextCommand) {
  Populate(1000, 1'700'000'000'000'000'000LL);
  // The forget's real duration, measured on a forget run to completion.
  Append({Secret(kKills)});
  std::chrono::milliseconds full = TimeRun({"forget", "--match", Marker(kKills), "--yes"});
  ASSERT_TRUE(FilesHolding({Marker(kKills)}).empty());
  std::mt19937 rng(0xf0e7);
  int killed = 0, pending = 0, never = 0;
  for (int i = 0; i < kKills; ++i) {
    Append({"echo before " + std::to_string(i), Secret(i), "echo after " + std::to_string(i)});
    const std::vector<std::string> before = History();
    const std::vector<std::string> after = Without(before, Marker(i));
    ASSERT_EQ(after.size() + 1, before.size());
    const int sig = RandomSignal(rng);
    const auto delay = std::chrono::milliseconds(rng() % static_cast<uint64_t>(full.count() + 1));
    const std::string what = "kill " + std::to_string(i) + " (" + SignalName(sig) + " after " +
                             std::to_string(delay.count()) + " ms of " + std::to_string(full.count()) + ")";
    killed += RunAndKill({"forget", "--match", Marker(i), "--yes"}, {}, sig, delay);
    if (i % 3 == 2) {
      // The same forget again: it finishes what is pending, or does it all.
      RunResult again = Tb({"forget", "--match", Marker(i), "--yes"});
      EXPECT_EXIT_CODE(again, 0) << what;
      bool finished = again.out.find("finished purging") != std::string::npos;
      pending += finished;
      EXPECT_TRUE(finished || again.out.find("forgot 1 command(s)") != std::string::npos ||
                  again.out.find("0 commands matched") != std::string::npos)
          << what << ": " << again.out;
      EXPECT_EQ(History(), after) << what;
    } else {
      ASSERT_EXIT_CODE(Tb({"history", "-n", "1"}), 0) << what;
      std::vector<std::string> now = History();
      if (now == before) {
        ++never;  // killed before the Forgotten event committed
        ASSERT_EXIT_CODE(Tb({"forget", "--match", Marker(i), "--yes"}), 0) << what;
      } else {
        EXPECT_EQ(now, after) << what;
      }
    }
    ExpectNoTrace(i, what);
    ExpectHealthy(what);
    if (::testing::Test::HasFailure()) break;
  }
  // Most runs were really interrupted (otherwise the test proves little).
  EXPECT_GE(killed, kKills / 2) << "never: " << never << ", pending found by a rerun: " << pending;
}

}  // namespace
}  // namespace tb::testing
