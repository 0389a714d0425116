// tb_bench: end-to-end benchmark of TermBrain against its peers on the same
// generated history (bench/history_gen.h), against the budgets (docs/benchmarks.md).
//
//   tb_bench [--n 1000000] [--dir /tmp/tbbench] [--only shape,append,size,rebuild,search,process]
//            [--pairs 0.0] [--batch 10000] [--proc-reps 10] [--query-secs 1.0]
//            [--no-rebuild-breakdown] [--keep] [--skip-peers]
//
// Every measured part runs in its own forked child so that its peak RSS
// (wait4 rusage) is its own; the parent only orchestrates and prints, and
// never opens RocksDB or SQLite itself (so forking is safe). Peers:
//   * SQLite with atuin's schema, pragmas and SQL (bench/peers/atuin_sqlite.h);
//   * `sqlite3 DB "<atuin SQL>"`, and `grep -F -e QUERY FILE | tail -200` and
//     `fzf --filter QUERY --exact --no-sort < FILE | tail -200` on a flat
//     history file (one command per line), for whole-process search.
// Ratios are printed so that > 1 means tb is better (faster or smaller).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/history_gen.h"
#include "bench/peers/atuin_sqlite.h"
#include "core/history_query.h"
#include "core/search/search.h"
#include "core/views/registry.h"
#include "storage/search_cache.h"
#include "storage/store.h"

extern char** environ;

namespace tb::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// ------------------------------------------------------------------ flags

struct Flags {
  uint64_t n = 1000000;
  std::string dir = "/tmp/tbbench";
  std::set<std::string> only;  // empty = everything
  double pairs = 0.0;
  size_t batch = 10000;
  int proc_reps = 10;
  double query_secs = 1.0;
  bool rebuild_breakdown = true;
  bool keep = false;
  bool peers = true;  // --skip-peers: tb only (for profiling)

  bool Want(const std::string& part) const { return only.empty() || only.count(part) > 0; }
  std::string TbDir() const { return dir + "/tb"; }
  std::string SqlitePath() const { return dir + "/atuin.db"; }
  std::string FlatPath() const { return dir + "/flat_history.txt"; }
  std::string CommandsPath() const { return dir + "/commands.bin"; }
};

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "tb_bench: %s\nusage: tb_bench [--n N] [--dir DIR] [--only shape,append,size,rebuild,search,process]\n"
               "                [--pairs F] [--batch N] [--proc-reps N] [--query-secs S]\n"
               "                [--no-rebuild-breakdown] [--keep] [--skip-peers]\n",
               msg);
  std::exit(2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--n") {
      f.n = std::stoull(val());
    } else if (a == "--dir") {
      f.dir = val();
    } else if (a == "--only") {
      std::stringstream ss(val());
      std::string part;
      while (std::getline(ss, part, ',')) f.only.insert(part);
    } else if (a == "--pairs") {
      f.pairs = std::stod(val());
    } else if (a == "--batch") {
      f.batch = std::stoull(val());
    } else if (a == "--proc-reps") {
      f.proc_reps = std::stoi(val());
    } else if (a == "--query-secs") {
      f.query_secs = std::stod(val());
    } else if (a == "--no-rebuild-breakdown") {
      f.rebuild_breakdown = false;
    } else if (a == "--keep") {
      f.keep = true;
    } else if (a == "--skip-peers") {
      f.peers = false;
    } else if (a == "-h" || a == "--help") {
      Usage("help");
    } else {
      Usage(("unknown flag " + a).c_str());
    }
  }
  if (f.n == 0 || f.batch == 0 || f.proc_reps < 1) Usage("--n, --batch and --proc-reps must be positive");
  return f;
}

// ------------------------------------------------------------------ helpers

using KV = std::map<std::string, std::string>;

double Num(const KV& kv, const std::string& key) {
  auto it = kv.find(key);
  return it == kv.end() ? NAN : std::strtod(it->second.c_str(), nullptr);
}

std::string Str(const KV& kv, const std::string& key) {
  auto it = kv.find(key);
  return it == kv.end() ? "" : it->second;
}

double Pct(std::vector<double> v, double p) {  // nearest rank
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

uint64_t TreeBytes(const std::string& path, const std::string& suffix = "") {
  uint64_t total = 0;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return fs::file_size(path, ec);
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec) && (suffix.empty() || it->path().string().ends_with(suffix)))
      total += it->file_size(ec);
  }
  return total;
}

// CPU time of every thread of this process (RocksDB's background threads
// included), seconds.
double ProcessCpuS() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double ThreadCpuS() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string LoadAvg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

