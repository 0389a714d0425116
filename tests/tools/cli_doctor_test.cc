// tb doctor end to end (tools/doctor.h): a healthy setup passes (exit 0);
// each problem is named with its fix and exits 1. The spool lives in a
// directory under /dev/shm (memory-backed, like $XDG_RUNTIME_DIR); the
// daemon is an in-process endpoint with a fake health source.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/crc32c.h"
#include "storage/disk_space.h"
#include "storage/spool.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"
#include "tests/tools/fake_health_source.h"
#include "tools/endpoint.h"
#include "tools/output.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

using testutil::FakeHealthSource;

class CliDoctor : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    char tmpl[] = "/dev/shm/tb_doctor.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    shm_ = tmpl;
    WriteFile(home() + "/.bashrc", "alias ll='ls -l'\n[ -x tb ] && eval \"$(tb init bash)\"  # termbrain\n");
  }
  void TearDown() override {
    if (daemon_) daemon_->Stop();
    fs::remove_all(shm_);
    CliTest::TearDown();
  }

  std::string SpoolDir() const { return SpoolDirFor(shm_ + "/termbrain", data_dir()); }
  std::string Socket() const { return SpoolDir() + ".sock"; }

  // The environment of a shell with the integration loaded.
  EnvVars ShellEnv() const {
    return {
        {"XDG_RUNTIME_DIR", shm_}, {"SHELL", "/bin/bash"}, {"TERMBRAIN_SESSION", "s1"}, {"TERMBRAIN_SHELL", "bash"}};
  }

  // A store with a command and a backup, the spool directory as the hooks
  // make it, and a healthy daemon.
  void Healthy() {
    TbCall c;
    c.env = ShellEnv();
    Record("git status", {}, c);
    RunResult r = Tb({"backup", "create"}, c);
    ASSERT_EXIT_CODE(r, 0);
    fs::create_directories(SpoolDir());
    fs::permissions(shm_ + "/termbrain", fs::perms::owner_all, fs::perm_options::replace);
    fs::permissions(SpoolDir(), fs::perms::owner_all, fs::perm_options::replace);
    StartDaemon();
  }

  void StartDaemon() {
    EndpointOptions o;
    o.unix_path = Socket();
    ASSERT_OK(Endpoint::Start(o, &daemon_source_, &daemon_));
  }

  RunResult Doctor(EnvVars env, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"doctor"};
    args.insert(args.end(), extra.begin(), extra.end());
    return TbEnv(args, std::move(env));
  }

  // The line of check `name` in the text output ("" when absent).
  static std::string Line(const RunResult& r, const std::string& name) {
    for (const std::string& l : SplitLines(r.out)) {
      if (l.size() > 6 && l.substr(6, name.size() + 1) == name + " ") return l;
    }
    return "";
  }

  std::string shm_;
  FakeHealthSource daemon_source_{HealthReport{true, 1, 0, 0, "", "0.1.0"}};
  std::unique_ptr<Endpoint> daemon_;
};

TEST_F(CliDoctor, HealthySetupPasses) {
  Healthy();
  RunResult r = Doctor(ShellEnv());
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  std::vector<std::string> lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 9u) << r.out;
  EXPECT_EQ(lines[0], "ok    install  the integration is loaded by " + home() + "/.bashrc");
  EXPECT_EQ(lines[1], "ok    hooks    loaded in this bash shell (session s1)");
  EXPECT_EQ(lines[2], "ok    spool    " + SpoolDir() + ": in memory, yours, private; 0 frames waiting");
  EXPECT_EQ(lines[3], "ok    daemon   running and healthy (" + Socket() + ")");
  EXPECT_EQ(lines[4], "ok    store    " + data_dir() + ": opens, 2 events, the last one reads back");
  EXPECT_TRUE(lines[5].starts_with("ok    disk     ")) << lines[5];
  EXPECT_EQ(lines[6], "ok    clock    the system clock is not behind the store");
  EXPECT_EQ(lines[7], "ok    config   loads (defaults)");
  EXPECT_EQ(lines[8], "ok    backup   1 backups, the newest 0 h old");
}

TEST_F(CliDoctor, StoppedDaemonFails) {
  Healthy();
  daemon_->Stop();
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(Line(r, "daemon"), "FAIL  daemon   not running (" + Socket() +
                                   " does not answer): commands wait in the spool until the next tb; fix: tb daemon "
                                   "--detach");
  EXPECT_EQ(r.err, "tb: error: tb doctor found problems (daemon). Run the fixes shown above\n");
}

