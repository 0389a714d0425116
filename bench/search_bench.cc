// search_bench: `tb search` (core/search + storage/search_cache) on the
// 1M-command benchmark history built by `tb_bench --keep`, against the
// search budgets (docs/benchmarks.md), beside SQLite with atuin's schema and SQL, `grep -F`
// on a flat history file and `fzf --filter`, as ratios (> 1: tb faster).
//
//   search_bench [--dir /tmp/tbbench] [--secs 0.5] [--reps 10]
//
// Needs DIR/tb (the store), DIR/flat_history.txt and, for the SQLite peer,
// DIR/atuin.db (tb_bench without --skip-peers).
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench/peers/atuin_sqlite.h"
#include "core/search/index.h"
#include "core/search/scan.h"
#include "core/search/search.h"
#include "storage/search_cache.h"
#include "storage/store.h"

extern char** environ;

namespace tb::bench {
namespace {

using Clock = std::chrono::steady_clock;
double Ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }
double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}
// Runs `fn` repeatedly for `secs` (at least 5 times); returns the times in ms.
std::vector<double> Sample(double secs, const std::function<void()>& fn) {
  std::vector<double> ms;
  auto end = Clock::now() + std::chrono::duration<double>(secs);
  while (ms.size() < 5 || (Clock::now() < end && ms.size() < 2000)) {
    auto a = Clock::now();
    fn();
    ms.push_back(Ms(a, Clock::now()));
  }
  return ms;
}

double RunProcess(const std::vector<std::string>& argv) {
  std::vector<char*> av;
  for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  auto a = Clock::now();
  pid_t pid;
  if (posix_spawnp(&pid, av[0], &fa, nullptr, av.data(), environ) != 0) return -1;
  int st = 0;
  waitpid(pid, &st, 0);
  posix_spawn_file_actions_destroy(&fa);
  return Ms(a, Clock::now());
}

double MedianProcess(int reps, const std::vector<std::string>& argv) {
  RunProcess(argv);  // warm-up
  std::vector<double> v;
  for (int i = 0; i < reps; ++i) v.push_back(RunProcess(argv));
  return Pct(v, 50);
}

struct Case {
  std::string name;   // what is measured
  std::string klass;  // budget class: substring / fuzzy / filter
  SearchRequest req;
};

std::string ShellQuote(const std::string& s) {
  std::string o = "'";
  for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return o + "'";
}

