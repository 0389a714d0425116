/// @file
/// Frequent command sequences and the counter sources
/// they are read from: the `sequences` view (all history), or counters
/// mined in memory from a filtered listing (scope filters, benchmarks).
///
/// A pattern is a run of 2-4 templates (core/analytics/templates.h) of
/// consecutive commands of one session. support = how often the run
/// occurred; confidence = support / how often its prefix (the run without
/// its last template) occurred.
///
/// Thread safety: a source is used from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/record.h"
#include "core/status.h"
#include "core/store_reader.h"
#include "core/view.h"

namespace tb {

/// Counters with the `sequences` layout (core/analytics/learning.h): keys
/// and counter-list values.
class CounterSource {
 public:
  virtual ~CounterSource() = default;
  /// Visits every key that starts with `prefix` and its value, in key
  /// order; `visit` returns false to stop.
  virtual Status Scan(std::string_view prefix,
                      const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;
  /// NotFound when absent.
  virtual Status Get(std::string_view key, std::string* value) = 0;
};

/// The `sequences` view of a store.
std::unique_ptr<CounterSource> ViewCounters(StoreReader& reader);

/// Counters in memory, learned as the view learns them (e.g. mined from a
/// listing, or a model for benchmarks).
class MemoryCounters final : public CounterSource {
 public:
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& visit) override;
  Status Get(std::string_view key, std::string* value) override;
  /// Learns the records (any order): each session's records in (start time,
  /// seq) order give their completions, as the views learn them.
  void Learn(std::vector<HistoryRecord> records);
  /// Learns one completion (SequenceOps).
  void Add(const Completion& c);
  size_t keys();      ///< keys learned so far
  size_t counters();  ///< counters in every value

 private:
  void Fold();  // folds pending_ into values_
  std::unordered_map<std::string, std::map<std::string, uint64_t>> pending_;
  std::map<std::string, std::string, std::less<>> values_;
};

/// A frequent run of templates (see the file comment).
struct Pattern {
  std::vector<std::string> templates;  ///< 2..4
  uint64_t support = 0;                ///< how often the run occurred
  double confidence = 0;               ///< 0..1: support / occurrences of its prefix
  /// Field by field.
  bool operator==(const Pattern&) const = default;
};

/// Which patterns to list.
struct PatternQuery {
  uint64_t min_support = 2;   ///< the least support listed
  double min_confidence = 0;  ///< the least confidence listed (0..1)
  size_t limit = 20;          ///< 0 = all
};

/// Patterns meeting the query, by support (desc), then length (desc), then
/// confidence (desc), then templates (bytewise). With a limit and no
/// minimum confidence, only the templates whose 'f' counter (the bound of
/// every support under them) reaches the limit's support are read.
Status ListPatterns(CounterSource& src, const PatternQuery& q, std::vector<Pattern>* out);

/// "a -> b -> c".
std::string JoinPattern(const std::vector<std::string>& templates);

}  // namespace tb
