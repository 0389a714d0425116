// Crash consistency: a writer process is SIGKILLed at random moments; every
// reopen must find a gap-free log 1..head, views equal to a fresh replay,
// and a head that never moves backwards.
//
// The writer is this test binary re-executed (posix_spawn of /proc/self/exe)
// running the DISABLED_ helper below, so it starts with a clean RocksDB
// environment (a fork()ed copy of a process whose RocksDB thread pools
// already exist would have no background threads to flush or compact).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/history_query.h"
#include "core/views/commands_view.h"
#include "storage/store.h"
#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

extern char** environ;

namespace tb {
namespace {

namespace fs = std::filesystem;
using testutil::OpenStore;
using testutil::RawDb;
using testutil::TempDir;
using Access = StoreOptions::Access;

constexpr uint64_t kSeed = 0x7b5eed;
constexpr const char* kEnvDir = "TB_CRASH_DIR";
constexpr const char* kEnvMode = "TB_CRASH_MODE";
constexpr const char* kEnvSeed = "TB_CRASH_SEED";
constexpr int kReadyFd = 3;

const std::vector<std::string>& Vocabulary() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out = {"ls",           "ls -la",      "git status",  "git commit -m wip",
                                    "make",         "make test",   "cargo build", "vim notes.md",
                                    "cd ..",        "docker ps",   "ssh prod",    "grep -r TODO .",
                                    "python3 x.py", "npm install", "htop"};
    for (int i = 0; i < 40; ++i) out.push_back("tool" + std::to_string(i) + " --flag");
    return out;
  }();
  return v;
}

// One random batch of 1..50 events: recorded, started, and finishes of
// starts from this batch or an earlier one (or of starts never seen).
std::vector<Event> RandomBatch(std::mt19937_64& rng, uint64_t shell_origin, uint64_t* counter,
                               std::vector<EventId>* open_starts, int64_t* clock) {
  std::vector<Event> batch;
  int n = 1 + static_cast<int>(rng() % 50);
  for (int i = 0; i < n; ++i) {
    Event ev;
    *clock += static_cast<int64_t>(rng() % 3) * 1'000'000;  // ties happen
    ev.time_ns = *clock;
    ev.host = "host" + std::to_string(rng() % 2);
    ev.user = "u";
    ev.session = "s" + std::to_string(rng() % 4);
    uint64_t kind = rng() % 10;
    if (kind >= 7 && !open_starts->empty()) {
      size_t k = rng() % open_starts->size();
      ev.kind = EventKind::kFinished;
      ev.id = EventId{shell_origin, (*counter)++};
      ev.start = (*open_starts)[k];
      ev.exit_code = static_cast<int32_t>(rng() % 3);
      ev.duration_ns = static_cast<int64_t>(rng() % 100000);
      open_starts->erase(open_starts->begin() + static_cast<long>(k));
    } else if (kind >= 7 && rng() % 4 == 0) {
      ev.kind = EventKind::kFinished;  // a finish whose start is unknown
      ev.id = EventId{shell_origin, (*counter)++};
      ev.start = EventId{shell_origin ^ 1, rng()};
      ev.exit_code = 1;
      ev.duration_ns = 1;
    } else {
      const auto& vocab = Vocabulary();
      ev.command = vocab[rng() % vocab.size()];
      ev.cwd = "/d" + std::to_string(rng() % 5);
      ev.shell = "bash";
      if (kind < 4) {
        ev.kind = EventKind::kStarted;
        ev.id = EventId{shell_origin, (*counter)++};
        open_starts->push_back(ev.id);
      } else {
        ev.kind = EventKind::kRecorded;  // id assigned by the store
        if (rng() % 5 != 0) ev.exit_code = static_cast<int32_t>(rng() % 3);
        if (rng() % 2 == 0) ev.duration_ns = static_cast<int64_t>(rng() % 100000);
      }
    }
    batch.push_back(std::move(ev));
  }
  return batch;
}

void SignalReady() {
  char c = 'R';
  if (::write(kReadyFd, &c, 1) != 1) ::_exit(9);
}

