/// @file
/// Colour themes: the only place that knows colour escape codes.
///
/// Every coloured thing tb paints is one *element*; a theme gives each
/// element a style, config keys ui.color_<element> override it, and a
/// Palette holds the resolved escape strings that the TUI
/// (tools/tui/render.h), the history tables (core/format.h) and the stats
/// heat map (core/analytics/stats_render.h) insert. docs/configuration.md
/// shows the themes.
///
///   element   painted                                              key
///   failure   a failing exit code (tables, TUI "✗"), the TUI's      ui.color_failure
///             error and forget prompt
///   match     the characters a TUI search matched                  ui.color_match
///   dim       the TUI's status line                                ui.color_dim
///   selected  the TUI's selected row (its whole line)              ui.color_selected
///   heat      the four levels of the stats heat map, low to high   ui.color_heat
///
/// Style grammar (a config value; words separated by blanks, any order,
/// case-insensitive):
///   style   = "" | "none" | word { " " word }   ("none": not painted)
///   word    = attr | colour | "on" colour        ("on": the background)
///   attr    = bold | dim | italic | underline | reverse
///   colour  = black | red | green | yellow | blue | magenta | cyan | white
///           | bright-black ... bright-white      (the 16 ANSI colours)
///           | 0..255                             (the 256-colour palette)
///           | \#rrggbb                           (24-bit truecolor)
/// At most one foreground and one background colour. A heat value is one
/// style for all four levels or four styles separated by commas. An empty
/// value means "the theme's".
///
/// Escape strings are ECMA-48 SGR: "\x1b[" params "m", params in the order
/// attributes (1 bold, 2 dim, 3 italic, 4 underline, 7 reverse), foreground
/// (30-37, 90-97, 38;5;N, 38;2;R;G;B), background (40-47, 100-107, 48;5;N,
/// 48;2;R;G;B); "" for an empty style; the reset is "\x1b[0m".
/// Everything here is pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace tb {

/// One parsed style. A colour is absent, an index 0-255 (0-15: the ANSI
/// names, bright-* = 8-15) or a 24-bit RGB value.
struct Style {
  /// What a Color holds: nothing, a palette index, or an RGB value.
  enum class ColorKind { kNone, kIndex, kRgb };
  /// A foreground or background colour.
  struct Color {
    ColorKind kind = ColorKind::kNone;  ///< kNone: the terminal's own colour
    uint32_t value = 0;                 ///< kIndex: 0..255; kRgb: 0xRRGGBB
  };
  ///@{
  /// The SGR attributes the style sets (1, 2, 3, 4, 7).
  bool bold = false, dim = false, italic = false, underline = false, reverse = false;
  ///@}
  ///@{
  /// The foreground (`fg`) and background (`bg`, "on COLOUR") colours.
  Color fg, bg;
  ///@}
};

/// Parses a style (grammar above) into *out (untouched on error). Errors are
/// InvalidArgument whose message ends a sentence that starts with the quoted
/// value, e.g. "is not a style: unknown word 'purple' (expected ...)".
Status ParseStyle(std::string_view text, Style* out);
/// The SGR escape string of `s`; "" when it sets nothing.
std::string StyleEscape(const Style& s);

/// ui.color_<element> checks for the config table (core/config_keys.cc):
/// "" when acceptable, else the reason ("is not a style: ..." as ParseStyle
/// says; for ui.color_heat "is not a heat map style: ...", naming the level
/// of a bad one of four: "level 3: '300' is not a colour number 0-255").
///@{
std::string StyleProblem(std::string_view text);
std::string HeatStylesProblem(std::string_view text);
///@}

/// The built-in theme names: default, light, dark, high-contrast, none.
std::span<const std::string_view> ThemeNames();

/// Resolved escape strings, one per element; "" = not painted. `bold` and
/// `reset` are the plain attribute and the reset, for callers that need them
/// (the TUI's emphasis when no failure colour is set).
struct Palette {
  ///@{
  /// The element styles: failing exit codes and errors, matched characters,
  /// the TUI's status line, its selected row.
  std::string failure, match, dim, selected;
  ///@}
  std::array<std::string, 4> heat;  ///< heat map levels 1 (lowest) .. 4
  ///@{
  /// The plain bold attribute and the reset, for callers that need them.
  std::string bold, reset;
  ///@}
};

/// Whether output may be coloured, decided the same way everywhere: not when
/// $NO_COLOR is non-empty (no-color.org), not when $TERM is "dumb", not when
/// the output is not a terminal.
bool ColorWanted(std::string_view no_color_env, std::string_view term_env, bool is_terminal);

/// The palette of the [ui] settings: the theme's styles, each replaced by
/// its ui.color_<element> when that is not empty. Expects validated settings
/// (LoadConfig rejects the rest): an unknown theme counts as `default`, an
/// invalid override as unset.
Palette ResolvePalette(const Config::Ui& ui);
/// The palette when colour is off: the `none` theme, no overrides (reverse
/// for the selected row, bold for matches and emphasis). Attributes only.
Palette PlainPalette();
/// An empty palette: no escape at all (pipes, NO_COLOR in tables).
inline Palette NoPalette() { return Palette{}; }

}  // namespace tb
