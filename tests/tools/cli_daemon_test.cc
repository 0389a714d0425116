// tb daemon and tb drain through the real binary: one daemon per data dir,
// frames drained as they are written (exactly once, masked), the final drain
// on SIGTERM, a store held by another process, a full disk, maintenance
// owned by the daemon, --detach, tb status; and the fault test: the daemon
// killed at random moments while frames arrive loses nothing and stores
// nothing twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "core/timefmt.h"
#include "storage/daemon_lock.h"
#include "storage/spool.h"
#include "storage/spool_warning.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"
#include "tools/daemon_cycle.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Json = nlohmann::json;

std::string FormatSince(int64_t ns) { return FormatRfc3339Millis(ns); }

class CliDaemon : public CliTest {
 protected:
  std::string SpoolDir() const { return SpoolDirFor(runtime_dir() + "/termbrain", data_dir()); }

  // Appends one command as a hook does (AppendHookCommand).
  void AppendCommand(const std::string& session, int n, const std::string& command) const {
    AppendHookCommand(SpoolDir(), session, n, command);
  }

  // Starts `tb daemon` (with extra environment) and waits for its lock.
  void StartDaemon(Child* child, const EnvVars& extra = {}) const {
    RunOptions o;
    o.env = BaseEnv();
    o.env.insert(o.env.end(), extra.begin(), extra.end());
    ASSERT_TRUE(child->Start({TbBinary(), "--data-dir", data_dir(), "daemon"}, o));
    for (int i = 0; i < 2000 && !ProbeDaemon(data_dir()).running; ++i) std::this_thread::sleep_for(milliseconds(5));
    ASSERT_TRUE(ProbeDaemon(data_dir()).running) << "the daemon did not start";
  }

  // Starts the lock tests' helper process (cli_store_test.cc), which holds
  // the store for writing until its stdin closes.
  void HoldStore(Child* holder) const {
    RunOptions o;
    o.env = BaseEnv();
    o.env.emplace_back("TB_CLI_TEST_HOLD_DIR", data_dir());
    ASSERT_TRUE(
        holder->Start({fs::read_symlink("/proc/self/exe").string(),
                       "--gtest_filter=CliLockHolder.DISABLED_HelperProcess", "--gtest_also_run_disabled_tests"},
                      o));
    ASSERT_TRUE(holder->WaitForOutput("HOLDER-READY\n", std::chrono::seconds(20)).has_value());
  }

  int StopDaemon(Child* child) const {
    ::kill(child->pid(), SIGTERM);
    return child->Finish(std::chrono::seconds(30));
  }

  // Waits until the spool directory holds no file.
  bool WaitSpoolEmpty(milliseconds timeout = milliseconds(5000)) const {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      std::error_code ec;
      if (fs::is_empty(SpoolDir(), ec) || ec) return true;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return false;
  }

  // The commands in the store, oldest first.
  std::vector<std::string> Commands() const {
    RunResult r = Tb({"history", "--format", "ndjson", "-n", "1000000"});
    EXPECT_EXIT_CODE(r, 0);
    std::vector<std::string> out;
    for (const std::string& line : SplitLines(r.out)) out.insert(out.begin(), Json::parse(line)["command"]);
    return out;
  }
};

