#include "core/utf8.h"

#include <utf8proc.h>

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
  if (cp < 0x1100) return 1;  // nothing below U+1100 is wide, ASCII included
  // Planes 2 and 3 are wide as a whole: their unassigned code points
  // default to Wide in EastAsianWidth.txt (utf8proc counts them 1).
  if (cp >= 0x20000 && cp <= 0x3FFFD) return 2;
  return utf8proc_charwidth(static_cast<utf8proc_int32_t>(cp)) == 2 ? 2 : 1;
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