std::string Fmt(const char* f, double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

std::string Rate(double v) {  // events/s, human
  if (std::isnan(v)) return "-";
  if (v >= 1e6) return Fmt("%.2f M/s", v / 1e6);
  return Fmt("%.0f k/s", v / 1e3);
}

std::string Ratio(double better_is_bigger_tb, double peer) {
  if (std::isnan(better_is_bigger_tb) || std::isnan(peer) || peer == 0) return "-";
  return Fmt("%.2fx", better_is_bigger_tb / peer);
}

std::string Mib(double kb) { return Fmt("%.1f MiB", kb / 1024.0); }

// One line of a table with fixed column widths.
void Row(const std::vector<std::string>& cols, const std::vector<int>& widths) {
  std::string line;
  for (size_t i = 0; i < cols.size(); ++i) {
    std::string c = cols[i];
    int w = i < widths.size() ? widths[i] : 12;
    if (static_cast<int>(c.size()) < w) c.append(static_cast<size_t>(w) - c.size(), ' ');
    line += c + " ";
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::printf("%s\n", line.c_str());
}

// ------------------------------------------------------------------ children

// A child reports "key\tvalue\n" lines through a pipe.
class Reporter {
 public:
  explicit Reporter(int fd) : fd_(fd) {}
  void Put(const std::string& key, const std::string& value) {
    std::string line = key + "\t" + value + "\n";  // values never hold a newline
    (void)!::write(fd_, line.data(), line.size());
  }
  void Put(const std::string& key, double v) { Put(key, Fmt("%.9g", v)); }

 private:
  int fd_;
};

struct PhaseOutcome {
  bool ok = false;
  KV kv;
  long maxrss_kb = 0;
  double wall_s = 0;
};

PhaseOutcome RunChild(const char* name, const std::function<bool(Reporter&)>& body) {
  PhaseOutcome out;
  std::fflush(stdout);
  std::fflush(stderr);
  int fds[2];
  if (::pipe(fds) != 0) {
    std::perror("pipe");
    return out;
  }
  auto t0 = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    return out;
  }
  if (pid == 0) {
    ::close(fds[0]);
    Reporter r(fds[1]);
    bool ok = body(r);
    std::fflush(stdout);
    std::fflush(stderr);
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  std::string data;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) data.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  out.wall_s = Since(t0);
  out.maxrss_kb = ru.ru_maxrss;
  out.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::stringstream ss(data);
  std::string line;
  while (std::getline(ss, line)) {
    size_t tab = line.find('\t');
    if (tab != std::string::npos) out.kv[line.substr(0, tab)] = line.substr(tab + 1);
  }
  if (!out.ok) std::fprintf(stderr, "tb_bench: phase '%s' failed (status %d)\n", name, status);
  return out;
}

// ------------------------------------------------------------------ processes

struct ProcRun {
  double wall_s = NAN;
  long maxrss_kb = 0;
  int exit_code = -1;
};

// Runs argv with stdout (and stderr unless keep_stderr) to /dev/null.
ProcRun RunProcess(const std::vector<std::string>& argv, char** envp, bool keep_stderr = true) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (!keep_stderr) posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  ProcRun r;
  auto t0 = Clock::now();
  pid_t pid;
  if (posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), envp) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return r;
  }
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  r.wall_s = Since(t0);
  r.maxrss_kb = ru.ru_maxrss;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  posix_spawn_file_actions_destroy(&fa);
  return r;
}

