// suggest_bench: the analytics on the benchmark history
// (bench/history_gen.h).
//
//   suggest_bench [--commands N] [--dir DIR] [--no-store] [--no-accuracy] [--uniform] [--caution C]
//
// 1. Offline accuracy of `tb suggest`'s model (core/analytics/suggest.h) on
//    the history's workflows mode (development cycles and typos,
//    bench/dev_cycles.h; --uniform: the default history): train the
//    sequence counters on the first 80 % of the history (the same counters
//    the `sequences` view holds, core/analytics/learning.h), then predict
//    every command of the held-out last 20 % from the two previous
//    commands of its session (dropped after an hour's gap, as `tb suggest`
//    does) and its directory. A hit is the right template
//    (core/analytics/templates.h) in the top 1 / top 3. Predictors: the
//    model with outcomes (core/analytics/outcomes.h), the sequence model
//    alone, and the baseline: the most frequent templates of the directory.
//    Each also counts its proposals of a template that failed in more than
//    half of its (at least 2) training uses.
//    The store part (2.) keeps the default history, as tb_bench does.
// 2. With a store (unless --no-store): build a store of the N commands
//    through Store::Append (30 % as hook start/finish pairs), then time the
//    queries in the process (patterns, fixes, suggest, workflow list) and as
//    whole `tb` processes, and a full rebuild of every view.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/history_gen.h"
#include "core/analytics/fixes.h"
#include "core/analytics/learning.h"
#include "core/analytics/patterns.h"
#include "core/analytics/suggest.h"
#include "core/analytics/templates.h"
#include "core/analytics/workflows.h"
#include "storage/store.h"

using namespace tb;
using namespace tb::bench;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "suggest_bench: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

// Interned strings.
class Pool {
 public:
  uint32_t Id(const std::string& s) {
    auto [it, added] = ids_.emplace(s, static_cast<uint32_t>(strs_.size()));
    if (added) strs_.push_back(s);
    return it->second;
  }
  const std::string& Str(uint32_t id) const { return strs_[id]; }
  size_t size() const { return strs_.size(); }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> strs_;
};

struct Cmd {
  uint32_t tmpl, cwd, session, command;
  int32_t exit;
  int64_t time_ns;
};

double g_caution = SuggestInput{}.sequence_caution;
bool g_uniform = false;  // the default generator instead of its workflows mode

constexpr int64_t kStaleNs = 3600ll * 1000000000ll;

// Hits of one predictor: of the template typed, and of the template meant
// (for a typo, the command that fixed it right after); and how often it
// proposed a template that mostly failed in the training part.
struct Score {
  uint64_t hit1 = 0, hit3 = 0, meant1 = 0, meant3 = 0, failing1 = 0, failing3 = 0, proposed3 = 0;
  double ms = 0;
  void Add(const std::vector<std::string>& top, const std::string& typed, const std::string& meant,
           const std::unordered_map<std::string, std::pair<uint64_t, uint64_t>>& outcomes) {
    for (size_t k = 0; k < top.size() && k < 3; ++k) {
      auto o = outcomes.find(top[k]);
      // More than half of at least 2 training uses failed.
      bool failing = o != outcomes.end() && o->second.first >= 2 && 2 * o->second.second > o->second.first;
      proposed3++;
      if (failing) failing3++, failing1 += k == 0;
      if (top[k] == typed) hit3++, hit1 += k == 0;
      if (top[k] == meant) meant3++, meant1 += k == 0;
    }
  }
};

// For each command, the index of the command it meant: itself, or for a
// failure followed in its session by a similar success (a typo and its
// fix, core/analytics/fixes.h), that success.
std::vector<size_t> MeantCommands(const std::vector<Cmd>& all, const Pool& commands) {
  std::vector<size_t> meant(all.size());
  std::unordered_map<uint32_t, size_t> prev;  // session -> its last command
  for (size_t i = 0; i < all.size(); ++i) {
    meant[i] = i;
    auto [it, first] = prev.emplace(all[i].session, i);
    if (first) continue;
    const Cmd& a = all[it->second];
    if (a.exit != 0 && all[i].exit == 0 && SimilarCommands(commands.Str(a.command), commands.Str(all[i].command))) {
      meant[it->second] = i;
    }
    it->second = i;
  }
  return meant;
}

