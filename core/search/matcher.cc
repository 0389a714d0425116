#include "core/search/matcher.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstring>

#include "core/history_query.h"

namespace tb {
namespace {

constexpr int kMatchChar = 16;        // every matched character
constexpr int kBoundaryBonus = 8;     // matched at a word start
constexpr int kFirstCharFactor = 2;   // the pattern's first character at a word start counts double
constexpr int kConsecutiveBonus = 4;  // matched right after the previous match
constexpr int kGapStart = 3;          // first unmatched character inside the span
constexpr int kGapExtension = 1;      // each further unmatched character

bool IsBoundary(std::string_view text, size_t i) {
  if (i == 0) return true;
  switch (text[i - 1]) {
    case ' ':
    case '/':
    case '-':
    case '_':
    case '.':
    case ':':
    case '=':
    case ',':
    case ';':
    case '|':
    case '&':
    case '(':
    case ')':
    case '{':
    case '}':
    case '[':
    case ']':
    case '\'':
    case '"':
    case '\t':
    case '@':
    case '+': return true;
    default: return false;
  }
}

// Splits on unescaped spaces; `\ ` is a literal space.
std::vector<std::string> Tokenize(std::string_view q) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < q.size(); ++i) {
    if (q[i] == '\\' && i + 1 < q.size() && q[i + 1] == ' ') {
      cur += ' ';
      ++i;
    } else if (q[i] == ' ' || q[i] == '\t') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += q[i];
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

QueryTerm ParseTerm(const std::string& tok, SearchMode mode) {
  QueryTerm t;
  t.kind = mode == SearchMode::kFuzzy ? QueryTerm::Kind::kFuzzy : QueryTerm::Kind::kSubstring;
  std::string_view s = tok;
  if (s.size() > 1 && s[0] == '!') {
    t.negated = true;
    s.remove_prefix(1);
  }
  bool prefix = false, suffix = false, quoted = false;
  if (s.size() > 1 && s[0] == '\'') {
    quoted = true;
    s.remove_prefix(1);
  } else if (s.size() > 1 && s[0] == '^') {
    prefix = true;
    s.remove_prefix(1);
  }
  if (!quoted && s.size() > 1 && s.back() == '$') {
    suffix = true;
    s.remove_suffix(1);
  }
  t.text = std::string(s);
  if (prefix && suffix)
    t.kind = QueryTerm::Kind::kWhole;
  else if (prefix)
    t.kind = QueryTerm::Kind::kPrefix;
  else if (suffix)
    t.kind = QueryTerm::Kind::kSuffix;
  else if (quoted || t.negated)
    t.kind = QueryTerm::Kind::kSubstring;
  return t;
}

void MergeRanges(MatchRanges* r) {
  std::sort(r->begin(), r->end());
  MatchRanges out;
  for (const auto& x : *r) {
    if (!out.empty() && x.first <= out.back().second)
      out.back().second = std::max(out.back().second, x.second);
    else
      out.push_back(x);
  }
  *r = std::move(out);
}

bool HasUpperAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

bool FuzzyMatch(std::string_view text, std::string_view pattern, int* score, std::vector<uint32_t>* positions) {
  if (pattern.empty()) {
    if (score) *score = 0;
    return true;
  }
  // Forward: the earliest end of a subsequence match.
  size_t pi = 0, end = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == pattern[pi] && ++pi == pattern.size()) {
      end = i;
      break;
    }
  }
  if (pi < pattern.size()) return false;
  // Backward from that end: the latest start, so the span is short.
  size_t start = end;
  for (size_t i = end + 1, k = pattern.size(); i-- > 0;) {
    if (text[i] == pattern[k - 1] && --k == 0) {
      start = i;
      break;
    }
  }
  // Score the span forward.
  int s = 0, gap = 0;
  size_t k = 0;
  bool prev_matched = false;
  for (size_t i = start; i <= end && k < pattern.size(); ++i) {
    if (text[i] == pattern[k]) {
      int c = kMatchChar;
      if (IsBoundary(text, i)) c += kBoundaryBonus * (k == 0 ? kFirstCharFactor : 1);
      if (prev_matched) c += kConsecutiveBonus;
      s += c;
      if (positions) positions->push_back(static_cast<uint32_t>(i));
      ++k;
      prev_matched = true;
      gap = 0;
    } else {
      s -= gap++ == 0 ? kGapStart : kGapExtension;
      prev_matched = false;
    }
  }
  if (score) *score = s;
  return true;
}

std::string SpacedOrQuery(std::string_view q) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  const size_t first = q.find_first_not_of(" \t"), last = q.find_last_not_of(" \t");
  std::string out;
  bool changed = false;
  for (size_t i = 0; i < q.size(); ++i) {
    const char c = q[i];
    const bool single = c == '|' && (i == 0 || q[i - 1] != '|') && (i + 1 == q.size() || q[i + 1] != '|');
    if (!single || i <= first || i >= last) {
      out += c;
      continue;
    }
    const bool before = !blank(q[i - 1]), after = !blank(q[i + 1]);
    out += before ? " | " : "| ";
    if (!after) out.pop_back();
    changed |= before || after;
  }
  return changed ? out : std::string();
}

Matcher::Matcher() = default;
Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;