TEST_F(CliDoctor, UnhealthyDaemonFails) {
  Healthy();
  {
    std::lock_guard<std::mutex> lock(daemon_source_.mu);
    daemon_source_.report.last_error = "disk full: 0 MiB free on /";
  }
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(Line(r, "daemon"), "FAIL  daemon   running but unhealthy: disk full: 0 MiB free on /; fix: tb metrics");
  EXPECT_EQ(r.err, "tb: error: tb doctor found problems (daemon). Run the fixes shown above\n");
}

TEST_F(CliDoctor, HooksNotLoadedFails) {
  Healthy();
  EnvVars env = ShellEnv();
  env.erase(env.begin() + 2, env.end());  // no TERMBRAIN_SESSION / TERMBRAIN_SHELL
  RunResult r = Doctor(env);
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(Line(r, "hooks"),
            "FAIL  hooks    not loaded in this shell: the commands typed here are not recorded; "
            "fix: eval \"$(tb init bash)\"");
  EXPECT_EQ(r.err, "tb: error: tb doctor found problems (hooks). Run the fixes shown above\n");
}

TEST_F(CliDoctor, NoInstallLineFailsWhenTheHooksAreNotLoadedEither) {
  Healthy();
  WriteFile(home() + "/.bashrc", "alias ll='ls -l'\n");
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(Line(r, "install"), "warn  install  no rc file loads the integration (" + home() +
                                    "/.bashrc): new shells will not record; fix: tb install --shell bash");
  EnvVars env = {{"XDG_RUNTIME_DIR", shm_}, {"SHELL", "/usr/bin/zsh"}};
  r = Doctor(env);
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(Line(r, "install"), "FAIL  install  no rc file loads the integration (" + home() +
                                    "/.zshrc): new shells will not record; fix: tb install --shell zsh");
  EXPECT_EQ(Line(r, "hooks"),
            "FAIL  hooks    not loaded in this shell: the commands typed here are not recorded; "
            "fix: eval \"$(tb init zsh)\"");
}

TEST_F(CliDoctor, ReadableSpoolFileFails) {
  Healthy();
  const std::string file = SpoolDir() + "/s1.spool";
  WriteFile(file, "TB1\tS\tabc\t1\t1732580000.123456\ts1\tbash\t/home/u\tgit status\t.\n");
  ::chmod(file.c_str(), 0644);
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(Line(r, "spool"), "FAIL  spool    spool file " + file +
                                  " is 0644: other users can read the raw commands; fix: chmod 600 " + file);
  EXPECT_EQ(r.err, "tb: error: tb doctor found problems (spool). Run the fixes shown above\n");
  ::chmod(file.c_str(), 0600);
  r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(Line(r, "spool"), "ok    spool    " + SpoolDir() + ": in memory, yours, private; 1 frames waiting");
}

TEST_F(CliDoctor, OpenSpoolDirectoryAndUnwritableBaseFail) {
  Healthy();
  ::chmod(SpoolDir().c_str(), 0755);
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(Line(r, "spool"), "FAIL  spool    spool directory " + SpoolDir() +
                                  " is 0755: other users can list it; fix: chmod 700 " + SpoolDir());
  ::chmod(SpoolDir().c_str(), 0700);

  // A spool that cannot be made: recording would be lost. (Run as a user
  // for whom the base is not writable: root writes anywhere.)
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run tb as another user";
  const std::string base = root() + "/locked";
  fs::create_directories(base);
  TbCall c;
  c.env = {{"TERMBRAIN_SPOOL_DIR", base + "/spool"}, {"TERMBRAIN_SESSION", "s1"}, {"TERMBRAIN_SHELL", "bash"}};
  c.uid = 65534;
  c.gid = 65534;
  c.data_dir = false;
  fs::permissions(root(), fs::perms::all, fs::perm_options::add);
  fs::permissions(home(), fs::perms::all, fs::perm_options::add);
  r = Tb({"--data-dir", home() + "/data", "doctor"}, c);
  EXPECT_EXIT_CODE(r, 1);
  const std::string dir = SpoolDirFor(base + "/spool", home() + "/data");
  EXPECT_EQ(Line(r, "spool"), "FAIL  spool    " + dir + " cannot be created (" + base +
                                  " is not writable): recording is lost; fix: set XDG_RUNTIME_DIR (or "
                                  "TERMBRAIN_SPOOL_DIR) to a directory of yours on a tmpfs");
}