// Trains the counters on the first 80 % of `all`, as the `sequences` view
// learns them; `last` keeps each session's last commands for the test.
void Train(const std::vector<Cmd>& all, size_t train, const Pool& tmpls, const Pool& cwds, const Pool& commands,
           MemoryCounters* model, std::unordered_map<uint32_t, std::deque<size_t>>* last) {
  Event ev;
  for (size_t i = 0; i < train; ++i) {
    const Cmd& c = all[i];
    std::deque<size_t>& prev = (*last)[c.session];
    std::vector<SessionEntry> before;
    for (size_t j : prev) {
      const Cmd& p = all[j];
      before.push_back(
          SessionEntry{j + 1, p.time_ns, p.exit, commands.Str(p.command), tmpls.Str(p.tmpl), cwds.Str(p.cwd)});
    }
    ev.command = commands.Str(c.command);
    ev.cwd = cwds.Str(c.cwd);
    ev.time_ns = c.time_ns;
    Completion comp;
    comp.record = &ev;
    comp.seq = i + 1;
    comp.exit_code = c.exit;
    comp.tmpl = tmpls.Str(c.tmpl);
    comp.before = before;
    model->Add(comp);  // the operands the `sequences` view would get
    prev.push_back(i);
    if (prev.size() > kSessionContext) prev.pop_front();
  }
}

