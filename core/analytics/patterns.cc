#include "core/analytics/patterns.h"

#include <algorithm>
#include <deque>
#include <queue>

#include "core/analytics/learning.h"
#include "core/analytics/templates.h"
#include "core/keycode.h"
#include "core/views/sequences_view.h"

namespace tb {
namespace {

class ViewSource final : public CounterSource {
 public:
  explicit ViewSource(StoreReader& r) : r_(r) {}
  Status Scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) override {
    std::unique_ptr<KvCursor> c = r_.NewViewCursor(kSequencesViewName);
    if (c == nullptr) return Status::OK();
    for (c->Seek(prefix); c->Valid() && c->key().starts_with(prefix); c->Next()) {
      if (!visit(c->key(), c->value())) break;
    }
    return c->status();
  }
  Status Get(std::string_view key, std::string* value) override {
    return r_.GetViewValue(kSequencesViewName, key, value);
  }

 private:
  StoreReader& r_;
};

Status Malformed() { return Status::Corruption("view sequences: malformed counters"); }

// Reads values once per query: the confidence of several patterns may need
// the same (large) followers value.
class ValueCache {
 public:
  explicit ValueCache(CounterSource& src) : src_(src) {}
  // "" when absent.
  Status Get(const std::string& key, std::string_view* value) {
    auto it = values_.find(key);
    if (it == values_.end()) {
      std::string v;
      Status s = src_.Get(key, &v);
      if (!s.ok() && !s.IsNotFound()) return s;
      it = values_.emplace(key, std::move(v)).first;
    }
    *value = it->second;
    return Status::OK();
  }
  // The count of the run `t` (1-3 templates); 0 when absent.
  Status Count(std::span<const std::string> t, uint64_t* count) {
    std::string key, name;
    if (t.size() == 1) {
      key = UnigramKey(t[0]);
      name = TemplateName(t[0]);
    } else if (t.size() == 2) {
      key = FollowersKey(t[0]);
      name = FollowerName(t[1]);
    } else {
      key = PairKey(t[0], t[1]);
      name = PairName(t[2], nullptr);
    }
    std::string_view v;
    TB_RETURN_IF_ERROR(Get(key, &v));
    return FindCounter(v, name, count) ? Status::OK() : Malformed();
  }

 private:
  CounterSource& src_;
  std::map<std::string, std::string> values_;
};

}  // namespace

std::unique_ptr<CounterSource> ViewCounters(StoreReader& reader) { return std::make_unique<ViewSource>(reader); }

void MemoryCounters::Fold() {
  for (auto& [key, add] : pending_) {
    std::string op;
    for (const auto& [name, count] : add) PutCounter(&op, name, count);
    std::string_view ops[] = {op};
    auto it = values_.find(key);
    if (it == values_.end()) {
      values_.emplace(key, std::move(op));
    } else {
      std::string_view existing = it->second;
      std::string merged;
      MergeCounterLists(&existing, ops, &merged);
      it->second = std::move(merged);
    }
  }
  pending_.clear();
}

Status MemoryCounters::Scan(std::string_view prefix,
                            const std::function<bool(std::string_view, std::string_view)>& visit) {
  Fold();
  for (auto it = values_.lower_bound(prefix); it != values_.end() && it->first.starts_with(prefix); ++it) {
    if (!visit(it->first, it->second)) break;
  }
  return Status::OK();
}

Status MemoryCounters::Get(std::string_view key, std::string* value) {
  Fold();
  auto it = values_.find(key);
  if (it == values_.end()) return Status::NotFound("no counters");
  *value = it->second;
  return Status::OK();
}

size_t MemoryCounters::keys() {
  Fold();
  return values_.size();
}

size_t MemoryCounters::counters() {
  Fold();
  size_t n = 0;
  for (const auto& [key, value] : values_) {
    CounterReader r(value);
    std::string_view name;
    uint64_t count;
    while (r.Next(&name, &count)) ++n;
  }
  return n;
}

void MemoryCounters::Add(const Completion& c) {
  thread_local std::vector<SequenceOp> ops;
  SequenceOps(c, &ops);
  for (const SequenceOp& op : ops) {
    auto& add = pending_[op.key];
    CounterReader r(op.operand);
    std::string_view name;
    uint64_t count;
    while (r.Next(&name, &count)) add[std::string(name)] += count;
  }
}

void MemoryCounters::Learn(std::vector<HistoryRecord> records) {
  std::sort(records.begin(), records.end(), [](const HistoryRecord& a, const HistoryRecord& b) {
    return std::tie(a.session, a.started_at_ns, a.seq) < std::tie(b.session, b.started_at_ns, b.seq);
  });
  std::vector<std::string> tmpls(records.size());
  for (size_t i = 0; i < records.size(); ++i) tmpls[i] = CommandTemplate(records[i].command);
  for (size_t i = 0; i < records.size(); ++i) {
    const HistoryRecord& r = records[i];
    if (r.running) continue;  // not complete: only context for later ones
    std::vector<SessionEntry> before;
    if (!r.session.empty()) {
      size_t from = i;
      while (from > 0 && i - from < kSessionContext && records[from - 1].session == r.session) --from;
      for (size_t j = from; j < i; ++j) {
        const HistoryRecord& p = records[j];
        before.push_back(SessionEntry{p.seq, p.started_at_ns, p.exit_code, p.command, tmpls[j], p.cwd});
      }
    }
    Event ev;
    ev.command = r.command;
    ev.cwd = r.cwd;
    ev.session = r.session;
    ev.time_ns = r.started_at_ns;
    Completion c;
    c.record = &ev;
    c.seq = r.seq;
    c.exit_code = r.exit_code;
    c.tmpl = tmpls[i];
    c.before = before;
    Add(c);
  }
}

