#include "core/analytics/patterns.h"

#include <algorithm>
#include <unordered_map>

#include "core/analytics/learning.h"
#include "core/analytics/templates.h"
#include "core/keycode.h"

namespace tb {
namespace {

class ViewSource final : public CounterSource {
 public:
  explicit ViewSource(StoreReader& r) : r_(r) {}
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, uint64_t)>& visit) override {
    std::unique_ptr<KvCursor> c = r_.NewViewCursor("sequences");
    if (c == nullptr) return Status::OK();
    for (c->Seek(prefix); c->Valid() && c->key().starts_with(prefix); c->Next()) {
      std::string_view v = c->value();
      uint64_t n;
      if (!GetVarint(&v, &n) || !v.empty()) return Status::Corruption("view sequences: malformed counter");
      if (!visit(c->key(), n)) break;
    }
    return c->status();
  }
  Status Get(std::string_view key, uint64_t* count) override {
    std::string v;
    *count = 0;
    Status s = r_.GetViewValue("sequences", key, &v);
    if (s.IsNotFound()) return Status::OK();
    TB_RETURN_IF_ERROR(s);
    std::string_view sv = v;
    if (!GetVarint(&sv, count) || !sv.empty()) return Status::Corruption("view sequences: malformed counter");
    return Status::OK();
  }

 private:
  StoreReader& r_;
};

}  // namespace

std::unique_ptr<CounterSource> ViewCounters(StoreReader& reader) { return std::make_unique<ViewSource>(reader); }

Status MemoryCounters::Scan(std::string_view prefix,
                            const std::function<bool(std::string_view, uint64_t)>& visit) {
  for (auto it = counters_.lower_bound(prefix); it != counters_.end() && it->first.starts_with(prefix); ++it) {
    if (!visit(it->first, it->second)) break;
  }
  return Status::OK();
}

Status MemoryCounters::Get(std::string_view key, uint64_t* count) {
  auto it = counters_.find(key);
  *count = it == counters_.end() ? 0 : it->second;
  return Status::OK();
}

void MemoryCounters::Learn(std::vector<HistoryRecord> records) {
  std::sort(records.begin(), records.end(), [](const HistoryRecord& a, const HistoryRecord& b) {
    return std::tie(a.session, a.started_at_ns, a.seq) < std::tie(b.session, b.started_at_ns, b.seq);
  });
  std::vector<std::string> keys;
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
    SequenceKeys(c, &keys);
    for (const auto& k : keys) counters_[k]++;
  }
}

Status ListPatterns(CounterSource& src, const PatternQuery& q, std::vector<Pattern>* out) {
  out->clear();
  struct Cand {
    std::string key;
    uint64_t support;
    size_t length;
  };
  std::vector<Cand> cands;
  for (size_t n = 2; n <= kSessionContext + 1; ++n) {
    TB_RETURN_IF_ERROR(src.Scan(NgramPrefix(n, {}), [&](std::string_view key, uint64_t count) {
      if (count >= q.min_support) cands.push_back(Cand{std::string(key), count, n});
      return true;
    }));
  }
  std::sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) {
    return a.support != b.support ? a.support > b.support : a.length > b.length;
  });
  // Confidence needs the prefix's count (a read each): computed one
  // (support, length) group at a time, only until `limit` are found.
  std::vector<std::string_view> t;
  for (size_t i = 0; i < cands.size() && (q.limit == 0 || out->size() < q.limit);) {
    size_t j = i;
    std::vector<Pattern> group;
    for (; j < cands.size() && cands[j].support == cands[i].support && cands[j].length == cands[i].length; ++j) {
      if (!ParseNgramKey(cands[j].key, &t)) return Status::Corruption("view sequences: malformed key");
      uint64_t prefix = 0;
      TB_RETURN_IF_ERROR(src.Get(NgramKey(std::span<const std::string_view>(t.data(), t.size() - 1)), &prefix));
      uint64_t count = cands[j].support;
      double conf = prefix == 0 ? 1.0 : std::min(1.0, static_cast<double>(count) / static_cast<double>(prefix));
      if (conf + 1e-12 < q.min_confidence) continue;
      group.push_back(Pattern{std::vector<std::string>(t.begin(), t.end()), count, conf});
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