TEST_F(CliDoctor, SpoolOnDiskIsAWarning) {
  Healthy();
  EnvVars env = ShellEnv();
  env.push_back({"TERMBRAIN_SPOOL_DIR", runtime_dir() + "/termbrain"});
  RunResult r = Doctor(env);
  const std::string dir = SpoolDirFor(runtime_dir() + "/termbrain", data_dir());
  if (Line(r, "spool").starts_with("ok")) GTEST_SKIP() << "the test directory is on a tmpfs";
  EXPECT_EQ(Line(r, "spool"), "warn  spool    " + dir +
                                  " is on disk: raw commands (secrets unmasked) stay there until drained; fix: set "
                                  "XDG_RUNTIME_DIR (or TERMBRAIN_SPOOL_DIR) to a directory of yours on a tmpfs");
}

TEST_F(CliDoctor, ConfigErrorFails) {
  Healthy();
  fs::create_directories(xdg_config() + "/termbrain");
  WriteFile(xdg_config() + "/termbrain/config.toml", "[storage]\nblock_cache_mb = 0\n");
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(Line(r, "config"), "FAIL  config   invalid config (" + xdg_config() +
                                   "/termbrain/config.toml:2): storage.block_cache_mb = 0 is out of range "
                                   "1..65536. Fix the value or remove the key; fix: tb config check");
  // Every other command still stops at it.
  RunResult h = TbEnv({"history"}, ShellEnv());
  EXPECT_EXIT_CODE(h, 2);
}

TEST_F(CliDoctor, NoStoreAndNoBackupAreWarnings) {
  fs::create_directories(SpoolDir());
  fs::permissions(shm_ + "/termbrain", fs::perms::owner_all, fs::perm_options::replace);
  fs::permissions(SpoolDir(), fs::perms::owner_all, fs::perm_options::replace);
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 1);  // no daemon runs: the only failure
  EXPECT_EQ(r.err, "tb: error: tb doctor found problems (daemon). Run the fixes shown above\n");
  EXPECT_EQ(Line(r, "store"), "warn  store    no store yet: no TermBrain store yet (" + data_dir() +
                                  "). Record a command first, e.g. tb record --command 'ls'; fix: tb record "
                                  "--command 'tb doctor'");
  EXPECT_EQ(Line(r, "backup"), "warn  backup   no backup yet; fix: tb backup create");
}

TEST_F(CliDoctor, JsonFormat) {
  Healthy();
  EnvVars env = ShellEnv();
  env.erase(env.begin() + 2, env.end());
  RunResult r = Doctor(env, {"--format", "json"});
  EXPECT_EXIT_CODE(r, 1);
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(r.out);
  EXPECT_EQ(j["ok"], false);
  ASSERT_EQ(j["checks"].size(), 9u);
  EXPECT_EQ(j["checks"][1].dump(),
            R"({"name":"hooks","level":"fail","detail":"not loaded in this shell: the commands typed here are not )"
            R"(recorded","fix":"eval \"$(tb init bash)\""})");
  EXPECT_EQ(j["checks"][0]["fix"], nullptr);
  EXPECT_EQ(j["checks"][0]["level"], "ok");
}

TEST_F(CliDoctor, DamagedStoreFails) {
  Healthy();
  // The acknowledged head says 9 events; the log holds 1 (docs/formats.md,
  // "Acknowledged head").
  std::string head = "TBHEAD01";
  for (int i = 7; i >= 0; --i) head += static_cast<char>(i == 0 ? 9 : 0);
  head += std::string(8, '\0');
  uint32_t crc = Crc32c(head);
  for (int i = 0; i < 4; ++i) head += static_cast<char>((crc >> (8 * i)) & 0xff);
  WriteFile(data_dir() + "/db/TBHEAD", head);
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 1);
  std::string line = Line(r, "store");
  EXPECT_TRUE(line.starts_with("FAIL  store    ")) << r.out;
  EXPECT_TRUE(line.ends_with("; fix: tb log salvage")) << line;
  EXPECT_EQ(r.err, "tb: error: tb doctor found problems (store). Run the fixes shown above\n");
}

TEST_F(CliDoctor, ForeignDirectoryFails) {
  fs::create_directories(data_dir());
  WriteFile(data_dir() + "/notes.txt", "mine\n");
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_TRUE(Line(r, "store").starts_with("FAIL  store    ")) << r.out;
  EXPECT_TRUE(Line(r, "store").ends_with("; fix: tb status")) << r.out;
}