Status ListPatterns(CounterSource& src, const PatternQuery& q, std::vector<Pattern>* out) {
  out->clear();
  const uint64_t min_support = std::max<uint64_t>(q.min_support, 1);
  // Every run of 2-4 templates lies under the template before its last one
  // (core/analytics/learning.h), and its support is at most that
  // template's 'f' counter: templates are read most followed first, until
  // that bound falls below the support still of interest.
  std::vector<std::pair<uint64_t, std::string_view>> heads;
  std::deque<std::string> buckets;  // the views in `heads` point into them
  Status bad;
  TB_RETURN_IF_ERROR(src.Scan(FollowedPrefix(), [&](std::string_view, std::string_view value) {
    CounterReader r(buckets.emplace_back(value));
    std::string_view name, t;
    uint64_t count;
    while (r.Next(&name, &count)) {
      if (!ParseTemplateName(name, &t)) break;
      if (count >= min_support) heads.emplace_back(count, t);
    }
    if (!r.ok() || !r.done()) bad = Malformed();
    return bad.ok();
  }));
  TB_RETURN_IF_ERROR(bad);
  std::sort(heads.begin(), heads.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  // With a limit (and every candidate kept, no minimum confidence), the
  // support of interest rises to the limit-th best found so far: a run
  // below it can neither enter the answer nor tie with its last pattern.
  const bool cut = q.limit > 0 && q.min_confidence <= 0;
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> best;
  auto floor = [&] { return cut && best.size() >= q.limit ? std::max(min_support, best.top()) : min_support; };
  struct Cand {
    std::vector<std::string> templates;
    uint64_t support;
  };
  std::vector<Cand> cands;
  auto found = [&](std::vector<std::string> t, uint64_t support) {
    cands.push_back(Cand{std::move(t), support});
    if (!cut) return;
    best.push(support);
    if (best.size() > q.limit) best.pop();
  };
  std::string value;
  std::vector<std::pair<std::string, uint64_t>> lefts;
  for (const auto& [followed, b] : heads) {
    if (followed < floor()) break;
    Status s = src.Get(FollowersKey(b), &value);
    if (s.IsNotFound()) continue;
    TB_RETURN_IF_ERROR(s);
    lefts.clear();
    CounterReader r(value);
    std::string_view name, t;
    uint64_t count;
    while (r.Next(&name, &count)) {
      if (count < floor()) continue;
      std::string_view rest = name;
      if (rest.empty() || (rest[0] != '>' && rest[0] != '<')) return Malformed();
      rest.remove_prefix(1);
      if (!GetLengthPrefixed(&rest, &t) || !rest.empty()) return Malformed();
      if (name[0] == '>') {
        found({std::string(b), std::string(t)}, count);
      } else {
        lefts.emplace_back(std::string(t), count);  // a: the trigrams a b *
      }
    }
    if (!r.ok()) return Malformed();
    for (const auto& [a, total] : lefts) {
      if (total < floor()) continue;
      s = src.Get(PairKey(a, b), &value);
      if (s.IsNotFound()) continue;
      TB_RETURN_IF_ERROR(s);
      CounterReader pr(value);
      while (pr.Next(&name, &count)) {
        if (count < floor()) continue;
        std::string_view x, z;
        if (!GetLengthPrefixed(&name, &x)) return Malformed();
        if (name.empty()) {
          found({a, std::string(b), std::string(x)}, count);
        } else if (GetLengthPrefixed(&name, &z) && name.empty()) {
          found({std::string(z), a, std::string(b), std::string(x)}, count);
        } else {
          return Malformed();
        }
      }
      if (!pr.ok()) return Malformed();
    }
  }
  std::sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) {
    return a.support != b.support ? a.support > b.support : a.templates.size() > b.templates.size();
  });
  // Confidence needs the prefix's count (a read each): computed one
  // (support, length) group at a time, only until `limit` are found.
  ValueCache cache(src);
  for (size_t i = 0; i < cands.size() && (q.limit == 0 || out->size() < q.limit);) {
    size_t j = i;
    const uint64_t support = cands[i].support;
    const size_t length = cands[i].templates.size();
    std::vector<Pattern> group;
    for (; j < cands.size() && cands[j].support == support && cands[j].templates.size() == length; ++j) {
      const std::vector<std::string>& t = cands[j].templates;
      uint64_t prefix = 0;
      TB_RETURN_IF_ERROR(cache.Count(std::span<const std::string>(t.data(), t.size() - 1), &prefix));
      uint64_t count = cands[j].support;
      double conf = prefix == 0 ? 1.0 : std::min(1.0, static_cast<double>(count) / static_cast<double>(prefix));
      if (conf + 1e-12 < q.min_confidence) continue;
      group.push_back(Pattern{std::move(cands[j].templates), count, conf});
    }
    std::sort(group.begin(), group.end(), [](const Pattern& a, const Pattern& b) {
      return a.confidence != b.confidence ? a.confidence > b.confidence : a.templates < b.templates;
    });
    for (auto& p : group) out->push_back(std::move(p));
    i = j;
  }
  if (q.limit > 0 && out->size() > q.limit) out->resize(q.limit);
  return Status::OK();
}

std::string JoinPattern(const std::vector<std::string>& templates) {
  std::string s;
  for (const auto& t : templates) s += (s.empty() ? "" : " -> ") + t;
  return s;
}

}  // namespace tb
