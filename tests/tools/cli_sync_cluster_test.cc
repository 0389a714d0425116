// Sync against a 3-node JetStream cluster (R3 stream) on loopback: one node
// killed by SIGKILL at a random moment of a 20,000-event publish, then
// started again; every event reaches the other host exactly once, the
// stream holds each once, and tb sync verify agrees on both hosts.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "tests/tools/kill_fixture.h"
#include "tests/tools/nats_server.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;

class CliSyncClusterFault : public KillTest {
 protected:
  void SetUp() override {
    KillTest::SetUp();
    b_ = root() + "/B";
    std::vector<int> routes;
    for (int i = 0; i < 3; ++i) routes.push_back(FreeLoopbackPort());
    for (size_t i = 0; i < 3; ++i) {
      ASSERT_TRUE(
          nodes_[i].Start(root() + "/n" + std::to_string(i), 0, ClusterArgs("n" + std::to_string(i), i, routes)));
    }
    for (const NatsServer& n : nodes_) urls_ += (urls_.empty() ? "" : ",") + n.url();
  }
  void TearDown() override {
    for (NatsServer& n : nodes_) n.Stop();
    KillTest::TearDown();
  }
  EnvVars Env() const { return {{"TERMBRAIN_SYNC_SERVER", urls_}, {"TERMBRAIN_SYNC_REPLICAS", "3"}}; }
  RunResult On(const std::string& dir, std::vector<std::string> args, std::optional<std::string> in = {}) const {
    args.insert(args.begin(), {"--data-dir", dir});
    TbCall c;
    c.data_dir = false;
    c.env = Env();
    c.in = std::move(in);
    return Tb(args, c);
  }
  // `tb sync now` until it succeeds (a cluster electing leaders, a node
  // that just went away); the last result.
  RunResult SyncUntilDone(const std::string& dir) const {
    RunResult r;
    for (int i = 0; i < 60; ++i) {
      r = On(dir, {"sync", "now"});
      if (r.exit_code == 0) break;
      std::this_thread::sleep_for(milliseconds(500));
    }
    return r;
  }
  NatsServer nodes_[3];
  std::string urls_, b_;
};

TEST_F(CliSyncClusterFault, ANodeKilledDuringASyncLosesNothingAndDuplicatesNothing) {
  constexpr int kCommands = 20000;
  Populate(kCommands, 1'700'000'000'000'000'000LL);
  ASSERT_EXIT_CODE(On(data_dir(), {"sync", "init"}), 0);
  RunResult key = On(data_dir(), {"sync", "key", "export"}, "pw\n");
  ASSERT_EXIT_CODE(key, 0);
  WriteFile(root() + "/key.txt", key.out);
  ASSERT_EXIT_CODE(On(b_, {"sync", "key", "import", root() + "/key.txt"}, "pw\n"), 0);
  // The stream exists (R3) once the cluster has a leader.
  ASSERT_EXIT_CODE(SyncUntilDone(b_), 0);
  std::mt19937 rng(std::random_device{}());
  const size_t victim = std::uniform_int_distribution<size_t>(0, 2)(rng);
  const milliseconds delay(std::uniform_int_distribution<int>(50, 800)(rng));
  SCOPED_TRACE("node n" + std::to_string(victim) + " killed after " + std::to_string(delay.count()) + " ms");
  RunOptions o;
  o.env = BaseEnv();
  for (const auto& e : Env()) o.env.push_back(e);
  Child publish;
  ASSERT_TRUE(publish.Start({TbBinary(), "--data-dir", data_dir(), "sync", "now"}, o, /*keep_stderr=*/true));
  std::this_thread::sleep_for(delay);
  nodes_[victim].Kill();
  publish.Finish(std::chrono::seconds(60));  // may fail: its node went away
  ASSERT_EXIT_CODE(SyncUntilDone(data_dir()), 0);
  ASSERT_EXIT_CODE(SyncUntilDone(b_), 0);
  ASSERT_TRUE(nodes_[victim].Restart());
  ASSERT_EXIT_CODE(SyncUntilDone(data_dir()), 0);
  ASSERT_EXIT_CODE(SyncUntilDone(b_), 0);
  std::vector<std::string> a = SplitLines(On(data_dir(), {"history", "--format", "plain", "-n", "100000"}).out);
  std::vector<std::string> b = SplitLines(On(b_, {"history", "--format", "plain", "-n", "100000"}).out);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(b.size(), static_cast<size_t>(kCommands));
  EXPECT_EQ(a, b);
  Json st = Json::parse(On(b_, {"sync", "status", "--format", "json"}).out);
  EXPECT_EQ(st["server"]["stream_messages"], kCommands);
  EXPECT_EQ(On(data_dir(), {"sync", "verify"}).exit_code, 0);
  EXPECT_EQ(On(b_, {"sync", "verify"}).exit_code, 0);
}

}  // namespace
}  // namespace tb::testing
