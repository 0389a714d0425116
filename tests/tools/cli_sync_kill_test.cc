// Sync killed at random points: `tb sync now` publishing on one host and
// pulling on another, each killed by a random signal after a random delay,
// 20 times; then clean runs. Nothing is lost, nothing is stored twice, and
// the stream holds each event once (de-duplicated by message id).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "tests/tools/kill_fixture.h"
#include "tests/tools/nats_server.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;

class CliSyncKillFault : public KillTest {
 protected:
  void SetUp() override {
    KillTest::SetUp();
    b_ = root() + "/B";
    ASSERT_TRUE(nats_.Start(root() + "/nats"));
  }
  void TearDown() override {
    nats_.Stop();
    KillTest::TearDown();
  }
  EnvVars Server() const { return {{"TERMBRAIN_SYNC_SERVER", nats_.url()}}; }
  RunResult OnB(std::vector<std::string> args, std::optional<std::string> in = {}) const {
    args.insert(args.begin(), {"--data-dir", b_});
    TbCall c;
    c.data_dir = false;
    c.env = Server();
    c.in = std::move(in);
    return Tb(args, c);
  }
  // Host A (data_dir()) creates the sync key, host B imports it.
  void SetUpBoth() const {
    TbCall c;
    c.env = Server();
    ASSERT_EXIT_CODE(Tb({"sync", "init"}, c), 0);
    c.in = "pw\n";
    RunResult key = Tb({"sync", "key", "export"}, c);
    ASSERT_EXIT_CODE(key, 0);
    WriteFile(root() + "/key.txt", key.out);
    ASSERT_EXIT_CODE(OnB({"sync", "key", "import", root() + "/key.txt"}, "pw\n"), 0);
  }
  NatsServer nats_;
  std::string b_;  // host B's data dir (host A's is data_dir())
};

TEST_F(CliSyncKillFault, KilledPublishesAndPullsLoseNothingAndDuplicateNothing) {
  constexpr int kFirst = 3000, kPerTrial = 150;
  constexpr int kCommands = kFirst + 10 * kPerTrial;
  Populate(kFirst, 1'700'000'000'000'000'000LL);
  ASSERT_NO_FATAL_FAILURE(SetUpBoth());
  TbCall c;
  c.env = Server();
  std::mt19937 rng(std::random_device{}());
  int killed = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const int sig = RandomSignal(rng);
    const milliseconds delay(std::uniform_int_distribution<int>(0, 250)(rng));
    // Even trials interrupt a publish on A (with new commands to publish
    // each time), odd ones a pull on B.
    const bool publish = trial % 2 == 0;
    if (publish) {
      std::vector<std::string> more;
      for (int i = 0; i < kPerTrial; ++i)
        more.push_back("trial " + std::to_string(trial) + " command " + std::to_string(i));
      Append(more);
    }
    killed += RunAndKill({"sync", "now"}, Server(), sig, delay, publish ? "" : b_) ? 1 : 0;
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + SignalName(sig) + " after " + std::to_string(delay.count()) +
                 " ms");
  }
  ASSERT_EXIT_CODE(Tb({"sync", "now"}, c), 0);
  ASSERT_EXIT_CODE(OnB({"sync", "now"}), 0);
  ExpectHealthy("A after the trials");
  // B holds every command once, exactly what A holds.
  RunResult ra = Tb({"history", "--format", "plain", "-n", "100000"}, c);
  RunResult rb = OnB({"history", "--format", "plain", "-n", "100000"});
  std::vector<std::string> a = SplitLines(ra.out), b = SplitLines(rb.out);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(b.size(), static_cast<size_t>(kCommands));
  EXPECT_EQ(a, b);
  Json ids = Json::parse("[" + [&] {
    std::string joined;
    for (const auto& l : SplitLines(OnB({"history", "--format", "ndjson", "-n", "100000"}).out)) {
      joined += (joined.empty() ? "" : ",") + l;
    }
    return joined;
  }() + "]");
  std::set<std::string> unique;
  for (const auto& r : ids) unique.insert(r["id"].get<std::string>());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kCommands));
  EXPECT_EQ(OnB({"views", "verify"}).exit_code, 0);
  // The stream holds each event once: retries were de-duplicated.
  Json st = Json::parse(OnB({"sync", "status", "--format", "json"}).out);
  EXPECT_EQ(st["server"]["stream_messages"], kCommands);
  EXPECT_EQ(st["server"]["to_pull"], 0);
  RecordProperty("killed", killed);
}

// A host that was away (never synced since it joined) while another
// recorded 50,000 commands catches up in one tb sync now.
TEST_F(CliSyncKillFault, AHostAwayWhileTheOtherRecorded50kCatchesUp) {
  ASSERT_NO_FATAL_FAILURE(SetUpBoth());
  TbCall c;
  c.env = Server();
  ASSERT_EXIT_CODE(OnB({"sync", "now"}), 0);
  constexpr int kCommands = 50000;
  Populate(kCommands, 1'700'000'000'000'000'000LL);
  RunResult r = Tb({"sync", "now"}, c);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "published 50000 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten)\n");
  r = OnB({"sync", "now"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "published 0 event(s); received 50000 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(SplitLines(OnB({"history", "--format", "plain", "-n", "100000"}).out).size(), size_t{kCommands});
  EXPECT_EXIT_CODE(OnB({"sync", "verify"}), 0);
}

}  // namespace
}  // namespace tb::testing
