// End-to-end tests of the daemon's health and metrics endpoint
// (tools/daemon_observe.h): /healthz and /metrics of a running `tb daemon`
// on its socket, promtool on its exposition, and /healthz turning 503 while
// the store cannot be written (a full tmpfs) and 200 again after.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "storage/daemon_lock.h"
#include "storage/spool.h"
#include "tests/promtool.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"
#include "tests/tools/tmpfs_fixture.h"
#include "tools/endpoint.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Json = nlohmann::json;

class CliDaemonEndpoint : public TmpfsTest {
 protected:
  void TearDown() override {
    if (daemon_.pid() > 0) {
      ::kill(daemon_.pid(), SIGTERM);
      daemon_.Finish(std::chrono::seconds(30));
    }
    TmpfsTest::TearDown();
  }

  std::string Dir() const { return mnt_ + "/data"; }
  std::string Spool() const { return SpoolDirFor(runtime_dir() + "/termbrain", Dir()); }
  std::string Socket() const { return Spool() + ".sock"; }

  void StartDaemon() {
    RunOptions o;
    o.env = BaseEnv();
    o.env.push_back({"TERMBRAIN_STORAGE_RESERVE_MB", "4"});
    ASSERT_TRUE(daemon_.Start({TbBinary(), "--data-dir", Dir(), "daemon"}, o));
    int status = 0;
    std::string body;
    for (int i = 0; i < 2000 && !FetchFromSocket(Socket(), "/healthz", &status, &body).ok(); ++i) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    ASSERT_OK(FetchFromSocket(Socket(), "/healthz", &status, &body)) << "the endpoint did not start";
  }

  // One command (started and finished frames) as a hook writes it.
  void AppendCommand(int n, const std::string& command) const {
    fs::create_directories(Spool());
    const long long s = 1'760'000'000 + n;
    std::ofstream(Spool() + "/eeee000000000001.spool", std::ios::app | std::ios::binary)
        << "TB1\tS\teeee000000000001\t" << 2 * n << "\t" << s << ".0\teeee000000000001\tbash\t/tmp\t" << command
        << "\t.\n"
        << "TB1\tF\teeee000000000001\t" << 2 * n + 1 << "\t" << s + 1 << ".0\t0\t1000\t" << 2 * n << "\t.\n";
  }

  // Polls /healthz until it answers `want` (or 10 s pass), slower than the
  // endpoint's rate limit; its last body.
  Json WaitHealth(int want) const {
    int status = 0;
    std::string body;
    for (int i = 0; i < 100; ++i) {
      if (FetchFromSocket(Socket(), "/healthz", &status, &body).ok() && status == want) break;
      std::this_thread::sleep_for(milliseconds(100));
    }
    EXPECT_EQ(status, want) << body;
    return Json::parse(body, nullptr, false);
  }

  // Polls /healthz until it answers 200 with `head` as head_seq (or 10 s
  // pass); its last body. A 200 alone does not say the daemon drained yet.
  Json WaitHead(int head) const {
    Json h = WaitHealth(200);
    for (int i = 0; i < 100 && h["head_seq"] != head; ++i) {
      std::this_thread::sleep_for(milliseconds(100));
      h = WaitHealth(200);
    }
    EXPECT_EQ(h["head_seq"], head) << h.dump();
    return h;
  }

  // Leaves about `keep` bytes free on the tmpfs.
  void Fill(uint64_t keep) {
    const fs::space_info sp = fs::space(mnt_);
    int fd = ::open((mnt_ + "/fill").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    static const std::string zeros(1 << 16, '\0');
    for (uint64_t left = sp.available > keep ? sp.available - keep : 0; left > 0;) {
      const ssize_t n = ::write(fd, zeros.data(), std::min<uint64_t>(zeros.size(), left));
      if (n <= 0) break;
      left -= static_cast<uint64_t>(n);
    }
    ::close(fd);
  }

  Child daemon_;
};

TEST_F(CliDaemonEndpoint, HealthAndMetricsOfARunningDaemon) {
  StartDaemon();
  AppendCommand(1, "make test");
  Json h = WaitHead(2);
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["store_open"], true);
  EXPECT_EQ(h["head_seq"], 2);
  EXPECT_EQ(h["spool_backlog"], 0);
  EXPECT_TRUE(h["last_error"].is_null());
  int status = 0;
  std::string metrics;
  ASSERT_OK(FetchFromSocket(Socket(), "/metrics", &status, &metrics));
  EXPECT_EQ(status, 200);
  EXPECT_NE(metrics.find("tb_events_appended_total{kind=\"command_started\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tb_events_appended_total{kind=\"command_finished\"} 1\n"), std::string::npos) << metrics;
  // One observation per drain cycle (the one at start included).
  EXPECT_TRUE(std::regex_search(metrics, std::regex("\ntb_drain_lag_seconds_count [1-9][0-9]*\n"))) << metrics;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("\ntb_append_duration_seconds_count [1-9][0-9]*\n"))) << metrics;
  EXPECT_NE(metrics.find("process_resident_memory_bytes "), std::string::npos) << metrics;
  EXPECT_TRUE(PromtoolCheck(metrics));
  // tb metrics reads the daemon's exposition.
  TbCall call;
  call.data_dir = false;
  RunResult r = Tb({"--data-dir", Dir(), "metrics"}, call);
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("tb_events_appended_total{kind=\"command_started\"} 1\n"), std::string::npos) << r.out;
}

TEST_F(CliDaemonEndpoint, UnhealthyWhileTheStoreCannotBeWrittenAndHealthyAfter) {
  StartDaemon();
  AppendCommand(1, "before");
  WaitHead(2);    // the store exists and holds it: the disk fills only after
  Fill(1 << 20);  // below the 4 MiB reserve: the next drain is refused
  AppendCommand(2, "while full");
  Json h = WaitHealth(503);
  EXPECT_EQ(h["status"], "unhealthy");
  ASSERT_TRUE(h["last_error"].is_string()) << h.dump();
  EXPECT_EQ(h["last_error"].get<std::string>().rfind("disk full: ", 0), 0u) << h.dump();
  // The health turns 503 inside the cycle, the error counter once the cycle
  // has returned (after it has also warned the shells): wait for it.
  int status = 0;
  std::string metrics;
  for (int i = 0; i < 100; ++i) {  // 60 ms apart: within the endpoint's rate limit
    ASSERT_OK(FetchFromSocket(Socket(), "/metrics", &status, &metrics));
    if (metrics.find("tb_errors_total{kind=\"disk_full\"} ") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
  }
  EXPECT_NE(metrics.find("tb_errors_total{kind=\"disk_full\"} "), std::string::npos) << metrics;
  fs::remove(mnt_ + "/fill");
  AppendCommand(3, "after");
  h = WaitHead(6);  // every frame kept while full is drained after
  EXPECT_EQ(h["status"], "ok");
}

}  // namespace
}  // namespace tb::testing