TEST_F(CliDoctor, ClockBehindTheStoreWarns) {
  Healthy();
  // A frame from two hours ahead, drained into the log (the hooks take
  // the shell's clock as it is).
  const int64_t ahead =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
      7200;
  WriteFile(SpoolDir() + "/s2.spool",
            "TB1\tS\tabc\t1\t" + std::to_string(ahead) + ".000000\ts2\tbash\t/home/u\tls\t.\n");
  TbCall c;
  c.env = ShellEnv();
  ASSERT_EXIT_CODE(Tb({"history", "-n", "1"}, c), 0);  // drains it: the last event of the log
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 0);
  std::string line = Line(r, "clock");
  EXPECT_TRUE(line.starts_with("warn  clock    the newest event is 7")) << r.out;
  EXPECT_TRUE(
      line.ends_with(" s in the future: the clock went back; new commands sort before it; fix: timedatectl "
                     "set-ntp true"))
      << line;
}

TEST_F(CliDoctor, StaleBackupWarns) {
  Healthy();
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EnvVars env = ShellEnv();
  env.push_back({"TERMBRAIN_BACKUP_INTERVAL", "1s"});
  RunResult r = Doctor(env);
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(Line(r, "backup"),
            "warn  backup   the newest backup is 0 h old, more than twice backup.interval (1s); fix: tb backup create");
}

TEST_F(CliDoctor, LittleFreeSpaceWarns) {
  Healthy();
  DiskSpace space;
  ASSERT_OK(FreeSpaceOf(data_dir(), &space));
  // A reserve 100 MiB below what is free: above it, but by less than 256 MiB.
  EnvVars env = ShellEnv();
  env.push_back({"TERMBRAIN_STORAGE_RESERVE_MB", std::to_string((space.free_bytes >> 20) - 100)});
  RunResult r = Doctor(env);
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_TRUE(Line(r, "disk").starts_with("warn  disk     only ")) << r.out;
  EXPECT_TRUE(Line(r, "disk").ends_with(" | sort -h | tail  # then free space")) << r.out;
}

TEST_F(CliDoctor, RateLimitedDaemonWarns) {
  Healthy();
  daemon_->Stop();
  EndpointOptions o;
  o.unix_path = Socket();
  o.rate_per_second = 1;
  o.rate_burst = 1;
  o.now_ns = [] { return int64_t{0}; };  // no token comes back
  ASSERT_OK(Endpoint::Start(o, &daemon_source_, &daemon_));
  int status = 0;
  std::string body;
  ASSERT_OK(FetchFromSocket(Socket(), "/healthz", &status, &body));  // the one token
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(Line(r, "daemon"), "warn  daemon   answers HTTP 429 (" + Socket() + "); fix: tb doctor");
}

TEST_F(CliDoctor, SymlinkedSpoolFileFails) {
  Healthy();
  WriteFile(root() + "/elsewhere", "");
  fs::create_symlink(root() + "/elsewhere", SpoolDir() + "/s9.spool");
  RunResult r = Doctor(ShellEnv());
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(Line(r, "spool"), "FAIL  spool    spool file " + SpoolDir() +
                                  "/s9.spool: it is a symlink: tb refuses to drain it; fix: rm " + SpoolDir() +
                                  "/s9.spool  # after a look at what it holds");
}

// A full disk: the data dir on a small tmpfs filled to the brim.
TEST_F(CliDoctor, FullDiskFails) {
  const std::string mnt = root() + "/mnt";
  fs::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=16m,mode=0700") != 0) {
    GTEST_SKIP() << "mounting a tmpfs is not permitted here (" << std::strerror(errno) << ")";
  }
  EnvVars env = ShellEnv();
  TbCall c;
  c.env = env;
  c.data_dir = false;
  RunResult rec = Tb({"--data-dir", mnt + "/data", "record", "--command", "ls"}, c);
  EXPECT_EXIT_CODE(rec, 0);
  DiskSpace space;
  ASSERT_OK(FreeSpaceOf(mnt, &space));
  int fd = ::open((mnt + "/fill").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fallocate(fd, 0, 0, static_cast<off_t>(space.free_bytes - (1 << 20))), 0);
  ::close(fd);
  RunResult r = Tb({"--data-dir", mnt + "/data", "doctor"}, c);
  ::umount2(mnt.c_str(), MNT_DETACH);
  EXPECT_EXIT_CODE(r, 1);
  std::string line;
  for (const std::string& l : SplitLines(r.out)) {
    if (l.starts_with("FAIL  disk")) line = l;
  }
  EXPECT_EQ(line, "FAIL  disk     disk full: 1.0 MiB free on " + mnt +
                      ", below storage.reserve_mb: writes are refused, commands wait in the spool; fix: du -xh " + mnt +
                      " | sort -h | tail  # then free space");
  EXPECT_EQ(r.err, "tb: error: tb doctor found problems (daemon, disk). Run the fixes shown above\n");
}

}  // namespace
}  // namespace tb::testing
