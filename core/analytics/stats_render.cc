#include "core/analytics/stats_render.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/timefmt.h"
#include "core/utf8.h"

namespace tb {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kNameColumns = 32;
constexpr int kBarColumns = 20;
constexpr const char* kWeekdays[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

std::string Pad(std::string_view s, int width, bool right = false) {
  int w = DisplayWidth(s);
  std::string pad(w < width ? static_cast<size_t>(width - w) : 0, ' ');
  return right ? pad + std::string(s) : std::string(s) + pad;
}

std::string Name(std::string_view raw, bool keep_end = false) {
  std::string s = EscapeForTerminal(raw);
  if (s.empty()) s = "(none)";
  return Pad(keep_end ? TruncateLeftToWidth(s, kNameColumns) : TruncateToWidth(s, kNameColumns), kNameColumns);
}

std::string Num(uint64_t n, int width) { return Pad(std::to_string(n), width, true); }

std::string Percent(uint64_t part, uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
  return buf;
}

std::string Bar(uint64_t n, uint64_t max) {
  if (max == 0 || n == 0) return "";
  int len = static_cast<int>(std::lround(static_cast<double>(n) * kBarColumns / max));
  std::string s;
  for (int i = 0; i < std::max(len, 1); ++i) s += "█";
  return s;
}

std::string Ms(uint64_t ms) { return FormatDurationHuman(static_cast<int64_t>(ms) * 1000000); }

std::string Trim(std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
}

std::string DayText(int64_t day) { return FormatRfc3339Millis(day * 86400 * 1000000000ll).substr(0, 10); }

void Summary(const StatsReport& r, std::string* out) {
  std::string period = r.period;
  if (r.scoped) period += " (filtered)";
  if (r.from_day) period += " (since " + DayText(*r.from_day) + " UTC)";
  const StatsCounters& t = r.total;
  *out += "period     " + period + "\n";
  *out += "commands   " + std::to_string(t.uses) + "\n";
  *out += "unique     " + std::to_string(r.unique_commands) + "\n";
  if (t.exits > 0) {
    *out += "success    " + Percent(t.exits - t.failures, t.exits) + " (" + std::to_string(t.failures) + " failed of " +
            std::to_string(t.exits) + " with an exit status)\n";
  } else {
    *out += "success    -\n";
  }
  if (t.timed > 0) {
    *out += "duration   mean " + Ms(static_cast<uint64_t>(std::llround(*t.MeanMs()))) + ", p95 " +
            Ms(*t.QuantileMs(0.95)) + " (" + std::to_string(t.timed) + " timed)\n";
  }
}

void Top(const StatsReport& r, std::string* out) {
  if (r.top.empty()) return;
  *out += "\n" + Pad("TOP COMMANDS", kNameColumns) + "    USES  FAILED  CATEGORY\n";
  for (const StatsRow& g : r.top) {
    *out += Trim(Name(g.name) + Num(g.counters.uses, 8) + Num(g.counters.failures, 8) + "  " + Pad(g.category, 16) +
                 " " + Bar(g.counters.uses, r.top[0].counters.uses));
  }
}

void Slowest(const StatsReport& r, std::string* out) {
  if (r.slowest.empty()) return;
  *out += "\n" + Pad("SLOWEST", kNameColumns) + "    RUNS      MEAN       P95\n";
  for (const StatsRow& g : r.slowest) {
    uint64_t mean = static_cast<uint64_t>(std::llround(*g.counters.MeanMs()));
    *out += Name(g.name) + Num(g.counters.timed, 8) + Pad(Ms(mean), 10, true) +
            Pad(Ms(*g.counters.QuantileMs(0.95)), 10, true) + "\n";
  }
}

void Failing(const StatsReport& r, std::string* out) {
  if (r.failing.empty()) return;
  *out += "\n" + Pad("MOST FAILING", kNameColumns) + "  FAILED    USES    RATE\n";
  for (const StatsRow& g : r.failing) {
    *out += Name(g.name) + Num(g.counters.failures, 8) + Num(g.counters.uses, 8) +
            Pad(Percent(g.counters.failures, g.counters.exits), 8, true) + "\n";
  }
}

void Plain(const char* title, const std::vector<StatsRow>& rows, bool keep_end, std::string* out) {
  if (rows.empty()) return;
  *out += "\n" + Pad(title, kNameColumns) + "    USES  FAILED\n";
  for (const StatsRow& g : rows) {
    *out += Name(g.name, keep_end) + Num(g.counters.uses, 8) + Num(g.counters.failures, 8) + "\n";
  }
}

void Categories(const StatsReport& r, std::string* out) {
  if (r.categories.empty()) return;
  *out += "\n" + Pad("CATEGORIES", kNameColumns) + "    USES   SHARE\n";
  for (const StatsRow& c : r.categories) {
    *out += Trim(Name(c.name) + Num(c.counters.uses, 8) + Pad(Percent(c.counters.uses, r.total.uses), 8, true) + "  " +
                 Bar(c.counters.uses, r.categories[0].counters.uses));
  }
}

void Heat(const StatsReport& r, const StatsRenderOptions& o, std::string* out) {
  uint64_t max = 0;
  std::array<uint64_t, 7> per_day{};
  for (int d = 0; d < 7; ++d) {
    for (uint64_t n : r.heat[d]) {
      max = std::max(max, n);
      per_day[d] += n;
    }
  }
  if (max == 0) return;
  static const char* kShades[5] = {" ·", "░░", "▒▒", "▓▓", "██"};
  *out += "\nBUSIEST HOURS (local time)\n    ";
  for (int h = 0; h < 24; ++h) *out += Num(static_cast<uint64_t>(h), 3);
  *out += "\n";
  for (int d = 0; d < 7; ++d) {
    *out += kWeekdays[d];
    *out += " ";
    for (uint64_t n : r.heat[d]) {
      int level = n == 0 ? 0 : static_cast<int>((4 * n + max - 1) / max);
      *out += " ";
      const bool painted = level > 0 && !o.palette.heat[level - 1].empty();
      if (painted) *out += o.palette.heat[level - 1];
      *out += kShades[level];
      if (painted) *out += o.palette.reset;
    }
    *out += "\n";
  }
  uint64_t day_max = *std::max_element(per_day.begin(), per_day.end());
  *out += "\nWEEKDAYS    USES\n";
  for (int d = 0; d < 7; ++d) {
    *out += Trim(std::string(kWeekdays[d]) + Num(per_day[d], 12) + "  " + Bar(per_day[d], day_max));
  }
}

// Rounds to `scale` (10, 10000): v * scale is exact for the values shown.
double Round(double v, double scale) { return std::round(v * scale) / scale; }

Json Rate(uint64_t part, uint64_t whole) {
  return whole == 0 ? Json(nullptr) : Json(Round(static_cast<double>(part) / whole, 10000));
}

Json Mean(const StatsCounters& c) {
  auto m = c.MeanMs();
  return m ? Json(Round(*m, 10)) : Json(nullptr);
}

Json P95(const StatsCounters& c) {
  auto p = c.QuantileMs(0.95);
  return p ? Json(*p) : Json(nullptr);
}

Json Group(const StatsRow& g) {
  Json j = Json::object();
  j["group"] = ToValidUtf8(g.name);
  j["category"] = g.category;
  j["uses"] = g.counters.uses;
  j["failures"] = g.counters.failures;
  j["timed"] = g.counters.timed;
  j["mean_ms"] = Mean(g.counters);
  j["p95_ms"] = P95(g.counters);
  j["failure_rate"] = Rate(g.counters.failures, g.counters.exits);
  return j;
}

Json Simple(const std::vector<StatsRow>& rows, const char* key) {
  Json a = Json::array();
  for (const StatsRow& r : rows) {
    Json j = Json::object();
    j[key] = ToValidUtf8(r.name);
    j["uses"] = r.counters.uses;
    j["failures"] = r.counters.failures;
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace

std::string RenderStatsTable(const StatsReport& r, const StatsRenderOptions& o) {
  std::string out;
  Summary(r, &out);
  Top(r, &out);
  Slowest(r, &out);
  Failing(r, &out);
  Categories(r, &out);
  Plain("DIRECTORIES", r.directories, /*keep_end=*/true, &out);
  Plain("HOSTS", r.hosts, false, &out);
  Heat(r, o, &out);
  return out;
}

std::string RenderStatsJson(const StatsReport& r) {
  Json j = Json::object();
  j["period"] = r.period;
  j["from"] = r.from_day ? Json(DayText(*r.from_day)) : Json(nullptr);
  j["filtered"] = r.scoped;
  const StatsCounters& t = r.total;
  j["totals"] = {{"commands", t.uses},
                 {"unique_commands", r.unique_commands},
                 {"with_exit", t.exits},
                 {"failures", t.failures},
                 {"success_rate", Rate(t.exits - t.failures, t.exits)},
                 {"timed", t.timed},
                 {"mean_ms", Mean(t)},
                 {"p95_ms", P95(t)}};
  auto list = [](const std::vector<StatsRow>& rows) {
    Json a = Json::array();
    for (const StatsRow& g : rows) a.push_back(Group(g));
    return a;
  };
  j["top"] = list(r.top);
  j["slowest"] = list(r.slowest);
  j["failing"] = list(r.failing);
  Json cats = Json::array();
  for (const StatsRow& c : r.categories) {
    cats.push_back({{"category", c.name}, {"uses", c.counters.uses}, {"failures", c.counters.failures}});
  }
  j["categories"] = std::move(cats);
  j["directories"] = Simple(r.directories, "directory");
  j["hosts"] = Simple(r.hosts, "host");
  Json hours = Json::array(), weekdays = Json::array(), heat = Json::array();
  std::array<uint64_t, 24> by_hour{};
  for (int d = 0; d < 7; ++d) {
    uint64_t sum = 0;
    Json row = Json::array();
    for (int h = 0; h < 24; ++h) {
      row.push_back(r.heat[d][h]);
      sum += r.heat[d][h];
      by_hour[h] += r.heat[d][h];
    }
    weekdays.push_back(sum);
    heat.push_back(std::move(row));
  }
  for (uint64_t n : by_hour) hours.push_back(n);
  j["hours"] = std::move(hours);
  j["weekdays"] = std::move(weekdays);
  j["heatmap"] = std::move(heat);
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace tb
