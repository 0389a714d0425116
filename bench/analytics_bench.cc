// analytics_bench: `tb stats` latency at 1M commands.
// Builds a store from the generated history (bench/history_gen.h, 30 % of
// commands as hook start + finish pairs), compacts it, then measures:
//   * a rebuild of the `stats` view alone (events/s);
//   * ReadStatsFromView + BuildStatsReport + RenderStatsJson in process,
//     cold (first query after open) and warm (median of 5), per period;
//   * the whole `tb stats` process (median of 5) for the table and json;
//   * the scoped fallback (--since 30 days before the end: a record walk).
//
//   analytics_bench [--commands N] [--dir DIR] [--keep]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/history_gen.h"
#include "core/analytics/stats.h"
#include "core/analytics/stats_render.h"
#include "core/views/stats_view.h"
#include "storage/store.h"

using namespace tb;
using tb::bench::GenOptions;
using tb::bench::HistoryGenerator;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "analytics_bench: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

StoreOptions Options(const std::string& dir, StoreOptions::Access access) {
  StoreOptions so;
  so.data_dir = dir;
  so.access = access;
  so.block_cache_bytes = 32ull << 20;
  so.write_buffer_bytes = 16ull << 20;
  return so;
}

// One in-process stats query: read, rank, render json.
Status Query(Store& store, std::optional<int64_t> from_day, std::string* json) {
  StatsAggregate agg;
  TB_RETURN_IF_ERROR(ReadStatsFromView(store.reader(), from_day, &agg));
  StatsReport r = BuildStatsReport(agg, 10, Classifier::Default());
  *json = RenderStatsJson(r);
  return Status::OK();
}

double TimeProcess(const std::string& cmd) {
  std::vector<double> runs;
  for (int i = 0; i < 5; ++i) {
    auto t = Clock::now();
    if (std::system(cmd.c_str()) != 0) return -1;
    runs.push_back(Ms(t));
  }
  return Median(runs);
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 1'000'000;
  std::string dir = "/tmp/tb-analytics-bench";
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--commands") && i + 1 < argc) n = std::stoull(argv[++i]);
    if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
    if (!std::strcmp(argv[i], "--keep")) keep = true;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  const std::string data = dir + "/data";
  int64_t last_ns = 0;
  {
    std::unique_ptr<Store> store;
    Status s = Store::Open(Options(data, StoreOptions::Access::kReadWrite), &store);
    if (!s.ok()) return Fail("open", s);
    GenOptions go;
    go.commands = n;
    go.pair_fraction = 0.3;
    HistoryGenerator gen(go);
    std::vector<Event> batch;
    uint64_t events = 0;
    auto t = Clock::now();
    while (!gen.done()) {
      batch.clear();
      gen.NextEvents(4096, &batch);
      if (!(s = store->Append(batch, false)).ok()) return Fail("append", s);
      events += batch.size();
      last_ns = batch.back().time_ns;
    }
    std::printf("built      %zu commands = %llu events in %.2f s (all views)\n", n,
                static_cast<unsigned long long>(events), Ms(t) / 1000);
    t = Clock::now();
    if (!(s = store->Rebuild("stats")).ok()) return Fail("rebuild stats", s);
    double rebuild_s = Ms(t) / 1000;
    std::printf("rebuild    stats view alone: %.2f s = %.0f events/s\n", rebuild_s, events / rebuild_s);
    if (!(s = store->CompactAll()).ok()) return Fail("compact", s);
    std::vector<ViewInfo> views;
    if (!(s = store->Views(&views)).ok()) return Fail("views", s);
    for (const ViewInfo& v : views) {
      if (v.name == "stats")
        std::printf("view       stats: %llu entries\n", static_cast<unsigned long long>(v.entries));
    }
  }
  std::unique_ptr<Store> store;
  Status s = Store::Open(Options(data, StoreOptions::Access::kReadOnly), &store);
  if (!s.ok()) return Fail("reopen", s);
  int64_t last_day = UtcDay(last_ns);
  struct Period {
    const char* name;
    std::optional<int64_t> from_day;
  };
  const Period periods[] = {
      {"all", std::nullopt}, {"year", last_day - 364}, {"month", last_day - 29}, {"week", last_day - 6}};
  std::string json;
  for (const Period& p : periods) {
    auto t = Clock::now();
    if (!(s = Query(*store, p.from_day, &json)).ok()) return Fail("stats", s);
    double cold = Ms(t);
    std::vector<double> warm;
    for (int i = 0; i < 5; ++i) {
      t = Clock::now();
      if (!(s = Query(*store, p.from_day, &json)).ok()) return Fail("stats", s);
      warm.push_back(Ms(t));
    }
    std::printf("in-process stats --period %-5s first %.1f ms, then median %.1f ms\n", p.name, cold, Median(warm));
  }
  store.reset();
  std::string base = std::string(TB_BINARY) + " --data-dir " + data + " stats";
  std::printf("process    tb stats (table): median %.1f ms\n", TimeProcess(base + " > /dev/null"));
  std::printf("process    tb stats --format json: median %.1f ms\n", TimeProcess(base + " --format json > /dev/null"));
  std::printf("process    tb stats --period month: median %.1f ms\n",
              TimeProcess(base + " --period month > /dev/null"));
  std::printf("process    tb stats --since 30 days before the end (scoped: record walk): median %.1f ms\n",
              TimeProcess(base + " --since '2026-10-26' > /dev/null"));
  if (!keep) fs::remove_all(dir, ec);
  return 0;
}
