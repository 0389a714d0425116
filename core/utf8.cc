#include "core/utf8.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>

namespace tb {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026
constexpr char kHex[] = "0123456789abcdef";

// Length of the well-formed UTF-8 sequence at p[0..n) (n >= 1), storing its
// code point in *cp; 0 if the bytes there are not a well-formed sequence.
// The per-lead-byte bounds of the second byte are Unicode Table 3-7: they
// exclude overlong forms (E0, F0), surrogates (ED) and > U+10FFFF (F4).
size_t DecodeOne(const unsigned char* p, size_t n, char32_t* cp) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len;
  char32_t c;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    c = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    c = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    c = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;  // continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (n < len || p[1] < lo || p[1] > hi) return 0;
  c = (c << 6) | (p[1] & 0x3F);
  for (size_t i = 2; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    c = (c << 6) | (p[i] & 0x3F);
  }
  *cp = c;
  return len;
}

}  // namespace

size_t DecodeUtf8At(std::string_view s, size_t i, char32_t* cp) {
  if (i >= s.size()) return 0;
  return DecodeOne(reinterpret_cast<const unsigned char*>(s.data()) + i, s.size() - i, cp);
}

namespace {

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// One display unit of possibly-invalid text: a well-formed code point, or a
// single invalid byte (which is shown as U+FFFD, width 1).
struct Unit {
  size_t len;
  int width;
};

Unit NextUnit(std::string_view s, size_t pos) {
  char32_t cp;
  size_t len = DecodeOne(Bytes(s) + pos, s.size() - pos, &cp);
  if (len == 0) return {1, 1};
  return {len, CodePointWidth(cp)};
}

void AppendHexByte(std::string* out, std::string_view prefix, unsigned char b) {
  out->append(prefix);
  out->push_back(kHex[b >> 4]);
  out->push_back(kHex[b & 0xF]);
}

// Bytes that AppendJsonString copies unchanged without looking further:
// printable ASCII except '"' and '\\'. Built at compile time.
constexpr std::array<bool, 256> MakeJsonPlainTable() {
  std::array<bool, 256> t{};
  for (int b = 0x20; b < 0x7F; ++b) t[b] = (b != '"' && b != '\\');
  return t;
}
constexpr std::array<bool, 256> kJsonPlain = MakeJsonPlainTable();

void AppendJsonAsciiEscape(std::string* out, unsigned char b) {
  switch (b) {
    case '"': out->append("\\\""); return;
    case '\\': out->append("\\\\"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    default: AppendHexByte(out, "\\u00", b); return;  // other C0 and U+007F
  }
}

// Inclusive ranges of code points that are two columns wide: generated from
// glibc 2.36 (Unicode 15.0) by enumerating wcwidth() == 2 in C.UTF-8, with
// the ranges of planes 2 and 3 widened to the whole planes (their unassigned
// code points default to Wide in EastAsianWidth.txt). Sorted, disjoint.
struct Range {
  char32_t first;
  char32_t last;
};
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F0},
    {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},
    {0x2693, 0x2693},   {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},
    {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x2E99},   {0x2E9B, 0x2EF3},   {0x2F00, 0x2FD5},   {0x2FF0, 0x2FFB},   {0x3000, 0x3029},
    {0x302E, 0x303E},   {0x3041, 0x3096},   {0x309B, 0x30FF},   {0x3105, 0x312F},   {0x3131, 0x318E},
    {0x3190, 0x31E3},   {0x31F0, 0x321E},   {0x3220, 0xA48C},   {0xA490, 0xA4C6},   {0xA960, 0xA97C},
    {0xAC00, 0xD7A3},   {0xF900, 0xFA6D},   {0xFA70, 0xFAD9},   {0xFE10, 0xFE19},   {0xFE30, 0xFE52},
    {0xFE54, 0xFE66},   {0xFE68, 0xFE6B},   {0xFF01, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE3},
    {0x16FF0, 0x16FF1}, {0x17000, 0x187F7}, {0x18800, 0x18CD5}, {0x18D00, 0x18D08}, {0x1AFF0, 0x1AFF3},
    {0x1AFF5, 0x1AFFB}, {0x1AFFD, 0x1AFFE}, {0x1B000, 0x1B122}, {0x1B150, 0x1B152}, {0x1B164, 0x1B167},
    {0x1B170, 0x1B2FB}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F202}, {0x1F210, 0x1F23B}, {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265},
    {0x1F300, 0x1F320}, {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA},
    {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440},
    {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A},
    {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC},
    {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7}, {0x1F6DD, 0x1F6DF}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC},
    {0x1F7E0, 0x1F7EB}, {0x1F7F0, 0x1F7F0}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF},
    {0x1FA70, 0x1FA74}, {0x1FA78, 0x1FA7C}, {0x1FA80, 0x1FA86}, {0x1FA90, 0x1FAAC}, {0x1FAB0, 0x1FABA},
    {0x1FAC0, 0x1FAC5}, {0x1FAD0, 0x1FAD9}, {0x1FAE0, 0x1FAE7}, {0x1FAF0, 0x1FAF6}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  const unsigned char* p = Bytes(bytes);
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    char32_t cp;
    size_t len = DecodeOne(p + i, n - i, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void AppendJsonString(std::string* out, std::string_view bytes) {
  const unsigned char* p = Bytes(bytes);
  const size_t n = bytes.size();
  out->push_back('"');
  size_t i = 0;
  while (i < n) {
    // Fast path: most commands are plain ASCII; copy the whole run at once.
    size_t run = i;
    while (run < n && kJsonPlain[p[run]]) ++run;
    if (run > i) {
      out->append(bytes.data() + i, run - i);
      i = run;
      if (i == n) break;
    }
    if (p[i] < 0x80) {
      AppendJsonAsciiEscape(out, p[i]);
      ++i;
      continue;
    }
    char32_t cp;
    size_t len = DecodeOne(p + i, n - i, &cp);
    if (len == 0) {
      out->append(kReplacement);
      ++i;
    } else {
      out->append(bytes.data() + i, len);
      i += len;
    }
  }
  out->push_back('"');
}

std::string ToValidUtf8(std::string_view bytes) {
  if (IsValidUtf8(bytes)) return std::string(bytes);
  const unsigned char* p = Bytes(bytes);
  std::string out;
  out.reserve(bytes.size() + 8);
  for (size_t i = 0; i < bytes.size();) {
    char32_t cp;
    size_t len = DecodeOne(p + i, bytes.size() - i, &cp);
    if (len == 0) {
      out.append(kReplacement);
      ++i;
    } else {
      out.append(bytes.data() + i, len);
      i += len;
    }
  }
  return out;
}

std::string EscapeForTerminal(std::string_view bytes) {
  const unsigned char* p = Bytes(bytes);
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const unsigned char b = p[i];
    if (b >= 0x20 && b < 0x7F) {
      out.push_back(static_cast<char>(b));
      ++i;
    } else if (b == '\n') {
      out.append("\\n");
      ++i;
    } else if (b == '\t') {
      out.append("\\t");
      ++i;
    } else {
      char32_t cp = 0;
      size_t len = b < 0x80 ? 0 : DecodeOne(p + i, bytes.size() - i, &cp);
      // C1 controls (U+0080..U+009F) are escaped too: some terminals act on
      // them (U+009B is a CSI), which would let a stored command restyle or
      // move the cursor when shown.
      if (len == 0 || cp <= 0x9F) {
        size_t count = len == 0 ? 1 : len;
        for (size_t k = 0; k < count; ++k) AppendHexByte(&out, "\\x", p[i + k]);
        i += count;
      } else {
        out.append(bytes.data() + i, len);
        i += len;
      }
    }
  }
  return out;
}

