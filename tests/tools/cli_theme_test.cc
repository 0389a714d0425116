// End-to-end: colour themes (core/theme.h) in `tb history` and `tb stats`
// on a pseudo-terminal: a configured ui.theme and a ui.color_* override
// change the exact bytes; NO_COLOR and TERM=dumb give no escape at all
// under every theme; a pipe stays uncoloured; a bad value is a one-line
// config error naming the key.
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

constexpr const char* kThemes[] = {"default", "light", "dark", "high-contrast", "none"};
constexpr const char* kReset = "\x1b[0m";

class CliTheme : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    UseSharedStore("themes", [this] {
      Record("make test", {"--cwd", "/p", "--exit", "0", "--started-at", "2026-03-02T09:00:00Z"});
      Record("make lint", {"--cwd", "/p", "--exit", "2", "--started-at", "2026-03-02T09:10:00Z"});
      Record("make lint", {"--cwd", "/p", "--exit", "0", "--started-at", "2026-03-02T10:00:00Z"});
      Record("git push", {"--cwd", "/p", "--exit", "0", "--started-at", "2026-03-03T14:00:00Z"});
    });
  }

  // What a pipe gets, as a terminal shows it (LF becomes CR LF).
  std::string Piped(const std::vector<std::string>& args) {
    RunResult r = Tb(args);
    EXPECT_EXIT_CODE(r, 0);
    std::string out;
    for (char c : r.out) {
      if (c == '\n') out += '\r';
      out += c;
    }
    return out;
  }
  std::string Shown(const std::vector<std::string>& args, const EnvVars& env = {}) {
    auto [shown, code] = OnTerminal(args, {}, env);
    EXPECT_EQ(code, 0) << shown;
    return shown;
  }
  // `tb search -i make` on a 100x24 pseudo-terminal (TERM=xterm-256color
  // unless `env` says otherwise): everything the UI drew until Esc closed it.
  std::string Ui(const EnvVars& env = {}) {
    std::vector<std::string> argv{TbBinary(), "--data-dir", data_dir(), "search", "-i", "make", "--height", "6"};
    std::vector<std::string> envs;
    for (const auto& [k, v] : BaseEnv()) envs.push_back(k + "=" + v);
    bool term = false;
    for (const auto& [k, v] : env) {
      envs.push_back(k + "=" + v);
      term = term || k == "TERM";
    }
    if (!term) envs.push_back("TERM=xterm-256color");
    std::vector<char*> av, ev;
    for (std::string& a : argv) av.push_back(a.data());
    for (std::string& e : envs) ev.push_back(e.data());
    av.push_back(nullptr);
    ev.push_back(nullptr);
    winsize ws{};
    ws.ws_row = 24;
    ws.ws_col = 100;
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
    if (pid == 0) {
      ::execve(av[0], av.data(), ev.data());
      ::_exit(127);
    }
    std::string shown;
    bool sent = false, answered = false;
    char buf[4096];
    for (;;) {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0) break;
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO once tb has exited
      shown.append(buf, static_cast<size_t>(n));
      if (!answered && shown.find("\x1b[6n") != std::string::npos) {
        answered = true;
        EXPECT_EQ(::write(master, "\x1b[1;1R", 6), 6);  // the cursor position report
      }
      if (!sent && (shown.find("result") != std::string::npos || shown.find("[global") != std::string::npos)) {
        sent = true;
        EXPECT_EQ(::write(master, "\x1b", 1), 1);
      }
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << shown;
    return shown;
  }
  void WriteConfig(const std::string& text) {
    std::filesystem::create_directories(xdg_config() + "/termbrain");
    std::ofstream(xdg_config() + "/termbrain/config.toml") << text;
  }
};

// `text` with every `from` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The history table with the failing exit code ("2" of make lint) in `style`.
std::string PaintedHistory(const std::string& piped, const std::string& style) {
  return ReplaceAll(piped, "     2  /p", "     " + style + "2" + kReset + "  /p");
}

