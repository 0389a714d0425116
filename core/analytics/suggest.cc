#include "core/analytics/suggest.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "core/analytics/learning.h"
#include "core/analytics/outcomes.h"
#include "core/analytics/templates.h"
#include "core/history_query.h"
#include "core/keycode.h"

namespace tb {
namespace {

struct Level {
  const char* source;
  bool sequence;
  TopCounts counts;
  std::unordered_map<std::string_view, uint64_t> by_tmpl;
};

// Keeps the k most frequent (and ties) of out->top.
// A level's counts, gathered as views (one level may count every template)
// and copied out only for the k most frequent.
class Tally {
 public:
  // A copy of `bytes` that lives as long as the tally.
  std::string_view Keep(std::string_view bytes) { return kept_.emplace_back(bytes); }
  void Add(std::string_view tmpl, uint64_t count) {
    all_.emplace_back(tmpl, count);
    total_ += count;
  }
  void Finish(size_t k, TopCounts* out) const {
    out->total = total_;
    out->distinct = all_.size();
    out->top.clear();
    // Only the k most frequent (and ties) can reach a top k through this level.
    uint64_t floor = 0;
    if (k > 0 && all_.size() > k) {
      std::vector<uint64_t> counts;
      for (const auto& f : all_) counts.push_back(f.second);
      std::nth_element(counts.begin(), counts.begin() + static_cast<long>(k - 1), counts.end(),
                       std::greater<uint64_t>());
      floor = counts[k - 1];
    }
    for (const auto& [tmpl, count] : all_) {
      if (count >= floor) out->top.emplace_back(std::string(tmpl), count);
    }
  }

 private:
  std::deque<std::string> kept_;  // stable addresses
  std::vector<std::pair<std::string_view, uint64_t>> all_;
  uint64_t total_ = 0;
};

Status Malformed() { return Status::Corruption("view sequences: malformed counters"); }

bool Before(const Suggestion& a, const Suggestion& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.count != b.count) return a.count > b.count;
  return a.tmpl < b.tmpl;
}

// A candidate and the largest of its level counts (a lower bound of its
// completions, which often settles the outcome rule without a read).
struct Candidate {
  Suggestion s;
  uint64_t known = 0;
};

// Walks `cands` (best first) until `limit` pass (0: all). A failing one
// (core/analytics/outcomes.h) leaves; its learned fix gets its score and
// joins at once (source "fix" unless it is a candidate itself), unless it
// fails too.
Status ApplyOutcomes(CounterSource& src, std::vector<Candidate>& cands, size_t limit, std::vector<Suggestion>* out) {
  out->clear();
  std::unordered_map<std::string, size_t> taken;  // template -> index in *out
  TemplateOutcome o;
  for (size_t i = 0; i < cands.size() && (limit == 0 || out->size() < limit); ++i) {
    Suggestion& s = cands[i].s;
    if (taken.count(s.tmpl)) continue;  // joined earlier as a fix
    TB_RETURN_IF_ERROR(ReadOutcome(src, s.tmpl, cands[i].known, &o));
    if (!o.failing) {
      taken.emplace(s.tmpl, out->size());
      out->push_back(std::move(s));
      continue;
    }
    if (o.fix.empty()) continue;
    auto have = taken.find(o.fix);
    if (have != taken.end()) {
      (*out)[have->second].score += s.score;
      continue;
    }
    auto later = std::find_if(cands.begin() + static_cast<long>(i) + 1, cands.end(),
                              [&](const Candidate& c) { return c.s.tmpl == o.fix; });
    Suggestion fix = later != cands.end() ? later->s : Suggestion{o.fix, 0, s.count, "fix"};
    fix.score += s.score;
    TB_RETURN_IF_ERROR(ReadOutcome(src, fix.tmpl, later != cands.end() ? later->known : 0, &o));
    if (o.failing) continue;
    taken.emplace(fix.tmpl, out->size());
    out->push_back(std::move(fix));
  }
  std::sort(out->begin(), out->end(), Before);
  return Status::OK();
}

}  // namespace

Status TopFollowers(CounterSource& src, std::span<const std::string_view> context, size_t k, TopCounts* out) {
  Tally tally;
  std::string_view name, t;
  uint64_t count;
  if (context.empty()) {
    Status bad;
    TB_RETURN_IF_ERROR(src.Scan(UnigramPrefix(), [&](std::string_view, std::string_view value) {
      CounterReader r(tally.Keep(value));
      while (r.Next(&name, &count)) {
        if (!ParseTemplateName(name, &t)) break;
        tally.Add(t, count);
      }
      if (!r.ok() || !r.done()) bad = Malformed();
      return bad.ok();
    }));
    TB_RETURN_IF_ERROR(bad);
    tally.Finish(k, out);
    return Status::OK();
  }
  const bool pair = context.size() >= 2;
  const size_t n = context.size();
  std::string value;
  Status s = src.Get(pair ? PairKey(context[n - 2], context[n - 1]) : FollowersKey(context[n - 1]), &value);
  if (s.IsNotFound()) {
    value.clear();
  } else {
    TB_RETURN_IF_ERROR(s);
  }
  CounterReader r(value);
  while (r.Next(&name, &count)) {
    if (pair) {
      // lpbytes(x) is a trigram; lpbytes(x) lpbytes(z) a 4-gram.
      if (!GetLengthPrefixed(&name, &t)) return Malformed();
      if (name.empty()) tally.Add(t, count);
    } else if (!name.empty() && name[0] == '>') {
      name.remove_prefix(1);
      if (!GetLengthPrefixed(&name, &t) || !name.empty()) return Malformed();
      tally.Add(t, count);
    }
  }
  if (!r.ok()) return Malformed();
  tally.Finish(k, out);
  return Status::OK();
}

