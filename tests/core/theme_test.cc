// Colour themes (core/theme.h): the style grammar, its exact escape
// strings and errors, every built-in theme resolved to exact escapes,
// overrides, the colour decision, and the [ui] keys' config validation.
#include "core/theme.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/core/config_fixture.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

// The escape of a style that must parse.
std::string Esc(const std::string& text) {
  Style s;
  Status st = ParseStyle(text, &s);
  EXPECT_OK(st) << text;
  return StyleEscape(s);
}

// The message of a style that must not parse.
std::string Error(const std::string& text) {
  Style s;
  s.bold = true;
  Status st = ParseStyle(text, &s);
  EXPECT_TRUE(st.IsInvalidArgument()) << text;
  EXPECT_TRUE(s.bold) << "untouched on error: " << text;
  EXPECT_EQ(StyleProblem(text), st.message()) << text;
  return st.message();
}

TEST(ThemeTest, ColourNames) {
  const char* names[] = {"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(Esc(names[i]), "\x1b[" + std::to_string(30 + i) + "m") << names[i];
    EXPECT_EQ(Esc(std::string("bright-") + names[i]), "\x1b[" + std::to_string(90 + i) + "m") << names[i];
    EXPECT_EQ(Esc(std::string("on ") + names[i]), "\x1b[" + std::to_string(40 + i) + "m") << names[i];
    EXPECT_EQ(Esc(std::string("on bright-") + names[i]), "\x1b[" + std::to_string(100 + i) + "m") << names[i];
  }
  EXPECT_EQ(Esc("RED"), "\x1b[31m");  // any case
  EXPECT_EQ(Esc("Bright-Cyan"), "\x1b[96m");
}

TEST(ThemeTest, NumbersAndTruecolor) {
  // 0-15 are the ANSI colours by number, 16-255 the 256-colour palette.
  EXPECT_EQ(Esc("0"), "\x1b[30m");
  EXPECT_EQ(Esc("9"), "\x1b[91m");
  EXPECT_EQ(Esc("16"), "\x1b[38;5;16m");
  EXPECT_EQ(Esc("255"), "\x1b[38;5;255m");
  EXPECT_EQ(Esc("on 238"), "\x1b[48;5;238m");
  EXPECT_EQ(Esc("#ff8800"), "\x1b[38;2;255;136;0m");
  EXPECT_EQ(Esc("#FF8800"), "\x1b[38;2;255;136;0m");
  EXPECT_EQ(Esc("on #000000"), "\x1b[48;2;0;0;0m");
}

TEST(ThemeTest, AttributesAndCombinations) {
  EXPECT_EQ(Esc("bold"), "\x1b[1m");
  EXPECT_EQ(Esc("dim"), "\x1b[2m");
  EXPECT_EQ(Esc("italic"), "\x1b[3m");
  EXPECT_EQ(Esc("underline"), "\x1b[4m");
  EXPECT_EQ(Esc("reverse"), "\x1b[7m");
  // Attributes first in a fixed order, then foreground, then background,
  // whatever order they were written in; blanks and tabs separate words.
  EXPECT_EQ(Esc("bold #ff8800"), "\x1b[1;38;2;255;136;0m");
  EXPECT_EQ(Esc("on blue  reverse\tyellow underline bold italic dim"), "\x1b[1;2;3;4;7;33;44m");
  EXPECT_EQ(Esc("bold bold"), "\x1b[1m");
  // Nothing: the empty style, blanks only, and "none".
  EXPECT_EQ(Esc(""), "");
  EXPECT_EQ(Esc("  "), "");
  EXPECT_EQ(Esc("none"), "");
  EXPECT_EQ(Esc("NONE"), "");
}

TEST(ThemeTest, InvalidStylesSayWhy) {
  const std::string expected =
      " (expected bold, dim, italic, underline, reverse, a colour name, 0-255, #rrggbb, or 'on' and a colour)";
  EXPECT_EQ(Error("purple"), "is not a style: unknown word 'purple'" + expected);
  EXPECT_EQ(Error("bold Purple"), "is not a style: unknown word 'purple'" + expected);
  EXPECT_EQ(Error("-1"), "is not a style: unknown word '-1'" + expected);
  EXPECT_EQ(Error("none bold"), "is not a style: unknown word 'none'" + expected);
  EXPECT_EQ(Error("bright-purple"), "is not a style: unknown colour 'bright-purple'");
  EXPECT_EQ(Error("256"), "is not a style: '256' is not a colour number 0-255");
  EXPECT_EQ(Error("12abc"), "is not a style: '12abc' is not a colour number 0-255");
  EXPECT_EQ(Error("99999999999"), "is not a style: '99999999999' is not a colour number 0-255");
  EXPECT_EQ(Error("#ff88"), "is not a style: '#ff88' is not #rrggbb");
  EXPECT_EQ(Error("#gg0000"), "is not a style: '#gg0000' is not #rrggbb");
  EXPECT_EQ(Error("#ff88000"), "is not a style: '#ff88000' is not #rrggbb");
  EXPECT_EQ(Error("bold on"), "is not a style: 'on' needs a colour after it");
  EXPECT_EQ(Error("on bold"), "is not a style: unknown word 'bold'" + expected);
  EXPECT_EQ(Error("red blue"), "is not a style: has two colours (a background is 'on COLOUR')");
  EXPECT_EQ(Error("on red on 7"), "is not a style: has two background colours");
}

TEST(ThemeTest, HeatStyles) {
  EXPECT_EQ(HeatStylesProblem(""), "");
  EXPECT_EQ(HeatStylesProblem("bold yellow"), "");
  EXPECT_EQ(HeatStylesProblem("22, 28,34 ,#00ff00"), "");
  EXPECT_EQ(HeatStylesProblem("1,2"),
            "is not a heat map style: has 2 styles: give one for every level or four (low to high)");
  EXPECT_EQ(HeatStylesProblem("1,2,3,4,5"),
            "is not a heat map style: has 5 styles: give one for every level or four (low to high)");
  EXPECT_EQ(HeatStylesProblem("1,2,300,4"), "is not a heat map style: level 3: '300' is not a colour number 0-255");
  EXPECT_EQ(HeatStylesProblem("pink"),
            "is not a heat map style: unknown word 'pink' (expected bold, dim, italic, underline, reverse, a colour "
            "name, 0-255, #rrggbb, or 'on' and a colour)");
}

Palette Theme(const std::string& name) {
  Config::Ui ui;
  ui.theme = name;
  return ResolvePalette(ui);
}

void ExpectPalette(const Palette& p, const std::string& failure, const std::string& match, const std::string& dim,
                   const std::string& selected, const std::array<std::string, 4>& heat) {
  EXPECT_EQ(p.failure, failure);
  EXPECT_EQ(p.match, match);
  EXPECT_EQ(p.dim, dim);
  EXPECT_EQ(p.selected, selected);
  EXPECT_EQ(p.heat, heat);
  EXPECT_EQ(p.bold, "\x1b[1m");
  EXPECT_EQ(p.reset, "\x1b[0m");
}

TEST(ThemeTest, BuiltInThemes) {
  std::vector<std::string> names(ThemeNames().begin(), ThemeNames().end());
  EXPECT_EQ(names, (std::vector<std::string>{"default", "light", "dark", "high-contrast", "none"}));
  // default: what tb painted before themes.
  ExpectPalette(Theme("default"), "\x1b[31m", "\x1b[1;36m", "\x1b[2m", "\x1b[7m",
                {"\x1b[38;5;22m", "\x1b[38;5;28m", "\x1b[38;5;34m", "\x1b[38;5;46m"});
  EXPECT_EQ(Config::Ui{}.theme, "default");
  ExpectPalette(Theme("light"), "\x1b[38;5;160m", "\x1b[1;38;5;25m", "\x1b[38;5;244m", "\x1b[48;5;254m",
                {"\x1b[38;5;151m", "\x1b[38;5;114m", "\x1b[38;5;71m", "\x1b[38;5;28m"});
  ExpectPalette(Theme("dark"), "\x1b[1;38;5;203m", "\x1b[1;38;5;117m", "\x1b[38;5;245m", "\x1b[48;5;238m",
                {"\x1b[38;5;22m", "\x1b[38;5;28m", "\x1b[38;5;34m", "\x1b[38;5;46m"});
  ExpectPalette(Theme("high-contrast"), "\x1b[1;91m", "\x1b[1;4;93m", "", "\x1b[1;7m",
                {"\x1b[96m", "\x1b[92m", "\x1b[93m", "\x1b[91m"});
  // none: attributes only where they mean something.
  ExpectPalette(Theme("none"), "", "\x1b[1m", "", "\x1b[7m", {"", "", "", ""});
  ExpectPalette(PlainPalette(), "", "\x1b[1m", "", "\x1b[7m", {"", "", "", ""});
  // No palette at all: pipes, NO_COLOR for the tables.
  Palette none = NoPalette();
  EXPECT_EQ(none.failure + none.match + none.dim + none.selected + none.bold + none.reset, "");
}

TEST(ThemeTest, OverridesReplaceTheThemesStyles) {
  Config::Ui ui;
  ui.theme = "light";
  ui.color_failure = "bold #ff8800";
  ui.color_match = "underline";
  ui.color_dim = "none";  // not painted at all
  ui.color_selected = "on 17";
  ui.color_heat = "yellow";
  ExpectPalette(ResolvePalette(ui), "\x1b[1;38;2;255;136;0m", "\x1b[4m", "", "\x1b[48;5;17m",
                {"\x1b[33m", "\x1b[33m", "\x1b[33m", "\x1b[33m"});
  ui = Config::Ui{};
  ui.theme = "none";
  ui.color_heat = "1,2,none,#010203";
  ExpectPalette(ResolvePalette(ui), "", "\x1b[1m", "", "\x1b[7m", {"\x1b[31m", "\x1b[32m", "", "\x1b[38;2;1;2;3m"});
  // Unvalidated input (LoadConfig rejects it first): the theme's.
  ui = Config::Ui{};
  ui.theme = "solarized";
  ui.color_failure = "purple";
  EXPECT_EQ(ResolvePalette(ui).failure, "\x1b[31m");
}

TEST(ThemeTest, ColourIsWantedOnlyOnATerminalWithoutNoColorOrDumb) {
  EXPECT_TRUE(ColorWanted("", "xterm-256color", true));
  EXPECT_TRUE(ColorWanted("", "", true));
  EXPECT_FALSE(ColorWanted("1", "xterm-256color", true));
  EXPECT_FALSE(ColorWanted("0", "xterm-256color", true));  // any non-empty value (no-color.org)
  EXPECT_FALSE(ColorWanted("", "dumb", true));
  EXPECT_FALSE(ColorWanted("", "xterm-256color", false));
}

TEST_F(ConfigTest, UiKeys) {
  ASSERT_OK(Load("[ui]\ntheme = \"High-Contrast\"\ncolor_failure = \"bold #ff8800\"\ncolor_heat = \"22,28,34,46\"\n"));
  EXPECT_EQ(cfg_.ui.theme, "high-contrast");
  EXPECT_EQ(cfg_.ui.color_failure, "bold #ff8800");
  EXPECT_EQ(cfg_.ui.color_heat, "22,28,34,46");
  EXPECT_EQ(cfg_.ui.color_match, "");
  EXPECT_EQ(origins_.Of("ui.color_failure"), path_ + ":3");

  Status s = Load("[ui]\ntheme = \"solarized\"\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): ui.theme = \"solarized\" is not one of default, light, dark, high-contrast, none. "
                             "Fix the value or remove the key");
  s = Load("[ui]\ncolor_match = \"bold purple\"\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): ui.color_match = \"bold purple\" is not a style: unknown word 'purple' (expected "
                             "bold, dim, italic, underline, reverse, a colour name, 0-255, #rrggbb, or 'on' and a "
                             "colour). Fix the value or remove the key");
  s = Load("[ui]\ncolor_heat = \"1,2\"\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): ui.color_heat = \"1,2\" is not a heat map style: has 2 styles: give one for every "
                             "level or four (low to high). Fix the value or remove the key");

  ASSERT_OK(Load("", {{"TERMBRAIN_UI_THEME", "dark"}, {"TERMBRAIN_UI_COLOR_SELECTED", "on 236"}}));
  EXPECT_EQ(cfg_.ui.theme, "dark");
  EXPECT_EQ(cfg_.ui.color_selected, "on 236");
  s = Load("", {{"TERMBRAIN_UI_COLOR_DIM", "#12345"}});
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_UI_COLOR_DIM): ui.color_dim = \"#12345\" is not a style: "
            "'#12345' is not #rrggbb. Fix or unset the variable");
}

}  // namespace
}  // namespace tb
