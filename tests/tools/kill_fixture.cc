#include "tests/tools/kill_fixture.h"

#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <thread>

#include "storage/store.h"
#include "tests/status_assert.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Keeps every merge operand (concatenated), so a table file's merge-based
// entries (view_commands, view_stats ...) can be read without the store's
// own operators.
class ConcatOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value, std::string* out,
             rocksdb::Logger*) const override {
    out->clear();
    if (existing != nullptr) out->assign(existing->data(), existing->size());
    out->append(value.data(), value.size());
    return true;
  }
  const char* Name() const override { return "ConcatOperator"; }
};

// The needles found in the decoded keys or values of table file `path`.
std::vector<std::string> TableHolds(const std::string& path, const std::vector<std::string>& needles) {
  std::vector<std::string> found;
  rocksdb::Options o;
  o.merge_operator = std::make_shared<ConcatOperator>();
  rocksdb::SstFileReader reader(o);
  if (!reader.Open(path).ok()) return found;  // the raw bytes were checked anyway
  std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string kv = it->key().ToString() + '\0' + it->value().ToString();
    for (const auto& n : needles) {
      if (kv.find(n) != std::string::npos && std::find(found.begin(), found.end(), n) == found.end()) {
        found.push_back(n);
      }
    }
  }
  return found;
}

}  // namespace

void KillTest::Populate(int n, int64_t start_ns, const std::vector<std::string>& extra) {
  StoreOptions o;
  o.data_dir = data_dir();
  o.access = StoreOptions::Access::kReadWrite;
  std::unique_ptr<Store> store;
  Status s = Store::Open(o, &store);
  ASSERT_OK(s) << s.ToString();
  std::vector<Event> batch;
  int64_t t = start_ns;
  auto add = [&](const std::string& command, int i) {
    Event ev;
    ev.kind = EventKind::kRecorded;
    ev.time_ns = t;
    t += 1'000'000'000LL;
    ev.command = command;
    ev.cwd = "/home/u/p" + std::to_string(i % 13);
    ev.session = "s" + std::to_string(i % 5);
    ev.host = "h";
    ev.user = "u";
    ev.exit_code = i % 7 == 0 ? 1 : 0;
    ev.duration_ns = 1000;
    batch.push_back(std::move(ev));
  };
  for (int i = 0; i < n; ++i) add("command number " + std::to_string(i % 997) + " --flag", i);
  for (size_t i = 0; i < extra.size(); ++i) add(extra[i], static_cast<int>(i));
  for (size_t at = 0; at < batch.size(); at += 2000) {
    size_t len = std::min<size_t>(2000, batch.size() - at);
    s = store->Append(std::span<Event>(batch.data() + at, len), /*sync=*/true);
    ASSERT_OK(s) << s.ToString();
  }
  next_time_ns_ = std::max(next_time_ns_, t);
}

bool KillTest::RunAndKill(const std::vector<std::string>& args, const EnvVars& extra, int sig,
                          std::chrono::milliseconds delay, const std::string& dir) {
  std::vector<std::string> argv = {TbBinary(), "--data-dir", dir.empty() ? data_dir() : dir};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions o;
  o.env = BaseEnv();
  for (const auto& e : extra) o.env.push_back(e);
  Child c;
  EXPECT_TRUE(c.Start(argv, o, /*keep_stderr=*/true));
  std::this_thread::sleep_for(delay);
  ::kill(c.pid(), sig);
  int code = c.Finish(30000ms);
  if (code == 128 + sig) return true;
  EXPECT_EQ(code, 0) << "tb " << ::testing::PrintToString(args) << " failed before the " << SignalName(sig);
  return false;
}

std::chrono::milliseconds KillTest::TimeRun(const std::vector<std::string>& args, const EnvVars& extra) {
  auto t0 = std::chrono::steady_clock::now();
  TbCall call;
  call.env = extra;
  RunResult r = Tb(args, call);
  EXPECT_EXIT_CODE(r, 0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
}

int KillTest::RandomSignal(std::mt19937& rng) {
  static constexpr int kSignals[] = {SIGKILL, SIGTERM, SIGINT, SIGHUP};
  return kSignals[rng() % 4];
}

std::string KillTest::SignalName(int sig) {
  switch (sig) {
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    default: return "signal " + std::to_string(sig);
  }
}

void KillTest::ExpectHealthy(const std::string& what) {
  RunResult r = Tb({"log", "verify"});
  EXPECT_EXIT_CODE(r, 0) << what;
  r = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(r, 0) << what;
}

std::vector<std::string> KillTest::History() {
  RunResult r = Tb({"history", "-n", "1000000", "--format", "ndjson"});
  EXPECT_EXIT_CODE(r, 0);
  return SplitLines(r.out);
}

uint64_t KillTest::Head() {
  RunResult r = Tb({"status", "--format", "json"});
  size_t at = r.out.find("\"head_seq\": ");
  return at == std::string::npos ? 0 : std::stoull(r.out.substr(at + 12));
}

std::vector<std::string> KillTest::FilesHolding(const std::vector<std::string>& needles) {
  std::vector<std::string> out;
  for (const auto& [path, entry] : Snapshot(data_dir())) {
    if (entry.type != 'f') continue;
    for (const auto& n : needles) {
      if (entry.content.find(n) != std::string::npos) out.push_back(path + ": " + n);
    }
    if (!path.ends_with(".sst")) continue;
    for (const auto& n : TableHolds(data_dir() + "/" + path, needles)) out.push_back(path + " (decoded): " + n);
  }
  return out;
}

std::vector<std::string> Without(const std::vector<std::string>& lines, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (l.find(needle) == std::string::npos) out.push_back(l);
  }
  return out;
}

uint64_t SeqOf(const std::string& line) {
  size_t at = line.find("\"seq\":");
  return at == std::string::npos ? 0 : std::stoull(line.substr(at + 6));
}

}  // namespace tb::testing
