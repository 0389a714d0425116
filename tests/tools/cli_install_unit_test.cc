// tb install / uninstall and the daemon's systemd user unit
// (tools/systemd_unit.h): the unit passes `systemd-analyze verify`, is
// enabled the way systemctl enables it, and the uninstall leaves the rc
// file and the unit directories exactly as they were before the install;
// tb init tells the shells whether to start the daemon themselves.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

class CliInstallUnit : public CliTest {
 protected:
  std::string UnitDir() const { return xdg_config() + "/systemd/user"; }
  std::string UnitPath() const { return UnitDir() + "/termbrain.service"; }
  // HOME and XDG_CONFIG_HOME, without the rc backups tb install and
  // uninstall leave next to the rc file.
  TreeSnapshot HomeSnapshot() const {
    TreeSnapshot t;
    for (const std::string& dir : {home(), xdg_config()}) {
      for (auto& [path, entry] : Snapshot(dir)) {
        if (path.find(".tb-backup-") == std::string::npos) t[dir + "/" + path] = entry;
      }
    }
    return t;
  }
  // `systemd-analyze --user verify FILE`: exit code and everything printed.
  RunResult Verify(const std::string& unit) const {
    RunOptions o;
    o.env = BaseEnv();
    fs::create_directories(runtime_dir());
    return RunProcess({"/usr/bin/systemd-analyze", "--user", "verify", unit}, o);
  }
  std::string ExpectedUnit(const std::vector<std::string>& created) const {
    std::string t =
        "# TermBrain: drains the shell hooks' spool into the store and runs the scheduled\n"
        "# maintenance (tb daemon). Written by tb install; tb uninstall removes it.\n";
    for (const std::string& d : created) t += "# tb created: " + d + "\n";
    return t +
           "\n[Unit]\nDescription=TermBrain command memory daemon\n\n[Service]\nType=notify\n"
           "ExecStart=\"" +
           fs::canonical(TbBinary()).string() + "\" --data-dir \"" + data_dir() +
           "\" daemon\n"
           "Restart=on-failure\nRestartSec=2\n# 4: another tb daemon already serves this data dir.\n"
           "RestartPreventExitStatus=4\nTimeoutStopSec=30\nMemoryHigh=128M\nMemoryMax=256M\nNice=10\n"
           "IOSchedulingClass=best-effort\n"
           "IOSchedulingPriority=7\nUMask=0077\nNoNewPrivileges=yes\nLockPersonality=yes\nRestrictRealtime=yes\n"
           "RestrictSUIDSGID=yes\nMemoryDenyWriteExecute=yes\nSystemCallArchitectures=native\n\n[Install]\n"
           "WantedBy=default.target\n";
  }
};

