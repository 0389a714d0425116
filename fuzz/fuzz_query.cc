// Feeds arbitrary bytes to the query language (Matcher::Parse,
// core/search/matcher.h) in the mode the first byte picks, then matches the
// parsed query against the text after the first LF, and runs FuzzyMatch
// and SpacedOrQuery over the same bytes.
#include <cstdlib>

#include "core/search/matcher.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const tb::SearchMode kModes[] = {tb::SearchMode::kSubstring, tb::SearchMode::kPrefix, tb::SearchMode::kFuzzy,
                                          tb::SearchMode::kRegex, tb::SearchMode::kExact};
  tb::SearchMode mode = kModes[data[0] % 5];
  std::string_view rest = tb::fuzz::Bytes(data + 1, size - 1);
  size_t lf = rest.find('\n');
  std::string_view query = rest.substr(0, lf);
  std::string_view text = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
  (void)tb::SpacedOrQuery(query);
  int score = 0;
  std::vector<uint32_t> positions;
  if (tb::FuzzyMatch(text, query, &score, &positions) && positions.size() != query.size()) std::abort();
  tb::Matcher m;
  if (!tb::Matcher::Parse(query, mode, &m).ok()) return 0;
  tb::MatchRanges ranges;
  if (m.Match(text, &score, &ranges)) {
    for (auto [begin, end] : ranges) {
      if (begin > end || end > text.size()) std::abort();  // ranges lie within the text
    }
  }
  return 0;
}
