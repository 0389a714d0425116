#include "core/analytics/templates.h"

#include <cctype>
#include <vector>

namespace tb {
namespace {

struct Word {
  std::string text;
  bool quoted = false;  // had a quote character (or an escape) in it
  bool op = false;      // an operator
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsOpChar(char c) { return c == '|' || c == '&' || c == ';' || c == '<' || c == '>'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Splits like a shell would for our purpose: quotes and escapes keep blanks
// and operator characters inside a word.
std::vector<Word> Split(std::string_view s) {
  std::vector<Word> words;
  Word cur;
  bool in_word = false;
  auto end_word = [&] {
    if (in_word) words.push_back(std::move(cur));
    cur = Word{};
    in_word = false;
  };
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (IsBlank(c)) {
      end_word();
      ++i;
    } else if (c == '\'' || c == '"') {
      in_word = true;
      cur.quoted = true;
      cur.text.push_back(c);
      size_t j = i + 1;
      while (j < s.size() && s[j] != c) {
        if (c == '"' && s[j] == '\\' && j + 1 < s.size()) cur.text.push_back(s[j++]);
        cur.text.push_back(s[j++]);
      }
      if (j < s.size()) cur.text.push_back(s[j++]);
      i = j;
    } else if (c == '\\' && i + 1 < s.size()) {
      in_word = true;
      cur.quoted = true;
      cur.text.append(s.substr(i, 2));
      i += 2;
    } else if (IsOpChar(c)) {
      Word op;
      op.op = true;
      // "2>" and "2>&1": a file descriptor number belongs to the operator.
      if (in_word && !cur.quoted && AllDigits(cur.text) && (c == '<' || c == '>')) {
        op.text = cur.text;
        cur = Word{};
        in_word = false;
      }
      end_word();
      while (i < s.size() && IsOpChar(s[i])) op.text.push_back(s[i++]);
      if (op.text.back() == '&' && op.text.size() > 1) {
        while (i < s.size() && IsDigit(s[i])) op.text.push_back(s[i++]);
      }
      words.push_back(std::move(op));
    } else {
      in_word = true;
      cur.text.push_back(c);
      ++i;
    }
  }
  end_word();
  return words;
}

bool IsNumber(std::string_view w) {
  size_t i = 0;
  if (i < w.size() && (w[i] == '+' || w[i] == '-')) ++i;
  size_t digits = 0;
  for (; i < w.size() && (IsDigit(w[i]) || w[i] == '.' || w[i] == ':' || w[i] == ','); ++i) {
    if (IsDigit(w[i])) ++digits;
  }
  if (digits == 0 || !IsDigit(w[w[0] == '+' || w[0] == '-' ? 1 : 0])) return false;
  size_t units = 0;
  for (; i < w.size() && std::isalpha(static_cast<unsigned char>(w[i])); ++i) ++units;
  return i == w.size() && units <= 2;
}

bool IsHash(std::string_view w) {
  if (w.size() < 7 || w.size() > 64) return false;
  bool digit = false, letter = false;
  for (char c : w) {
    if (!IsHex(c)) return false;
    (IsDigit(c) ? digit : letter) = true;
  }
  return digit && letter;
}

bool IsUrl(std::string_view w) {
  if (w.find("://") != std::string_view::npos) return true;
  size_t at = w.find('@');
  return at != std::string_view::npos && at > 0 && w.find(':', at) != std::string_view::npos;
}

bool HasExtension(std::string_view w) {
  size_t dot = w.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= w.size() || w.size() - dot - 1 > 4) return false;
  for (size_t i = dot + 1; i < w.size(); ++i) {
    if (!IsAlnum(w[i])) return false;
  }
  return std::isalpha(static_cast<unsigned char>(w[dot + 1])) != 0;
}

bool IsPath(std::string_view w) {
  return w.find('/') != std::string_view::npos || w[0] == '~' || w[0] == '.' || HasExtension(w);
}

// The placeholder for an argument, or "" to keep it.
std::string_view Classify(const Word& w) {
  if (w.text.empty()) return "";
  if (w.quoted) return "<str>";
  if (IsUrl(w.text)) return "<url>";
  if (IsNumber(w.text)) return "<num>";
  if (IsHash(w.text)) return "<hash>";
  if (IsPath(w.text)) return "<path>";
  return "";
}

bool StartsSegment(std::string_view op) {
  return op == "|" || op == "||" || op == "&&" || op == ";" || op == "&" || op == "|&";
}

// `NAME=value` with a valid variable name: the length of "NAME=", else 0.
size_t AssignmentPrefix(std::string_view w) {
  size_t eq = w.find('=');
  if (eq == std::string_view::npos || eq == 0) return 0;
  for (size_t i = 0; i < eq; ++i) {
    if (!(IsAlnum(w[i]) || w[i] == '_') || (i == 0 && IsDigit(w[i]))) return 0;
  }
  return eq + 1;
}

// Classifies the value part of `prefix=value` words.
std::string WithValue(const Word& w, size_t prefix) {
  Word v;
  v.text = w.text.substr(prefix);
  v.quoted = w.quoted && v.text.find_first_of("'\"\\") != std::string::npos;
  std::string_view ph = Classify(v);
  return w.text.substr(0, prefix) + (ph.empty() ? v.text : std::string(ph));
}

}  // namespace

std::string CommandTemplate(std::string_view command) {
  std::vector<Word> words = Split(command);
  std::string out;
  std::string_view last_placeholder;
  bool command_position = true;
  for (const Word& w : words) {
    std::string piece;
    std::string_view placeholder;
    if (w.op) {
      piece = w.text;
      command_position = StartsSegment(w.text);
    } else if (command_position) {
      size_t assign = w.quoted ? 0 : AssignmentPrefix(w.text);
      if (assign > 0) {
        piece = WithValue(w, assign);  // still in command position
      } else {
        piece = w.text;
        command_position = false;
      }
    } else if (w.text[0] == '-' && w.text.size() > 1) {
      size_t eq = w.text.find('=');
      piece = eq == std::string::npos || w.text[0] == '\'' ? w.text : WithValue(w, eq + 1);
    } else {
      placeholder = Classify(w);
      piece = placeholder.empty() ? w.text : std::string(placeholder);
    }
    if (!placeholder.empty() && placeholder == last_placeholder) continue;
    last_placeholder = placeholder;
    if (!out.empty()) out.push_back(' ');
    out += piece;
  }
  return out;
}

std::string CommandHead(std::string_view command) {
  std::vector<Word> words = Split(command);
  std::string out;
  size_t i = 0;
  while (i < words.size() && !words[i].op && !words[i].quoted && AssignmentPrefix(words[i].text) > 0) ++i;
  if (i >= words.size() || words[i].op) return out;
  out = words[i].text;
  if (i + 1 < words.size()) {
    const Word& w = words[i + 1];
    if (!w.op && w.text[0] != '-' && Classify(w).empty()) out += " " + w.text;
  }
  return out;
}

}  // namespace tb