TEST_F(CliInstallUnit, UnitIsVerifiedAndUninstallRestoresEverything) {
  WriteFile(home() + "/.bashrc", "# mine\nalias ll='ls -l'\n");
  fs::create_directories(xdg_config() + "/other");  // exists before: stays
  const TreeSnapshot before = HomeSnapshot();
  RunResult r = Tb({"install", "--shell", "bash", "--service", "systemd", "--yes"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_TRUE(r.out.starts_with("tb: installed and enabled " + UnitPath() + "; it starts at your next login\n"))
      << r.out;
  EXPECT_EQ(ReadFile(UnitPath()),
            ExpectedUnit({xdg_config() + "/systemd", UnitDir(), UnitDir() + "/default.target.wants"}));
  EXPECT_EQ(fs::read_symlink(UnitDir() + "/default.target.wants/termbrain.service"), "../termbrain.service");
  RunResult v = Verify(UnitPath());
  EXPECT_EXIT_CODE(v, 0);
  EXPECT_EQ(v.out + v.err, "") << "systemd-analyze verify found problems";
  // Installing again changes nothing.
  r = Tb({"install", "--shell", "bash", "--service", "systemd", "--yes"});
  EXPECT_EQ(r.out, "tb: already installed in ~/.bashrc; nothing changed\n");

  r = Tb({"uninstall", "--shell", "bash"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_TRUE(r.out.starts_with("tb: removed the systemd user unit " + UnitPath() + "\ntb: removed the TermBrain line"))
      << r.out;
  EXPECT_EQ(DiffSnapshots(before, HomeSnapshot()), "");
}

// An rc file install had to create (and its directories) is gone again
// after uninstall, in each shell, unless the user added to it.
TEST_F(CliInstallUnit, UninstallRemovesTheRcFileInstallCreated) {
  fs::remove_all(xdg_config());
  const TreeSnapshot before = HomeSnapshot();
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    RunResult r = Tb({"install", "--shell", shell, "--service", "shell", "--yes"});
    EXPECT_EXIT_CODE(r, 0);
  }
  const std::string fish_rc = xdg_config() + "/fish/config.fish";
  EXPECT_TRUE(ReadFile(fish_rc).starts_with("# tb install created this file and " + xdg_config() +
                                            "; tb uninstall removes it  # termbrain\ntest -x "))
      << ReadFile(fish_rc);
  EXPECT_TRUE(ReadFile(home() + "/.bashrc")
                  .starts_with("# tb install created this file; tb uninstall removes it  # termbrain\n[ -x "))
      << ReadFile(home() + "/.bashrc");
  // Installing again keeps one line of each kind.
  const std::string bashrc = ReadFile(home() + "/.bashrc");
  EXPECT_EQ(Tb({"install", "--shell", "bash", "--service", "shell", "--yes"}).out,
            "tb: already installed in ~/.bashrc; nothing changed\n");
  EXPECT_EQ(ReadFile(home() + "/.bashrc"), bashrc);

  RunResult r = Tb({"uninstall", "--shell", "bash"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out,
            "tb: removed ~/.bashrc (tb install had created it, and nothing else was added). Shells already running "
            "keep recording until they exit\n");
  EXPECT_EXIT_CODE(Tb({"uninstall", "--shell", "zsh"}), 0);
  EXPECT_EXIT_CODE(Tb({"uninstall", "--shell", "fish"}), 0);
  EXPECT_EQ(DiffSnapshots(before, HomeSnapshot()), "");
  EXPECT_FALSE(fs::exists(xdg_config()));

  // A line the user added afterwards keeps the file (without our lines).
  EXPECT_EXIT_CODE(Tb({"install", "--shell", "bash", "--service", "shell", "--yes"}), 0);
  WriteFile(home() + "/.bashrc", ReadFile(home() + "/.bashrc") + "export MINE=1\n");
  EXPECT_EXIT_CODE(Tb({"uninstall", "--shell", "bash"}), 0);
  EXPECT_EQ(ReadFile(home() + "/.bashrc"), "export MINE=1\n");
}

TEST_F(CliInstallUnit, VerifyCatchesABrokenUnit) {
  // The check above means something: systemd-analyze reports what it ignores.
  WriteFile(root() + "/bad.service", "[Service]\nType=notfy\nExecStart=/bin/true\nNice=100\n");
  RunResult v = Verify(root() + "/bad.service");
  EXPECT_NE(v.err.find("Failed to parse service type, ignoring: notfy"), std::string::npos) << v.Describe();
  EXPECT_NE(v.err.find("Nice priority out of range, ignoring: 100"), std::string::npos) << v.Describe();
}

TEST_F(CliInstallUnit, WithoutAUserManagerAutoLeavesItToTheShells) {
  RunResult r = Tb({"install", "--shell", "bash", "--yes"});  // --service auto; no manager here
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_TRUE(r.out.starts_with("tb: added the TermBrain line to ~/.bashrc.\n")) << r.out;
  EXPECT_FALSE(fs::exists(xdg_config() + "/systemd"));
  r = Tb({"init", "bash"});
  EXPECT_NE(r.out.find("\n__tb_autostart=1\n"), std::string::npos);
  EXPECT_NE(r.out.find("\n__tb_dlock='" + data_dir() + "/daemon.lock'\n"), std::string::npos);
  r = TbEnv({"init", "bash"}, {{"TERMBRAIN_DAEMON_AUTOSTART", "0"}});
  EXPECT_NE(r.out.find("\n__tb_autostart=\n"), std::string::npos);
  r = Tb({"init", "fish"});
  EXPECT_NE(r.out.find("\nset -g __tb_autostart 1\n"), std::string::npos);
}

TEST_F(CliInstallUnit, ShellsLeaveStartingToAnInstalledUnit) {
  RunResult r = Tb({"install", "--shell", "zsh", "--service", "systemd", "--yes"});
  EXPECT_EXIT_CODE(r, 0);
  r = Tb({"init", "zsh"});
  EXPECT_NE(r.out.find("\n__tb_autostart=\n"), std::string::npos);
  // Switching to the shells removes the unit.
  r = Tb({"install", "--shell", "zsh", "--service", "shell", "--yes"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "tb: removed the systemd user unit " + UnitPath() +
                       "; shells start the daemon\ntb: already installed in ~/.zshrc; nothing changed\n");
  EXPECT_FALSE(fs::exists(xdg_config() + "/systemd"));
  r = Tb({"init", "zsh"});
  EXPECT_NE(r.out.find("\n__tb_autostart=1\n"), std::string::npos);
}

TEST_F(CliInstallUnit, UnknownServiceIsAUsageError) {
  RunResult r = Tb({"install", "--shell", "bash", "--service", "launchd", "--yes"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: unknown --service 'launchd' (tb install): expected auto, systemd or shell\n");
  EXPECT_FALSE(fs::exists(home() + "/.bashrc"));
}

// The Debian package's user unit (cmake/packaging.cmake prints it): the
// service of the unit above for every user, so no data dir, config or spool
// of this user's and the default memory cap; nothing is written.
TEST_F(CliInstallUnit, PackagedUnitIsTheUserUnitForEveryUser) {
  const TreeSnapshot before = HomeSnapshot();
  RunResult r = TbEnv({"install", "--packaged-unit", "/usr/bin/tb"},
                      {{"TERMBRAIN_DAEMON_MEMORY_MB", "64"}, {"TERMBRAIN_SPOOL_DIR", home() + "/spool"}});
  EXPECT_EXIT_CODE(r, 0);
  const std::string user_unit = ExpectedUnit({});
  const std::string body = user_unit.substr(user_unit.find("\n[Unit]"));
  EXPECT_EQ(r.out,
            "# TermBrain: drains the shell hooks' spool into the store and runs the scheduled\n"
            "# maintenance (tb daemon). Installed by the termbrain package; enable it with\n"
            "# systemctl --user enable --now termbrain.service\n" +
                std::regex_replace(body, std::regex("ExecStart=.*\n"), "ExecStart=\"/usr/bin/tb\" daemon\n"));
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(HomeSnapshot(), before);
}

TEST_F(CliInstallUnit, PackagedUnitNeedsAnAbsoluteBinary) {
  RunResult r = Tb({"install", "--packaged-unit", "bin/tb"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: 'bin/tb' is not an absolute path (tb install --packaged-unit): systemd runs ExecStart "
            "without a search path. Pass the installed binary, e.g. /usr/bin/tb\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(CliInstallUnit, UninstallStopsADetachedDaemon) {
  RunResult r = Tb({"daemon", "--detach"});
  EXPECT_EXIT_CODE(r, 0);
  WriteFile(home() + "/.bashrc", "");
  r = Tb({"install", "--shell", "bash", "--yes"});
  r = Tb({"uninstall", "--shell", "bash"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_TRUE(r.out.starts_with("tb: stopped the daemon (pid ")) << r.out;
  EXPECT_EQ(ReadFile(data_dir() + "/daemon.lock"), "");
}

TEST_F(CliInstallUnit, UnwritableUnitDirectoryIsAnError) {
  WriteFile(root() + "/not-a-dir", "");
  RunResult r = TbEnv({"install", "--shell", "bash", "--service", "systemd", "--yes"},
                      {{"XDG_CONFIG_HOME", root() + "/not-a-dir"}});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.err,
            "tb: error: cannot create " + root() + "/not-a-dir/systemd/user/default.target.wants: Not a directory\n");
}

// A daemon that ignores SIGTERM: uninstall says so and how to stop it.
TEST_F(CliInstallUnit, UninstallReportsADaemonThatDoesNotStop) {
  fs::create_directories(data_dir());
  const std::string lock = data_dir() + "/daemon.lock";
  RunOptions o;
  o.env = BaseEnv();
  Child stubborn;
  ASSERT_TRUE(stubborn.Start(
      {"/usr/bin/flock", lock, "/bin/sh", "-c",
       "echo \"pid $$ since 2026-12-07T08:00:00.000Z\" > " + lock + "; trap '' TERM; echo ready; exec sleep 60"},
      o));
  ASSERT_TRUE(stubborn.WaitForOutput("ready\n", std::chrono::seconds(10)).has_value());
  WriteFile(home() + "/.bashrc", "");
  RunResult r = Tb({"uninstall", "--shell", "bash"});
  EXPECT_EXIT_CODE(r, 4);
  EXPECT_TRUE(std::regex_match(r.err, std::regex("tb: error: the daemon \\(pid ([0-9]+)\\) did not stop within 10 s\\. "
                                                 "Stop it with kill -TERM \\1\n")))
      << r.err;
}

}  // namespace
}  // namespace tb::testing