// The child process. Exit codes: 2 open failed, 3 append failed, 4 rebuild
// failed, 5 bad mode. It normally never exits: the parent kills it.
[[noreturn]] void ChildMain(const std::string& dir, const std::string& mode, uint64_t seed) {
  StoreOptions o = testutil::Options(dir, Access::kReadWrite);
  o.holder = "pid " + std::to_string(::getpid()) + ": crash_test child";
  o.lock_wait_ms = 10000;
  std::unique_ptr<Store> store;
  Status s = Store::Open(o, &store);
  if (!s.ok()) {
    std::fprintf(stderr, "child: open: %s\n", s.ToString().c_str());
    ::_exit(2);
  }
  if (mode == "append") {
    std::mt19937_64 rng(seed);
    uint64_t shell_origin = 0xC0DE000000000000ull ^ seed;
    uint64_t counter = 1;
    std::vector<EventId> open_starts;
    int64_t clock = 1'700'000'000'000'000'000 + static_cast<int64_t>(store->head()) * 1'000'000;
    SignalReady();
    for (;;) {
      std::vector<Event> batch = RandomBatch(rng, shell_origin, &counter, &open_starts, &clock);
      s = store->Append(batch, /*sync=*/false);
      if (!s.ok()) {
        std::fprintf(stderr, "child: append: %s\n", s.ToString().c_str());
        ::_exit(3);
      }
      // Throttle: the parent replays the whole log after every kill, so
      // keep its growth to ~1k events per cycle (the test's time budget).
      // Most batches still start and end inside the kill window.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  if (mode == "rebuild") {
    s = store->Rebuild("");
    if (!s.ok()) {
      std::fprintf(stderr, "child: rebuild: %s\n", s.ToString().c_str());
      ::_exit(4);
    }
    SignalReady();
    for (;;) ::pause();
  }
  if (mode == "open") {  // the open itself ran the catch-up/migration
    SignalReady();
    for (;;) ::pause();
  }
  ::_exit(5);
}

// Runs only when re-executed by Spawn() below.
TEST(CrashChild, DISABLED_Run) {
  const char* dir = std::getenv(kEnvDir);
  if (dir == nullptr) GTEST_SKIP() << "helper process for CrashFaultTest";
  const char* mode = std::getenv(kEnvMode);
  const char* seed = std::getenv(kEnvSeed);
  ChildMain(dir, mode ? mode : "", seed ? std::strtoull(seed, nullptr, 10) : 0);
}

struct Child {
  pid_t pid = -1;
  int ready = -1;  // read end
};

Child Spawn(const std::string& dir, const std::string& mode, uint64_t seed, const std::string& log) {
  Child c;
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  std::string exe = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> args = {exe, "--gtest_filter=CrashChild.DISABLED_Run", "--gtest_also_run_disabled_tests",
                                   "--gtest_brief=1"};
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (kv.starts_with("GTEST_") || kv.starts_with("TB_CRASH_")) continue;  // no XML output etc.
    env.push_back(kv);
  }
  env.push_back(std::string(kEnvDir) + "=" + dir);
  env.push_back(std::string(kEnvMode) + "=" + mode);
  env.push_back(std::string(kEnvSeed) + "=" + std::to_string(seed));
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], kReadyFd);  // dup2 clears CLOEXEC
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  int rc = posix_spawn(&c.pid, exe.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  EXPECT_EQ(rc, 0) << std::strerror(rc);
  if (rc != 0) {
    ::close(fds[0]);
    c.pid = -1;
    return c;
  }
  c.ready = fds[0];
  return c;
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

// Waits for the child's ready byte. False (child reaped) when it died first.
bool WaitReady(Child& c, const std::string& log) {
  pollfd p{c.ready, POLLIN, 0};
  int n = ::poll(&p, 1, 30000);
  char byte = 0;
  bool ok = n == 1 && ::read(c.ready, &byte, 1) == 1 && byte == 'R';
  ::close(c.ready);
  if (!ok) {
    ::kill(c.pid, SIGKILL);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    ADD_FAILURE() << "child not ready (status " << status << "): " << Tail(log);
  }
  return ok;
}

void KillAndReap(const Child& c, const std::string& log) {
  ::kill(c.pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(c.pid, &status, 0), c.pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child stopped on its own (status " << status << "): " << Tail(log);
}

// Opens the store and checks everything a crash must not break.
void VerifyStore(const std::string& dir, uint64_t* head) {
  std::unique_ptr<Store> store;
  Status s = OpenStore(dir, Access::kReadWrite, &store);
  ASSERT_OK(s) << s.ToString();
  *head = store->head();
  LogVerifyReport r;
  s = store->VerifyLog(&r);
  ASSERT_OK(s) << s.ToString();
  std::string problems;
  for (const auto& p : r.problems) problems += "\n  " + p;
  EXPECT_TRUE(r.ok()) << problems;
  EXPECT_EQ(r.events, *head);
  EXPECT_EQ(r.duplicate_ids, 0u);
  if (*head > 0) {
    EXPECT_EQ(r.first_seq, 1u);
    EXPECT_EQ(r.last_seq, *head);
  }
  std::vector<ViewDiff> diffs;
  s = store->VerifyViews(&diffs);
  ASSERT_OK(s) << s.ToString();
  for (const auto& d : diffs) {
    ADD_FAILURE() << "view " << d.view << " differs from a replay: missing " << d.missing << " extra " << d.extra
                  << " different " << d.different << " first key " << d.first_key_hex;
  }
  std::vector<ViewInfo> views;
  ASSERT_OK(store->Views(&views));
  for (const auto& v : views) {
    EXPECT_EQ(v.applied_seq, *head) << v.name;
    EXPECT_EQ(v.stored_version, v.code_version) << v.name;
  }
}

TEST(CrashFaultTest, KilledWriterLeavesAConsistentPrefix) {
  TempDir tmp;
  const std::string dir = tmp.Sub("store");
  const std::string log = tmp.Sub("child.log");
  std::mt19937_64 rng(kSeed);
  uint64_t prev_head = 0;
  int grew = 0;
  const auto t0 = std::chrono::steady_clock::now();
  constexpr int kCycles = 50;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    Child c = Spawn(dir, "append", kSeed + static_cast<uint64_t>(cycle), log);
    ASSERT_GT(c.pid, 0);
    ASSERT_TRUE(WaitReady(c, log));
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 56));
    KillAndReap(c, log);
    if (HasFatalFailure()) return;
    uint64_t head = 0;
    VerifyStore(dir, &head);
    if (HasFatalFailure()) return;
    EXPECT_GE(head, prev_head) << "head went backwards";
    if (head > prev_head) ++grew;
    prev_head = head;
  }
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("final_head", static_cast<int>(prev_head));
  RecordProperty("seconds", static_cast<int>(secs));
  // The writer really wrote (and was interrupted) in most cycles.
  EXPECT_GE(grew, kCycles / 4);
  EXPECT_GT(prev_head, 1000u);
}

