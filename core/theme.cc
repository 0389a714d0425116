#include "core/theme.h"

#include <charconv>

namespace tb {
namespace {

constexpr std::string_view kThemeNames[] = {"default", "light", "dark", "high-contrast", "none"};

constexpr std::string_view kColorNames[] = {"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"};

constexpr std::string_view kExpected =
    " (expected bold, dim, italic, underline, reverse, a colour name, 0-255, #rrggbb, or 'on' and a colour)";

// A theme: one style per element, in the grammar of core/theme.h (so the
// built-in themes go through the parser users' values go through).
struct Theme {
  std::string_view name;
  std::string_view failure, match, dim, selected, heat;
};

// `default` is how tb looked before themes: red failures, bold cyan
// matches, a dim status line, a reversed selected row and the 256-colour
// greens of the heat map (for dark backgrounds; they read on light ones).
constexpr Theme kThemes[] = {
    {"default", "red", "bold cyan", "dim", "reverse", "22,28,34,46"},
    {"light", "160", "bold 25", "244", "on 254", "151,114,71,28"},
    {"dark", "bold 203", "bold 117", "245", "on 238", "22,28,34,46"},
    {"high-contrast", "bold bright-red", "bold underline bright-yellow", "", "bold reverse",
     "bright-cyan,bright-green,bright-yellow,bright-red"},
    {"none", "", "bold", "", "reverse", ""},
};

// Words are matched in any case. (AsciiLower in core/history_query.h does
// the same, but a theme should not depend on the query engine.)
std::string AsciiLowerWord(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsBlank(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsBlank(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A colour word (already lowercase); "" and *out set, or the problem.
std::string ParseColor(const std::string& w, Style::Color* out) {
  bool bright = w.starts_with("bright-");
  std::string_view name = bright ? std::string_view(w).substr(7) : std::string_view(w);
  for (uint32_t i = 0; i < 8; ++i) {
    if (name == kColorNames[i]) {
      *out = {Style::ColorKind::kIndex, i + (bright ? 8u : 0u)};
      return "";
    }
  }
  if (bright) return "unknown colour '" + w + "'";
  if (w.front() == '#') {
    if (w.size() != 7) return "'" + w + "' is not #rrggbb";
    uint32_t v = 0;
    for (size_t i = 1; i < 7; ++i) {
      int d = HexDigit(w[i]);
      if (d < 0) return "'" + w + "' is not #rrggbb";
      v = v * 16 + static_cast<uint32_t>(d);
    }
    *out = {Style::ColorKind::kRgb, v};
    return "";
  }
  if (w.front() >= '0' && w.front() <= '9') {
    uint32_t v = 0;
    auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (ec != std::errc() || ptr != w.data() + w.size() || v > 255) return "'" + w + "' is not a colour number 0-255";
    *out = {Style::ColorKind::kIndex, v};
    return "";
  }
  return "unknown word '" + w + "'" + std::string(kExpected);
}

// The problem with `text` as a style ("" = none), *out filled when none.
std::string Parse(std::string_view text, Style* out) {
  Style s;
  std::vector<std::string_view> words = Words(text);
  if (words.size() == 1 && AsciiLowerWord(words[0]) == "none") {  // explicitly nothing
    *out = s;
    return "";
  }
  for (size_t i = 0; i < words.size(); ++i) {
    std::string w = AsciiLowerWord(words[i]);
    if (w == "bold") {
      s.bold = true;
    } else if (w == "dim") {
      s.dim = true;
    } else if (w == "italic") {
      s.italic = true;
    } else if (w == "underline") {
      s.underline = true;
    } else if (w == "reverse") {
      s.reverse = true;
    } else {
      bool background = w == "on";
      if (background) {
        if (i + 1 == words.size()) return "'on' needs a colour after it";
        w = AsciiLowerWord(words[++i]);
      }
      Style::Color c;
      std::string why = ParseColor(w, &c);
      if (!why.empty()) return why;
      Style::Color& slot = background ? s.bg : s.fg;
      if (slot.kind != Style::ColorKind::kNone) {
        return background ? "has two background colours" : "has two colours (a background is 'on COLOUR')";
      }
      slot = c;
    }
  }
  *out = s;
  return "";
}

// The heat value split at commas: 1 or 4 styles; the problem, or "".
std::string ParseHeat(std::string_view text, std::array<Style, 4>* out) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (parts.size() != 1 && parts.size() != 4) {
    return "has " + std::to_string(parts.size()) + " styles: give one for every level or four (low to high)";
  }
  std::array<Style, 4> styles;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string why = Parse(parts[i], &styles[i]);
    if (!why.empty()) return (parts.size() == 4 ? "level " + std::to_string(i + 1) + ": " : "") + why;
  }
  if (parts.size() == 1) styles.fill(styles[0]);
  *out = styles;
  return "";
}

void AddColor(const Style::Color& c, bool background, std::string* params) {
  auto add = [&](const std::string& p) { *params += (params->empty() ? "" : ";") + p; };
  switch (c.kind) {
    case Style::ColorKind::kNone: return;
    case Style::ColorKind::kIndex:
      if (c.value < 8) return add(std::to_string((background ? 40 : 30) + c.value));
      if (c.value < 16) return add(std::to_string((background ? 100 : 90) + c.value - 8));
      return add(std::string(background ? "48" : "38") + ";5;" + std::to_string(c.value));
    case Style::ColorKind::kRgb:
      return add(std::string(background ? "48" : "38") + ";2;" + std::to_string(c.value >> 16) + ";" +
                 std::to_string((c.value >> 8) & 0xff) + ";" + std::to_string(c.value & 0xff));
  }
}

// A style text that is known to parse (built-in, or validated config).
std::string EscapeOf(std::string_view text) {
  Style s;
  return Parse(text, &s).empty() ? StyleEscape(s) : "";
}

void SetHeat(std::string_view text, Palette* p) {
  std::array<Style, 4> styles;
  if (!ParseHeat(text, &styles).empty()) return;
  for (size_t i = 0; i < 4; ++i) p->heat[i] = StyleEscape(styles[i]);
}

Palette FromTheme(const Theme& t) {
  Palette p;
  p.failure = EscapeOf(t.failure);
  p.match = EscapeOf(t.match);
  p.dim = EscapeOf(t.dim);
  p.selected = EscapeOf(t.selected);
  SetHeat(t.heat, &p);
  p.bold = EscapeOf("bold");
  p.reset = "\x1b[0m";
  return p;
}

}  // namespace

Status ParseStyle(std::string_view text, Style* out) {
  std::string why = Parse(text, out);
  return why.empty() ? Status::OK() : Status::InvalidArgument("is not a style: " + why);
}

std::string StyleEscape(const Style& s) {
  std::string params;
  if (s.bold) params += "1;";
  if (s.dim) params += "2;";
  if (s.italic) params += "3;";
  if (s.underline) params += "4;";
  if (s.reverse) params += "7;";
  if (!params.empty()) params.pop_back();
  AddColor(s.fg, false, &params);
  AddColor(s.bg, true, &params);
  return params.empty() ? "" : "\x1b[" + params + "m";
}

std::string StyleProblem(std::string_view text) {
  Style s;
  std::string why = Parse(text, &s);
  return why.empty() ? "" : "is not a style: " + why;
}

std::string HeatStylesProblem(std::string_view text) {
  std::array<Style, 4> styles;
  std::string why = ParseHeat(text, &styles);
  return why.empty() ? "" : "is not a heat map style: " + why;
}

std::span<const std::string_view> ThemeNames() { return kThemeNames; }

bool ColorWanted(std::string_view no_color_env, std::string_view term_env, bool is_terminal) {
  return is_terminal && no_color_env.empty() && term_env != "dumb";
}

Palette ResolvePalette(const Config::Ui& ui) {
  const Theme* theme = &kThemes[0];
  for (const Theme& t : kThemes) {
    if (t.name == ui.theme) theme = &t;
  }
  Palette p = FromTheme(*theme);
  auto over = [](const std::string& value, std::string* slot) {
    if (!value.empty() && StyleProblem(value).empty()) *slot = EscapeOf(value);
  };
  over(ui.color_failure, &p.failure);
  over(ui.color_match, &p.match);
  over(ui.color_dim, &p.dim);
  over(ui.color_selected, &p.selected);
  if (!ui.color_heat.empty()) SetHeat(ui.color_heat, &p);
  return p;
}

Palette PlainPalette() {
  Config::Ui none;
  none.theme = "none";
  return ResolvePalette(none);
}

}  // namespace tb
