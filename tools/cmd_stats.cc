// tb stats [--period day|week|month|year|all] [--top N] [filters] [--format table|json]
//
// Without scope filters the numbers come from the pre-aggregated `stats`
// view (fast at any history size); with any of them (--cwd, --session,
// --host, --exit, --failed, --succeeded, --since, --until, -n) the matching
// records are walked (core/analytics/stats.h).
#include "core/analytics/stats.h"
#include "core/analytics/stats_render.h"
#include "core/views/stats_view.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/record_printer.h"

namespace tb {
namespace {

// Days in each period, today (UTC) included; 0 = all history.
Status PeriodDays(const std::string& period, int64_t* days) {
  static const std::pair<const char*, int64_t> kPeriods[] = {
      {"all", 0}, {"day", 1}, {"week", 7}, {"month", 30}, {"year", 365}};
  for (const auto& [name, n] : kPeriods) {
    if (period == name) {
      *days = n;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown period '" + period +
                                 "' for tb stats: expected day, week, month, year or all");
}

bool Scoped(const HistoryFilter& f) {
  return f.limit != 0 || f.cwd || f.session || f.host || f.exit_code || f.failed || f.succeeded || f.since_ns ||
         f.until_ns || f.text;
}

}  // namespace

Status CmdStats(Context& ctx, const Argv& args) {
  Args a("stats", "stats [--period day|week|month|year|all] [--top N] [filters] [--format table|json]");
  AddFilterOptions(a.opts());
  a.opts().add_options()("period", po::value<std::string>()->default_value("all")->value_name("P"),
                         "day, week, month (30 days), year (365 days) or all: UTC days up to today")(
      "top", po::value<std::string>()->value_name("N"), "rows per list (default 10)");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  int64_t now = NowNs();
  HistoryFilter f;
  TB_RETURN_IF_ERROR(FilterFromArgs(a, now, &f));
  int64_t days = 0;
  TB_RETURN_IF_ERROR(PeriodDays(a.Str("period"), &days));
  std::optional<int64_t> top;
  TB_RETURN_IF_ERROR(a.Int("top", 1, 1000000, &top));
  std::optional<int64_t> from_day;
  if (days > 0) from_day = UtcDay(now) - (days - 1);

  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  StatsAggregate agg;
  bool scoped = Scoped(f);
  if (scoped) {
    if (from_day) {
      int64_t from_ns = *from_day * 86400 * 1000000000ll;
      f.since_ns = f.since_ns ? std::max(*f.since_ns, from_ns) : from_ns;
    }
    TB_RETURN_IF_ERROR(ReadStatsFromRecords(store->reader(), f, &agg));
  } else {
    TB_RETURN_IF_ERROR(ReadStatsFromView(store->reader(), from_day, &agg));
  }
  StatsReport r = BuildStatsReport(agg, static_cast<size_t>(top.value_or(10)), Classifier::Default());
  r.period = a.Str("period");
  r.from_day = from_day;
  r.scoped = scoped;
  if (json) {
    WriteOut(RenderStatsJson(r));
    return Status::OK();
  }
  StatsRenderOptions o;
  o.palette = StdoutPalette(ctx);
  WriteOut(RenderStatsTable(r, o));
  return Status::OK();
}

}  // namespace tb
