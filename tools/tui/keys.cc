#include "tools/tui/keys.h"

namespace tb {
namespace {

using K = Key::Kind;

// Length of the UTF-8 character starting with `lead` (0: not a lead byte).
size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// True when the second byte is allowed after `lead` (Unicode Table 3-7:
// no overlong forms, no surrogates, nothing above U+10FFFF).
bool SecondByteOk(unsigned char lead, unsigned char b) {
  if (lead == 0xE0) return b >= 0xA0 && b <= 0xBF;
  if (lead == 0xED) return b >= 0x80 && b <= 0x9F;
  if (lead == 0xF0) return b >= 0x90 && b <= 0xBF;
  if (lead == 0xF4) return b >= 0x80 && b <= 0x8F;
  return b >= 0x80 && b <= 0xBF;
}

// Decodes one UTF-8 character: bytes consumed and whether it is valid
// (0 consumed: incomplete).
size_t DecodeUtf8(std::string_view s, bool* valid) {
  auto lead = static_cast<unsigned char>(s[0]);
  size_t n = Utf8Length(lead);
  *valid = false;
  if (n == 0) return 1;
  for (size_t i = 1; i < n; ++i) {
    if (i >= s.size()) return 0;
    auto b = static_cast<unsigned char>(s[i]);
    bool ok = i == 1 ? SecondByteOk(lead, b) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return i;  // drop the bytes read so far
  }
  *valid = true;
  return n;
}

// The cursor keys that end both CSI ("ESC [ A") and SS3 ("ESC O A") sequences.
bool CursorKey(char c, Key* key) {
  switch (c) {
    case 'A': *key = Key::Of(K::kUp); return true;
    case 'B': *key = Key::Of(K::kDown); return true;
    case 'C': *key = Key::Of(K::kRight); return true;
    case 'D': *key = Key::Of(K::kLeft); return true;
    case 'H': *key = Key::Of(K::kHome); return true;
    case 'F': *key = Key::Of(K::kEnd); return true;
    default: return false;
  }
}

// The key of a complete CSI sequence "ESC [ params final".
bool CsiKey(std::string_view params, char final_byte, Key* key) {
  if (final_byte != '~') return CursorKey(final_byte, key);
  std::string_view first = params.substr(0, params.find(';'));
  if (first == "1" || first == "7")
    *key = Key::Of(K::kHome);
  else if (first == "4" || first == "8")
    *key = Key::Of(K::kEnd);
  else if (first == "3")
    *key = Key::Of(K::kDelete);
  else if (first == "5")
    *key = Key::Of(K::kPageUp);
  else if (first == "6")
    *key = Key::Of(K::kPageDown);
  else
    return false;
  return true;
}

// The key of an SS3 sequence "ESC O c" (keypad Enter is "ESC O M").
bool Ss3Key(char c, Key* key) {
  if (c != 'M') return CursorKey(c, key);
  *key = Key::Of(K::kEnter);
  return true;
}

// A control byte (< 0x20 or 0x7F, not ESC) as a key; false to drop it.
bool ControlKey(unsigned char c, Key* key) {
  switch (c) {
    case '\r':
    case '\n': *key = Key::Of(K::kEnter); return true;
    case '\t': *key = Key::Of(K::kTab); return true;
    case 0x7F:
    case 0x08: *key = Key::Of(K::kBackspace); return true;
    default: break;
  }
  if (c >= 1 && c <= 26) {
    *key = Key::Ctrl(static_cast<char>('a' + c - 1));
    return true;
  }
  return false;
}

}  // namespace

std::string KeyName(const Key& key) {
  static const char* const kNames[] = {"Text", "Enter", "Tab",   "Esc",    "Backspace", "Delete", "Up",
                                       "Down", "Left",  "Right", "PageUp", "PageDown",  "Home",   "End"};
  switch (key.kind) {
    case K::kText: return "'" + key.text + "'";
    case K::kCtrl: return std::string("C-") + key.ctrl;
    case K::kAlt: return std::string("M-") + key.alt;
    default: return kNames[static_cast<int>(key.kind)];
  }
}

size_t KeyDecoder::DecodeEscape(std::string_view s, std::vector<Key>* out) const {
  if (s.size() < 2) return 0;
  char c = s[1];
  Key key;
  if (c == '[') {
    size_t i = 2;
    while (i < s.size() && s[i] >= 0x30 && s[i] <= 0x3F) ++i;  // parameters
    while (i < s.size() && s[i] >= 0x20 && s[i] <= 0x2F) ++i;  // intermediates
    if (i == s.size()) return 0;
    if (s[i] < 0x40 || s[i] > 0x7E) return i;  // malformed: drop what was read
    if (CsiKey(s.substr(2, i - 2), s[i], &key)) out->push_back(key);
    return i + 1;
  }
  if (c == 'O') {
    if (s.size() < 3) return 0;
    if (Ss3Key(s[2], &key)) out->push_back(key);
    return 3;
  }
  if ((c >= 0x20 && c <= 0x7E) || c == 0x7F) {
    out->push_back(Key::Alt(c));
    return 2;
  }
  out->push_back(Key::Of(K::kEsc));  // ESC ESC, ESC Ctrl-x: the first is Esc
  return 1;
}

size_t KeyDecoder::DecodeOne(std::string_view s, std::vector<Key>* out) const {
  auto c = static_cast<unsigned char>(s[0]);
  if (c == 0x1B) return DecodeEscape(s, out);
  Key key;
  if (c < 0x20 || c == 0x7F) {
    if (ControlKey(c, &key)) out->push_back(key);
    return 1;
  }
  bool valid = false;
  size_t n = DecodeUtf8(s, &valid);
  if (n == 0) return 0;
  // C1 controls (U+0080..U+009F) are not text.
  if (valid && !(c == 0xC2 && static_cast<unsigned char>(s[1]) < 0xA0)) {
    out->push_back(Key::Text(std::string(s.substr(0, n))));
  }
  return n;
}

void KeyDecoder::Decode(std::string_view bytes, std::vector<Key>* out) {
  pending_.append(bytes);
  std::string_view s = pending_;
  size_t at = 0;
  while (at < s.size()) {
    size_t n = DecodeOne(s.substr(at), out);
    if (n == 0) break;
    at += n;
  }
  pending_.erase(0, at);
}

void KeyDecoder::Flush(std::vector<Key>* out) {
  if (pending_ == "\x1b") {
    out->push_back(Key::Of(K::kEsc));
  } else if (pending_ == "\x1b[" || pending_ == "\x1bO") {
    out->push_back(Key::Alt(pending_[1]));
  }
  pending_.clear();
}

}  // namespace tb
