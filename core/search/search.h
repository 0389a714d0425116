/// @file
/// Search: the query language, the modes, the filters/scopes and the ranking
/// of `tb search` and of the interactive UI, answered from a SearchIndex (an
/// in-memory/mapped columnar copy of the history, see core/search/index.h).
///
/// Query language (atuin/fzf compatible where they overlap), per mode:
///   substring (default)  the query is split on spaces into terms; every term
///                        must match (AND); `a | b` between terms is OR;
///                        per term: `^pre` prefix, `suf$` suffix, `^all$`
///                        whole command, `'exact` substring (fuzzy mode:
///                        not fuzzy), `!not` must not contain (`!^`, `!$` too)
///   fuzzy                like substring but a plain term is a subsequence
///                        match, ranked by match quality (contiguous runs,
///                        word starts, shorter spans), then frecency
///   prefix               the whole query is a prefix of the command
///   exact                the whole query equals the command
///   regex                the whole query is an RE2 pattern (partial match)
/// Smart case: a query without uppercase letters matches case-insensitively
/// (ASCII folding); any uppercase letter makes it case-sensitive. Exact mode
/// is always case-sensitive.
/// An empty query matches everything.
/// A `|` glued to a word (`docker|make`) is part of the word, as in fzf:
/// commands contain pipes (`ps aux|grep x`). SpacedOrQuery() in
/// core/search/matcher.h gives the spaced form for a hint.
///
/// Thread safety: a Searcher is used from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/history_query.h"
#include "core/record.h"
#include "core/status.h"

namespace tb {

/// How the query matches a command (see the file comment).
enum class SearchMode { kSubstring, kPrefix, kFuzzy, kRegex, kExact };
/// How hits are ordered: newest first, or by frecency (uses, failures, age,
/// same directory / workspace; fuzzy mode ranks by match quality first).
enum class RankMode { kRecent, kFrecency };

///@{
/// "substring" | "prefix" | "fuzzy" | "regex" | "exact" (InvalidArgument otherwise).
Status ParseSearchMode(std::string_view s, SearchMode* out);
std::string_view SearchModeName(SearchMode m);
///@}
/// The names ParseSearchMode accepts, in the order of the enum.
std::vector<std::string_view> SearchModeNames();
///@{
/// "recent" | "frecency".
Status ParseRankMode(std::string_view s, RankMode* out);
std::string_view RankModeName(RankMode m);
///@}
/// The names ParseRankMode accepts: recent, frecency.
std::vector<std::string_view> RankModeNames();

/// One search: the query, how to match and rank it, and where to look.
struct SearchRequest {
  std::string query;                         ///< the query ("" matches everything)
  SearchMode mode = SearchMode::kSubstring;  ///< how the query matches
  RankMode rank = RankMode::kRecent;         ///< how hits are ordered
  bool unique = false;                       ///< one row per command text: its most recent use in scope
  /// Filters (HistoryFilter::text is ignored; the query above is the text).
  HistoryFilter filter;
  /// Workspace scope: only commands run in this directory or below it.
  std::optional<std::string> under_dir;
  ///@{
  /// Context for frecency boosts (same directory / same workspace); may be empty.
  std::string current_cwd;
  std::string current_workspace;
  ///@}
  int64_t now_ns = 0;  ///< the clock (UTC ns) frecency ages uses against
  /// Absolute CLOCK_MONOTONIC time in ns after which the search stops and
  /// reports deadline_exceeded; 0 = no deadline.
  int64_t deadline_mono_ns = 0;
  /// The caller's own command line, left out of the results: a shell hook
  /// records a line as it starts, so a search typed at the prompt would find
  /// itself, still running. When set, the newest record of `session` is left
  /// out if it is still running and its text contains each of `words`.
  struct Self {
    std::string session;             ///< the caller's session
    std::vector<std::string> words;  ///< words of the caller's command line
  };
  std::optional<Self> exclude_self;  ///< nullopt: nothing is left out (see Self)
};

/// The deadline_mono_ns of a search allowed to run `ms` milliseconds from
/// now (0 = no deadline).
int64_t SearchDeadline(int64_t ms);

/// One command found.
struct SearchHit {
  HistoryRecord record;  ///< the record (with unique: the most recent use in scope)
  /// Byte ranges [begin, end) of record.command that matched (for highlighting).
  std::vector<std::pair<uint32_t, uint32_t>> matches;
  ///@{
  /// Uses of this command text and failed uses among them: within the
  /// filters when the ranking needed a full scan (frecency/fuzzy with
  /// filters), else over the whole history.
  uint32_t uses = 0;
  uint32_t failures = 0;
  ///@}
  double score = 0;  ///< ranking score (0 for kRecent without fuzzy)
};

/// What a search found.
struct SearchResult {
  std::vector<SearchHit> hits;  ///< ranked, at most filter.limit (0 = all)
  /// The deadline passed: `hits` holds what was found until then.
  bool deadline_exceeded = false;
};

/// Details of one command text for the UI's detail view.
struct CommandDetails {
  uint32_t uses = 0;      ///< times it was run
  uint32_t failures = 0;  ///< runs with a known non-zero exit status
  int64_t first_ns = 0;   ///< start time of its first run, UTC ns
  int64_t last_ns = 0;    ///< start time of its last run, UTC ns
  ///@{
  /// The commands that most often ran just before / after it in the same
  /// session, most frequent first (text, count), at most 5 each.
  std::vector<std::pair<std::string, uint32_t>> before;
  std::vector<std::pair<std::string, uint32_t>> after;
  ///@}
};

class SearchIndex;
struct IndexOverlay;

/// Runs requests against one index and the overlay of what changed since it
/// was built (may be null). Both must outlive the Searcher.
class Searcher {
 public:
  /// Searches `index` and `overlay` (null: the index alone); neither is copied.
  explicit Searcher(const SearchIndex& index, const IndexOverlay* overlay = nullptr);
  ~Searcher();
  /// InvalidArgument for an invalid regex. Corruption when the index is
  /// damaged (core/search/index.h): *out is then empty, never a result
  /// computed from damaged bytes.
  Status Search(const SearchRequest& req, SearchResult* out) const;
  /// NotFound when the command text is not in the history; Corruption as
  /// for Search().
  Status Details(std::string_view command, CommandDetails* out) const;

 private:
  Status SearchUnchecked(const SearchRequest& req, SearchResult* out) const;
  Status DetailsUnchecked(std::string_view command, CommandDetails* out) const;
  struct OverlayCmds;
  const SearchIndex& index_;
  const IndexOverlay* overlay_;
  std::unique_ptr<OverlayCmds> extra_;  // overlay commands resolved against the index
};

}  // namespace tb
