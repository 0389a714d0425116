#include "core/views/stats_view.h"

#include <map>

#include "core/analytics/classify.h"
#include "core/analytics/stats_counters.h"
#include "core/keycode.h"
#include "core/views/history_view.h"

namespace tb {
namespace {

constexpr int64_t kDayNs = 86400ll * 1000000000ll;

void PutDay(std::string* k, int64_t day) {
  uint32_t d = static_cast<uint32_t>(static_cast<int32_t>(day)) ^ 0x80000000u;
  for (int shift = 24; shift >= 0; shift -= 8) k->push_back(static_cast<char>((d >> shift) & 0xff));
}

// Calls fn(key) for the six keys of a command.
template <typename Fn>
void ForEachKey(const Event& ev, Fn&& fn) {
  int64_t day = UtcDay(ev.time_ns);
  int64_t hour = (ev.time_ns - day * kDayNs) / (3600ll * 1000000000ll);
  const std::string group = Classifier::Default().Group(ev.command);
  fn(StatsKey(day, StatsDim::kGroup, group));
  fn(StatsKey(day, StatsDim::kHourHost, std::string(1, static_cast<char>(hour)) + ev.host));
  fn(StatsKey(day, StatsDim::kDirectory, ev.cwd));
  fn(StatsTotalKey(StatsDim::kGroupTotal, group));
  fn(StatsTotalKey(StatsDim::kHostTotal, ev.host));
  fn(StatsTotalKey(StatsDim::kDirectoryTotal, ev.cwd));
}

}  // namespace

int64_t UtcDay(int64_t time_ns) {
  int64_t d = time_ns / kDayNs;
  if (time_ns % kDayNs < 0) --d;
  return d;
}

bool IsStatsTotal(StatsDim dim) {
  return dim == StatsDim::kGroupTotal || dim == StatsDim::kHostTotal || dim == StatsDim::kDirectoryTotal;
}

std::string StatsDimPrefix(StatsDim dim) { return std::string(1, static_cast<char>(dim)); }

std::string StatsDayPrefix(StatsDim dim, int64_t day) {
  std::string k = StatsDimPrefix(dim);
  PutDay(&k, day);
  return k;
}

std::string StatsKey(int64_t day, StatsDim dim, std::string_view name) {
  std::string k;
  k.reserve(5 + name.size());
  k.push_back(static_cast<char>(dim));
  PutDay(&k, day);
  k.append(name);
  return k;
}

std::string StatsTotalKey(StatsDim dim, std::string_view name) {
  std::string k = StatsDimPrefix(dim);
  k.append(name);
  return k;
}

bool ParseStatsKey(std::string_view key, int64_t* day, StatsDim* dim, std::string_view* name) {
  if (key.empty()) return false;
  const char c = key[0];
  if (c != 'g' && c != 'h' && c != 'd' && c != 'G' && c != 'H' && c != 'D') return false;
  *dim = static_cast<StatsDim>(c);
  *day = 0;
  if (IsStatsTotal(*dim)) {
    *name = key.substr(1);
    return true;
  }
  if (key.size() < 5) return false;
  uint32_t d = 0;
  for (int i = 1; i < 5; ++i) d = (d << 8) | static_cast<unsigned char>(key[i]);
  *day = static_cast<int32_t>(d ^ 0x80000000u);
  *name = key.substr(5);
  if (*dim == StatsDim::kHourHost && (name->empty() || static_cast<unsigned char>((*name)[0]) >= 24)) {
    return false;
  }
  return true;
}

void StatsView::Apply(const ViewInput& in, ViewWriter& out) const {
  const Event& ev = *in.event;
  const Event* cmd = nullptr;
  if (ev.kind == EventKind::kRecorded) {
    cmd = &ev;
  } else if (ev.kind == EventKind::kFinished && in.start != nullptr) {
    cmd = in.start;
  } else {
    return;
  }
  std::string op;
  EncodeStatsCounters(StatsCounters::One(ev.exit_code, ev.duration_ns), &op);
  ForEachKey(*cmd, [&](const std::string& key) { out.Merge(key, op); });
}

bool StatsView::FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                          std::string* out) const {
  StatsCounters acc, one;
  if (existing != nullptr && !DecodeStatsCounters(*existing, &acc)) return false;
  for (std::string_view op : operands) {
    if (!DecodeStatsCounters(op, &one)) return false;
    acc.Add(one);
  }
  out->clear();
  EncodeStatsCounters(acc, out);
  return true;
}

Status StatsView::ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const {
  std::map<std::string, StatsCounters> removed;  // key -> counters to subtract
  for (const RemovedRecord& r : in.records) {
    const Event& ev = *r.event;
    std::optional<int64_t> duration = ev.duration_ns;
    if (ev.kind == EventKind::kStarted) {
      if (!r.exit_code) continue;  // never finished: never counted
      duration.reset();
      HistoryState h;
      Status hs = GetHistoryState(lookup, ev.time_ns, r.seq, &h);
      if (hs.ok()) {
        duration = h.duration_ns;
      } else if (!hs.IsNotFound()) {
        return hs;
      }
    } else if (ev.kind != EventKind::kRecorded) {
      continue;
    }
    StatsCounters one = StatsCounters::One(r.exit_code, duration);
    ForEachKey(ev, [&](const std::string& key) { removed[key].Add(one); });
  }
  for (const auto& [key, sub] : removed) {
    std::string v;
    Status s = lookup.Get("stats", key, &v);
    if (s.IsNotFound()) continue;
    TB_RETURN_IF_ERROR(s);
    StatsCounters c;
    if (!DecodeStatsCounters(v, &c)) return Status::Corruption("view stats: malformed entry");
    c.Subtract(sub);
    if (c.uses == 0) {
      out.Delete(key);
      continue;
    }
    std::string nv;
    EncodeStatsCounters(c, &nv);
    out.Put(key, nv);
  }
  return Status::OK();
}

}  // namespace tb
