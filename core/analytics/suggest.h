/// @file
/// Next-command suggestions: a sequence model over
/// command templates, read from sequence counters (core/analytics/patterns.h,
/// CounterSource), with Witten-Bell interpolation of four levels:
///   global    P0(t) = c(t) / (N + D)
///   directory P1(t) = (c_dir(t)  + D_dir  P0(t)) / (N_dir  + D_dir)
///   bigram    P2(t) = (c_last(t) + D_last P1(t)) / (N_last + D_last)
///   trigram   P3(t) = (c_two(t)  + D_two  P2(t)) / (N_two  + D_two)
/// (c: the count of t after that context, N: their total, D: the number of
/// distinct templates seen after it, times `sequence_caution` for the two
/// sequence levels; a level without data is skipped).
/// The score is the highest level's P; `source` names the highest level
/// where t was seen. Ties go to the higher count, then the template bytes.
/// Then outcomes (core/analytics/outcomes.h), best candidate first until
/// `limit` pass: a failing template is never suggested; when a fix was
/// learned for it, the fix takes its place with the typo's score added to
/// its own (source "fix" when the fix was no candidate), so a typo's
/// probability goes to what the user meant. Candidates below the limit are
/// not read, so their failures give nothing to the fixes above.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/analytics/patterns.h"

namespace tb {

/// A level's candidates: the k most frequent templates under a prefix
/// (ties at the k-th count included) and the total count under it.
struct TopCounts {
  uint64_t total = 0;                                 ///< the sum of every count under the prefix (N)
  uint64_t distinct = 0;                              ///< templates under the prefix (before the cut)
  std::vector<std::pair<std::string, uint64_t>> top;  ///< any order
};
/// The templates that followed `context` (0-2 templates of one session,
/// oldest first; none: every completed template) and their counts; k = 0:
/// all.
Status TopFollowers(CounterSource& src, std::span<const std::string_view> context, size_t k, TopCounts* out);
/// The templates completed in `cwd`.
Status TopInDirectory(CounterSource& src, std::string_view cwd, size_t k, TopCounts* out);

/// The context of one prediction.
struct SuggestInput {
  std::vector<std::string> recent;  ///< templates of the session's last commands, oldest first
  std::string cwd;                  ///< "" = unknown
  size_t limit = 5;                 ///< 0 = all candidates
  ///@{
  /// Precomputed levels (TopInDirectory, TopFollowers with no context; k >=
  /// max(4 limit, 20), or 0), e.g. for many
  /// predictions over one model; null: read from the source.
  const TopCounts* dir = nullptr;
  const TopCounts* global = nullptr;
  ///@}
  /// Weight of a sequence context's distinct count D in the interpolation
  /// (1 = plain Witten-Bell): sparse contexts defer to the levels below.
  /// Chosen on the benchmark history (bench/suggest_bench.cc --caution).
  double sequence_caution = 16.0;
  /// Apply outcomes (core/analytics/outcomes.h); false: the sequence model
  /// alone (bench/suggest_bench.cc compares the two).
  bool learn_outcomes = true;
};

/// One suggested template.
struct Suggestion {
  std::string tmpl;    ///< the command template (core/analytics/templates.h)
  double score = 0;    ///< its probability under the model (0..1; a fix adds the typo's)
  uint64_t count = 0;  ///< the count behind the score
  std::string source;  ///< "trigram", "bigram", "directory", "global", "fix"
  /// Field by field.
  bool operator==(const Suggestion&) const = default;
};

/// The best `in.limit` templates for the context, highest score first (the
/// rules in the file comment); errors are the source's.
Status Suggest(CounterSource& src, const SuggestInput& in, std::vector<Suggestion>* out);

}  // namespace tb

namespace tb {

/// For each template in `templates`, the most recent command with that
/// template: first among the newest `dir_scan` commands run in `cwd` (when
/// not empty), then among the newest `global_scan` commands. Templates
/// without one are absent from *out.
Status InstantiateTemplates(StoreReader& reader, const std::string& cwd, const std::vector<std::string>& templates,
                            std::map<std::string, std::string>* out, size_t dir_scan = 2000, size_t global_scan = 5000);

/// What `tb suggest` shows: the next commands for a session in a directory.
struct NextCommandRequest {
  std::string session;  ///< "" = no session context
  std::string cwd;      ///< "" = unknown
  size_t limit = 5;     ///< at most this many commands (0 = all candidates)
  int64_t now_ns = 0;   ///< the clock, for the staleness rule below
};
/// One suggested next command.
struct NextCommand {
  Suggestion suggestion;  ///< the template and its score
  std::string command;    ///< the newest concrete command of the template (InstantiateTemplates), else the template
};
/// Suggest over the store's sequence counters, with the session's last two
/// commands as context unless the newest is over an hour older than
/// `now_ns` (a stale context predicts badly: the directory decides then).
Status SuggestNext(StoreReader& reader, const NextCommandRequest& req, std::vector<NextCommand>* out);

}  // namespace tb
