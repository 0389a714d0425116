// The fixture of the CLI sync tests: a real nats-server on loopback and
// hosts A, B, C... as separate data dirs under the test's root, each
// running the real tb with the server configured.
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/daemon_lock.h"
#include "storage/spool.h"
#include "tests/tools/cli_fixture.h"
#include "tests/tools/nats_server.h"

namespace tb::testing {

inline constexpr const char* kPassphrase = "correct horse battery\n";

class CliSync : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_TRUE(nats_.Start(root() + "/nats"));
  }
  void TearDown() override {
    nats_.Stop();
    CliTest::TearDown();
  }
  std::string Dir(const std::string& host) const { return root() + "/" + host; }
  // `tb --data-dir <host's> args...` with the server configured.
  RunResult On(const std::string& host, std::vector<std::string> args, std::optional<std::string> in = {}) const {
    args.insert(args.begin(), {"--data-dir", Dir(host)});
    TbCall c;
    c.data_dir = false;
    c.env = {{"TERMBRAIN_SYNC_SERVER", nats_.url()}};
    c.env.insert(c.env.end(), env_.begin(), env_.end());
    c.in = std::move(in);
    return Tb(args, c);
  }
  void RecordOn(const std::string& host, const std::string& command) const {
    RunResult r = On(host, {"record", "--command", command, "--cwd", "/work/" + host, "--session", "s-" + host});
    ASSERT_EXIT_CODE(r, 0);
  }
  std::string SyncNow(const std::string& host) const {
    RunResult r = On(host, {"sync", "now"});
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.err, "");
    return r.out;
  }
  std::vector<std::string> History(const std::string& host) const {
    RunResult r = On(host, {"history", "--format", "plain"});
    EXPECT_EXIT_CODE(r, 0);
    std::vector<std::string> lines = SplitLines(r.out);
    std::sort(lines.begin(), lines.end());
    return lines;
  }
  // `host` takes the account's key from A.
  void Join(const std::string& host) const {
    RunResult r = On("A", {"sync", "key", "export"}, kPassphrase);
    ASSERT_EXIT_CODE(r, 0);
    WriteFile(root() + "/key.txt", r.out);
    r = On(host, {"sync", "key", "import", root() + "/key.txt"}, kPassphrase);
    ASSERT_EXIT_CODE(r, 0);
  }
  // Every file under `dir` whose bytes contain `needle`.
  static std::vector<std::string> FilesHolding(const std::string& dir, const std::string& needle) {
    std::vector<std::string> hits;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.is_regular_file() && ReadFile(e.path().string()).find(needle) != std::string::npos) {
        hits.push_back(e.path().string());
      }
    }
    return hits;
  }
  // Starts `tb daemon` for `host` with the server configured.
  void StartDaemon(const std::string& host, Child* child) const {
    RunOptions o;
    o.env = BaseEnv();
    o.env.emplace_back("TERMBRAIN_SYNC_SERVER", nats_.url());
    ASSERT_TRUE(child->Start({TbBinary(), "--data-dir", Dir(host), "daemon"}, o));
    for (int i = 0; i < 2000 && !ProbeDaemon(Dir(host)).running; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(ProbeDaemon(Dir(host)).running);
  }
  std::string SpoolOf(const std::string& host) const { return SpoolDirFor(runtime_dir() + "/termbrain", Dir(host)); }
  // Waits up to 10 s for `command` in `host`'s history; false if it never came.
  bool Arrives(const std::string& host, const std::string& command) const {
    for (int i = 0; i < 200; ++i) {
      std::vector<std::string> h = History(host);
      if (std::count(h.begin(), h.end(), command) == 1) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  NatsServer nats_;
  // More environment for every On().
  EnvVars env_;
};

}  // namespace tb::testing