// `FIRST... [< stdin_file] | tail -n LIMIT > /dev/null`, without a shell.
// NAN wall time when FIRST cannot be started (e.g. not installed).
ProcRun RunPipeTail(const std::vector<std::string>& first, const std::string& stdin_file, size_t limit, char** envp) {
  ProcRun r;
  int p[2];
  if (::pipe(p) != 0) return r;
  std::vector<char*> first_argv;
  for (const auto& a : first) first_argv.push_back(const_cast<char*>(a.c_str()));
  first_argv.push_back(nullptr);
  std::string lim = std::to_string(limit);
  const char* tail_argv[] = {"tail", "-n", lim.c_str(), nullptr};
  posix_spawn_file_actions_t g, t;
  posix_spawn_file_actions_init(&g);
  posix_spawn_file_actions_init(&t);
  if (!stdin_file.empty()) posix_spawn_file_actions_addopen(&g, STDIN_FILENO, stdin_file.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&g, p[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&g, p[0]);
  posix_spawn_file_actions_addclose(&g, p[1]);
  posix_spawn_file_actions_adddup2(&t, p[0], STDIN_FILENO);
  posix_spawn_file_actions_addclose(&t, p[0]);
  posix_spawn_file_actions_addclose(&t, p[1]);
  posix_spawn_file_actions_addopen(&t, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  auto t0 = Clock::now();
  pid_t gp = -1, tp = -1;
  bool ok = posix_spawnp(&gp, first_argv[0], &g, nullptr, first_argv.data(), envp) == 0 &&
            posix_spawnp(&tp, "tail", &t, nullptr, const_cast<char**>(tail_argv), envp) == 0;
  ::close(p[0]);
  ::close(p[1]);
  int st = 0;
  if (gp > 0) ::waitpid(gp, &st, 0);
  int st2 = 0;
  if (tp > 0) ::waitpid(tp, &st2, 0);
  if (ok) {
    r.wall_s = Since(t0);
    r.exit_code = WIFEXITED(st2) ? WEXITSTATUS(st2) : 1;
  }
  posix_spawn_file_actions_destroy(&g);
  posix_spawn_file_actions_destroy(&t);
  return r;
}

// ------------------------------------------------------------------ queries

struct Query {
  std::string text;   // empty = plain history listing (no search text)
  std::string klass;  // common / medium / rare / absent / listing
};

// The query set: fixed texts of known selectivity plus rare ones picked from
// the generated data (old hashes and pod names) by the shape phase.
std::vector<Query> BuildQueries(const KV& shape) {
  std::vector<Query> q = {
      {"git", "common"},         {"ls", "common"},         {"make", "common"},           {"docker", "common"},
      {"kubectl get", "medium"}, {"docker run", "medium"}, {"git commit", "medium"},     {"npm install", "medium"},
      {"cargo test", "medium"},  {"ssh", "medium"},        {"terraform plan", "medium"}, {"rg -i", "medium"},
  };
  for (const char* key : {"rare_hash", "rare_pod", "rare_msg", "rare_url"}) {
    std::string v = Str(shape, key);
    if (!v.empty()) q.push_back({v, "rare"});
  }
  q.push_back({"zzqx", "absent"});
  q.push_back({"no-such-command-anywhere", "absent"});
  q.push_back({"qwertyuiop", "absent"});
  q.push_back({"", "listing"});
  return q;
}

std::string Shown(const Query& q) { return q.text.empty() ? "(history, no text)" : q.text; }

// ------------------------------------------------------------------ phases

bool PhaseShape(const Flags& f, Reporter& r) {
  GenOptions o;
  o.commands = f.n;
  o.pair_fraction = f.pairs;
  HistoryGenerator gen(o);
  std::ofstream flat(f.FlatPath(), std::ios::binary | std::ios::trunc);
  std::FILE* bin = std::fopen(f.CommandsPath().c_str(), "wb");
  if (bin == nullptr) {
    std::perror(f.CommandsPath().c_str());
    return false;
  }
  std::string rare_hash, rare_pod, rare_msg, rare_url;
  uint64_t pick_after = f.n / 8;  // rare needles come from the oldest part
  auto t0 = Clock::now();
  while (!gen.done()) {
    const GenCommand& c = gen.Next();
    flat << c.command << '\n';
    if (!WriteCommand(bin, c)) {
      std::perror(f.CommandsPath().c_str());
      return false;
    }
    if (c.index < pick_after) continue;
    if (rare_hash.empty() && c.command.rfind("git show ", 0) == 0) rare_hash = c.command.substr(9, 7);
    if (rare_pod.empty() && c.command.rfind("kubectl describe pod ", 0) == 0) {
      std::string rest = c.command.substr(21);
      rare_pod = rest.substr(0, rest.find(' '));
    }
    if (rare_msg.empty() && c.command.rfind("git commit -m \"", 0) == 0 && c.index > f.n / 3) {
      std::string m = c.command.substr(15);
      m.pop_back();
      if (m.find(' ') != std::string::npos && m.size() > 16) rare_msg = m;
    }
    if (rare_url.empty() && c.command.rfind("curl -s https://", 0) == 0 && c.index > f.n / 2) {
      size_t end = c.command.find(" |");
      rare_url = c.command.substr(8, end - 8);
    }
  }
  double gen_s = Since(t0);
  flat.close();
  if (std::fclose(bin) != 0) return false;
  std::string d = gen.Describe();
  std::replace(d.begin(), d.end(), '\n', '|');
  r.Put("describe", d);
  GenStats s = gen.stats();
  r.Put("commands", static_cast<double>(s.commands));
  r.Put("events", static_cast<double>(s.events));
  r.Put("unique", static_cast<double>(s.unique_commands));
  r.Put("mean_len", static_cast<double>(s.command_bytes) / static_cast<double>(s.commands));
  r.Put("gen_s", gen_s);
  r.Put("flat_bytes", static_cast<double>(TreeBytes(f.FlatPath())));
  r.Put("rare_hash", rare_hash);
  r.Put("rare_pod", rare_pod);
  r.Put("rare_msg", rare_msg);
  r.Put("rare_url", rare_url);
  return true;
}

StoreOptions TbOptions(const Flags& f) {
  StoreOptions o;
  o.data_dir = f.TbDir();
  o.access = StoreOptions::Access::kReadWrite;
  o.holder = "tb_bench";
  return o;  // block cache and write buffers: the defaults tb uses
}

bool PhaseTbAppend(const Flags& f, Reporter& r) {
  std::error_code ec;
  fs::remove_all(f.TbDir(), ec);
  // Commands come from the file the shape phase wrote: this process holds
  // no generator tables, so its peak RSS is the store's (plus one batch).
  std::FILE* in = std::fopen(f.CommandsPath().c_str(), "rb");
  if (in == nullptr) {
    std::perror(f.CommandsPath().c_str());
    return false;
  }
  r.Put("rss_before_store_kb", static_cast<double>(RssKb()));
  std::unique_ptr<Store> store;
  Status s = Store::Open(TbOptions(f), &store);
  if (!s.ok()) {
    std::fprintf(stderr, "tb open: %s\n", s.ToString().c_str());
    return false;
  }
  std::vector<Event> batch;
  batch.reserve(f.batch * 2);
  double append_s = 0, append_cpu_s = 0;
  std::vector<double> batch_ms;
  uint64_t events = 0, commands = 0;
  GenCommand c;
  bool more = true;
  while (more) {
    batch.clear();
    size_t k = 0;
    while (k < f.batch && (more = ReadCommand(in, &c))) {
      HistoryGenerator::ToEvents(c, &batch);
      ++k;
    }
    if (k == 0) break;
    commands += k;
    auto t0 = Clock::now();
    double c0 = ProcessCpuS();
    s = store->Append(batch, /*sync=*/false);
    double dt = Since(t0);
    append_cpu_s += ProcessCpuS() - c0;
    if (!s.ok()) {
      std::fprintf(stderr, "tb append: %s\n", s.ToString().c_str());
      return false;
    }
    append_s += dt;
    batch_ms.push_back(dt * 1e3);
    events += batch.size();
  }
  StoreInfo info;
  if (!store->Info(&info).ok()) return false;
  r.Put("disk_before_compact", static_cast<double>(info.disk_bytes));
  auto t1 = Clock::now();
  s = store->CompactAll();
  double compact_s = Since(t1);
  if (!s.ok()) {
    std::fprintf(stderr, "tb compact: %s\n", s.ToString().c_str());
    return false;
  }
  if (!store->Info(&info).ok()) return false;
  r.Put("events", static_cast<double>(events));
  r.Put("commands", static_cast<double>(commands));
  std::fclose(in);
  r.Put("append_s", append_s);
  r.Put("append_cpu_s", append_cpu_s);
  r.Put("batch_p50_ms", Pct(batch_ms, 50));
  r.Put("batch_p99_ms", Pct(batch_ms, 99));
  r.Put("batch_max_ms", Pct(batch_ms, 100));
  r.Put("compact_s", compact_s);
  r.Put("disk_after_compact", static_cast<double>(info.disk_bytes));
  r.Put("sst_bytes", static_cast<double>(TreeBytes(f.TbDir(), ".sst")));
  r.Put("head", static_cast<double>(store->head()));
  return true;
}

bool PhaseSqliteAppend(const Flags& f, Reporter& r) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((f.SqlitePath() + suffix).c_str());
  std::FILE* in = std::fopen(f.CommandsPath().c_str(), "rb");
  if (in == nullptr) {
    std::perror(f.CommandsPath().c_str());
    return false;
  }
  std::string err;
  auto db = AtuinSqlite::Open(f.SqlitePath(), &err);
  if (!db) {
    std::fprintf(stderr, "sqlite open: %s\n", err.c_str());
    return false;
  }
  std::vector<GenCommand> batch;
  batch.reserve(f.batch);
  double insert_s = 0, insert_cpu_s = 0;
  uint64_t rows = 0;
  GenCommand c;
  bool more = true;
  while (more) {
    batch.clear();
    while (batch.size() < f.batch && (more = ReadCommand(in, &c))) batch.push_back(c);
    if (batch.empty()) break;
    auto t0 = Clock::now();
    double c0 = ProcessCpuS();
    if (!db->InsertBatch(batch)) {
      std::fprintf(stderr, "sqlite insert: %s\n", db->error().c_str());
      return false;
    }
    insert_s += Since(t0);
    insert_cpu_s += ProcessCpuS() - c0;
    rows += batch.size();
  }
  auto t1 = Clock::now();
  if (!db->Checkpoint()) return false;
  double ckpt_s = Since(t1);
  r.Put("size_before_vacuum", static_cast<double>(TreeBytes(f.SqlitePath()) + TreeBytes(f.SqlitePath() + "-wal")));
  auto t2 = Clock::now();
  if (!db->Vacuum()) {
    std::fprintf(stderr, "sqlite vacuum: %s\n", db->error().c_str());
    return false;
  }
  r.Put("vacuum_s", Since(t2));
  r.Put("size_after_vacuum", static_cast<double>(TreeBytes(f.SqlitePath()) + TreeBytes(f.SqlitePath() + "-wal")));
  r.Put("rows", static_cast<double>(rows));
  std::fclose(in);
  r.Put("insert_s", insert_s);
  r.Put("insert_cpu_s", insert_cpu_s);
  r.Put("checkpoint_s", ckpt_s);
  r.Put("indexes", static_cast<double>(db->Indexes().size()));
  return true;
}

bool PhaseTbRebuild(const Flags& f, Reporter& r) {
  std::unique_ptr<Store> store;
  Status s = Store::Open(TbOptions(f), &store);
  if (!s.ok()) {
    std::fprintf(stderr, "tb open: %s\n", s.ToString().c_str());
    return false;
  }
  r.Put("events", static_cast<double>(store->head()));
  auto t0 = Clock::now();
  double c0 = ProcessCpuS();
  s = store->Rebuild("");
  double all_s = Since(t0);
  r.Put("rebuild_cpu_s", ProcessCpuS() - c0);
  if (!s.ok()) {
    std::fprintf(stderr, "tb rebuild: %s\n", s.ToString().c_str());
    return false;
  }
  r.Put("rebuild_s", all_s);
  if (f.rebuild_breakdown) {
    for (const View* v : AllViews()) {
      auto t1 = Clock::now();
      s = store->Rebuild(v->name());
      if (!s.ok()) return false;
      r.Put("view_" + std::string(v->name()), Since(t1));
    }
  }
  auto t2 = Clock::now();
  s = store->CompactAll();
  r.Put("compact_s", Since(t2));
  StoreInfo info;
  if (!s.ok() || !store->Info(&info).ok()) return false;
  r.Put("disk_after", static_cast<double>(info.disk_bytes));
  return true;
}

bool PhaseSqliteReindex(const Flags& f, Reporter& r) {
  std::string err;
  auto db = AtuinSqlite::Open(f.SqlitePath(), &err);
  if (!db) {
    std::fprintf(stderr, "sqlite open: %s\n", err.c_str());
    return false;
  }
  auto t0 = Clock::now();
  double c0 = ProcessCpuS();
  if (!db->Reindex()) {
    std::fprintf(stderr, "sqlite reindex: %s\n", db->error().c_str());
    return false;
  }
  r.Put("reindex_s", Since(t0));
  r.Put("reindex_cpu_s", ProcessCpuS() - c0);
  if (!db->Checkpoint()) return false;
  r.Put("indexes", static_cast<double>(db->Indexes().size()));
  return true;
}

// Runs `once` (returns the number of results or -1) repeatedly: 2 warm-up
// runs, then until `secs` have passed (at most 300 runs, at least 10, or at
// least 5 when a run is so slow that 10 would take over 3 x secs).
template <typename Fn>
bool Sample(double secs, Fn once, std::vector<double>* ms, std::vector<double>* cpu_ms, long* results) {
  for (int i = 0; i < 2; ++i) {
    *results = once();
    if (*results < 0) return false;
  }
  auto start = Clock::now();
  auto more = [&]() {
    double el = Since(start);
    size_t n = ms->size();
    if (n < 5) return true;
    if (n < 10) return el < 3 * secs;
    return n < 300 && el < secs;
  };
  while (more()) {
    auto t0 = Clock::now();
    double c0 = ThreadCpuS();
    long n = once();
    ms->push_back(Since(t0) * 1e3);
    cpu_ms->push_back((ThreadCpuS() - c0) * 1e3);
    if (n < 0) return false;
  }
  return true;
}

bool PhaseTbSearch(const Flags& f, const std::vector<Query>& queries, Reporter& r) {
  StoreOptions o = TbOptions(f);
  o.access = StoreOptions::Access::kAuto;  // what `tb search` does
  std::unique_ptr<Store> store;
  Status s = Store::Open(o, &store);
  std::unique_ptr<SearchCache> cache;
  if (s.ok()) s = SearchCache::Load(*store, {}, &cache);  // built once, as the first search does
  if (!s.ok()) {
    std::fprintf(stderr, "tb open: %s\n", s.ToString().c_str());
    return false;
  }
  Searcher searcher(cache->index(), &cache->overlay());
  for (size_t i = 0; i < queries.size(); ++i) {
    SearchRequest req;
    req.filter.limit = 200;
    req.query = queries[i].text;
    std::vector<double> ms, cpu_ms;
    long results = 0;
    bool ok = Sample(
        f.query_secs,
        [&]() -> long {
          SearchResult res;
          Status qs = searcher.Search(req, &res);
          return qs.ok() ? static_cast<long>(res.hits.size()) : -1;
        },
        &ms, &cpu_ms, &results);
    if (!ok) {
      std::fprintf(stderr, "tb query '%s' failed\n", queries[i].text.c_str());
      return false;
    }
    std::string k = std::string("q") + std::to_string(i);
    r.Put(k + "_n", static_cast<double>(results));
    r.Put(k + "_p50", Pct(ms, 50));
    r.Put(k + "_p99", Pct(ms, 99));
    r.Put(k + "_reps", static_cast<double>(ms.size()));
    r.Put(k + "_cpu50", Pct(cpu_ms, 50));
  }
  return true;
}

bool PhaseSqliteSearch(const Flags& f, const std::vector<Query>& queries, bool dedup, Reporter& r) {
  std::string err;
  auto db = AtuinSqlite::Open(f.SqlitePath(), &err);
  if (!db) {
    std::fprintf(stderr, "sqlite open: %s\n", err.c_str());
    return false;
  }
  for (size_t i = 0; i < queries.size(); ++i) {
    std::string sql =
        queries[i].text.empty() ? AtuinSqlite::ListSql(200) : AtuinSqlite::SearchSql(queries[i].text, 200, dedup);
    sqlite3_stmt* st = db->Prepare(sql);
    if (st == nullptr) {
      std::fprintf(stderr, "sqlite prepare: %s\n", db->error().c_str());
      return false;
    }
    std::vector<double> ms, cpu_ms;
    long results = 0;
    bool ok = Sample(
        f.query_secs, [&]() -> long { return db->RunPrepared(st); }, &ms, &cpu_ms, &results);
    db->Finalize(st);
    if (!ok) {
      std::fprintf(stderr, "sqlite query failed: %s\n", db->error().c_str());
      return false;
    }
    std::string k = std::string("q") + std::to_string(i);
    r.Put(k + "_n", static_cast<double>(results));
    r.Put(k + "_p50", Pct(ms, 50));
    r.Put(k + "_p99", Pct(ms, 99));
    r.Put(k + "_reps", static_cast<double>(ms.size()));
    r.Put(k + "_cpu50", Pct(cpu_ms, 50));
  }
  return true;
}

// ------------------------------------------------------------------ header

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  size_t b = s.find_first_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b);
}

