// Micro-benchmarks (Google Benchmark) of the functions on tb's hot paths:
// the event codec (append, rebuild, every record loaded by a query), the
// case-folding substring match (text search), UTF-8 validation (every
// exported or JSON-printed field) beside utf8proc's decoder, and QueryHistory on a
// 100,000-command store (built once per run under $TMPDIR).
//
//   tb_micro_bench [--benchmark_filter=...]   (standard Google Benchmark flags)
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <utf8proc.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/history_gen.h"
#include "core/codec.h"
#include "core/history_query.h"
#include "core/utf8.h"
#include "storage/store.h"

namespace tb::bench {
namespace {

const std::vector<Event>& SampleEvents() {
  static const std::vector<Event> events = [] {
    GenOptions o;
    o.commands = 10000;
    o.pair_fraction = 0.1;  // a few started/finished events too
    HistoryGenerator gen(o);
    std::vector<Event> v;
    uint64_t seq = 0;
    while (!gen.done()) gen.NextEvents(1000, &v);
    for (Event& ev : v) {
      ev.seq = ++seq;
      if (ev.id.empty()) ev.id = EventId{0x1234567890abcdefull, ev.seq};
    }
    return v;
  }();
  return events;
}

void BM_EncodeEvent(benchmark::State& state) {
  const auto& events = SampleEvents();
  std::string out;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    EncodeEvent(events[i], &out);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
    if (++i == events.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes/event"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_EncodeEvent);

void BM_DecodeEvent(benchmark::State& state) {
  const auto& events = SampleEvents();
  std::vector<std::string> encoded(events.size());
  for (size_t k = 0; k < events.size(); ++k) EncodeEvent(events[k], &encoded[k]);
  Event ev;
  size_t i = 0;
  for (auto _ : state) {
    Status s = DecodeEvent(encoded[i], &ev);
    benchmark::DoNotOptimize(s.ok());
    benchmark::DoNotOptimize(ev.command.data());
    if (++i == encoded.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeEvent);

// The commands and directories of the sample history with one in eight
// carrying non-ASCII text (accents, CJK, an emoji), as exports see them.
const std::vector<std::string>& SampleTexts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> v;
    const char* extra[] = {" caf\xC3\xA9", " \xE6\x97\xA5\xE6\x9C\xAC", " \xF0\x9F\x9A\x80"};
    size_t i = 0;
    for (const Event& ev : SampleEvents()) {
      v.push_back(ev.command + (i % 8 == 0 ? extra[i / 8 % 3] : ""));
      v.push_back(ev.cwd);
      ++i;
    }
    return v;
  }();
  return texts;
}

// Arg 0: core/utf8.h's IsValidUtf8; arg 1: the same check with utf8proc_iterate.
void BM_ValidateUtf8(benchmark::State& state) {
  const auto& texts = SampleTexts();
  size_t bytes = 0;
  for (auto _ : state) {
    size_t valid = 0;
    for (const std::string& t : texts) {
      bytes += t.size();
      if (state.range(0) == 0) {
        valid += IsValidUtf8(t);
        continue;
      }
      const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(t.data());
      utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(t.size());
      utf8proc_int32_t cp;
      bool ok = true;
      while (left > 0) {
        const utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0) {
          ok = false;
          break;
        }
        p += n;
        left -= n;
      }
      valid += ok;
    }
    benchmark::DoNotOptimize(valid);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ValidateUtf8)->Arg(0)->Arg(1);

// 10 MB of generated commands, one per line.
const std::string& TenMegabytes() {
  static const std::string buf = [] {
    GenOptions o;
    o.commands = 400000;
    HistoryGenerator gen(o);
    std::string b;
    b.reserve(10 << 20);
    while (b.size() < (10u << 20) && !gen.done()) {
      b += gen.Next().command;
      b += '\n';
    }
    b.resize(std::min<size_t>(b.size(), 10u << 20));
    return b;
  }();
  return buf;
}

// The whole buffer as one haystack: raw scan speed of the matcher.
// Arg 0: an absent needle ("zzqx"); 1: a needle whose first letter is
// frequent but which is absent ("gitzz").
void BM_ContainsFolded(benchmark::State& state) {
  const std::string& hay = TenMegabytes();
  std::string needle = state.range(0) == 0 ? "zzqx" : "gitzz";
  for (auto _ : state) benchmark::DoNotOptimize(ContainsFolded(hay, needle));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(hay.size()));
}
BENCHMARK(BM_ContainsFolded)->Arg(0)->Arg(1);

// Baseline: case-sensitive std::string_view::find (memchr + memcmp).
void BM_StringViewFind(benchmark::State& state) {
  std::string_view hay = TenMegabytes();
  std::string needle = state.range(0) == 0 ? "zzqx" : "gitzz";
  for (auto _ : state) benchmark::DoNotOptimize(hay.find(needle));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(hay.size()));
}
BENCHMARK(BM_StringViewFind)->Arg(0)->Arg(1);

// As the query engine uses it: one call per command text (the commands
// view keys). Same 10 MB split into lines.
void BM_ContainsFoldedPerLine(benchmark::State& state) {
  const std::string& hay = TenMegabytes();
  static std::vector<std::string_view> lines = [&] {
    std::vector<std::string_view> v;
    std::string_view s = hay;
    while (!s.empty()) {
      size_t nl = s.find('\n');
      v.push_back(s.substr(0, nl));
      if (nl == std::string_view::npos) break;
      s.remove_prefix(nl + 1);
    }
    return v;
  }();
  std::string needle = state.range(0) == 0 ? "zzqx" : "docker run";
  for (auto _ : state) {
    size_t hits = 0;
    for (std::string_view l : lines) hits += ContainsFolded(l, needle) ? 1 : 0;
    benchmark::DoNotOptimize(hits);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(hay.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(lines.size()));
}
BENCHMARK(BM_ContainsFoldedPerLine)->Arg(0)->Arg(1);

// A 100k-command store, built once (append + CompactAll) and removed at exit.
class SmallStore {
 public:
  SmallStore() {
    const char* tmp = std::getenv("TMPDIR");
    dir_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/tb_micro_" + std::to_string(::getpid());
    StoreOptions o;
    o.data_dir = dir_;
    o.access = StoreOptions::Access::kReadWrite;
    if (!Store::Open(o, &store_).ok()) std::abort();
    GenOptions g;
    g.commands = 100000;
    HistoryGenerator gen(g);
    std::vector<Event> batch;
    while (!gen.done()) {
      batch.clear();
      gen.NextEvents(10000, &batch);
      if (!store_->Append(batch, false).ok()) std::abort();
    }
    if (!store_->CompactAll().ok()) std::abort();
  }
  ~SmallStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Store& store() { return *store_; }

 private:
  std::string dir_;
  std::unique_ptr<Store> store_;
};

SmallStore& Fixture() {
  static SmallStore s;
  return s;
}

const char* const kQueries[] = {"", "git", "docker run", "kubectl describe pod", "zzqx"};

void BM_QueryHistory(benchmark::State& state) {
  Store& store = Fixture().store();
  HistoryFilter f;
  f.limit = 200;
  std::string q = kQueries[state.range(0)];
  if (!q.empty()) f.text = q;
  size_t n = 0;
  for (auto _ : state) {
    n = 0;
    Status s = QueryHistory(store.reader(), f, [&](const HistoryRecord&) {
      ++n;
      return true;
    });
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetLabel((q.empty() ? std::string("(history)") : q) + ", " + std::to_string(n) + " results");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_QueryHistory)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tb::bench

BENCHMARK_MAIN();