// Passphrase mode (storage/unlock.h): a locked store is one the daemon
// cannot open yet. The frames stay in the spool, the shells are told to run
// tb unlock, and the unlock itself (a file in the runtime dir, seen by
// inotify) makes the daemon drain them.
TEST_F(CliDaemon, LockedStoreKeepsFramesAndDrainsOnceUnlocked) {
  fs::create_directories(xdg_config() + "/termbrain");
  WriteFile(xdg_config() + "/termbrain/config.toml",
            "[storage]\nencryption = \"passphrase\"\nkdf_ops = 1\nkdf_memory_mb = 1\n");
  TbCall pw;
  pw.in = "pw\n";
  ASSERT_EXIT_CODE(Tb({"unlock"}, pw), 0);
  Record("first");
  ASSERT_EXIT_CODE(Tb({"lock"}), 0);
  Child daemon;
  StartDaemon(&daemon);
  AppendCommand("aaaa000000000001", 1, "make test");
  SpoolWarning w;
  for (int i = 0; i < 500 && !ReadSpoolWarning(SpoolDir(), &w).ok(); ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_OK(ReadSpoolWarning(SpoolDir(), &w));
  EXPECT_NE(w.message.find("cannot be stored: the store " + data_dir() +
                           " is locked (its key is wrapped by a passphrase). Run 'tb unlock'. They are kept"),
            std::string::npos)
      << w.message;
  EXPECT_FALSE(WaitSpoolEmpty(milliseconds(300)));  // kept, not dropped
  ASSERT_EXIT_CODE(Tb({"unlock"}, pw), 0);          // no frame written since: the unlock alone wakes it
  ASSERT_TRUE(WaitSpoolEmpty());
  for (int i = 0; i < 300 && ReadSpoolWarning(SpoolDir(), &w).ok(); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(ReadSpoolWarning(SpoolDir(), &w).IsNotFound());
  EXPECT_EQ(Commands(), (std::vector<std::string>{"first", "make test"}));
  EXPECT_EQ(StopDaemon(&daemon), 0);
}

TEST_F(CliDaemon, DrainsFramesAsTheyAreWrittenAndStopsCleanly) {
  Child daemon;
  StartDaemon(&daemon);
  AppendCommand("aaaa000000000001", 1, "make test");
  ASSERT_TRUE(WaitSpoolEmpty());
  AppendCommand("aaaa000000000001", 2, "export GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB");
  ASSERT_TRUE(WaitSpoolEmpty());
  EXPECT_EQ(Commands(), (std::vector<std::string>{"make test", "export GITHUB_TOKEN=‹github-token›"}));
  const pid_t pid = daemon.pid();
  EXPECT_EQ(StopDaemon(&daemon), 0);
  EXPECT_FALSE(ProbeDaemon(data_dir()).running);
  EXPECT_EQ(ReadFile(data_dir() + "/daemon.lock"), "");  // a clean exit empties the line
  const std::vector<std::string> log = SplitLines(ReadFile(data_dir() + "/logs/daemon.log.jsonl"));
  ASSERT_EQ(log.size(), 2u) << ReadFile(data_dir() + "/logs/daemon.log.jsonl");
  EXPECT_EQ(Json::parse(log[0])["msg"], "daemon: started (pid " + std::to_string(pid) + "), watching " + SpoolDir());
  // (The first command may go with the first cycle, at start.)
  EXPECT_TRUE(std::regex_match(Json::parse(log[1])["msg"].get<std::string>(),
                               std::regex(R"(daemon: stopped after draining 4 event\(s\) in [34] cycle\(s\))")))
      << log[1];
}

TEST_F(CliDaemon, SecondDaemonIsBusyAndNamesTheFirst) {
  Child daemon;
  StartDaemon(&daemon);
  const DaemonHolder h = ProbeDaemon(data_dir());
  EXPECT_EQ(h.pid, daemon.pid());
  RunResult r = Tb({"daemon"});
  EXPECT_EXIT_CODE(r, 4);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: error: a daemon already runs for " + data_dir() + " (pid " + std::to_string(daemon.pid()) +
                       ", since " + FormatSince(h.since_ns) +
                       "). Stop it first (kill -TERM PID, or systemctl --user stop termbrain)\n");
  r = Tb({"daemon", "--detach"});  // said by the starting process itself
  EXPECT_EXIT_CODE(r, 4);
  EXPECT_TRUE(r.err.starts_with("tb: error: a daemon already runs for ")) << r.err;
  EXPECT_EQ(StopDaemon(&daemon), 0);
}

TEST_F(CliDaemon, StatusSaysWhetherItRuns) {
  Record("ls");
  RunResult r = Tb({"status"});
  EXPECT_NE(r.out.find("\ndaemon       not running; recording works: commands wait in the spool until the next tb "
                       "command (or tb drain)\n"),
            std::string::npos)
      << r.out;
  Json j = Json::parse(Tb({"status", "--format", "json"}).out);
  EXPECT_EQ(j["daemon"], Json::parse(R"({"running":false,"pid":null,"since":null})"));
  Child daemon;
  StartDaemon(&daemon);
  const DaemonHolder h = ProbeDaemon(data_dir());
  r = Tb({"status"});
  EXPECT_NE(r.out.find("\ndaemon       running (pid " + std::to_string(daemon.pid()) + ", since " +
                       FormatSince(h.since_ns) + "); commands are stored as they finish\n"),
            std::string::npos)
      << r.out;
  j = Json::parse(Tb({"status", "--format", "json"}).out);
  EXPECT_EQ(j["daemon"]["running"], true);
  EXPECT_EQ(j["daemon"]["pid"], daemon.pid());
  EXPECT_EQ(j["daemon"]["since"], FormatSince(h.since_ns));
  EXPECT_EQ(StopDaemon(&daemon), 0);
}

// After a drain the daemon keeps the store open for a moment (the next
// frames skip the open), but lets go as soon as another writer asks.
TEST_F(CliDaemon, WritersDoNotWaitForTheLinger) {
  Child daemon;
  StartDaemon(&daemon);
  AppendCommand("acac000000000001", 1, "drained");
  ASSERT_TRUE(WaitSpoolEmpty());
  RunResult r = Tb({"record", "--command", "direct"});  // waits at most 250 ms, then spools
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "") << "the record was spooled: the daemon kept the store";
  r = TbEnv({"forget", "--match", "drained", "--yes"}, {{"TERMBRAIN_STORAGE_LOCK_WAIT_MS", "300"}});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(Commands(), (std::vector<std::string>{"direct"}));
  EXPECT_EQ(StopDaemon(&daemon), 0);
}

TEST_F(CliDaemon, SigtermDrainsWhatIsLeft) {
  Child daemon;
  StartDaemon(&daemon);
  // Written and signalled at once: the final drain takes them.
  for (int i = 0; i < 50; ++i) AppendCommand("bbbb000000000001", i, "cmd " + std::to_string(i));
  EXPECT_EQ(StopDaemon(&daemon), 0);
  std::vector<std::string> expected;
  for (int i = 0; i < 50; ++i) expected.push_back("cmd " + std::to_string(i));
  EXPECT_EQ(Commands(), expected);
}

TEST_F(CliDaemon, WaitsForAStoreAnotherProcessHolds) {
  Record("first");
  Child holder;
  HoldStore(&holder);
  Child daemon;
  StartDaemon(&daemon);
  AppendCommand("cccc000000000001", 1, "while held");
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(WaitSpoolEmpty(milliseconds(1))) << "drained while another process held the store";
  holder.CloseStdin();
  EXPECT_EQ(holder.Finish(std::chrono::seconds(20)), 0);
  ASSERT_TRUE(WaitSpoolEmpty());  // the daemon's retry drained it
  EXPECT_EQ(Commands(), (std::vector<std::string>{"first", "while held"}));
  EXPECT_EQ(StopDaemon(&daemon), 0);
}

// A store held by another process is normal for a while (an import): the
// shells hear of it only past daemon.spool_max_mb (or after a minute).
TEST_F(CliDaemon, HeldStoreWarnsTheShellsPastTheSpoolCap) {
  Record("first");
  Child holder;
  HoldStore(&holder);
  Child daemon;
  StartDaemon(&daemon, {{"TERMBRAIN_DAEMON_SPOOL_MAX_MB", "1"}});
  AppendCommand("eeee000000000001", 1, "small");
  std::this_thread::sleep_for(milliseconds(1500));  // the daemon retries every second
  SpoolWarning w;
  EXPECT_TRUE(ReadSpoolWarning(SpoolDir(), &w).IsNotFound()) << "warned below the cap: " << w.message;
  const std::string big(600 * 1024, 'x');
  AppendCommand("eeee000000000001", 2, big);
  AppendCommand("eeee000000000001", 3, big);  // 1.2 MiB waiting
  for (int i = 0; i < 300 && !ReadSpoolWarning(SpoolDir(), &w).ok(); ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_OK(ReadSpoolWarning(SpoolDir(), &w));
  EXPECT_TRUE(std::regex_match(
      w.message, std::regex("tb: commands wait in memory \\(1\\.\\d MiB in the spool\\) and "
                            "cannot be stored: the store is in use by pid \\d+ \\(cli test holder\\) \\(" +
                            data_dir() + "\\)\\. They are kept; .*")))
      << w.message;
  holder.CloseStdin();
  EXPECT_EQ(holder.Finish(std::chrono::seconds(20)), 0);
  ASSERT_TRUE(WaitSpoolEmpty());
  for (int i = 0; i < 300 && ReadSpoolWarning(SpoolDir(), &w).ok(); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(ReadSpoolWarning(SpoolDir(), &w).IsNotFound());
  EXPECT_EQ(StopDaemon(&daemon), 0);
  EXPECT_EQ(Commands().size(), 4u);
}

TEST_F(CliDaemon, FullDiskKeepsFramesInTheSpoolAndSaysWhy) {
  Record("first");
  Child daemon;
  StartDaemon(&daemon, {{"TERMBRAIN_STORAGE_RESERVE_MB", "1048576"}});
  AppendCommand("dddd000000000001", 1, "kept");
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(WaitSpoolEmpty(milliseconds(1)));
  // The shells are told (storage/spool_warning.h).
  SpoolWarning w;
  ASSERT_OK(ReadSpoolWarning(SpoolDir(), &w));
  EXPECT_TRUE(std::regex_match(w.message, std::regex("tb: commands wait in memory \\(\\d+ B in the spool\\) and cannot "
                                                     "be stored: disk full: .*\\. They are kept; a logout or reboot "
                                                     "before this is fixed loses them \\(tb doctor\\)")))
      << w.message;
  EXPECT_EQ(StopDaemon(&daemon), 1);  // the final drain could not run either
  const std::vector<std::string> log = SplitLines(ReadFile(data_dir() + "/logs/daemon.log.jsonl"));
  ASSERT_EQ(log.size(), 3u) << ReadFile(data_dir() + "/logs/daemon.log.jsonl");
  const std::string error = Json::parse(log[1])["msg"];
  EXPECT_TRUE(std::regex_match(error, std::regex("daemon: disk full: .*")));  // once, not per retry
  EXPECT_EQ(Json::parse(log[1])["level"], "error");
  EXPECT_TRUE(
      std::regex_match(Json::parse(log[2])["msg"].get<std::string>(), std::regex("daemon: stopped: disk full: .*")));
  // The frames wait for a store with room; once stored, the warning goes.
  EXPECT_EQ(Commands(), (std::vector<std::string>{"first", "kept"}));
  EXPECT_TRUE(ReadSpoolWarning(SpoolDir(), &w).IsNotFound());
}

TEST_F(CliDaemon, ReadCommandsLeaveMaintenanceToTheDaemon) {
  Record("first");
  const EnvVars backups = {{"TERMBRAIN_BACKUP_INTERVAL", "1h"}};
  Child daemon;
  StartDaemon(&daemon, backups);
  // The daemon's first cycle takes the automatic backup.
  RunResult r;
  for (int i = 0; i < 500; ++i, std::this_thread::sleep_for(milliseconds(10))) {
    r = TbEnv({"backup", "list", "--format", "json"}, backups);
    if (r.exit_code == 0 && Json::parse(r.out).size() == 1) break;
  }
  EXPECT_EXIT_CODE(r, 0);
  ASSERT_EQ(Json::parse(r.out).size(), 1u) << r.out;
  const TreeSnapshot before = Snapshot(data_dir() + "/backups");
  AppendCommand("eeee000000000001", 1, "second");
  r = TbEnv({"history", "--format", "plain"}, backups);
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "second\nfirst\n");  // it waited for the daemon's drain
  EXPECT_EQ(DiffSnapshots(before, Snapshot(data_dir() + "/backups")), "");
  EXPECT_EQ(StopDaemon(&daemon), 0);
}

TEST_F(CliDaemon, WithoutADaemonCommandsStillRunMaintenance) {
  const EnvVars backups = {{"TERMBRAIN_BACKUP_INTERVAL", "1h"}};
  TbCall call;
  call.env = backups;
  Record("first", {}, call);
  RunResult r = TbEnv({"backup", "list", "--format", "json"}, backups);
  EXPECT_EQ(Json::parse(r.out).size(), 1u) << r.out;
}

TEST_F(CliDaemon, DetachLeavesTheTerminalAndItsSession) {
  RunResult r = Tb({"daemon", "--detach"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out + r.err, "");
  DaemonHolder h = ProbeDaemon(data_dir());
  ASSERT_TRUE(h.running);
  for (int i = 0; i < 200 && h.pid == 0; ++i) h = ProbeDaemon(data_dir());
  EXPECT_NE(::getsid(h.pid), ::getsid(0)) << "a session of its own";
  EXPECT_NE(::getpgid(h.pid), ::getpgrp());
  EXPECT_NE(::getsid(h.pid), h.pid) << "not a session leader: it cannot acquire a terminal";
  EXPECT_EQ(fs::read_symlink("/proc/" + std::to_string(h.pid) + "/fd/1").string(), "/dev/null");
  EXPECT_EQ(fs::read_symlink("/proc/" + std::to_string(h.pid) + "/cwd").string(), "/");
  AppendCommand("ffff000000000001", 1, "detached");
  ASSERT_TRUE(WaitSpoolEmpty());
  ASSERT_EQ(::kill(h.pid, SIGTERM), 0);
  for (int i = 0; i < 2000 && ProbeDaemon(data_dir()).running; ++i) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_FALSE(ProbeDaemon(data_dir()).running);
  EXPECT_EQ(Commands(), (std::vector<std::string>{"detached"}));
}

TEST_F(CliDaemon, DrainCommandCountsWhatItMoved) {
  AppendCommand("1111000000000001", 1, "one");
  AppendCommand("2222000000000001", 1, "two");
  RunResult r = Tb({"drain"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "drained 4 event(s) from 2 spool file(s)\n");
  r = Tb({"drain"});
  EXPECT_EQ(r.out, "drained 0 event(s) from 0 spool file(s)\n");
  EXPECT_EQ(Commands(), (std::vector<std::string>{"one", "two"}));
}

TEST_F(CliDaemon, ForeignDirectoryIsRefusedBeforeAnythingIsWritten) {
  fs::create_directories(data_dir());
  WriteFile(data_dir() + "/notes.txt", "mine");
  const TreeSnapshot before = Snapshot(data_dir());
  RunResult r = Tb({"daemon"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.err, "tb: error: not a TermBrain store (" + data_dir() +
                       "): the directory has files but no TERMBRAIN identity file. Nothing was changed; choose an "
                       "empty or TermBrain --data-dir\n");
  EXPECT_EQ(DiffSnapshots(before, Snapshot(data_dir())), "");
}

TEST_F(CliDaemon, UnsafeSpoolDirectoryIsRefused) {
  const std::string base = runtime_dir() + "/termbrain";
  fs::create_directories(base);
  fs::permissions(base, fs::perms::all);  // 0777: anyone could plant frames
  RunResult r = Tb({"daemon"});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_TRUE(r.err.starts_with("tb: error: unsafe spool directory (" + base + "): ")) << r.err;
  EXPECT_FALSE(ProbeDaemon(data_dir()).running);
}

TEST_F(CliDaemon, DrainOfAHeldStoreIsBusy) {
  Record("first");
  Child holder;
  HoldStore(&holder);
  AppendCommand("1212000000000001", 1, "waits");
  RunResult r = TbEnv({"drain"}, {{"TERMBRAIN_STORAGE_LOCK_WAIT_MS", "100"}});
  EXPECT_EXIT_CODE(r, 4);
  EXPECT_TRUE(r.err.starts_with("tb: error: the store is in use by pid ")) << r.err;
  EXPECT_FALSE(WaitSpoolEmpty(milliseconds(1)));  // still spooled, not lost
  holder.CloseStdin();
  EXPECT_EQ(holder.Finish(std::chrono::seconds(20)), 0);
  EXPECT_EQ(Tb({"drain"}).out, "drained 2 event(s) from 1 spool file(s)\n");
}

// Context switches (voluntary and involuntary) of every thread of `pid`.
uint64_t Switches(pid_t pid) {
  uint64_t total = 0;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(task.path() / "status");
    for (std::string line; std::getline(in, line);) {
      if (line.find("ctxt_switches:") != std::string::npos) total += std::stoull(line.substr(line.find(':') + 1));
    }
  }
  return total;
}

// No polling loop, no timer: an idle daemon is never scheduled.
TEST_F(CliDaemon, IdleDaemonNeverWakesUp) {
  Child daemon;
  StartDaemon(&daemon, {{"TERMBRAIN_DAEMON_LINGER_MS", "1000"}});
  AppendCommand("abab000000000001", 1, "one");
  ASSERT_TRUE(WaitSpoolEmpty());
  std::this_thread::sleep_for(milliseconds(2000));  // past the linger
  const uint64_t before = Switches(daemon.pid());
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(Switches(daemon.pid()), before);
  EXPECT_EQ(StopDaemon(&daemon), 0);
}

// The daemon is SIGKILLed at random moments while a writer appends
// commands; a new daemon starts each time. At the end every command is in
// the store exactly once.
TEST_F(CliDaemon, KilledAtRandomMomentsLosesNothingFault) {
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  std::atomic<bool> done{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    std::mt19937 wrng(rng());
    for (int i = 0; !done; ++i) {
      AppendCommand("9999000000000001", i, "c" + std::to_string(i));
      written = i + 1;
      std::this_thread::sleep_for(std::chrono::microseconds(wrng() % 3000));
    }
  });
  for (int round = 0; round < 25; ++round) {
    Child daemon;
    StartDaemon(&daemon);
    std::this_thread::sleep_for(milliseconds(rng() % 150));
    ::kill(daemon.pid(), SIGKILL);
    daemon.Finish(std::chrono::seconds(10));
  }
  done = true;
  writer.join();
  Child daemon;
  StartDaemon(&daemon);
  EXPECT_EQ(StopDaemon(&daemon), 0);
  std::vector<std::string> got = Commands();
  std::multiset<std::string> counted(got.begin(), got.end());
  ASSERT_EQ(got.size(), static_cast<size_t>(written.load()));
  for (int i = 0; i < written; ++i) EXPECT_EQ(counted.count("c" + std::to_string(i)), 1u) << i;
}

}  // namespace
}  // namespace tb::testing