TEST_F(CliTheme, HistoryTableFollowsTheThemeAndOverrides) {
  const std::string piped = Piped({"history"});
  ASSERT_NE(piped.find("     2  /p"), std::string::npos) << piped;
  EXPECT_EQ(Shown({"history"}), PaintedHistory(piped, "\x1b[31m"));
  EXPECT_EQ(Shown({"history"}, {{"TERMBRAIN_UI_THEME", "light"}}), PaintedHistory(piped, "\x1b[38;5;160m"));
  EXPECT_EQ(Shown({"history"}, {{"TERMBRAIN_UI_THEME", "none"}}), piped);
  WriteConfig("[ui]\ntheme = \"dark\"\ncolor_failure = \"bold #ff8800\"\n");
  EXPECT_EQ(Shown({"history"}), PaintedHistory(piped, "\x1b[1;38;2;255;136;0m"));
  // An override applies to the none theme too.
  WriteConfig("[ui]\ntheme = \"none\"\ncolor_failure = \"underline 9\"\n");
  EXPECT_EQ(Shown({"history"}), PaintedHistory(piped, "\x1b[4;91m"));
}

// The heat map cells of the piped stats table, each wrapped in its level's
// style (levels by shade: ░░ 1, ▒▒ 2, ▓▓ 3, ██ 4).
std::string PaintedHeat(const std::string& piped, const std::array<std::string, 4>& heat) {
  size_t from = piped.find("BUSIEST HOURS");
  size_t to = piped.find("WEEKDAYS");
  std::string part = piped.substr(from, to - from);
  const char* shades[] = {"░░", "▒▒", "▓▓", "██"};
  for (int i = 0; i < 4; ++i) part = ReplaceAll(part, shades[i], heat[i] + shades[i] + kReset);
  return piped.substr(0, from) + part + piped.substr(to);
}

TEST_F(CliTheme, StatsHeatMapFollowsTheThemeAndOverrides) {
  const std::string piped = Piped({"stats"});
  ASSERT_NE(piped.find("BUSIEST HOURS"), std::string::npos) << piped;
  ASSERT_NE(piped.find("██"), std::string::npos) << piped;
  EXPECT_EQ(Shown({"stats"}), PaintedHeat(piped, {"\x1b[38;5;22m", "\x1b[38;5;28m", "\x1b[38;5;34m", "\x1b[38;5;46m"}));
  EXPECT_EQ(Shown({"stats"}, {{"TERMBRAIN_UI_THEME", "light"}}),
            PaintedHeat(piped, {"\x1b[38;5;151m", "\x1b[38;5;114m", "\x1b[38;5;71m", "\x1b[38;5;28m"}));
  EXPECT_EQ(Shown({"stats"}, {{"TERMBRAIN_UI_THEME", "high-contrast"}}),
            PaintedHeat(piped, {"\x1b[96m", "\x1b[92m", "\x1b[93m", "\x1b[91m"}));
  EXPECT_EQ(Shown({"stats"}, {{"TERMBRAIN_UI_THEME", "none"}}), piped);
  EXPECT_EQ(Shown({"stats"}, {{"TERMBRAIN_UI_COLOR_HEAT", "bold yellow"}}),
            PaintedHeat(piped, {"\x1b[1;33m", "\x1b[1;33m", "\x1b[1;33m", "\x1b[1;33m"}));
}

TEST_F(CliTheme, NoColorAndDumbTerminalsGetNoEscapeUnderEveryTheme) {
  for (const char* theme : kThemes) {
    for (const EnvVars& off : {EnvVars{{"NO_COLOR", "1"}}, EnvVars{{"TERM", "dumb"}}}) {
      EnvVars env = off;
      env.push_back({"TERMBRAIN_UI_THEME", theme});
      env.push_back({"TERMBRAIN_UI_COLOR_FAILURE", "bold red"});
      env.push_back({"TERMBRAIN_UI_COLOR_HEAT", "46"});
      for (const char* cmd : {"history", "stats"}) {
        std::string shown = Shown({cmd}, env);
        EXPECT_EQ(shown.find('\x1b'), std::string::npos) << theme << " " << off[0].first << " " << cmd << "\n" << shown;
        EXPECT_EQ(shown, Piped({cmd})) << theme << " " << off[0].first << " " << cmd;
      }
    }
  }
  // An empty NO_COLOR does not count (no-color.org).
  EXPECT_NE(Shown({"history"}, {{"NO_COLOR", ""}}).find("\x1b[31m"), std::string::npos);
}

