/// @file
/// Matcher: a parsed search query (core/search/search.h documents the
/// language) that tests command texts and reports what matched.
///
/// Thread safety: immutable after Parse; Match may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/search/search.h"
#include "core/status.h"

namespace re2 {
class RE2;
}

namespace tb {

/// Matched byte ranges [begin, end) of a text, sorted and merged.
using MatchRanges = std::vector<std::pair<uint32_t, uint32_t>>;

/// One term of the query: `[!][^|']text[$]`.
struct QueryTerm {
  /// How the term matches: plain (substring, or subsequence in fuzzy mode),
  /// `^text` prefix, `text$` suffix, `^text$` whole command (`'text` is a
  /// substring even in fuzzy mode).
  enum class Kind { kSubstring, kFuzzy, kPrefix, kSuffix, kWhole };
  Kind kind = Kind::kSubstring;  ///< how it matches
  bool negated = false;          ///< `!`: the text must not match
  std::string text;              ///< lowercased when the query is case-insensitive
  /// Field by field.
  bool operator==(const QueryTerm&) const = default;
};

/// A parsed query of one SearchMode, matched against command texts.
class Matcher {
 public:
  Matcher();
  ~Matcher();
  /// Movable (the compiled regex moves with it), not copyable.
  Matcher(Matcher&&) noexcept;
  /// Movable (the compiled regex moves with it), not copyable.
  Matcher& operator=(Matcher&&) noexcept;

  /// Parses `query` for `mode`. InvalidArgument for an invalid regex
  /// ("invalid regex: <RE2's reason>").
  static Status Parse(std::string_view query, SearchMode mode, Matcher* out);

  /// True when `text` matches. `score` (may be null) receives the fuzzy
  /// quality (higher is better; 0 outside fuzzy mode); `ranges` (may be
  /// null) the matched byte ranges, sorted and merged.
  bool Match(std::string_view text, int* score, MatchRanges* ranges) const;
  /// The same with `folded` = AsciiLower(text) supplied by the caller (the
  /// search index keeps a folded copy of every command).
  bool MatchFolded(std::string_view text, std::string_view folded, int* score, MatchRanges* ranges) const;

  /// True for an empty query: it matches everything.
  bool empty() const { return empty_; }
  /// False when the query has no uppercase letter (smart case) and the mode
  /// is not exact: texts are then compared ASCII-folded.
  bool case_sensitive() const { return case_sensitive_; }
  /// The mode it was parsed for.
  SearchMode mode() const { return mode_; }
  /// For an index pre-filter: a literal that every matching text contains
  /// (in the folded form when !case_sensitive), or "" when there is none.
  const std::string& required_literal() const { return required_; }
  /// True when the query is one positive substring term (then containing
  /// required_literal() is the whole test).
  bool single_substring() const {
    return mode_ == SearchMode::kSubstring && groups_.size() == 1 && groups_[0].size() == 1 && !groups_[0][0].negated &&
           groups_[0][0].kind == QueryTerm::Kind::kSubstring;
  }

 private:
  bool MatchTerm(const QueryTerm& t, std::string_view text, std::string_view folded, int* score,
                 MatchRanges* ranges) const;
  SearchMode mode_ = SearchMode::kSubstring;
  bool case_sensitive_ = false;
  bool empty_ = true;
  std::string literal_;  // prefix / exact modes (folded when case-insensitive)
  std::vector<std::vector<QueryTerm>> groups_;
  std::unique_ptr<re2::RE2> re_;
  std::string required_;
};

/// Fuzzy subsequence match of `pattern` in `text` (both already folded as
/// needed). Returns false when `pattern` is not a subsequence; else the score
/// and the matched positions (docs/architecture.md, "Search ranking").
bool FuzzyMatch(std::string_view text, std::string_view pattern, int* score, std::vector<uint32_t>* positions);

/// `query` with spaces put around every single `|` that touches a word
/// (`docker|make` -> `docker | make`, the OR of the query language), or ""
/// when it has none. `||` and a `|` at either end are left as they are.
std::string SpacedOrQuery(std::string_view query);

}  // namespace tb
