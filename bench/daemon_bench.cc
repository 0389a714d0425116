// daemon_bench: `tb daemon` as the shells see it (tools/daemon.h).
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTB_BUILD_BENCH=ON
//   ninja -C build-bench daemon_bench && build-bench/daemon_bench [--store N] [--commands N] [--bulk N]
//       [--typing N] [--sparse N] [--linger-ms MS]
//
// In a fresh data dir holding --store generated commands (bench/history_gen.h):
//  1. latency: --commands times, the started and finished frames of one
//     command are appended to a spool file the way a hook appends them
//     (open, write, close); the time until the daemon has committed them
//     and deleted the file (inotify IN_DELETE) is one sample; 20-100 ms
//     between commands, like a fast typist (the daemon keeps the store open
//     between them). Then --typing commands 2-8 s apart (inside the
//     daemon's linger, daemon.linger_ms), and --sparse commands that each
//     find the store closed: before each, the bench opens the store's lock
//     file, which makes the daemon let go at once (as for any writer), so
//     each pays the store's writable open. p50 / p99 / max.
//  2. idle: past the linger (--linger-ms, the daemon's setting, plus 1 s),
//     the voluntary and involuntary context switches of every thread of the
//     daemon over 10 s (/proc/PID/task/*/status): each wakeup is one.
//  3. memory: --bulk commands (100 spool files) written at once; once they
//     are drained, VmRSS and VmHWM of the daemon while it still holds the
//     store and once idle; then the idle check again.
// Budgets (docs/benchmarks.md): p99 < 100 ms, no wakeups when idle, RSS <= 40 MiB.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/history_gen.h"
#include "storage/daemon_lock.h"
#include "storage/spool.h"
#include "storage/store.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  uint64_t store = 100000;
  int commands = 1000;
  int bulk = 100000;
  int typing = 20;        // commands 2-8 s apart, inside the linger
  int sparse = 30;        // commands that each find the store closed (each pays the store's open)
  int linger_ms = 60000;  // the daemon's daemon.linger_ms
  std::string tb = TB_BINARY;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The started + finished frames of command `n` of session `sid`, now.
std::string Frames(const std::string& sid, long n) {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  char t[40];
  std::snprintf(t, sizeof t, "%lld.%06lld", static_cast<long long>(us / 1000000), static_cast<long long>(us % 1000000));
  return "TB1\tS\t" + sid + "\t" + std::to_string(2 * n) + "\t" + t + "\t" + sid + "\tbash\t/home/u/src\tmake test " +
         std::to_string(n) + "\t.\n" + "TB1\tF\t" + sid + "\t" + std::to_string(2 * n + 1) + "\t" + t + "\t0\t1200\t" +
         std::to_string(2 * n) + "\t.\n";
}

void Append(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
    std::perror(path.c_str());
    std::exit(1);
  }
  ::close(fd);
}

bool Prefill(const std::string& data_dir, uint64_t n) {
  tb::StoreOptions o;
  o.data_dir = data_dir;
  o.access = tb::StoreOptions::Access::kReadWrite;
  o.bulk = true;
  std::unique_ptr<tb::Store> store;
  tb::Status s = tb::Store::Open(o, &store);
  tb::bench::GenOptions g;
  g.commands = n;
  g.pair_fraction = 0.3;
  tb::bench::HistoryGenerator gen(g);
  std::vector<tb::Event> events;
  while (s.ok() && !gen.done()) {
    events.clear();
    gen.NextEvents(16384, &events);
    s = store->Append(events, false);
  }
  if (s.ok()) s = store->CompactAll();
  if (!s.ok()) std::fprintf(stderr, "prefill: %s\n", s.ToString().c_str());
  return s.ok();
}

// Context switches (voluntary + involuntary) of all threads of `pid`.
uint64_t Switches(pid_t pid) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "status");
    for (std::string line; std::getline(in, line);) {
      if (line.find("ctxt_switches:") != std::string::npos) total += std::stoull(line.substr(line.find(':') + 1));
    }
  }
  return total;
}

std::string StatusField(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(field + ":")) {
      std::string v = line.substr(field.size() + 1);
      return v.substr(v.find_first_not_of(" \t"));
    }
  }
  return "?";
}

void IdleCheck(pid_t pid, int linger_ms, const char* when) {
  std::this_thread::sleep_for(std::chrono::milliseconds(linger_ms + 1000));  // past the daemon's linger
  const uint64_t before = Switches(pid);
  std::this_thread::sleep_for(std::chrono::seconds(10));
  const uint64_t after = Switches(pid);
  std::printf("idle %s: %llu context switches in 10 s (threads: %s)\n", when,
              static_cast<unsigned long long>(after - before), StatusField(pid, "Threads").c_str());
}

