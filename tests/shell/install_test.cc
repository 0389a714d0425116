// tb init, tb install / tb uninstall, tb off / tb on outside the
// integration; and the end-to-end promise of README command (1): after
// `tb install --yes`, a new interactive shell records what is typed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/shell/shell_sandbox.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

class InstallTest : public ::testing::Test {
 protected:
  RunResult Tb(const std::vector<std::string>& args, std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::vector<std::string> argv = {TbBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions o;
    o.env = sb_.env();
    for (auto& [k, v] : extra) {
      bool replaced = false;
      for (auto& [ek, ev] : o.env) {
        if (ek == k) ev = v, replaced = true;
      }
      if (!replaced) o.env.emplace_back(k, v);
    }
    o.cwd = sb_.home();
    return RunProcess(argv, o);
  }
  std::string Home() const { return sb_.home(); }
  static void Write(const std::string& path, const std::string& text, mode_t mode) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
    ::chmod(path.c_str(), mode);
  }
  static mode_t Mode(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
  }
  static std::vector<std::string> Backups(const std::string& rc) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(fs::path(rc).parent_path())) {
      if (e.path().filename().string().starts_with(fs::path(rc).filename().string() + ".tb-backup-")) {
        out.push_back(e.path().string());
      }
    }
    return out;
  }

  ShellSandbox sb_;
};

TEST_F(InstallTest, InitPrintsEachShellWithoutTouchingTheStore) {
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    RunResult r = Tb({"init", shell});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find(TbBinary()), std::string::npos) << "binary path not baked in";
    EXPECT_NE(r.out.find(sb_.spool_dir() + "/"), std::string::npos) << "spool dir not baked in";
    EXPECT_EQ(r.out.find("@TB_SETTINGS@"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(sb_.data_dir())) << "tb init created the store";
  // The spool directory is made private.
  bool found = false;
  for (const auto& e : fs::directory_iterator(sb_.spool_dir())) {
    EXPECT_EQ(Mode(e.path().string()), 0700u);
    found = true;
  }
  EXPECT_TRUE(found);
}

TEST_F(InstallTest, InitOutputParsesInEachShell) {
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    if (!MissingShellTools({shell}).empty()) continue;
    RunResult r = Tb({"init", shell});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    std::string file = sb_.root() + "/init." + shell;
    Write(file, r.out, 0600);
    std::vector<std::string> argv = {"/usr/bin/" + shell, shell == "fish" ? "--no-execute" : "-n", file};
    RunOptions o;
    o.env = sb_.env();
    RunResult p = RunProcess(argv, o);
    EXPECT_EQ(p.exit_code, 0) << shell << ": " << p.Describe();
    // Non-interactive shells (scripts, `bash -c`) load nothing and fail nothing,
    // even under set -eu.
    std::vector<std::string> run = {
        "/usr/bin/" + shell, "-c",
        shell == "fish" ? "source " + file + "; and echo ok" : "set -eu; . " + file + "; echo ok"};
    RunResult q = RunProcess(run, o);
    EXPECT_EQ(q.exit_code, 0) << shell << ": " << q.Describe();
    EXPECT_EQ(q.out, "ok\n") << shell << ": " << q.Describe();
  }
}