Status TopInDirectory(CounterSource& src, std::string_view cwd, size_t k, TopCounts* out) {
  Tally tally;
  Status bad;
  TB_RETURN_IF_ERROR(src.Scan(DirPrefix(cwd), [&](std::string_view key, std::string_view value) {
    std::string_view dir, t;
    uint64_t count;
    if (!ParseDirKey(tally.Keep(key), &dir, &t) || !FindCounter(value, kCountName, &count)) {
      bad = Malformed();
      return false;
    }
    if (count > 0) tally.Add(t, count);
    return true;
  }));
  TB_RETURN_IF_ERROR(bad);
  tally.Finish(k, out);
  return Status::OK();
}

Status Suggest(CounterSource& src, const SuggestInput& in, std::vector<Suggestion>* out) {
  out->clear();
  // Highest order first. Candidates outside a level's top k count 0 there
  // (their share of that level is below the k-th one's).
  const size_t k = in.limit == 0 ? 0 : std::max<size_t>(in.limit * 4, 20);
  std::vector<Level> levels;
  size_t n = in.recent.size();
  auto add = [&](const char* source, bool sequence, std::span<const std::string_view> context,
                 const TopCounts* given) -> Status {
    levels.push_back(Level{source, sequence, {}, {}});
    if (given != nullptr) {
      levels.back().counts = *given;
    } else if (std::string_view(source) == "directory") {
      TB_RETURN_IF_ERROR(TopInDirectory(src, in.cwd, k, &levels.back().counts));
    } else {
      TB_RETURN_IF_ERROR(TopFollowers(src, context, k, &levels.back().counts));
    }
    return Status::OK();
  };
  if (n >= 2) {
    std::string_view lead[] = {in.recent[n - 2], in.recent[n - 1]};
    TB_RETURN_IF_ERROR(add("trigram", true, lead, nullptr));
  }
  if (n >= 1) {
    std::string_view lead[] = {in.recent[n - 1]};
    TB_RETURN_IF_ERROR(add("bigram", true, lead, nullptr));
  }
  if (!in.cwd.empty()) TB_RETURN_IF_ERROR(add("directory", false, {}, in.dir));
  TB_RETURN_IF_ERROR(add("global", false, {}, in.global));
  std::vector<std::string_view> cands;
  for (Level& l : levels) {
    for (const auto& [tmpl, count] : l.counts.top) {
      if (l.by_tmpl.emplace(tmpl, count).second) cands.push_back(tmpl);
    }
  }
  std::sort(cands.begin(), cands.end());
  cands.erase(std::unique(cands.begin(), cands.end()), cands.end());
  std::vector<Candidate> scored;
  for (std::string_view tmpl : cands) {
    // Witten-Bell interpolation, lowest order first.
    double p = 0;
    const char* source = "";
    uint64_t source_count = 0, known = 0;
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
      known = std::max(known, count);
    }
    scored.push_back(Candidate{Suggestion{std::string(tmpl), p, source_count, source}, known});
  }
  std::sort(scored.begin(), scored.end(), [](const Candidate& a, const Candidate& b) { return Before(a.s, b.s); });
  if (in.learn_outcomes) return ApplyOutcomes(src, scored, in.limit, out);
  for (size_t i = 0; i < scored.size() && (in.limit == 0 || i < in.limit); ++i) out->push_back(std::move(scored[i].s));
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

namespace {

// The templates of the session's last two commands, oldest first; none when
// the newest is over an hour old.
Status RecentTemplates(StoreReader& reader, const NextCommandRequest& req, std::vector<std::string>* out) {
  if (req.session.empty()) return Status::OK();
  HistoryFilter f;
  f.session = req.session;
  f.limit = 2;
  std::vector<HistoryRecord> last;
  TB_RETURN_IF_ERROR(QueryHistory(reader, f, [&](const HistoryRecord& r) {
    last.push_back(r);
    return true;
  }));
  constexpr int64_t kStale = 3600ll * 1000000000ll;
  if (last.empty() || req.now_ns - last.front().started_at_ns > kStale) return Status::OK();
  for (auto it = last.rbegin(); it != last.rend(); ++it) out->push_back(CommandTemplate(it->command));
  return Status::OK();
}

}  // namespace

Status SuggestNext(StoreReader& reader, const NextCommandRequest& req, std::vector<NextCommand>* out) {
  out->clear();
  SuggestInput in;
  in.limit = req.limit;
  in.cwd = req.cwd;
  TB_RETURN_IF_ERROR(RecentTemplates(reader, req, &in.recent));
  std::vector<Suggestion> sugg;
  auto src = ViewCounters(reader);
  TB_RETURN_IF_ERROR(Suggest(*src, in, &sugg));
  std::vector<std::string> tmpls;
  for (const auto& s : sugg) tmpls.push_back(s.tmpl);
  std::map<std::string, std::string> concrete;
  TB_RETURN_IF_ERROR(InstantiateTemplates(reader, in.cwd, tmpls, &concrete));
  for (auto& s : sugg) {
    auto it = concrete.find(s.tmpl);
    std::string command = it == concrete.end() ? s.tmpl : it->second;
    out->push_back(NextCommand{std::move(s), std::move(command)});
  }
  return Status::OK();
}

}  // namespace tb