std::string ProcField(const char* file, const char* key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      size_t colon = line.find(':');
      return colon == std::string::npos ? "" : Trim(line.substr(colon + 1));
    }
  }
  return "";
}

void PrintHeader(const Flags& f) {
  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  struct utsname u {};
  ::uname(&u);
  double mem_gib = std::strtod(ProcField("/proc/meminfo", "MemTotal").c_str(), nullptr) / 1024.0 / 1024.0;
  std::printf("== TermBrain end-to-end benchmark ==\n");
  std::printf("date      %s\n", date);
  std::printf("machine   %ld CPUs (nproc), %s, %.1f GiB RAM, %s %s\n", ::sysconf(_SC_NPROCESSORS_ONLN),
              ProcField("/proc/cpuinfo", "model name").c_str(), mem_gib, u.sysname, u.release);
  std::printf("build     g++ %s, %s, SQLite %s\n", __VERSION__,
#ifdef NDEBUG
              "NDEBUG (Release)",
#else
              "assertions on (not Release!)",
#endif
              sqlite3_libversion());
  std::printf("data      %s (n=%llu, pairs=%.2f, batch=%zu)\n", f.dir.c_str(), static_cast<unsigned long long>(f.n),
              f.pairs, f.batch);
  std::printf("load      %s (1/5/15 min; other work on the machine skews wall times, CPU times less)\n\n",
              LoadAvg().c_str());
}