int CodePointWidth(char32_t cp) {
  if (cp < kWide[0].first) return 1;  // everything below U+1100, ASCII included
  auto it =
      std::upper_bound(std::begin(kWide), std::end(kWide), cp, [](char32_t c, const Range& r) { return c < r.first; });
  // it points past the last range starting at or before cp.
  --it;
  return cp <= it->last ? 2 : 1;
}

int DisplayWidth(std::string_view utf8) {
  int width = 0;
  for (size_t i = 0; i < utf8.size();) {
    if (static_cast<unsigned char>(utf8[i]) < 0x80) {
      ++width;
      ++i;
      continue;
    }
    Unit u = NextUnit(utf8, i);
    width += u.width;
    i += u.len;
  }
  return width;
}

std::string TruncateToWidth(std::string_view utf8, int max_columns) {
  if (max_columns <= 0) return std::string();
  if (DisplayWidth(utf8) <= max_columns) return std::string(utf8);
  const int budget = max_columns - 1;  // one column for the ellipsis
  int width = 0;
  size_t end = 0;
  while (end < utf8.size()) {
    Unit u = NextUnit(utf8, end);
    if (width + u.width > budget) break;
    width += u.width;
    end += u.len;
  }
  std::string out(utf8.substr(0, end));
  out.append(kEllipsis);
  return out;
}

std::string TruncateLeftToWidth(std::string_view utf8, int max_columns) {
  if (max_columns <= 0) return std::string();
  int remaining = DisplayWidth(utf8);
  if (remaining <= max_columns) return std::string(utf8);
  const int budget = max_columns - 1;  // one column for the ellipsis
  // Walk forward (UTF-8 cannot be decoded backwards safely when it may be
  // invalid) dropping units until the rest fits.
  size_t start = 0;
  while (remaining > budget) {
    Unit u = NextUnit(utf8, start);
    remaining -= u.width;
    start += u.len;
  }
  std::string out(kEllipsis);
  out.append(utf8.substr(start));
  return out;
}

}  // namespace tb
