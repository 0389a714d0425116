// Key decoding for the interactive UI: terminal input bytes -> keys.
//
// Understands what xterm-compatible terminals (and tmux, screen, the Linux
// console) send in raw mode: control bytes, UTF-8 text, CSI sequences
// (ESC [ ... final, with optional parameters/modifiers: "\e[1;5A" is Up),
// SS3 sequences (ESC O A), and ESC followed by a key as Alt+key.
//
// ESC alone is ambiguous until more bytes arrive: Decode() leaves an
// incomplete sequence (or an incomplete UTF-8 character) pending; the caller
// waits a short time (the escape delay) and, when nothing followed, calls
// Flush(), which turns a pending lone ESC into the Esc key.
// Pure and deterministic; not thread-safe (one decoder per input stream).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tb {

struct Key {
  enum class Kind {
    kText,  // text holds one UTF-8 character (printable)
    kEnter,
    kTab,
    kEsc,
    kBackspace,
    kDelete,
    kUp,
    kDown,
    kLeft,
    kRight,
    kPageUp,
    kPageDown,
    kHome,
    kEnd,
    kCtrl,  // ctrl holds the letter: 'a'..'z' (Ctrl-A..Ctrl-Z), minus those above
    kAlt,   // alt holds the character after ESC ('1'..'9', 'b', ...)
  };
  Kind kind = Kind::kText;
  std::string text;
  char ctrl = 0;
  char alt = 0;

  static Key Of(Kind k) {
    Key key;
    key.kind = k;
    return key;
  }
  static Key Text(std::string t) {
    Key key;
    key.text = std::move(t);
    return key;
  }
  static Key Ctrl(char c) {
    Key key;
    key.kind = Kind::kCtrl;
    key.ctrl = c;
    return key;
  }
  static Key Alt(char c) {
    Key key;
    key.kind = Kind::kAlt;
    key.alt = c;
    return key;
  }
  bool operator==(const Key&) const = default;
};

// A readable name for tests and logs: "Enter", "Up", "C-r", "M-1", "'é'".
std::string KeyName(const Key& key);

class KeyDecoder {
 public:
  // Appends the keys that `bytes` (after what is pending) completes to
  // *out; keeps an incomplete trailing sequence pending. Bytes that form no
  // key (unknown sequences, stray controls, invalid UTF-8) are dropped.
  void Decode(std::string_view bytes, std::vector<Key>* out);
  // No more bytes came in time: a pending ESC becomes kEsc (an incomplete
  // "ESC [" becomes Alt-'['); anything else pending is dropped.
  void Flush(std::vector<Key>* out);
  bool pending() const { return !pending_.empty(); }

 private:
  // Decodes one key at the start of `s`. Returns the bytes consumed, 0 when
  // `s` is an incomplete prefix of a key.
  size_t DecodeOne(std::string_view s, std::vector<Key>* out) const;
  size_t DecodeEscape(std::string_view s, std::vector<Key>* out) const;

  std::string pending_;
};

}  // namespace tb