TEST_F(CliTheme, PipesStayUncolouredWhateverTheTheme) {
  for (const char* theme : kThemes) {
    TbCall call;
    call.env = BaseEnv();
    call.env.push_back({"TERMBRAIN_UI_THEME", theme});
    for (const char* cmd : {"history", "stats"}) {
      RunResult r = Tb({cmd}, call);
      EXPECT_EXIT_CODE(r, 0);
      EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << theme << " " << cmd;
    }
  }
}

TEST_F(CliTheme, InteractiveSearchFollowsTheThemeAndOverrides) {
  // default: the selected row reversed, "make" in bold cyan, the status line dim.
  std::string shown = Ui();
  EXPECT_NE(shown.find("\x1b[7m>1"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\x1b[1;36mmake\x1b[0m\x1b[7m lint"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\x1b[2m  global · substring · 2 results\x1b[0m"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\x1b[1;36mmake\x1b[0m test"), std::string::npos) << shown;
  shown = Ui({{"TERMBRAIN_UI_THEME", "light"}});
  EXPECT_NE(shown.find("\x1b[48;5;254m>1"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\x1b[1;38;5;25mmake\x1b[0m\x1b[48;5;254m lint"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\x1b[38;5;244m  global · substring · 2 results\x1b[0m"), std::string::npos) << shown;
  WriteConfig("[ui]\ntheme = \"light\"\ncolor_selected = \"bold on #202020\"\ncolor_dim = \"none\"\n");
  shown = Ui();
  EXPECT_NE(shown.find("\x1b[1;48;2;32;32;32m>1"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\r\n  global · substring · 2 results"), std::string::npos) << shown;
}

TEST_F(CliTheme, InteractiveSearchWithoutColour) {
  for (const char* theme : kThemes) {
    EnvVars env{{"NO_COLOR", "1"}, {"TERMBRAIN_UI_THEME", theme}, {"TERMBRAIN_UI_COLOR_MATCH", "underline red"}};
    // NO_COLOR: the none theme (reverse video, bold matches), no colour escape.
    std::string shown = Ui(env);
    EXPECT_NE(shown.find("\x1b[7m>1"), std::string::npos) << theme << shown;
    EXPECT_NE(shown.find("\x1b[1mmake\x1b[0m\x1b[7m lint"), std::string::npos) << theme << shown;
    for (const char* colour : {"\x1b[38;", "\x1b[48;", "\x1b[2m", "\x1b[31m", "\x1b[4;31m", "\x1b[1;36m"}) {
      EXPECT_EQ(shown.find(colour), std::string::npos) << theme << " " << colour + 1;
    }
    // TERM=dumb: one plain line, no escape at all.
    env[0] = {"TERM", "dumb"};
    shown = Ui(env);
    EXPECT_NE(shown.find("tb> make  [global substring 2] > make lint"), std::string::npos) << theme << shown;
    EXPECT_EQ(shown.find('\x1b'), std::string::npos) << theme << shown;
  }
}

TEST_F(CliTheme, BadValuesAreOneLineConfigErrors) {
  WriteConfig("[ui]\ncolor_match = \"bold purple\"\n");
  RunResult r = Tb({"history"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: error: invalid config (" + xdg_config() +
                       "/termbrain/config.toml:2): ui.color_match = \"bold purple\" is not a style: unknown word "
                       "'purple' (expected bold, dim, italic, underline, reverse, a colour name, 0-255, #rrggbb, or "
                       "'on' and a colour). Fix the value or remove the key\n");
  WriteConfig("");
  r = TbEnv({"history"}, [&] {
    EnvVars env = BaseEnv();
    env.push_back({"TERMBRAIN_UI_THEME", "solarized"});
    return env;
  }());
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: invalid config (env TERMBRAIN_UI_THEME): ui.theme = \"solarized\" is not one of default, "
            "light, dark, high-contrast, none. Fix or unset the variable\n");
}

}  // namespace
}  // namespace tb::testing