int Main(int argc, char** argv) {
  std::string dir = "/tmp/tbbench";
  double secs = 0.5;
  int reps = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--dir")
      dir = argv[i + 1];
    else if (k == "--secs")
      secs = std::atof(argv[i + 1]);
    else if (k == "--reps")
      reps = std::atoi(argv[i + 1]);
  }
  std::string data = dir + "/tb", flat = dir + "/flat_history.txt", sqlite_path = dir + "/atuin.db";
  StoreOptions so;
  so.data_dir = data;
  so.access = StoreOptions::Access::kReadPreferred;
  std::unique_ptr<Store> store;
  Status s = Store::Open(so, &store);
  if (!s.ok()) return std::fprintf(stderr, "open %s: %s\n", data.c_str(), s.ToString().c_str()), 1;

  // -- index build and load
  (void)RemoveSearchCache(data);
  auto t0 = Clock::now();
  std::unique_ptr<SearchCache> cache;
  s = SearchCache::Load(*store, {}, &cache);
  auto t1 = Clock::now();
  if (!s.ok()) return std::fprintf(stderr, "index: %s\n", s.ToString().c_str()), 1;
  const SearchIndex& ix = cache->index();
  std::printf("== search index (%zu records, %zu unique commands) ==\n", ix.rows(), ix.commands().size());
  std::printf("build from the store: %.0f ms; file %.1f MiB (%.1f B/record)\n", Ms(t0, t1),
              static_cast<double>(std::filesystem::file_size(SearchCachePath(data))) / 1048576.0,
              static_cast<double>(std::filesystem::file_size(SearchCachePath(data))) / static_cast<double>(ix.rows()));
  auto loads = Sample(secs, [&] {
    std::unique_ptr<SearchCache> c;
    if (!SearchCache::Load(*store, {}, &c).ok() || c->action() != SearchCacheAction::kFresh) std::abort();
  });
  std::printf("load (map + validate + stamp check): p50 %.2f ms, p99 %.2f ms\n\n", Pct(loads, 50), Pct(loads, 99));

  // -- queries
  std::string rare_hash;
  {
    std::ifstream in(flat);
    std::string line;
    for (size_t n = 0; std::getline(in, line) && n < ix.rows() / 8; ++n)
      if (line.rfind("git show ", 0) == 0 && line.size() >= 16) rare_hash = line.substr(9, 7);
  }
  std::vector<std::string> texts = {"git", "docker", "kubectl get", "git commit", "terraform plan", "rg -i"};
  if (!rare_hash.empty()) texts.push_back(rare_hash);
  texts.push_back("zzqx");
  std::vector<Case> cases;
  auto add = [&](std::string name, std::string klass, SearchRequest r) {
    r.filter.limit = 200;
    r.unique = true;
    cases.push_back({std::move(name), std::move(klass), std::move(r)});
  };
  for (const auto& t : texts) {
    SearchRequest r;
    r.query = t;
    add("substring '" + t + "'", "substring", r);
  }
  for (auto [q, m] : std::vector<std::pair<std::string, SearchMode>>{{"git c", SearchMode::kPrefix},
                                                                     {"kubectl", SearchMode::kPrefix},
                                                                     {"ls -la", SearchMode::kExact},
                                                                     {"make", SearchMode::kExact}}) {
    SearchRequest r;
    r.query = q, r.mode = m;
    add(std::string(SearchModeName(m)) + " '" + q + "'", "substring", r);
  }
  for (std::string q : {"gco", "dkrps", "kgp", "tfpl", "zzqx"}) {
    SearchRequest r;
    r.query = q, r.mode = SearchMode::kFuzzy;
    add("fuzzy '" + q + "'", "fuzzy", r);
  }
  {
    SearchRequest r;
    r.query = "^git (commit|push)", r.mode = SearchMode::kRegex;
    add("regex '^git (commit|push)'", "regex", r);
  }
  HistoryRecord mid = ix.Record(ix.rows() / 2);
  std::string ws = mid.cwd.substr(0, mid.cwd.find('/', 1) == std::string::npos ? mid.cwd.size() : mid.cwd.find('/', 1));
  for (int k = 0; k < 6; ++k) {
    SearchRequest r;
    r.query = "git";
    std::string name;
    switch (k) {
      case 0: r.filter.cwd = mid.cwd, name = "'git' --cwd"; break;
      case 1: r.filter.session = mid.session, name = "'git' --session"; break;
      case 2: r.filter.failed = true, r.filter.host = mid.host, name = "'git' --failed --host"; break;
      case 3:
        r.filter.since_ns = mid.started_at_ns, r.filter.until_ns = mid.started_at_ns + 86400000000000LL * 30,
        name = "'git' --since --until (30 d)";
        break;
      case 4: r.under_dir = ws, name = "'git' --workspace " + ws; break;
      case 5: r.query = "zzqx", r.filter.cwd = mid.cwd, r.filter.exit_code = 3, name = "'zzqx' --cwd --exit 3"; break;
    }
    add(name, "filter", r);
  }
  {
    SearchRequest r;
    r.query = "git", r.rank = RankMode::kFrecency, r.current_cwd = mid.cwd;
    add("'git' --rank frecency", "filter", r);
  }

  std::unique_ptr<AtuinSqlite> db;
  std::string err;
  if (std::filesystem::exists(sqlite_path)) db = AtuinSqlite::Open(sqlite_path, &err);
  std::printf("== search inside the process: limit 200, unique, index loaded once ==\n");
  std::printf("SQLite: atuin's search SQL with its de-duplication (only for substring queries)\n");
  std::printf("%-40s %8s %9s %9s %11s %9s\n", "query", "results", "p50 ms", "p99 ms", "SQLite p50", "ratio");
  Searcher searcher(ix, &cache->overlay());
  double worst[3] = {0, 0, 0};  // substring, fuzzy, filter (p99)
  for (auto& c : cases) {
    SearchResult res;
    auto ms = Sample(secs, [&] {
      c.req.deadline_mono_ns = 0;
      if (!searcher.Search(c.req, &res).ok()) std::abort();
    });
    double p50 = Pct(ms, 50), p99 = Pct(ms, 99);
    std::string peer = "-", ratio = "-";
    if (db && c.req.mode == SearchMode::kSubstring && !c.req.filter.cwd && !c.req.filter.session &&
        !c.req.filter.failed && !c.req.filter.since_ns && !c.req.under_dir && c.req.rank == RankMode::kRecent) {
      sqlite3_stmt* st = db->Prepare(AtuinSqlite::SearchSql(c.req.query, 200, true));
      auto sms = Sample(secs, [&] { db->RunPrepared(st); });
      db->Finalize(st);
      char b[64];
      std::snprintf(b, sizeof b, "%.2f", Pct(sms, 50));
      peer = b;
      std::snprintf(b, sizeof b, "%.1fx", Pct(sms, 50) / p50);
      ratio = b;
    }
    std::printf("%-40s %8zu %9.2f %9.2f %11s %9s\n", c.name.c_str(), res.hits.size(), p50, p99, peer.c_str(),
                ratio.c_str());
    int k = c.klass == "fuzzy" ? 1 : c.klass == "filter" || c.klass == "regex" ? 2 : 0;
    worst[k] = std::max(worst[k], p99);
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS of this process: %.1f MiB\n\n", static_cast<double>(ru.ru_maxrss) / 1024.0);

  // -- whole process
  std::printf("== search as a whole process: median wall ms of %d runs after a warm-up ==\n", reps);
  std::printf(
      "tb: tb --data-dir D search Q -u -n 200 --format plain; grep: sh -c \"grep -F -e Q FLAT | tail -200\";\n"
      "fzf: sh -c \"fzf --filter Q --exact --no-sort < FLAT | tail -200\"; sqlite3: atuin SQL with de-duplication\n");
  std::printf("%-24s %8s %8s %8s %8s %10s %10s\n", "query", "tb", "grep", "fzf", "sqlite3", "grep/tb", "fzf/tb");
  double worst_proc = 0;
  for (const std::string& q : texts) {
    double tb =
        MedianProcess(reps, {TB_BINARY, "--data-dir", data, "search", q, "-u", "-n", "200", "--format", "plain"});
    double grep = MedianProcess(reps, {"/bin/sh", "-c", "grep -F -e " + ShellQuote(q) + " " + flat + " | tail -200"});
    double fzf = MedianProcess(
        reps, {"/bin/sh", "-c", "fzf --filter " + ShellQuote(q) + " --exact --no-sort < " + flat + " | tail -200"});
    double sq = db ? MedianProcess(reps, {"sqlite3", sqlite_path, AtuinSqlite::SearchSql(q, 200, true)}) : -1;
    std::printf("%-24s %8.1f %8.1f %8.1f %8.1f %9.1fx %9.1fx\n", q.c_str(), tb, grep, fzf, sq, grep / tb, fzf / tb);
    worst_proc = std::max(worst_proc, tb);
  }
  std::printf("\n== budgets ==\n");
  std::printf("substring/prefix/exact, unique, limit 200, p99 (worst)  %7.2f ms   < 5 ms    %s\n", worst[0],
              worst[0] < 5 ? "ok" : "MISSED");
  std::printf("fuzzy, p99 (worst)                                      %7.2f ms   < 30 ms   %s\n", worst[1],
              worst[1] < 30 ? "ok" : "MISSED");
  std::printf("filters / regex / frecency, p99 (worst)                 %7.2f ms   < 20 ms   %s\n", worst[2],
              worst[2] < 20 ? "ok" : "MISSED");
  std::printf("whole process, median (worst query)                     %7.2f ms   < 20 ms   %s\n", worst_proc,
              worst_proc < 20 ? "ok" : "MISSED");
  return 0;
}

}  // namespace
}  // namespace tb::bench

int main(int argc, char** argv) { return tb::bench::Main(argc, argv); }