Status Matcher::Parse(std::string_view query, SearchMode mode, Matcher* out) {
  Matcher m;
  m.mode_ = mode;
  // Exact means exact: `--mode exact 'git status'` must not list `GIT
  // status`. The other modes search, so they keep smart case.
  m.case_sensitive_ = mode == SearchMode::kExact || HasUpperAscii(query);
  std::string q = m.case_sensitive_ ? std::string(query) : AsciiLower(query);
  switch (mode) {
    case SearchMode::kPrefix:
    case SearchMode::kExact:
      m.literal_ = q;
      m.required_ = q;
      m.empty_ = q.empty() && mode == SearchMode::kPrefix;
      break;
    case SearchMode::kRegex: {
      m.empty_ = query.empty();
      if (m.empty_) break;
      RE2::Options o;
      o.set_log_errors(false);
      o.set_case_sensitive(m.case_sensitive_);
      auto re = std::make_unique<RE2>(std::string(query), o);
      if (!re->ok()) return Status::InvalidArgument("invalid regex: " + re->error());
      m.re_ = std::move(re);
      break;
    }
    case SearchMode::kSubstring:
    case SearchMode::kFuzzy: {
      bool join = false;
      for (const auto& tok : Tokenize(q)) {
        if (tok == "|") {
          join = !m.groups_.empty();
          continue;
        }
        QueryTerm t = ParseTerm(tok, mode);
        if (join)
          m.groups_.back().push_back(std::move(t));
        else
          m.groups_.push_back({std::move(t)});
        join = false;
      }
      m.empty_ = m.groups_.empty();
      for (const auto& g : m.groups_) {
        const QueryTerm& t = g[0];
        if (g.size() == 1 && !t.negated && t.kind != QueryTerm::Kind::kFuzzy && t.text.size() > m.required_.size())
          m.required_ = t.text;
      }
      break;
    }
  }
  *out = std::move(m);
  return Status::OK();
}

bool Matcher::MatchTerm(const QueryTerm& t, std::string_view text, std::string_view folded, int* score,
                        MatchRanges* ranges) const {
  std::string_view hay = case_sensitive_ ? text : folded;
  size_t n = t.text.size();
  bool hit = false;
  uint32_t b = 0, e = 0;
  switch (t.kind) {
    case QueryTerm::Kind::kSubstring: {
      size_t p = hay.find(t.text);
      hit = p != std::string_view::npos;
      b = static_cast<uint32_t>(p), e = static_cast<uint32_t>(p + n);
      break;
    }
    case QueryTerm::Kind::kPrefix: hit = hay.starts_with(t.text), b = 0, e = static_cast<uint32_t>(n); break;
    case QueryTerm::Kind::kSuffix:
      hit = hay.ends_with(t.text), b = static_cast<uint32_t>(hay.size() - n), e = static_cast<uint32_t>(hay.size());
      break;
    case QueryTerm::Kind::kWhole: hit = hay == t.text, b = 0, e = static_cast<uint32_t>(n); break;
    case QueryTerm::Kind::kFuzzy: {
      std::vector<uint32_t> pos;
      int s = 0;
      hit = FuzzyMatch(hay, t.text, &s, ranges && !t.negated ? &pos : nullptr);
      if (hit && score) *score += s;
      if (hit && ranges && !t.negated)
        for (uint32_t p : pos) ranges->push_back({p, p + 1});
      return hit != t.negated;
    }
  }
  if (hit && !t.negated && ranges && e > b) ranges->push_back({b, e});
  if (hit && score && !t.negated) *score += kMatchChar * static_cast<int>(n);
  return hit != t.negated;
}

bool Matcher::Match(std::string_view text, int* score, MatchRanges* ranges) const {
  thread_local std::string folded;
  if (!case_sensitive_ && mode_ != SearchMode::kRegex && !empty_) {
    folded.assign(text);
    for (char& c : folded)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return MatchFolded(text, folded, score, ranges);
}

bool Matcher::MatchFolded(std::string_view text, std::string_view folded, int* score, MatchRanges* ranges) const {
  if (score) *score = 0;
  if (ranges) ranges->clear();
  if (empty_) return true;
  std::string_view hay = case_sensitive_ ? text : folded;
  switch (mode_) {
    case SearchMode::kPrefix:
      if (!hay.starts_with(literal_)) return false;
      if (ranges && !literal_.empty()) ranges->push_back({0, static_cast<uint32_t>(literal_.size())});
      return true;
    case SearchMode::kExact:
      if (hay != literal_) return false;
      if (ranges && !literal_.empty()) ranges->push_back({0, static_cast<uint32_t>(literal_.size())});
      return true;
    case SearchMode::kRegex: {
      re2::StringPiece m;
      if (!re_->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED, &m, 1)) return false;
      if (ranges && !m.empty()) {
        auto b = static_cast<uint32_t>(m.data() - text.data());
        ranges->push_back({b, b + static_cast<uint32_t>(m.size())});
      }
      return true;
    }
    case SearchMode::kSubstring:
    case SearchMode::kFuzzy: break;
  }
  for (const auto& g : groups_) {
    bool any = false;
    for (const auto& t : g) {
      if (MatchTerm(t, text, hay, score, ranges)) {
        any = true;
        if (!ranges && !score) break;
      }
    }
    if (!any) return false;
  }
  if (ranges) MergeRanges(ranges);
  return true;
}

}  // namespace tb
