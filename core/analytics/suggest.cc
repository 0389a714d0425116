#include "core/analytics/suggest.h"

#include <algorithm>
#include <unordered_map>

#include "core/analytics/learning.h"

namespace tb {
namespace {

struct Level {
  const char* source;
  bool sequence;
  TopCounts counts;
  std::unordered_map<std::string_view, uint64_t> by_tmpl;
};

}  // namespace

Status TopTemplates(CounterSource& src, std::string_view prefix, size_t k, TopCounts* out) {
  out->total = 0;
  out->top.clear();
  const bool dir = !prefix.empty() && prefix[0] == 'd';
  std::vector<std::string_view> t;
  TB_RETURN_IF_ERROR(src.Scan(prefix, [&](std::string_view key, uint64_t count) {
    std::string_view cwd, tmpl;
    if (dir ? ParseDirKey(key, &cwd, &tmpl) : ParseNgramKey(key, &t)) {
      out->top.emplace_back(std::string(dir ? tmpl : t.back()), count);
      out->total += count;
      out->distinct++;
    }
    return true;
  }));
  // Only the k most frequent (and ties) can reach a top k through this level.
  if (k > 0 && out->top.size() > k) {
    std::vector<uint64_t> counts;
    for (const auto& f : out->top) counts.push_back(f.second);
    std::nth_element(counts.begin(), counts.begin() + static_cast<long>(k - 1), counts.end(), std::greater<uint64_t>());
    uint64_t floor = counts[k - 1];
    std::erase_if(out->top, [&](const auto& f) { return f.second < floor; });
  }
  return Status::OK();
}

Status Suggest(CounterSource& src, const SuggestInput& in, std::vector<Suggestion>* out) {
  out->clear();
  // Highest order first. Candidates outside a level's top k count 0 there
  // (their share of that level is below the k-th one's).
  const size_t k = in.limit == 0 ? 0 : std::max<size_t>(in.limit * 4, 20);
  std::vector<Level> levels;
  size_t n = in.recent.size();
  auto add = [&](const char* source, const std::string& prefix, const TopCounts* given) -> Status {
    levels.push_back(Level{source, prefix[0] == 'n' && prefix[1] != 1, {}, {}});
    if (given != nullptr) {
      levels.back().counts = *given;
    } else {
      TB_RETURN_IF_ERROR(TopTemplates(src, prefix, k, &levels.back().counts));
    }
    return Status::OK();
  };
  if (n >= 2) {
    std::string_view lead[] = {in.recent[n - 2], in.recent[n - 1]};
    TB_RETURN_IF_ERROR(add("trigram", NgramPrefix(3, lead), nullptr));
  }
  if (n >= 1) {
    std::string_view lead[] = {in.recent[n - 1]};
    TB_RETURN_IF_ERROR(add("bigram", NgramPrefix(2, lead), nullptr));
  }
  if (!in.cwd.empty()) TB_RETURN_IF_ERROR(add("directory", DirPrefix(in.cwd), in.dir));
  TB_RETURN_IF_ERROR(add("global", NgramPrefix(1, {}), in.global));
  std::vector<std::string_view> cands;
  for (Level& l : levels) {
    for (const auto& [tmpl, count] : l.counts.top) {
      if (l.by_tmpl.emplace(tmpl, count).second) cands.push_back(tmpl);
    }
  }
  std::sort(cands.begin(), cands.end());
  cands.erase(std::unique(cands.begin(), cands.end()), cands.end());
  for (std::string_view tmpl : cands) {
    // Witten-Bell interpolation, lowest order first.
    double p = 0;
    const char* source = "";
    uint64_t source_count = 0;
    for (auto it = levels.rbegin(); it != levels.rend(); ++it) {
      const TopCounts& c = it->counts;
      if (c.total == 0) continue;
      auto f = it->by_tmpl.find(tmpl);
      uint64_t count = f == it->by_tmpl.end() ? 0 : f->second;
      // Sequence contexts are sparse: their distinct count weighs more, so
      // a context seen a few times defers to the levels below.
      double d = static_cast<double>(c.distinct) * (it->sequence ? in.sequence_caution : 1.0);
      p = (static_cast<double>(count) + d * p) / (static_cast<double>(c.total) + d);
      if (count > 0) source = it->source, source_count = count;
    }
    out->push_back(Suggestion{std::string(tmpl), p, source_count, source});
  }
  std::sort(out->begin(), out->end(), [](const Suggestion& a, const Suggestion& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.count != b.count) return a.count > b.count;
    return a.tmpl < b.tmpl;
  });
  if (in.limit > 0 && out->size() > in.limit) out->resize(in.limit);
  return Status::OK();
}

}  // namespace tb

#include <set>

#include "core/analytics/templates.h"
#include "core/history_query.h"

namespace tb {

Status InstantiateTemplates(StoreReader& reader, const std::string& cwd, const std::vector<std::string>& templates,
                            std::map<std::string, std::string>* out, size_t dir_scan, size_t global_scan) {
  out->clear();
  std::set<std::string, std::less<>> wanted(templates.begin(), templates.end());
  for (int pass = 0; pass < 2 && out->size() < wanted.size(); ++pass) {
    HistoryFilter f;
    if (pass == 0) {
      if (cwd.empty()) continue;
      f.cwd = cwd;
      f.limit = dir_scan;
    } else {
      f.limit = global_scan;
    }
    TB_RETURN_IF_ERROR(QueryHistory(reader, f, [&](const HistoryRecord& r) {
      std::string t = CommandTemplate(r.command);
      if (wanted.count(t) && !out->count(t)) (*out)[t] = r.command;
      return out->size() < wanted.size();
    }));
  }
  return Status::OK();
}

}  // namespace tb
