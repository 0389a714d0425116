// replay_bench: `tb log export` + `tb replay` of a generated 1M-command
// history: builds a store with the storage API, exports
// its log, replays the export into a new store, checks the result is
// identical (every event byte-for-byte, views verify) and prints the
// throughput of each step.
//
//   replay_bench [--commands N] [--dir DIR]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "bench/history_gen.h"
#include "storage/admin.h"
#include "storage/data_dir.h"

using namespace tb;
using tb::bench::GenOptions;
using tb::bench::HistoryGenerator;
namespace fs = std::filesystem;

namespace {
double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "replay_bench: %s: %s\n", what, s.ToString().c_str());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  size_t n = 1'000'000;
  std::string dir = "/tmp/tb-replay-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--commands")) n = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  const std::string src = dir + "/src", file = dir + "/log.tblog", dst = dir + "/replayed";

  StoreOptions so;
  so.data_dir = src;
  so.access = StoreOptions::Access::kReadWrite;
  so.block_cache_bytes = 32ull << 20;
  so.write_buffer_bytes = 16ull << 20;
  uint64_t events = 0;
  {
    std::unique_ptr<Store> store;
    Status s = Store::Open(so, &store);
    if (!s.ok()) return Fail("open", s);
    GenOptions go;
    go.commands = n;
    go.pair_fraction = 0.3;  // some commands as hook start + finish pairs
    HistoryGenerator gen(go);
    std::vector<Event> batch;
    auto t = std::chrono::steady_clock::now();
    while (!gen.done()) {
      batch.clear();
      gen.NextEvents(4096, &batch);
      s = store->Append(batch, false);
      if (!s.ok()) return Fail("append", s);
      events += batch.size();
    }
    std::printf("built     %zu commands = %llu events in %.2f s\n", n, static_cast<unsigned long long>(events),
                Since(t));
    s = store->CompactAll();
    if (!s.ok()) return Fail("compact", s);
  }
  std::unique_ptr<Store> store;
  so.access = StoreOptions::Access::kReadOnly;
  Status s = Store::Open(so, &store);
  if (!s.ok()) return Fail("reopen", s);
  ExportStats es;
  auto t = std::chrono::steady_clock::now();
  s = ExportLog(*store, file, 0, UINT64_MAX, 0, &es);
  double export_s = Since(t);
  if (!s.ok()) return Fail("export", s);
  std::printf("export    %llu events, %.1f MiB in %.2f s: %.0f events/s, %.0f MiB/s\n",
              static_cast<unsigned long long>(es.events), es.bytes / 1048576.0, export_s, es.events / export_s,
              es.bytes / 1048576.0 / export_s);
  ReplayOptions ro;
  ro.from_file = file;
  ro.into = dst;
  ro.store.block_cache_bytes = 32ull << 20;
  ro.store.write_buffer_bytes = 16ull << 20;
  ReplayStats rs;
  s = Replay(ro, &rs);
  if (!s.ok()) return Fail("replay", s);
  std::printf("replay    %llu events in %.2f s: %.0f events/s (verify every record + append + all views)\n",
              static_cast<unsigned long long>(rs.events), rs.seconds, rs.events / rs.seconds);

  // Identical: every stored event, and views that equal a fresh replay.
  StoreOptions dopt = so;
  dopt.data_dir = dst;
  dopt.access = StoreOptions::Access::kReadWrite;
  std::unique_ptr<Store> out;
  s = Store::Open(dopt, &out);
  if (!s.ok()) return Fail("open replayed", s);
  t = std::chrono::steady_clock::now();
  uint64_t compared = 0, differ = 0;
  std::string a_raw;
  std::unique_ptr<KvCursor> other = out->reader().NewLogCursor();
  other->SeekToFirst();
  s = store->ScanLog(0, UINT64_MAX, true, nullptr, [&](const Event&, std::string_view raw) {
    if (!other->Valid() || other->value() != raw) ++differ;
    if (other->Valid()) other->Next();
    ++compared;
    return true;
  });
  if (!s.ok()) return Fail("compare", s);
  if (other->Valid()) ++differ;
  std::vector<ViewDiff> diffs;
  s = out->VerifyViews(&diffs);
  if (!s.ok()) return Fail("views verify", s);
  std::printf("identical %s: %llu events compared (%llu differ, head %llu vs %llu), views verify: %s (%.2f s)\n",
              differ == 0 && out->head() == store->head() && diffs.empty() ? "yes" : "NO",
              static_cast<unsigned long long>(compared), static_cast<unsigned long long>(differ),
              static_cast<unsigned long long>(store->head()), static_cast<unsigned long long>(out->head()),
              diffs.empty() ? "ok" : "DIFFER", Since(t));
  std::printf("disk      source %.1f MiB, export %.1f MiB, replayed %.1f MiB (before compaction)\n",
              DirectorySize(src) / 1048576.0, es.bytes / 1048576.0, DirectorySize(dst) / 1048576.0);
  return differ == 0 && diffs.empty() ? 0 : 1;
}
