// Rendering of the interactive UI to strings (tools/tui/render.h). Styles
// are readable fakes (<r> selected, <b> bold, <m> match colour, <red>
// failure, <d> dim, </> reset) so every escape the renderer emits is
// visible; ThemesPaintTheirEscapes uses the real palettes of core/theme.h.
#include "tools/tui/render.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include "core/timefmt.h"

namespace tb {
namespace {

constexpr int64_t kNow = 1795650000LL * 1000000000;  // 2026-11-26T...Z
constexpr int64_t kSec = 1000000000;

Styles Fake() {
  Styles st;
  st.bold = "<b>";
  st.selected = "<r>";
  st.reset = "</>";
  st.failure = "<red>";
  st.match = "<m><b>";
  st.dim = "<d>";
  return st;
}

FrameContext Ctx(int width = 80, Styles st = Fake()) {
  FrameContext c;
  c.width = width;
  c.height = 5;
  c.now_ns = kNow;
  c.home = "/home/u";
  c.styles = std::move(st);
  return c;
}

SearchHit Hit(std::string cmd, int exit, std::vector<std::pair<uint32_t, uint32_t>> m = {}) {
  SearchHit h;
  h.record.command = std::move(cmd);
  h.record.cwd = "/home/u/src/tb";
  h.record.exit_code = exit;
  h.record.duration_ns = 1200 * 1000000LL;
  h.record.started_at_ns = kNow - 300 * kSec;
  h.matches = std::move(m);
  return h;
}

TEST(TuiRenderTest, TimeAgoAndDirectories) {
  EXPECT_EQ(FormatAgo(kNow, kNow), "now");
  EXPECT_EQ(FormatAgo(kNow, kNow + kSec / 2), "now");
  EXPECT_EQ(FormatAgo(kNow, kNow + 5 * kSec), "-");
  EXPECT_EQ(FormatAgo(kNow, kNow - 59 * kSec), "59s");
  EXPECT_EQ(FormatAgo(kNow, kNow - 3600 * kSec + 1), "59m");
  EXPECT_EQ(FormatAgo(kNow, kNow - 5 * 3600 * kSec), "5h");
  EXPECT_EQ(FormatAgo(kNow, kNow - 3 * 86400 * kSec), "3d");
  EXPECT_EQ(FormatAgo(kNow, kNow - 20 * 86400 * kSec), "2w");
  EXPECT_EQ(FormatAgo(kNow, kNow - 100 * 86400 * kSec), "3mo");
  EXPECT_EQ(FormatAgo(kNow, kNow - 800 * 86400 * kSec), "2y");
  EXPECT_EQ(ShortDirectory("/home/u", "/home/u"), "~");
  EXPECT_EQ(ShortDirectory("/home/u/src", "/home/u"), "~/src");
  EXPECT_EQ(ShortDirectory("/home/user2", "/home/u"), "/home/user2");
  EXPECT_EQ(ShortDirectory("/etc", ""), "/etc");
}

TEST(TuiRenderTest, CommandTextIsMadeSafeAndCut) {
  Styles plain;
  EXPECT_EQ(RenderCommand("ls\t-l\nx", {}, 80, plain, ""), "ls\\t-l\\nx");
  EXPECT_EQ(RenderCommand("a\xff"
                          "b\x1b[31m",
                          {}, 80, plain, ""),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD[31m");
  // Wide characters count two columns; the cut never splits one.
  EXPECT_EQ(RenderCommand("漢字 \xff\ntab", {}, 8, plain, ""), "漢字 \xEF\xBF\xBD…");
  EXPECT_EQ(RenderCommand("漢字漢字", {}, 4, plain, ""), "漢…");
  EXPECT_EQ(RenderCommand("abc", {}, 3, plain, ""), "abc");
  EXPECT_EQ(RenderCommand("abcd", {}, 3, plain, ""), "ab…");
  EXPECT_EQ(RenderCommand("abc", {}, 0, plain, ""), "");
}

TEST(TuiRenderTest, MatchesAreHighlighted) {
  Styles st = Fake();
  EXPECT_EQ(RenderCommand("git status", {{0, 3}, {6, 8}}, 80, st, ""), "<m><b>git</> st<m><b>at</>us");
  // Ranges are bytes: a highlighted wide character is highlighted whole.
  EXPECT_EQ(RenderCommand("é漢x", {{2, 5}}, 80, st, "<r>"), "é<m><b>漢</><r>x");
  // A highlight that runs into the cut is closed before the ellipsis.
  EXPECT_EQ(RenderCommand("abcdef", {{0, 6}}, 4, st, ""), "<m><b>abc</>…");
  // Without colours (NO_COLOR) matches are bold; TERM=dumb: nothing.
  Styles mono = st;
  mono.failure = "";
  mono.match = "<b>";
  EXPECT_EQ(RenderCommand("git", {{0, 1}}, 80, mono, ""), "<b>g</>it");
  EXPECT_EQ(RenderCommand("git", {{0, 1}}, 80, Styles{}, ""), "git");
}

TEST(TuiRenderTest, Rows) {
  FrameContext c = Ctx();
  EXPECT_EQ(RenderRow(Hit("git status", 0, {{0, 3}}), 1, false, c),
            " 1   5m   1.2s    0 ~/src/tb      <m><b>git</> status");
  // Selected: reverse video across the line, re-applied after each reset;
  // a failure is a red ✗ with its code.
  EXPECT_EQ(RenderRow(Hit("git status", 2, {{0, 3}}), 2, true, c),
            "<r>>2   5m   1.2s <red>✗  2</><r> ~/src/tb      <m><b>git</><r> status" + std::string(35, ' ') + "</>");
  // No colour: the failure is "!".
  Styles mono = Fake();
  mono.failure = mono.match = "";
  EXPECT_EQ(RenderRow(Hit("make", 127), 0, false, Ctx(80, mono)), "     5m   1.2s !127 ~/src/tb      make");
  // Running and unknown exit, narrow terminals drop the directory, then the duration.
  SearchHit running = Hit("sleep 9", 0);
  running.record.running = true;
  running.record.exit_code.reset();
  EXPECT_EQ(RenderRow(running, 3, false, Ctx(50)), " 3   5m      -    … sleep 9");
  SearchHit unknown = Hit("ls", 0);
  unknown.record.exit_code.reset();
  EXPECT_EQ(RenderRow(unknown, 0, false, Ctx(30)), "     5m    ? ls");
  // A long command is cut to the width.
  EXPECT_EQ(RenderRow(Hit(std::string(100, 'x'), 0), 0, false, Ctx(40)),
            "     5m   1.2s    0 " + std::string(18, 'x') + "…");
}

// The real palettes (core/theme.h): a configured theme and an override
// change the exact bytes; the no-colour palette keeps only reverse video
// and bold; one-line mode (no styles) has no escape at all.
TEST(TuiRenderTest, ThemesPaintTheirEscapes) {
  const SearchHit failing = Hit("git status", 2, {{0, 3}});
  const std::string pad(35, ' ');
  Config::Ui ui;
  EXPECT_EQ(RenderRow(failing, 2, true, Ctx(80, ResolvePalette(ui))),
            "\x1b[7m>2   5m   1.2s \x1b[31m✗  2\x1b[0m\x1b[7m ~/src/tb      \x1b[1;36mgit\x1b[0m\x1b[7m status" + pad +
                "\x1b[0m");
  ui.theme = "light";
  EXPECT_EQ(RenderRow(failing, 2, true, Ctx(80, ResolvePalette(ui))),
            "\x1b[48;5;254m>2   5m   1.2s \x1b[38;5;160m✗  2\x1b[0m\x1b[48;5;254m ~/src/tb      \x1b[1;38;5;25mgit"
            "\x1b[0m\x1b[48;5;254m status" +
                pad + "\x1b[0m");
  ui.color_failure = "bold #ff8800";
  ui.color_selected = "reverse";
  EXPECT_EQ(RenderRow(failing, 2, true, Ctx(80, ResolvePalette(ui))),
            "\x1b[7m>2   5m   1.2s \x1b[1;38;2;255;136;0m✗  2\x1b[0m\x1b[7m ~/src/tb      \x1b[1;38;5;25mgit\x1b[0m"
            "\x1b[7m status" +
                pad + "\x1b[0m");
  // NO_COLOR (and terminals without colours), under any theme.
  EXPECT_EQ(RenderRow(failing, 2, true, Ctx(80, PlainPalette())),
            "\x1b[7m>2   5m   1.2s !  2 ~/src/tb      \x1b[1mgit\x1b[0m\x1b[7m status" + pad + "\x1b[0m");
  EXPECT_EQ(RenderRow(failing, 2, true, Ctx(80, Styles{})), ">2   5m   1.2s !  2 ~/src/tb      git status" + pad);
  UiState s;
  s.hits = {failing};
  ui = Config::Ui{};
  EXPECT_EQ(RenderStatus(s, Ctx(80, ResolvePalette(ui))), "\x1b[2m  global · substring · 1 result\x1b[0m");
  ui.theme = "high-contrast";  // no dimming
  EXPECT_EQ(RenderStatus(s, Ctx(80, ResolvePalette(ui))), "  global · substring · 1 result");
  ui.color_dim = "italic 244";
  EXPECT_EQ(RenderStatus(s, Ctx(80, ResolvePalette(ui))), "\x1b[3;38;5;244m  global · substring · 1 result\x1b[0m");
  s.confirm_forget = true;  // no failure style: bold
  EXPECT_EQ(RenderStatus(s, Ctx(80, PlainPalette())),
            "\x1b[1m  global · substring · forget every use of 'git status'? (y/n)\x1b[0m");
}

TEST(TuiRenderTest, StatusLine) {
  FrameContext c = Ctx();
  UiState s;
  s.hits = {Hit("a", 0), Hit("b", 0), Hit("c", 0)};
  EXPECT_EQ(RenderStatus(s, c), "<d>  global · substring · 3 results</>");
  s.limit = 3;
  s.scope = SearchScope::kWorkspace;
  s.mode = SearchMode::kFuzzy;
  s.partial = true;
  EXPECT_EQ(RenderStatus(s, c), "<d>  workspace · fuzzy · 3+ results (stopped at the deadline)</>");
  s.partial = false;
  s.message = "forgotten";
  EXPECT_EQ(RenderStatus(s, c), "<d>  workspace · fuzzy · 3+ results · forgotten</>");
  s.confirm_forget = true;
  EXPECT_EQ(RenderStatus(s, c), "<red>  workspace · fuzzy · forget every use of 'a'? (y/n)</>");
  s.confirm_forget = false;
  s.mode = SearchMode::kRegex;
  s.error = "invalid regex: missing ): (a";
  EXPECT_EQ(RenderStatus(s, c), "<red>  workspace · regex · invalid regex: missing ): (a</>");
  EXPECT_EQ(RenderStatus(s, Ctx(20, Styles{})), "  workspace · regex…");
  UiState one;
  one.hits = {Hit("a", 0)};
  EXPECT_EQ(RenderStatus(one, Ctx(80, Styles{})), "  global · substring · 1 result");
}

TEST(TuiRenderTest, QueryLineKeepsTheCursorVisible) {
  UiState s;
  s.query = "git st";
  s.cursor = 6;
  int col = -1;
  EXPECT_EQ(RenderQueryLine(s, Ctx(), &col), "tb> git st");
  EXPECT_EQ(col, 10);
  s.cursor = 3;
  EXPECT_EQ(RenderQueryLine(s, Ctx(), &col), "tb> git st");
  EXPECT_EQ(col, 7);
  s.query = "漢字x";
  s.cursor = 3;
  EXPECT_EQ(RenderQueryLine(s, Ctx(), &col), "tb> 漢字x");
  EXPECT_EQ(col, 6);
  s.query = "abcdefghij";
  s.cursor = s.query.size();
  EXPECT_EQ(RenderQueryLine(s, Ctx(10), &col), "tb> …ghij");
  EXPECT_EQ(col, 9);
  s.cursor = 2;
  EXPECT_EQ(RenderQueryLine(s, Ctx(10), &col), "tb> abcde…");
  EXPECT_EQ(col, 6);
}

TEST(TuiRenderTest, Frames) {
  UiState s;
  s.query = "g";
  s.cursor = 1;
  s.hits = {Hit("git", 0, {{0, 1}}), Hit("grep x", 1, {{0, 1}})};
  s.selected = 1;
  FrameContext c = Ctx(40, Styles{});
  int col = 0;
  std::vector<std::string> f = RenderFrame(s, c, &col);
  EXPECT_EQ(f, (std::vector<std::string>{"tb> g", "  global · substring · 2 results", " 1   5m   1.2s    0 git",
                                         ">2   5m   1.2s !  1 grep x" + std::string(13, ' '), ""}));
  EXPECT_EQ(col, 5);
  // An invalid query shows its error instead of the rows.
  s.error = "invalid regex: x";
  f = RenderFrame(s, c, &col);
  EXPECT_EQ(f, (std::vector<std::string>{"tb> g", "  global · substring · invalid regex: x", "", "", ""}));
  // TERM=dumb: one line.
  s.error.clear();
  EXPECT_EQ(RenderDumbLine(s, Ctx(80, Styles{}), &col), "tb> g  [global substring 2] > grep x");
}

TEST(TuiRenderTest, DetailView) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  UiState s;
  SearchHit h = Hit("make test", 2);
  h.record.session = "s1";
  h.record.host = "box";
  h.record.user = "u";
  h.record.shell = "zsh";
  h.record.seq = 42;
  h.record.id = EventId{1, 2};
  s.hits = {h};
  s.details = true;
  s.details_data.uses = 4;
  s.details_data.failures = 1;
  s.details_data.first_ns = kNow - 86400 * kSec;
  s.details_data.last_ns = kNow - 300 * kSec;
  s.details_data.before = {{"make", 3}, {"vim x\n", 1}};
  std::vector<std::string> d = RenderDetails(s, Ctx(120, Styles{}), 20);
  ASSERT_EQ(d.size(), 10u);
  // What the history says about the command first, then the selected use.
  EXPECT_EQ(d[0], "  command   make test");
  EXPECT_EQ(d[1], "  used      4 times, 1 failed (75% success)");
  EXPECT_EQ(d[2],
            "  first     " + FormatLocalTime(kNow - 86400 * kSec) + "   last " + FormatLocalTime(kNow - 300 * kSec));
  EXPECT_EQ(d[3], "  before    make (3), vim x\\n (1)");
  EXPECT_EQ(d[4], "  after     -");
  EXPECT_EQ(d[5], "  directory /home/u/src/tb");
  EXPECT_EQ(d[6], "  exit      2   duration 1.2s");
  EXPECT_EQ(d[7], "  started   " + FormatLocalTime(kNow - 300 * kSec) + " (5m ago)");
  EXPECT_EQ(d[8], "  session   s1   host box   user u   shell zsh");
  EXPECT_EQ(d[9], "  id        " + h.record.id.ToString() + "   seq 42");
  EXPECT_EQ(RenderDetails(s, Ctx(120, Styles{}), 3).size(), 3u);
  s.details_error = "no engine";
  d = RenderDetails(s, Ctx(120, Styles{}), 20);
  EXPECT_EQ(d[1], "  details   no engine");
  EXPECT_EQ(d.size(), 7u);
}

}  // namespace
}  // namespace tb
