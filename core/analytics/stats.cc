#include "core/analytics/stats.h"

#include <algorithm>
#include <climits>
#include <ctime>
#include <functional>
#include <unordered_set>

#include "core/views/commands_view.h"
#include "core/views/stats_view.h"

namespace tb {
namespace {

constexpr int64_t kNsPerSec = 1000000000ll;

// The entry of `name`, created empty (one lookup, no key copy when present).
StatsCounters& Slot(StatsCounterMap* m, std::string_view name) {
  auto it = m->find(name);
  if (it == m->end()) it = m->emplace(std::string(name), StatsCounters{}).first;
  return it->second;
}

// Rows by name (bytewise), the tie order of every list.
std::vector<StatsRow> Rows(const StatsCounterMap& m) {
  std::vector<StatsRow> rows;
  rows.reserve(m.size());
  for (const auto& [name, c] : m) rows.push_back(StatsRow{name, "", c});
  std::sort(rows.begin(), rows.end(), [](const StatsRow& a, const StatsRow& b) { return a.name < b.name; });
  return rows;
}

void ByUses(std::vector<StatsRow>* rows) {
  std::stable_sort(rows->begin(), rows->end(),
                   [](const StatsRow& a, const StatsRow& b) { return a.counters.uses > b.counters.uses; });
}

void Keep(std::vector<StatsRow>* rows, size_t n) {
  if (rows->size() > n) rows->resize(n);
}

}  // namespace

void LocalWeekdayHour(int64_t utc_seconds, int* weekday, int* hour) {
  time_t t = static_cast<time_t>(utc_seconds);
  struct tm tm {};
  if (localtime_r(&t, &tm) == nullptr) {
    *weekday = 0;
    *hour = 0;
    return;
  }
  *weekday = (tm.tm_wday + 6) % 7;
  *hour = tm.tm_hour;
}

namespace {

// Calls fn(day, name, value) for every key of `dim` from `day` (per-day
// dimensions) or for all of them (all-time dimensions).
Status ScanDim(KvCursor& c, StatsDim dim, int64_t day,
               const std::function<Status(int64_t, std::string_view, std::string_view)>& fn) {
  const std::string prefix = StatsDimPrefix(dim);
  c.Seek(IsStatsTotal(dim) ? prefix : StatsDayPrefix(dim, day));
  for (; c.Valid() && c.key().starts_with(prefix); c.Next()) {
    int64_t d;
    StatsDim got;
    std::string_view name;
    if (!ParseStatsKey(c.key(), &d, &got, &name)) return Status::Corruption("view stats: malformed entry");
    TB_RETURN_IF_ERROR(fn(d, name, c.value()));
  }
  return c.status();
}

// Adds a value's counters to the slot of `name` in `m` (and to *total).
auto AddTo(StatsCounterMap* m, StatsCounters* total = nullptr) {
  return [m, total](int64_t, std::string_view name, std::string_view value) {
    StatsCounters c;
    if (!DecodeStatsCounters(value, &c)) return Status::Corruption("view stats: malformed entry");
    if (total != nullptr) total->Add(c);
    Slot(m, name).Add(c);
    return Status::OK();
  };
}

}  // namespace

Status ReadStatsFromView(StoreReader& reader, std::optional<int64_t> from_day, StatsAggregate* out) {
  *out = StatsAggregate{};
  std::unique_ptr<KvCursor> c = reader.NewViewCursor(kStatsViewName);
  if (c == nullptr) return Status::Corruption("view stats is missing");
  // The heat map from the hour keys (their use counts are all it needs).
  auto heat = [&](int64_t day, std::string_view name, std::string_view value) {
    uint64_t uses;
    if (!DecodeStatsUses(value, &uses)) return Status::Corruption("view stats: malformed entry");
    int wd, h;
    LocalWeekdayHour((day * 24 + static_cast<unsigned char>(name[0])) * 3600, &wd, &h);
    out->heat[wd][h] += uses;
    return Status::OK();
  };
  if (!from_day) {
    TB_RETURN_IF_ERROR(ScanDim(*c, StatsDim::kGroupTotal, 0, AddTo(&out->groups)));
    TB_RETURN_IF_ERROR(ScanDim(*c, StatsDim::kDirectoryTotal, 0, AddTo(&out->directories)));
    TB_RETURN_IF_ERROR(ScanDim(*c, StatsDim::kHostTotal, 0, AddTo(&out->hosts, &out->total)));
    TB_RETURN_IF_ERROR(ScanDim(*c, StatsDim::kHourHost, INT32_MIN, heat));
  } else {
    TB_RETURN_IF_ERROR(ScanDim(*c, StatsDim::kGroup, *from_day, AddTo(&out->groups)));
    TB_RETURN_IF_ERROR(ScanDim(*c, StatsDim::kDirectory, *from_day, AddTo(&out->directories)));
    auto host = AddTo(&out->hosts, &out->total);
    TB_RETURN_IF_ERROR(
        ScanDim(*c, StatsDim::kHourHost, *from_day, [&](int64_t day, std::string_view name, std::string_view value) {
          TB_RETURN_IF_ERROR(host(day, name.substr(1), value));  // name: hour, host
          return heat(day, name, value);
        }));
  }
  // Unique commands: entries of `commands` last used in the period.
  std::unique_ptr<KvCursor> cmds = reader.NewViewCursor(kCommandsViewName);
  if (cmds == nullptr) return Status::Corruption("view commands is missing");
  int64_t from_ns = from_day ? *from_day * 86400 * kNsPerSec : INT64_MIN;
  CommandStats cs;
  for (cmds->SeekToFirst(); cmds->Valid(); cmds->Next()) {
    if (!from_day) {
      out->unique_commands++;
      continue;
    }
    if (!DecodeCommandStats(cmds->value(), &cs)) return Status::Corruption("view commands: malformed entry");
    if (cs.last_time_ns >= from_ns) out->unique_commands++;
  }
  return cmds->status();
}

Status ReadStatsFromRecords(StoreReader& reader, const HistoryFilter& filter, StatsAggregate* out) {
  *out = StatsAggregate{};
  std::unordered_set<std::string> unique;
  const Classifier& cl = Classifier::Default();
  Status s = QueryHistory(reader, filter, [&](const HistoryRecord& r) {
    if (r.running) return true;
    StatsCounters one = StatsCounters::One(r.exit_code, r.duration_ns);
    out->total.Add(one);
    Slot(&out->groups, cl.Group(r.command)).Add(one);
    Slot(&out->directories, r.cwd).Add(one);
    Slot(&out->hosts, r.host).Add(one);
    int64_t secs = r.started_at_ns / kNsPerSec - (r.started_at_ns % kNsPerSec < 0 ? 1 : 0);
    int wd, h;
    LocalWeekdayHour(secs, &wd, &h);
    out->heat[wd][h]++;
    unique.insert(r.command);
    return true;
  });
  out->unique_commands = unique.size();
  return s;
}

StatsReport BuildStatsReport(const StatsAggregate& agg, size_t top, const Classifier& classifier) {
  StatsReport r;
  r.total = agg.total;
  r.unique_commands = agg.unique_commands;
  r.heat = agg.heat;
  std::vector<StatsRow> groups = Rows(agg.groups);
  std::map<std::string_view, StatsCounters> cats;
  for (StatsRow& g : groups) {
    g.category = std::string(classifier.Category(g.name));
    cats[g.category].Add(g.counters);
  }
  r.top = groups;
  ByUses(&r.top);
  Keep(&r.top, top);
  for (const StatsRow& g : groups) {
    if (g.counters.timed > 0) r.slowest.push_back(g);
    if (g.counters.failures > 0) r.failing.push_back(g);
  }
  std::stable_sort(r.slowest.begin(), r.slowest.end(),
                   [](const StatsRow& a, const StatsRow& b) { return *a.counters.MeanMs() > *b.counters.MeanMs(); });
  Keep(&r.slowest, top);
  std::stable_sort(r.failing.begin(), r.failing.end(), [](const StatsRow& a, const StatsRow& b) {
    if (a.counters.failures != b.counters.failures) return a.counters.failures > b.counters.failures;
    // Higher failure rate first: a.f/a.exits > b.f/b.exits, cross-multiplied.
    return a.counters.failures * b.counters.exits > b.counters.failures * a.counters.exits;
  });
  Keep(&r.failing, top);
  for (std::string_view name : CategoryNames()) {
    auto it = cats.find(name);
    if (it != cats.end()) r.categories.push_back(StatsRow{std::string(name), "", it->second});
  }
  ByUses(&r.categories);
  r.directories = Rows(agg.directories);
  ByUses(&r.directories);
  Keep(&r.directories, top);
  r.hosts = Rows(agg.hosts);
  ByUses(&r.hosts);
  Keep(&r.hosts, top);
  return r;
}

}  // namespace tb
