/// @file
/// UTF-8 helpers for showing and exporting stored bytes.
///
/// Commands and directories are stored as raw bytes: they may hold invalid
/// UTF-8 and NUL. These functions turn such bytes into text that is safe for a
/// given consumer (JSON, CSV, a terminal) and measure text for table layout.
///
/// Replacement rule (documented, relied on by exports): every byte that is not
/// part of a well-formed UTF-8 sequence (Unicode Table 3-7: no overlong forms,
/// no surrogates, nothing above U+10FFFF) becomes U+FFFD on its own; so a
/// truncated 3-byte sequence "E2 82" yields two U+FFFD.
///
/// All functions are pure and thread-safe; none allocates except into the
/// returned string or the caller's buffer.
#pragma once

#include <string>
#include <string_view>

namespace tb {

/// True if `bytes` is entirely well-formed UTF-8 (strict, see above).
bool IsValidUtf8(std::string_view bytes);

/// Appends `bytes` to *out as one quoted JSON string (RFC 8259). Valid UTF-8 is
/// copied as is; the quote and the backslash are escaped; backspace, form
/// feed, newline, carriage return and tab use their two-character escapes;
/// other C0 controls (NUL included) and U+007F become "\u00xx" (lowercase
/// hex); invalid bytes become U+FFFD. The appended text is always valid UTF-8
/// and valid JSON. Fast path: runs of plain ASCII are copied in one append.
/// `out` must not be null.
void AppendJsonString(std::string* out, std::string_view bytes);

/// `bytes` with every invalid byte replaced by U+FFFD; nothing else changes
/// (controls and NUL are kept). Used by CSV.
std::string ToValidUtf8(std::string_view bytes);

/// Text that is safe to print in a table row: valid printable UTF-8 is
/// unchanged; a newline becomes the two characters backslash, n and a tab
/// backslash, t; every other control byte (C0, U+007F, and the two bytes of
/// each C1 control U+0080..U+009F) and every invalid byte becomes "\xNN"
/// (lowercase hex).
/// The result is valid UTF-8 without control characters. Backslashes are not
/// escaped, so the mapping is for display only, not reversible.
std::string EscapeForTerminal(std::string_view bytes);

/// Terminal columns of one code point: 2 for East Asian Wide/Fullwidth and
/// emoji-presentation code points (utf8proc_charwidth() == 2: utf8proc's
/// Unicode data, plus all of planes 2 and 3), 1 for every other code point.
/// Deliberately simpler than wcwidth(): combining marks and controls count 1.
int CodePointWidth(char32_t cp);

/// Length of the well-formed UTF-8 sequence at s[i] (1-4), its code point
/// in *cp; 0 when the bytes there are not well-formed (or i is past the end).
size_t DecodeUtf8At(std::string_view s, size_t i, char32_t* cp);

/// Sum of CodePointWidth() over the code points of `utf8`; each invalid byte
/// counts 1 (it would be shown as one U+FFFD).
int DisplayWidth(std::string_view utf8);

/// `utf8` if DisplayWidth(utf8) <= max_columns; otherwise its longest prefix
/// (cut on a code point boundary) that fits in max_columns - 1 columns,
/// followed by "…" (U+2026, width 1). Returns "" when max_columns <= 0.
std::string TruncateToWidth(std::string_view utf8, int max_columns);

/// Like TruncateToWidth() but keeps the end: "…" followed by the longest
/// suffix that fits in max_columns - 1 columns (paths: the last part matters).
std::string TruncateLeftToWidth(std::string_view utf8, int max_columns);

}  // namespace tb
