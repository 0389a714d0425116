// Feeds arbitrary bytes to the search index reader (SearchIndex::Open,
// core/search/index.h), as `tb search` maps search.idx, and runs searches
// and details over what opens. With a first byte 'B' the rest is records
// instead (fields split by TAB, records by LF; the first line is the query):
// they are built into an index (IndexBuilder), serialized, opened and
// searched, and the index they make, damaged at one byte the input picks,
// must open with a Status or search without a crash.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/search/index.h"
#include "core/search/search.h"
#include "core/split.h"
#include "fuzz/fuzz_util.h"

namespace {

void SearchAll(std::string_view bytes, const std::string& query) {
  std::vector<uint64_t> aligned(bytes.size() / 8 + 1);  // Open needs 8-byte alignment
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  std::unique_ptr<tb::SearchIndex> index;
  if (!tb::SearchIndex::Open(std::string_view(reinterpret_cast<const char*>(aligned.data()), bytes.size()), nullptr,
                             &index)
           .ok()) {
    return;
  }
  tb::Searcher searcher(*index);
  static const tb::SearchMode kModes[] = {tb::SearchMode::kSubstring, tb::SearchMode::kFuzzy, tb::SearchMode::kPrefix};
  for (tb::SearchMode mode : kModes) {
    for (tb::RankMode rank : {tb::RankMode::kRecent, tb::RankMode::kFrecency}) {
      tb::SearchRequest req;
      req.query = query;
      req.mode = mode;
      req.rank = rank;
      req.unique = rank == tb::RankMode::kFrecency;
      req.filter.limit = 20;
      req.current_cwd = "/home/u";
      req.under_dir = mode == tb::SearchMode::kPrefix ? std::optional<std::string>("/home") : std::nullopt;
      tb::SearchResult result;
      if (searcher.Search(req, &result).ok()) {
        for (const tb::SearchHit& hit : result.hits) {
          tb::CommandDetails details;
          (void)searcher.Details(hit.record.command, &details);
        }
      }
    }
  }
  (void)index->VerifyAll();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = tb::fuzz::Bytes(data, size);
  if (bytes.empty() || bytes[0] != 'B') {
    SearchAll(bytes, "git");
    return 0;
  }
  std::vector<std::string_view> lines = tb::SplitFields(bytes.substr(1), '\n');
  tb::IndexBuilder builder(tb::IndexStamp{"0123456789abcdef0123456789abcdef", lines.size(), 0, {}});
  uint64_t seq = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string_view> f = tb::SplitFields(lines[i], '\t');
    tb::HistoryRecord r;
    r.seq = ++seq;
    r.id.counter = seq;
    r.command = std::string(f[0]);
    if (f.size() > 1) r.cwd = std::string(f[1]);
    if (f.size() > 2) r.session = std::string(f[2]);
    if (f.size() > 3 && !f[3].empty()) r.exit_code = static_cast<int32_t>(f[3][0]) - '0';
    if (f.size() > 4) r.started_at_ns = static_cast<int64_t>(f[4].size()) * 1000000007LL * (i % 3 == 0 ? -1 : 1);
    r.running = f.size() > 5;
    builder.Add(r);
  }
  std::string serialized;
  builder.Serialize(&serialized);
  std::string query(lines[0]);
  SearchAll(serialized, query);
  if (!serialized.empty()) {
    serialized[(size * 2654435761u) % serialized.size()] ^= static_cast<char>(0x5a);
    SearchAll(serialized, query);
  }
  return 0;
}