// Fills a store in-process with a few thousand events and returns the
// commands view's stats for every command.
std::map<std::string, CommandStats> FillStore(const std::string& dir) {
  std::map<std::string, CommandStats> stats;
  std::unique_ptr<Store> store;
  Status s = OpenStore(dir, Access::kReadWrite, &store);
  EXPECT_OK(s) << s.ToString();
  if (!s.ok()) return stats;
  std::mt19937_64 rng(kSeed);
  uint64_t counter = 1;
  std::vector<EventId> open_starts;
  int64_t clock = 1'700'000'000'000'000'000;
  for (int i = 0; i < 200; ++i) {
    std::vector<Event> batch = RandomBatch(rng, 0xFEED, &counter, &open_starts, &clock);
    EXPECT_OK(store->Append(batch, false));
  }
  for (const auto& cmd : Vocabulary()) {
    std::string v;
    if (store->reader().GetViewValue("commands", cmd, &v).ok()) {
      CommandStats st;
      EXPECT_TRUE(DecodeCommandStats(v, &st));
      stats[cmd] = st;
    }
  }
  EXPECT_GT(stats.size(), 10u);
  return stats;
}

std::string Describe(const CommandStats& s) {
  return "uses " + std::to_string(s.uses) + " failures " + std::to_string(s.failures) + " last " +
         std::to_string(s.last_time_ns) + "/" + std::to_string(s.last_seq) + " exit " +
         (s.last_exit ? std::to_string(*s.last_exit) : "?");
}

std::map<std::string, std::string> Describe(const std::map<std::string, CommandStats>& m) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : m) out[k] = Describe(v);
  return out;
}

std::map<std::string, CommandStats> ReadStats(Store& store) {
  std::map<std::string, CommandStats> stats;
  for (const auto& cmd : Vocabulary()) {
    std::string v;
    if (store.reader().GetViewValue("commands", cmd, &v).ok()) {
      CommandStats st;
      EXPECT_TRUE(DecodeCommandStats(v, &st));
      stats[cmd] = st;
    }
  }
  return stats;
}

TEST(CrashFaultTest, KillRightAfterARebuildLosesNothingAndCountsNothingTwice) {
  TempDir tmp;
  const std::string dir = tmp.Sub("store");
  const std::string log = tmp.Sub("child.log");
  auto before = FillStore(dir);
  ASSERT_FALSE(before.empty());
  Child c = Spawn(dir, "rebuild", 1, log);
  ASSERT_GT(c.pid, 0);
  ASSERT_TRUE(WaitReady(c, log));
  KillAndReap(c, log);
  uint64_t head = 0;
  VerifyStore(dir, &head);
  std::unique_ptr<Store> store;
  ASSERT_OK(OpenStore(dir, Access::kReadOnly, &store));
  EXPECT_EQ(Describe(ReadStats(*store)), Describe(before));
}

TEST(CrashFaultTest, KillRightAfterAMigrationOnOpenLosesNothing) {
  TempDir tmp;
  const std::string dir = tmp.Sub("store");
  const std::string log = tmp.Sub("child.log");
  auto before = FillStore(dir);
  ASSERT_FALSE(before.empty());
  {
    RawDb raw(dir);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    std::string meta;
    ASSERT_TRUE(raw.Get("meta", "view/commands", &meta).ok());
    ASSERT_EQ(meta.size(), 16u);
    meta[7] = static_cast<char>(99);  // version 1 -> 99
    ASSERT_TRUE(raw.Put("meta", "view/commands", meta).ok());
  }
  Child c = Spawn(dir, "open", 1, log);
  ASSERT_GT(c.pid, 0);
  ASSERT_TRUE(WaitReady(c, log));
  KillAndReap(c, log);
  uint64_t head = 0;
  VerifyStore(dir, &head);
  std::unique_ptr<Store> store;
  ASSERT_OK(OpenStore(dir, Access::kReadOnly, &store));
  EXPECT_EQ(Describe(ReadStats(*store)), Describe(before));
}

}  // namespace
}  // namespace tb