// Waits for the deletion of a drained file of `sid` (inotify fd `in`).
bool WaitDrained(int in, const std::string& sid) {
  alignas(inotify_event) char buf[4096];
  while (true) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n <= 0) return false;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      if ((ev->mask & IN_DELETE) && ev->len > 0 && std::string(ev->name).starts_with(sid + ".spool")) return true;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--store") o.store = std::stoull(argv[i + 1]);
    if (a == "--commands") o.commands = std::stoi(argv[i + 1]);
    if (a == "--bulk") o.bulk = std::stoi(argv[i + 1]);
    if (a == "--sparse") o.sparse = std::stoi(argv[i + 1]);
    if (a == "--typing") o.typing = std::stoi(argv[i + 1]);
    if (a == "--linger-ms") o.linger_ms = std::stoi(argv[i + 1]);
  }
  char tmpl[] = "/tmp/tb-daemon-bench-XXXXXX";
  const std::string root = ::mkdtemp(tmpl);
  const std::string data_dir = root + "/data", runtime = root + "/run";
  fs::create_directories(runtime);
  fs::permissions(runtime, fs::perms::owner_all);
  const std::string spool = tb::SpoolDirFor(runtime + "/termbrain", data_dir);
  std::printf("store: %llu generated commands (prefill)\n", static_cast<unsigned long long>(o.store));
  if (!Prefill(data_dir, o.store)) return 1;

  const std::string env_home = "HOME=" + root, env_rt = "XDG_RUNTIME_DIR=" + runtime;
  const std::string env_linger = "TERMBRAIN_DAEMON_LINGER_MS=" + std::to_string(o.linger_ms);
  std::vector<char*> envp = {const_cast<char*>(env_home.c_str()), const_cast<char*>(env_rt.c_str()),
                             const_cast<char*>(env_linger.c_str()), const_cast<char*>("TZ=UTC"), nullptr};
  std::vector<std::string> words = {o.tb, "--data-dir", data_dir, "daemon"};
  std::vector<char*> args;
  for (auto& w : words) args.push_back(w.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  if (::posix_spawn(&pid, o.tb.c_str(), nullptr, nullptr, args.data(), envp.data()) != 0) return 1;
  while (!tb::ProbeDaemon(data_dir).running) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  while (!fs::exists(spool)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // its first cycle

  int in = ::inotify_init1(IN_CLOEXEC);
  ::inotify_add_watch(in, spool.c_str(), IN_DELETE);
  std::mt19937 rng(42);
  const std::string sid = "0123456789abcdef";
  long n = 0;
  // One series: `count` commands, `gap_ms` + up to `jitter_ms` apart; with
  // `cold`, the daemon is made to close the store before each.
  auto series = [&](const char* what, int count, int gap_ms, int jitter_ms, bool cold) {
    std::vector<double> lat;
    for (int i = 0; i < count; ++i) {
      if (cold) {
        ::close(::open((data_dir + "/lock").c_str(), O_RDONLY | O_CLOEXEC));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // it closes the store
      }
      const auto t0 = Clock::now();
      Append(spool + "/" + sid + ".spool", Frames(sid, n++));
      if (!WaitDrained(in, sid)) std::exit(1);
      lat.push_back(Ms(Clock::now() - t0));
      std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms + rng() % (jitter_ms + 1)));
    }
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) { return lat[std::min(lat.size() - 1, static_cast<size_t>(p * lat.size()))]; };
    std::printf("write -> drained, %d commands %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", count, what, pct(0.5),
                pct(0.99), lat.back());
    std::fflush(stdout);
  };
  series("20-100 ms apart", o.commands, 20, 80, false);
  series("2-8 s apart (inside the linger)", o.typing, 2000, 6000, false);
  series("each finding the store closed", o.sparse, 200, 300, true);
  IdleCheck(pid, o.linger_ms, "after the latency run");

  const auto bulk0 = Clock::now();
  for (int f = 0; f < 100; ++f) {
    char s[17];
    std::snprintf(s, sizeof s, "b%015d", f);
    std::string data;
    for (int i = 0; i < o.bulk / 100; ++i) data += Frames(s, i);
    Append(spool + "/" + s + ".spool", data);
  }
  while (!fs::is_empty(spool)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::printf("bulk: %d commands drained in %.2f s\n", o.bulk, Ms(Clock::now() - bulk0) / 1000);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::printf("memory 2 s after draining %d commands (store still held): VmRSS %s, VmHWM %s\n", o.bulk,
              StatusField(pid, "VmRSS").c_str(), StatusField(pid, "VmHWM").c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(o.linger_ms));
  std::printf("memory past the linger (idle, store closed): VmRSS %s\n", StatusField(pid, "VmRSS").c_str());
  IdleCheck(pid, o.linger_ms, "after the bulk drain");

  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::printf("daemon exit status after SIGTERM: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  fs::remove_all(root);
  return 0;
}