// ------------------------------------------------------------------ main

int Main(int argc, char** argv) {
  Flags f = ParseFlags(argc, argv);
  std::error_code ec;
  fs::create_directories(f.dir, ec);
  fs::create_directories(f.dir + "/home/.config", ec);
  ::signal(SIGPIPE, SIG_IGN);
  PrintHeader(f);
  auto total0 = Clock::now();

  // -- workload
  PhaseOutcome shape = RunChild("shape", [&](Reporter& r) { return PhaseShape(f, r); });
  if (!shape.ok) return 1;
  std::string desc = Str(shape.kv, "describe");
  std::replace(desc.begin(), desc.end(), '|', '\n');
  std::printf("== workload (bench/history_gen.h, seed fixed) ==\n%s", desc.c_str());
  std::printf("generation %.2f s (not counted anywhere), generator peak RSS %s; flat history file %s: %.1f MiB\n\n",
              Num(shape.kv, "gen_s"), Mib(static_cast<double>(shape.maxrss_kb)).c_str(), f.FlatPath().c_str(),
              Num(shape.kv, "flat_bytes") / 1048576.0);
  std::vector<Query> queries = BuildQueries(shape.kv);
  double commands = Num(shape.kv, "commands");
  double events = Num(shape.kv, "events");

  std::vector<int> W = {34, 16, 16, 10, 30};
  struct Budget {
    std::string what, figure, budget;
    bool ok;
  };
  std::vector<Budget> budgets;

  // -- append
  PhaseOutcome tba, sqa;
  if (f.Want("append") || f.Want("size")) {
    tba = RunChild("tb append", [&](Reporter& r) { return PhaseTbAppend(f, r); });
    if (f.peers) sqa = RunChild("sqlite append", [&](Reporter& r) { return PhaseSqliteAppend(f, r); });
    double tb_rate = Num(tba.kv, "events") / Num(tba.kv, "append_s");
    double tb_cmd_rate = Num(tba.kv, "commands") / Num(tba.kv, "append_s");
    double sq_rate = Num(sqa.kv, "rows") / Num(sqa.kv, "insert_s");
    std::printf("== bulk append (import path): batches of %zu ==   [load %s]\n", f.batch, LoadAvg().c_str());
    std::printf(
        "tb: Store::Append(batch, sync=false); SQLite: atuin's `insert or ignore`, prepared, one\n"
        "transaction per batch, WAL + synchronous=NORMAL, %g indexes. Generation not timed.\n",
        Num(sqa.kv, "indexes"));
    Row({"", "tb", "SQLite (atuin)", "tb/SQLite", ""}, W);
    Row({"events/s", Rate(tb_rate), Rate(sq_rate), Ratio(tb_rate, sq_rate)}, W);
    Row({"commands/s", Rate(tb_cmd_rate), Rate(sq_rate), Ratio(tb_cmd_rate, sq_rate)}, W);
    Row({"time for all (s)", Fmt("%.2f", Num(tba.kv, "append_s")), Fmt("%.2f", Num(sqa.kv, "insert_s"))}, W);
    Row({"CPU s in those calls (all threads)", Fmt("%.2f", Num(tba.kv, "append_cpu_s")),
         Fmt("%.2f", Num(sqa.kv, "insert_cpu_s"))},
        W);
    Row({"batch latency p50/p99/max (ms)",
         Fmt("%.1f", Num(tba.kv, "batch_p50_ms")) + "/" + Fmt("%.1f", Num(tba.kv, "batch_p99_ms")) + "/" +
             Fmt("%.0f", Num(tba.kv, "batch_max_ms")),
         "-"},
        W);
    Row({"then CompactAll / checkpoint (s)", Fmt("%.2f", Num(tba.kv, "compact_s")),
         Fmt("%.2f", Num(sqa.kv, "checkpoint_s"))},
        W);
    Row({"peak RSS of the process", Mib(static_cast<double>(tba.maxrss_kb)), Mib(static_cast<double>(sqa.maxrss_kb))},
        W);
    std::printf(
        "(commands are read from %s, written by the generator beforehand: no generator in these\n"
        "processes; %s resident before the store was opened)\n\n",
        f.CommandsPath().c_str(), Mib(Num(tba.kv, "rss_before_store_kb")).c_str());
    budgets.push_back({"import (bulk append)", Rate(tb_cmd_rate) + " commands", ">= 500 k/s", tb_cmd_rate >= 500000});
    budgets.push_back(
        {"memory, append process", Mib(static_cast<double>(tba.maxrss_kb)), "< 150 MiB", tba.maxrss_kb < 150 * 1024});

    // -- size
    double tb_bpe = Num(tba.kv, "disk_after_compact") / commands;
    double sq_bpe = Num(sqa.kv, "size_after_vacuum") / commands;
    std::printf("== on-disk size ==\n");
    std::printf(
        "tb: data dir after CompactAll() (log + all views + RocksDB metadata); SQLite: atuin.db after\n"
        "wal_checkpoint(TRUNCATE) + VACUUM. Flat file: one command per line, no metadata.\n");
    Row({"", "tb", "SQLite (atuin)", "SQLite/tb", ""}, W);
    Row({"bytes per command", Fmt("%.1f", tb_bpe), Fmt("%.1f", sq_bpe), Ratio(sq_bpe, tb_bpe)}, W);
    Row({"total (MiB)", Fmt("%.1f", Num(tba.kv, "disk_after_compact") / 1048576.0),
         Fmt("%.1f", Num(sqa.kv, "size_after_vacuum") / 1048576.0)},
        W);
    Row({"before compaction / vacuum (MiB)", Fmt("%.1f", Num(tba.kv, "disk_before_compact") / 1048576.0),
         Fmt("%.1f", Num(sqa.kv, "size_before_vacuum") / 1048576.0)},
        W);
    Row({"of which *.sst (MiB)", Fmt("%.1f", Num(tba.kv, "sst_bytes") / 1048576.0), "-"}, W);
    Row({"flat history file (MiB)", Fmt("%.1f", Num(shape.kv, "flat_bytes") / 1048576.0), ""}, W);
    std::printf("\n");
    budgets.push_back({"on-disk size", Fmt("%.1f B/command", tb_bpe), "< 60 B/command", tb_bpe < 60});
  }

  // -- rebuild
  if (f.Want("rebuild")) {
    PhaseOutcome tbr = RunChild("tb rebuild", [&](Reporter& r) { return PhaseTbRebuild(f, r); });
    PhaseOutcome sqr;
    if (f.peers) sqr = RunChild("sqlite reindex", [&](Reporter& r) { return PhaseSqliteReindex(f, r); });
    double tb_rate = Num(tbr.kv, "events") / Num(tbr.kv, "rebuild_s");
    double sq_rate = commands / Num(sqr.kv, "reindex_s");
    std::printf("== full view rebuild ==   [load %s]\n", LoadAvg().c_str());
    std::printf(
        "tb: Store::Rebuild(\"\") drops all %zu views and replays the whole log into them.\n"
        "SQLite peer: `REINDEX history` rebuilds all %g indexes of atuin's table from the table\n"
        "(atuin has no derived views; the table itself is not rewritten).\n",
        AllViews().size(), Num(sqr.kv, "indexes"));
    Row({"", "tb", "SQLite REINDEX", "tb/SQLite", ""}, W);
    Row({"events/s", Rate(tb_rate), Rate(sq_rate), Ratio(tb_rate, sq_rate)}, W);
    Row({"time (s)", Fmt("%.2f", Num(tbr.kv, "rebuild_s")), Fmt("%.2f", Num(sqr.kv, "reindex_s"))}, W);
    Row({"CPU s (all threads)", Fmt("%.2f", Num(tbr.kv, "rebuild_cpu_s")), Fmt("%.2f", Num(sqr.kv, "reindex_cpu_s"))},
        W);
    Row({"peak RSS of the process", Mib(static_cast<double>(tbr.maxrss_kb)), Mib(static_cast<double>(sqr.maxrss_kb))},
        W);
    if (f.rebuild_breakdown) {
      std::printf("tb per view (Rebuild(view) alone, each replays the whole log):");
      for (const View* v : AllViews()) {
        std::printf(" %s %.2fs", std::string(v->name()).c_str(), Num(tbr.kv, "view_" + std::string(v->name())));
      }
      std::printf("\n");
    }
    std::printf("tb CompactAll after the rebuild: %.2f s; size after %.1f B/command\n\n", Num(tbr.kv, "compact_s"),
                Num(tbr.kv, "disk_after") / commands);
    budgets.push_back({"full view rebuild", Rate(tb_rate) + " events", ">= 1 M/s", tb_rate >= 1e6});
    budgets.push_back(
        {"memory, rebuild process", Mib(static_cast<double>(tbr.maxrss_kb)), "< 150 MiB", tbr.maxrss_kb < 150 * 1024});
  }

  // -- search in process
  if (f.Want("search")) {
    PhaseOutcome tbs = RunChild("tb search", [&](Reporter& r) { return PhaseTbSearch(f, queries, r); });
    PhaseOutcome sqs, sqd;
    if (f.peers) {
      sqs = RunChild("sqlite search", [&](Reporter& r) { return PhaseSqliteSearch(f, queries, false, r); });
      sqd = RunChild("sqlite search dedup", [&](Reporter& r) { return PhaseSqliteSearch(f, queries, true, r); });
    }
    std::printf("== search inside the process: limit 200, warm, store/connection opened once ==   [load %s]\n",
                LoadAvg().c_str());
    std::printf(
        "tb: Searcher::Search(Q, limit=200) on the search index. SQLite: atuin's FullText search SQL\n"
        "(tokens ANDed as LIKE '%%tok%%'), prepared once, every column of every row read.\n"
        "  'all' = --include-duplicates (same result semantics as tb search);\n"
        "  'dedup' = atuin's default (newest row per distinct command, NOT EXISTS).\n"
        "ms (wall; 'tb cpu' = thread CPU p50); ratio = SQLite(all) p50 / tb p50 (> 1: tb faster).\n");
    std::vector<int> QW = {26, 7, 5, 5, 7, 7, 7, 7, 7, 7, 7, 7};
    Row({"query", "class", "tb n", "sq n", "tb p50", "tb p99", "tb cpu", "all p50", "all p99", "dd p50", "dd p99",
         "ratio"},
        QW);
    std::vector<double> tb50, tb99, sq50, sq99, dd50, dd99;
    std::vector<double> tb99_search;
    for (size_t i = 0; i < queries.size(); ++i) {
      std::string k = std::string("q") + std::to_string(i);
      double a = Num(tbs.kv, k + "_p50"), b = Num(tbs.kv, k + "_p99");
      double c = Num(sqs.kv, k + "_p50"), d = Num(sqs.kv, k + "_p99");
      double e = Num(sqd.kv, k + "_p50"), g = Num(sqd.kv, k + "_p99");
      tb50.push_back(a), tb99.push_back(b), sq50.push_back(c), sq99.push_back(d), dd50.push_back(e), dd99.push_back(g);
      if (!queries[i].text.empty()) tb99_search.push_back(b);
      std::string flag = Num(tbs.kv, k + "_n") != Num(sqs.kv, k + "_n") ? "*" : "";
      Row({Shown(queries[i]).substr(0, 26), queries[i].klass, Fmt("%.0f", Num(tbs.kv, k + "_n")) + flag,
           Fmt("%.0f", Num(sqs.kv, k + "_n")), Fmt("%.2f", a), Fmt("%.2f", b), Fmt("%.2f", Num(tbs.kv, k + "_cpu50")),
           Fmt("%.2f", c), Fmt("%.2f", d), Fmt("%.2f", e), Fmt("%.2f", g), Ratio(c, a)},
          QW);
    }
    Row({"median over queries", "", "", "", Fmt("%.2f", Pct(tb50, 50)), Fmt("%.2f", Pct(tb99, 50)), "",
         Fmt("%.2f", Pct(sq50, 50)), Fmt("%.2f", Pct(sq99, 50)), Fmt("%.2f", Pct(dd50, 50)), Fmt("%.2f", Pct(dd99, 50)),
         Ratio(Pct(sq50, 50), Pct(tb50, 50))},
        QW);
    Row({"worst query", "", "", "", Fmt("%.2f", Pct(tb50, 100)), Fmt("%.2f", Pct(tb99, 100)), "",
         Fmt("%.2f", Pct(sq50, 100)), Fmt("%.2f", Pct(sq99, 100)), Fmt("%.2f", Pct(dd50, 100)),
         Fmt("%.2f", Pct(dd99, 100)), Ratio(Pct(sq50, 100), Pct(tb50, 100))},
        QW);
    std::printf("(* result counts differ: atuin ANDs the words of a multi-word query, tb matches the phrase)\n");
    std::printf("peak RSS: tb search process %s, SQLite %s\n\n", Mib(static_cast<double>(tbs.maxrss_kb)).c_str(),
                Mib(static_cast<double>(sqs.maxrss_kb)).c_str());
    double worst = Pct(tb99_search, 100);
    budgets.push_back({"search in process, p99 (worst query)", Fmt("%.2f ms", worst), "< 5 ms", worst < 5});
    budgets.push_back({"search in process, p99 (median query)", Fmt("%.2f ms", Pct(tb99_search, 50)), "< 5 ms",
                       Pct(tb99_search, 50) < 5});
  }

  // -- whole process
  if (f.Want("process")) {
    std::string home = "HOME=" + f.dir + "/home";
    std::string xdg = "XDG_CONFIG_HOME=" + f.dir + "/home/.config";
    std::string path = std::string("PATH=") + (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
    std::vector<std::string> env_s = {home, xdg, path, "LC_ALL=C"};
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::printf("== search as a whole process (wall time, %d runs after 1 warm-up; ms) ==   [load %s]\n", f.proc_reps,
                LoadAvg().c_str());
    std::printf("tb:      %s --data-dir %s search Q --format plain -n 200   (history listing: tb history)\n", TB_BINARY,
                f.TbDir().c_str());
    std::printf("sqlite3: sqlite3 %s \"<atuin search SQL, include duplicates>\"\n", f.SqlitePath().c_str());
    std::printf("grep:    grep -F -e Q %s | tail -n 200   (case-sensitive, no metadata)\n", f.FlatPath().c_str());
    std::printf("fzf:     fzf --filter Q --exact --no-sort < %s | tail -n 200   ('-' when fzf is not installed)\n",
                f.FlatPath().c_str());
    std::printf("ratio = sqlite3 p50 / tb p50 (> 1: tb faster)\n");
    auto wal_files = [&]() {
      size_t n = 0;
      std::error_code ec2;
      for (auto it = fs::directory_iterator(f.TbDir() + "/db", ec2); !ec2 && it != fs::directory_iterator();
           it.increment(ec2)) {
        n += it->path().extension() == ".log" ? 1 : 0;
      }
      return n;
    };
    size_t wal_before = wal_files();
    std::vector<double> floor_ms;
    for (int rep = 0; rep < 11; ++rep)
      floor_ms.push_back(RunProcess({TB_BINARY, "--version"}, envp.data()).wall_s * 1e3);
    std::printf("process floor: `tb --version` p50 %.1f ms (exec, dynamic linking, no store)\n", Pct(floor_ms, 50));
    std::vector<int> PW = {26, 7, 8, 8, 9, 9, 9, 9, 7};
    Row({"query", "class", "tb p50", "tb max", "sqlite p50", "sqlite max", "grep p50", "fzf p50", "ratio"}, PW);
    std::vector<double> tb50, tbmax, sq50, gr50, fz50;
    long tb_rss = 0;
    int bad_exit = 0;
    for (const Query& q : queries) {
      std::vector<std::string> tb_argv = {TB_BINARY, "--data-dir", f.TbDir()};
      if (q.text.empty()) {
        tb_argv.insert(tb_argv.end(), {"history", "--format", "plain", "-n", "200"});
      } else {
        tb_argv.insert(tb_argv.end(), {"search", q.text, "--format", "plain", "-n", "200"});
      }
      std::string sql = q.text.empty() ? AtuinSqlite::ListSql(200) : AtuinSqlite::SearchSql(q.text, 200, false);
      std::vector<std::string> sq_argv = {"sqlite3", f.SqlitePath(), sql};
      std::vector<double> a, b, c, d;
      auto q0 = Clock::now();
      // At most proc_reps runs; a query whose runs are very slow stops after
      // 3 runs once 5 s were spent on it (keeps the whole run under 10 min).
      for (int rep = 0; rep <= f.proc_reps && (rep <= 3 || Since(q0) < 5.0); ++rep) {
        ProcRun t = RunProcess(tb_argv, envp.data());
        ProcRun s = RunProcess(sq_argv, envp.data());
        ProcRun g =
            q.text.empty() ? ProcRun{} : RunPipeTail({"grep", "-F", "-e", q.text, f.FlatPath()}, "", 200, envp.data());
        // fzf's exact (substring) mode, input order kept; lowercase = case-insensitive like tb.
        ProcRun z = q.text.empty() ? ProcRun{}
                                   : RunPipeTail({"fzf", "--filter", q.text, "--exact", "--no-sort"}, f.FlatPath(), 200,
                                                 envp.data());
        if (t.exit_code != 0) bad_exit = t.exit_code;
        if (rep == 0) continue;
        tb_rss = std::max(tb_rss, t.maxrss_kb);
        a.push_back(t.wall_s * 1e3);
        b.push_back(s.wall_s * 1e3);
        if (!q.text.empty()) c.push_back(g.wall_s * 1e3);
        if (!q.text.empty() && !std::isnan(z.wall_s)) d.push_back(z.wall_s * 1e3);
      }
      tb50.push_back(Pct(a, 50)), tbmax.push_back(Pct(a, 100)), sq50.push_back(Pct(b, 50));
      if (!c.empty()) gr50.push_back(Pct(c, 50));
      if (!d.empty()) fz50.push_back(Pct(d, 50));
      Row({Shown(q).substr(0, 26), q.klass, Fmt("%.1f", Pct(a, 50)), Fmt("%.1f", Pct(a, 100)), Fmt("%.1f", Pct(b, 50)),
           Fmt("%.1f", Pct(b, 100)), Fmt("%.1f", Pct(c, 50)), Fmt("%.1f", Pct(d, 50)), Ratio(Pct(b, 50), Pct(a, 50))},
          PW);
    }
    Row({"median over queries", "", Fmt("%.1f", Pct(tb50, 50)), Fmt("%.1f", Pct(tbmax, 50)), Fmt("%.1f", Pct(sq50, 50)),
         "", Fmt("%.1f", Pct(gr50, 50)), Fmt("%.1f", Pct(fz50, 50)), Ratio(Pct(sq50, 50), Pct(tb50, 50))},
        PW);
    Row({"worst query", "", Fmt("%.1f", Pct(tb50, 100)), Fmt("%.1f", Pct(tbmax, 100)), Fmt("%.1f", Pct(sq50, 100)), "",
         Fmt("%.1f", Pct(gr50, 100)), Fmt("%.1f", Pct(fz50, 100)), Ratio(Pct(sq50, 100), Pct(tb50, 100))},
        PW);
    if (bad_exit != 0) std::printf("WARNING: tb exited with status %d in some runs\n", bad_exit);
    std::printf(
        "WAL files (*.log) in the store: %zu before these runs, %zu after (each read-write open of an idle\n"
        "store leaves one more empty WAL that the next open must recover)\n",
        wal_before, wal_files());
    std::printf("peak RSS of one `tb search` process: %s\n\n", Mib(static_cast<double>(tb_rss)).c_str());
    budgets.push_back(
        {"search whole process, p50 (worst query)", Fmt("%.1f ms", Pct(tb50, 100)), "< 20 ms", Pct(tb50, 100) < 20});
    budgets.push_back(
        {"memory, tb search process", Mib(static_cast<double>(tb_rss)), "< 150 MiB", tb_rss < 150 * 1024});
  }

  // -- budgets
  std::printf("== budgets ==\n");
  std::vector<int> BW = {42, 22, 16, 6};
  for (const auto& b : budgets) Row({b.what, b.figure, b.budget, b.ok ? "ok" : "MISSED"}, BW);
  std::printf("\ntotal benchmark time %.0f s (commands %.0f, events %.0f), load at end %s\n", Since(total0), commands,
              events, LoadAvg().c_str());
  if (!f.keep && f.only.empty()) {
    // Keep the data by default only when asked: it is ~1 GB at n=1M.
    fs::remove_all(f.TbDir(), ec);
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((f.SqlitePath() + suffix).c_str());
    std::remove(f.FlatPath().c_str());
    std::remove(f.CommandsPath().c_str());
  }
  return 0;
}

}  // namespace
}  // namespace tb::bench

int main(int argc, char** argv) { return tb::bench::Main(argc, argv); }