// The directory's most frequent templates (the baseline), top 3.
Status DirectoryTop(MemoryCounters& model, const std::string& cwd, std::vector<std::string>* top) {
  TopCounts all_here;
  TB_RETURN_IF_ERROR(TopInDirectory(model, cwd, 0, &all_here));
  std::vector<std::pair<uint64_t, std::string>> d;
  for (auto& [tm, count] : all_here.top) d.emplace_back(count, std::move(tm));
  std::sort(d.begin(), d.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  top->clear();
  for (size_t k = 0; k < d.size() && k < 3; ++k) top->push_back(d[k].second);
  return Status::OK();
}

int Accuracy(uint64_t n) {
  GenOptions go;
  go.commands = n;
  go.workflows = !g_uniform;
  HistoryGenerator gen(go);
  Pool tmpls, cwds, sessions, commands;
  std::vector<Cmd> all;
  all.reserve(n);
  while (!gen.done()) {
    const GenCommand& c = gen.Next();
    all.push_back(Cmd{tmpls.Id(CommandTemplate(c.command)), cwds.Id(c.cwd), sessions.Id(c.session),
                      commands.Id(c.command), c.exit_code, c.time_ns});
  }
  std::printf("%s", gen.Describe().c_str());
  const size_t train = all.size() * 8 / 10;
  // Uses and failures per template in the training part.
  std::unordered_map<std::string, std::pair<uint64_t, uint64_t>> outcomes;
  for (size_t i = 0; i < train; ++i) {
    auto& o = outcomes[tmpls.Str(all[i].tmpl)];
    o.first++;
    o.second += all[i].exit != 0;
  }
  auto t = Clock::now();
  MemoryCounters model;
  std::unordered_map<uint32_t, std::deque<size_t>> last;  // session -> its last commands
  Train(all, train, tmpls, cwds, commands, &model, &last);
  const size_t model_keys = model.keys(), model_counters = model.counters();
  double train_ms = Ms(t);
  // The directory and global levels are the same for every prediction in
  // a directory: computed once (as Suggest would).
  TopCounts global;
  Status gs = TopFollowers(model, {}, 20, &global);
  if (!gs.ok()) return Fail("global", gs);
  std::unordered_map<uint32_t, TopCounts> dir_levels;
  std::unordered_map<uint32_t, std::vector<std::string>> dir_top;
  const std::vector<size_t> meant = MeantCommands(all, commands);
  Score with, without, base;
  uint64_t tested = 0;
  std::map<std::string, uint64_t> by_source;
  std::vector<Suggestion> sugg;
  std::vector<std::string> top;
  for (size_t i = train; i < all.size(); ++i) {
    const Cmd& c = all[i];
    std::deque<size_t>& prev = last[c.session];
    SuggestInput in;
    in.limit = 3;
    in.sequence_caution = g_caution;
    in.cwd = cwds.Str(c.cwd);
    if (!prev.empty() && c.time_ns - all[prev.back()].time_ns <= kStaleNs) {
      for (size_t k = prev.size() >= 2 ? prev.size() - 2 : 0; k < prev.size(); ++k) {
        in.recent.push_back(tmpls.Str(all[prev[k]].tmpl));
      }
    }
    auto lv = dir_levels.find(c.cwd);
    if (lv == dir_levels.end()) {
      lv = dir_levels.emplace(c.cwd, TopCounts{}).first;
      Status ds = TopInDirectory(model, in.cwd, 20, &lv->second);
      if (!ds.ok()) return Fail("dir", ds);
    }
    in.dir = &lv->second;
    in.global = &global;
    const std::string& want = tmpls.Str(c.tmpl);
    const std::string& want_meant = tmpls.Str(all[meant[i]].tmpl);
    for (bool learn : {true, false}) {
      in.learn_outcomes = learn;
      auto t0 = Clock::now();
      Status s = Suggest(model, in, &sugg);
      if (!s.ok()) return Fail("suggest", s);
      (learn ? with : without).ms += Ms(t0);
      top.clear();
      for (const auto& x : sugg) top.push_back(x.tmpl);
      (learn ? with : without).Add(top, want, want_meant, outcomes);
      if (learn && !sugg.empty() && sugg[0].tmpl == want) by_source[sugg[0].source]++;
    }
    auto it = dir_top.find(c.cwd);
    if (it == dir_top.end()) {
      Status s = DirectoryTop(model, in.cwd, &top);
      if (!s.ok()) return Fail("dir", s);
      it = dir_top.emplace(c.cwd, top).first;
    }
    base.Add(it->second, want, want_meant, outcomes);
    ++tested;
    prev.push_back(i);
    if (prev.size() > kSessionContext) prev.pop_front();
  }
  auto pct = [&](uint64_t x) { return 100.0 * static_cast<double>(x) / static_cast<double>(tested); };
  std::printf("history   %zu commands, %zu templates, train %zu (%.0f ms, %zu keys, %zu counters), test %llu\n",
              all.size(), tmpls.size(), train, train_ms, model_keys, model_counters,
              static_cast<unsigned long long>(tested));
  std::printf("model     sequence_caution %.1f\n", g_caution);
  std::printf("accuracy  typed: the template run next; meant: for a typo, its fix's\n");
  auto row = [&](const char* name, const Score& sc) {
    std::printf(
        "  %-28s typed top-1 %5.1f %% top-3 %5.1f %% | meant top-1 %5.1f %% top-3 %5.1f %% | failing "
        "top-1 %.2f %%, %.2f %% of top-3 proposals | %.0f us\n",
        name, pct(sc.hit1), pct(sc.hit3), pct(sc.meant1), pct(sc.meant3), pct(sc.failing1),
        100.0 * static_cast<double>(sc.failing3) / static_cast<double>(std::max<uint64_t>(sc.proposed3, 1)),
        sc.ms * 1000.0 / static_cast<double>(tested));
  };
  row("tb suggest (with outcomes)", with);
  row("tb suggest (sequence model)", without);
  row("baseline: directory top", base);
  std::printf("          top-1 hits by level:");
  for (const auto& [k, v] : by_source) std::printf(" %s %.1f %%", k.c_str(), pct(v));
  std::printf("\n");
  return 0;
}

double RunTb(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{TB_BINARY, "--data-dir", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  std::fflush(stdout);
  auto t = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  double ms = Ms(t);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) std::fprintf(stderr, "suggest_bench: tb %s failed\n", args[0].c_str());
  return ms;
}

int Latency(uint64_t n, const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  StoreOptions so;
  so.data_dir = dir;
  so.access = StoreOptions::Access::kReadWrite;
  std::unique_ptr<Store> store;
  Status s = Store::Open(so, &store);
  if (!s.ok()) return Fail("open", s);
  GenOptions go;
  go.commands = n;
  go.pair_fraction = 0.3;
  HistoryGenerator gen(go);
  std::vector<Event> batch;
  uint64_t events = 0;
  auto t = Clock::now();
  std::string last_session, last_cwd;
  while (!gen.done()) {
    batch.clear();
    gen.NextEvents(4096, &batch);
    s = store->Append(batch, false);
    if (!s.ok()) return Fail("append", s);
    events += batch.size();
    for (const Event& e : batch) {
      if (IsCommand(e.kind)) last_session = e.session, last_cwd = e.cwd;
    }
  }
  double build_ms = Ms(t);
  std::printf("store     %llu commands = %llu events appended in %.2f s (%.0f events/s, all views)\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(events), build_ms / 1000,
              events / (build_ms / 1000));
  Event wf;
  wf.kind = EventKind::kWorkflowSaved;
  wf.name = "deploy";
  wf.steps = {"make", "make test", "git push"};
  s = store->Append(std::span<Event>(&wf, 1), true);
  if (!s.ok()) return Fail("workflow", s);
  s = store->CompactAll();
  if (!s.ok()) return Fail("compact", s);
  std::vector<ViewInfo> views;
  s = store->Views(&views);
  StoreInfo info;
  if (s.ok()) s = store->Info(&info);
  if (!s.ok()) return Fail("views", s);
  for (const auto& v : views) {
    if (v.name == "sequences" || v.name == "fixes" || v.name == "workflows") {
      std::printf("view      %-10s %llu entries\n", v.name.c_str(), static_cast<unsigned long long>(v.entries));
    }
  }
  std::printf("disk      %.1f bytes/command (log + all views, compacted)\n",
              static_cast<double>(info.disk_bytes) / static_cast<double>(n));
  // In the process.
  auto time_it = [&](const char* what, const std::function<Status()>& fn) {
    auto t0 = Clock::now();
    Status st = fn();
    double ms = Ms(t0);
    if (!st.ok()) std::fprintf(stderr, "suggest_bench: %s: %s\n", what, st.ToString().c_str());
    std::printf("in-process %-28s %8.1f ms\n", what, ms);
  };
  std::vector<Pattern> patterns;
  time_it("patterns (defaults)", [&] {
    auto src = ViewCounters(store->reader());
    return ListPatterns(*src, PatternQuery{}, &patterns);
  });
  std::vector<FixEntry> fixes;
  time_it("fixes (all)", [&] { return ListFixes(store->reader(), FixQuery{}, &fixes); });
  std::printf("           (%zu fix pairs)\n", fixes.size());
  time_it("fixes git", [&] {
    FixQuery q;
    q.text = "git";
    return ListFixes(store->reader(), q, &fixes);
  });
  time_it("suggest (model + commands)", [&] {
    SuggestInput in;
    in.cwd = last_cwd;
    std::vector<Suggestion> sugg;
    auto src = ViewCounters(store->reader());
    TB_RETURN_IF_ERROR(Suggest(*src, in, &sugg));
    std::vector<std::string> tm;
    for (auto& x : sugg) tm.push_back(x.tmpl);
    std::map<std::string, std::string> concrete;
    return InstantiateTemplates(store->reader(), last_cwd, tm, &concrete);
  });
  std::vector<Workflow> wfs;
  time_it("workflow list", [&] { return ListWorkflows(store->reader(), &wfs); });
  store.reset();
  // Whole processes (the CLI's own code path; read-only open).
  std::printf("process   tb patterns %.1f ms, tb fixes %.1f ms, tb suggest %.1f ms, tb workflow list %.1f ms\n",
              RunTb(dir, {"patterns"}), RunTb(dir, {"fixes"}),
              RunTb(dir, {"suggest", "--session", last_session, "--cwd", last_cwd}), RunTb(dir, {"workflow", "list"}));
  so.access = StoreOptions::Access::kReadWrite;
  s = Store::Open(so, &store);
  if (!s.ok()) return Fail("reopen", s);
  t = Clock::now();
  s = store->Rebuild("");
  if (!s.ok()) return Fail("rebuild", s);
  double rb = Ms(t) / 1000;
  std::printf("rebuild   all views: %llu events in %.2f s = %.0f events/s\n",
              static_cast<unsigned long long>(events + 1), rb, (events + 1) / rb);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 1'000'000;
  std::string dir = "/tmp/tb-suggest-bench";
  bool store = true, accuracy = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--commands") && i + 1 < argc)
      n = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
      dir = argv[++i];
    else if (!std::strcmp(argv[i], "--no-store"))
      store = false;
    else if (!std::strcmp(argv[i], "--caution") && i + 1 < argc)
      g_caution = std::stod(argv[++i]);
    else if (!std::strcmp(argv[i], "--uniform"))
      g_uniform = true;
    else if (!std::strcmp(argv[i], "--no-accuracy"))
      accuracy = false;
  }
  if (int rc = accuracy ? Accuracy(n) : 0) return rc;
  return store ? Latency(n, dir) : 0;
}
