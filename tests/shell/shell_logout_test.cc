// Logout and reboot lose nothing: real bash, zsh and fish under tmux type
// commands and exit, and the spool directory (memory, under the runtime
// directory) is removed right after, as logind removes /run/user/UID when
// the last session ends. Every command is then in the store exactly once:
// with no daemon, each shell's exit path ran `tb drain`; with a daemon, it
// drained the frames within its latency bound. And the shells start one
// detached daemon when none runs (daemon.autostart).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "storage/daemon_lock.h"
#include "tests/shell/shell_sandbox.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kShells = {"bash", "zsh", "fish"};

// True once `pid` has exited (gone, or a zombie tmux has not reaped yet).
bool Exited(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return true;
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

// Stops the daemon holding `data_dir`'s lock when the test ends.
struct DaemonReaper {
  std::string data_dir;
  ~DaemonReaper() {
    const DaemonHolder h = ProbeDaemon(data_dir);
    if (!h.running || h.pid <= 0) return;
    ::kill(h.pid, SIGTERM);
    for (int i = 0; i < 2000 && ProbeDaemon(data_dir).running; ++i) std::this_thread::sleep_for(milliseconds(5));
  }
};

class ShellLogout : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::string missing = MissingShellTools(kShells);
    if (!missing.empty()) GTEST_SKIP() << "not installed: " << missing << " (scripts/deps.sh --test)";
  }
};

TEST_P(ShellLogout, EveryCommandIsStoredExactlyOnce) {
  const bool with_daemon = GetParam();
  ShellSandbox sb;
  DaemonReaper reaper{sb.data_dir()};
  Child daemon;
  if (with_daemon) {
    RunOptions o;
    o.env = sb.env();
    ASSERT_TRUE(daemon.Start({TbBinary(), "daemon"}, o));
    for (int i = 0; i < 2000 && !ProbeDaemon(sb.data_dir()).running; ++i) std::this_thread::sleep_for(milliseconds(5));
    ASSERT_TRUE(ProbeDaemon(sb.data_dir()).running);
  }
  std::map<std::string, pid_t> pids;
  for (const std::string& shell : kShells) {
    std::string error;
    ASSERT_TRUE(sb.Start(shell, shell, &error)) << error;
    pids[shell] = sb.ShellPid(shell);
  }
  for (int i = 0; i < 4; ++i) {
    for (const std::string& shell : kShells) ASSERT_TRUE(sb.Run(shell, "echo " + shell + "-" + std::to_string(i)));
  }
  for (const std::string& shell : kShells) sb.Line(shell, "exit");
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  for (const auto& [shell, pid] : pids) {
    while (!Exited(pid) && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(1));
    ASSERT_TRUE(Exited(pid)) << shell << " did not exit\n" << sb.Dump();
  }
  // logind removes the runtime directory right after the last session:
  // at once without a daemon (the exit paths drained), 150 ms later with
  // one (its bound is 100 ms).
  if (with_daemon) std::this_thread::sleep_for(milliseconds(150));
  fs::remove_all(sb.spool_dir());
  if (with_daemon) {
    ::kill(daemon.pid(), SIGTERM);
    EXPECT_EQ(daemon.Finish(std::chrono::seconds(30)), 0);
  }
  std::map<std::string, int> count;
  for (const auto& r : sb.History())
    ++count[r.at("shell").get<std::string>() + ": " + r.at("command").get<std::string>()];
  std::map<std::string, int> expected;
  for (const std::string& shell : kShells) {
    for (int i = 0; i < 4; ++i) expected[shell + ": echo " + shell + "-" + std::to_string(i)] = 1;
    expected[shell + ": exit"] = 1;
  }
  EXPECT_EQ(count, expected);
}

INSTANTIATE_TEST_SUITE_P(Daemon, ShellLogout, ::testing::Values(false, true),
                         [](const auto& info) { return std::string(info.param ? "WithDaemon" : "WithoutDaemon"); });

TEST(ShellDaemonAutostart, OneDaemonForAllShellsAndNonePerCommand) {
  if (!MissingShellTools(kShells).empty()) GTEST_SKIP() << "bash, zsh, fish or tmux missing";
  ShellSandbox sb;
  DaemonReaper reaper{sb.data_dir()};
  sb.SetEnv("TERMBRAIN_DAEMON_AUTOSTART", "1");
  std::string error;
  ASSERT_TRUE(sb.Start("bash", "bash", &error)) << error;
  DaemonHolder first;
  for (int i = 0; i < 2000 && first.pid == 0; ++i, std::this_thread::sleep_for(milliseconds(5))) {
    first = ProbeDaemon(sb.data_dir());
  }
  ASSERT_TRUE(first.running) << "the shell did not start a daemon\n" << sb.Dump();
  ASSERT_TRUE(sb.Start("zsh", "zsh", &error)) << error;
  ASSERT_TRUE(sb.Start("fish", "fish", &error)) << error;
  for (const std::string& shell : kShells) ASSERT_TRUE(sb.Run(shell, "echo " + shell));
  const DaemonHolder now = ProbeDaemon(sb.data_dir());
  EXPECT_EQ(now.pid, first.pid) << "another daemon replaced the first";
  EXPECT_EQ(now.since_ns, first.since_ns);
  // Not a child of any shell, and not in a shell's session.
  for (const std::string& shell : kShells) EXPECT_NE(::getsid(first.pid), ::getsid(sb.ShellPid(shell))) << shell;
  // Every tb process alive now for this data dir is that daemon.
  int daemons = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(std::string("daemon") + '\0' + "--detach") != std::string::npos &&
        e.path().filename() == std::to_string(first.pid)) {
      ++daemons;
    } else if (cmdline.starts_with(std::string(TbBinary()) + '\0' + "daemon")) {
      ADD_FAILURE() << "another tb daemon: pid " << e.path().filename();
    }
  }
  EXPECT_EQ(daemons, 1);
}

}  // namespace
}  // namespace tb::testing