TEST_F(InstallTest, UsageErrorsAreOneLine) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"init", "tcsh"}, {"init"}, {"off"}, {"on"}, {"install", "--shell", "tcsh", "--yes"}}) {
    RunResult r = Tb(args);
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(r.err.starts_with("tb: error: ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // No --shell and a $SHELL tb does not know.
  RunResult r = Tb({"install", "--yes"}, {{"SHELL", "/bin/tcsh"}});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("--shell"), std::string::npos) << r.err;
  // Without a terminal, tb install needs --yes.
  r = Tb({"install", "--shell", "bash"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(Home() + "/.bashrc"));
}

TEST_F(InstallTest, InstallIsIdempotentAndUninstallRemovesExactlyItsLine) {
  std::string rc = Home() + "/.bashrc";
  const std::string original = "# my bashrc\nalias ll='ls -l'\nexport EDITOR=vi";  // no final newline
  Write(rc, original, 0640);

  RunResult r = Tb({"install", "--yes"}, {{"SHELL", "/bin/bash"}});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  std::string installed = SlurpFile(rc);
  ASSERT_TRUE(installed.starts_with(original + "\n")) << installed;
  std::string line = installed.substr(original.size() + 1);
  EXPECT_TRUE(line.ends_with("  # termbrain\n")) << line;
  EXPECT_NE(line.find("init bash"), std::string::npos) << line;
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
  EXPECT_EQ(Mode(rc), 0640u);
  ASSERT_EQ(Backups(rc).size(), 1u);
  EXPECT_EQ(SlurpFile(Backups(rc)[0]), original);

  r = Tb({"install", "--shell", "bash", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("nothing changed"), std::string::npos) << r.out;
  EXPECT_EQ(SlurpFile(rc), installed);
  EXPECT_EQ(Backups(rc).size(), 1u);

  // Lines added after ours stay where they are.
  Write(rc, installed + "export AFTER=1\n", 0640);
  r = Tb({"uninstall", "--shell", "bash"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(SlurpFile(rc), original + "\nexport AFTER=1\n");
  EXPECT_EQ(Mode(rc), 0640u);
  r = Tb({"uninstall", "--shell", "bash"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("nothing changed"), std::string::npos) << r.out;
}

TEST_F(InstallTest, RcFilesFollowEachShellsRules) {
  // zsh: $ZDOTDIR; fish: $XDG_CONFIG_HOME (created when missing).
  std::string zdot = sb_.root() + "/zdotdir";
  fs::create_directories(zdot);
  RunResult r = Tb({"install", "--shell", "zsh", "--yes"}, {{"ZDOTDIR", zdot}});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(SlurpFile(zdot + "/.zshrc").find("init zsh)\"  # termbrain"), std::string::npos);
  EXPECT_FALSE(fs::exists(Home() + "/.zshrc"));

  std::string xdg = sb_.root() + "/xdgconf";
  r = Tb({"install", "--shell", "fish", "--yes"}, {{"XDG_CONFIG_HOME", xdg}});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(SlurpFile(xdg + "/fish/config.fish").find("init fish | source  # termbrain"), std::string::npos);

  // A symlinked rc file (dotfile managers) is edited where it points.
  std::string real = sb_.root() + "/dotfiles/bashrc";
  Write(real, "# dotfiles\n", 0600);
  fs::remove(Home() + "/.bashrc");
  fs::create_symlink(real, Home() + "/.bashrc");
  r = Tb({"install", "--shell", "bash", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(fs::is_symlink(Home() + "/.bashrc"));
  EXPECT_NE(SlurpFile(real).find("# termbrain"), std::string::npos);
  EXPECT_EQ(Mode(real), 0600u);
}

// README command (1) ends with `tb install --yes`: a new shell then records.
TEST_F(InstallTest, ANewShellRecordsAfterInstall) {
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    if (!MissingShellTools({shell}).empty()) continue;
    SCOPED_TRACE(shell);
    ShellSandbox sb;
    // The user's own rc file: just a prompt the sandbox can recognise.
    std::string rc, prompt_line;
    if (shell == "bash") {
      rc = sb.home() + "/.bashrc";
      prompt_line = "PS1='tbp$ '\n";
    } else if (shell == "zsh") {
      rc = sb.home() + "/.zshrc";
      prompt_line = "PROMPT='tbp$ '\nunsetopt PROMPT_CR PROMPT_SP\n";
    } else {
      rc = sb.home() + "/.config/fish/config.fish";
      prompt_line = "set -g fish_greeting ''\nfunction fish_prompt; printf 'tbp$ '; end\n";
    }
    Write(rc, prompt_line, 0644);
    RunResult r = sb.Tb({"install", "--shell", shell, "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    std::string error;
    ASSERT_TRUE(sb.StartInstalled(shell, "w", &error)) << error;
    ASSERT_TRUE(sb.Run("w", "echo recorded-after-install")) << sb.Dump();
    std::vector<nlohmann::json> h = sb.History();
    ASSERT_EQ(h.size(), 1u) << sb.Dump();
    EXPECT_EQ(h[0].at("command"), "echo recorded-after-install");
    EXPECT_EQ(h[0].at("shell"), shell);
  }
}

}  // namespace
}  // namespace tb::testing
