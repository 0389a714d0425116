// Trust under faults, end to end with the real `tb`: a damaged write-ahead
// log, the first `tb` on a new data dir killed, `tb rebuild` killed, and
// readers beside many writers. Each goes to many random points (seeded, so
// a failure can be replayed); the suites carry "Fault" in their names so the
// slow group can be selected (ctest -L fault).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::vector<std::string> WalFiles(const std::string& db) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(db)) {
    if (e.path().extension() == ".log" && fs::file_size(e.path()) > 0) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void FlipByte(const std::string& path, uint64_t offset, uint8_t mask) {
  int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0) << path;
  char c = 0;
  ASSERT_EQ(::pread(fd, &c, 1, static_cast<off_t>(offset)), 1);
  c = static_cast<char>(c ^ mask);
  ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(offset)), 1);
  ::close(fd);
}

TbCall NoDir() {
  TbCall c;
  c.data_dir = false;
  return c;
}

TbCall Long() {
  TbCall c;
  c.timeout = 60000ms;
  return c;
}

// Copies data dir `from` to `to` and flips one random bit of one of its
// write-ahead log files; returns "<file> offset <n>" for the trace.
std::string CopyWithFlippedWalByte(const std::string& from, const std::string& to, std::mt19937_64* rng) {
  fs::copy(from, to, fs::copy_options::recursive);
  std::vector<std::string> wals = WalFiles(to + "/db");
  const std::string& wal = wals[(*rng)() % wals.size()];
  uint64_t offset = (*rng)() % fs::file_size(wal);
  FlipByte(wal, offset, static_cast<uint8_t>(1u << ((*rng)() % 8)));
  return wal + " offset " + std::to_string(offset);
}

class CliTrustFault : public CliTest {
 protected:
  // Runs `tb args` and sends `sig` after `delay` unless it finished first.
  // True when the signal arrived before the command finished.
  bool RunAndSignal(const std::vector<std::string>& args, std::chrono::microseconds delay, int sig,
                    const std::string& dir) {
    std::vector<std::string> argv = {TbBinary(), "--data-dir", dir};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions o;
    o.env = BaseEnv();
    Child c;
    EXPECT_TRUE(c.Start(argv, o));
    std::this_thread::sleep_for(delay);
    ::kill(c.pid(), sig);
    int code = c.Finish(10000ms);
    return code == 128 + sig || (sig != SIGKILL && code != 0);
  }

  // The commands of `tb history` (oldest first) in data dir `dir`.
  std::vector<std::string> History(const std::string& dir) {
    RunResult r = Tb({"--data-dir", dir, "history", "--format", "plain", "-n", "100000"}, NoDir());
    EXPECT_EXIT_CODE(r, 0);
    std::vector<std::string> lines;
    std::istringstream in(r.out);
    for (std::string l; std::getline(in, l);) lines.insert(lines.begin(), l);
    return lines;
  }
};

// Flips one byte of the write-ahead log after acknowledged writes. Either
// every acknowledged record is still there, or tb says the store is damaged
// (exit 3, naming the salvage) and `tb log salvage` recovers every readable
// record with new seqs above everything acknowledged.
TEST_F(CliTrustFault, WalByteFlipIsReportedNeverSilent) {
  const std::string pristine = root() + "/pristine";
  std::vector<std::string> expected;
  for (int i = 0; i < 8; ++i) {
    expected.push_back("echo acknowledged-" + std::to_string(i));
    RunResult r = Tb({"--data-dir", pristine, "record", "--command", expected.back()}, NoDir());
    ASSERT_EXIT_CODE(r, 0);
  }
  ASSERT_FALSE(WalFiles(pristine + "/db").empty());
  std::mt19937_64 rng(0x3a1f10);
  int reported = 0, harmless = 0;
  for (int trial = 0; trial < 25; ++trial) {
    const std::string dir = root() + "/flip" + std::to_string(trial);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + CopyWithFlippedWalByte(pristine, dir, &rng));

    RunResult st = Tb({"--data-dir", dir, "history", "--format", "plain", "-n", "100"}, NoDir());
    if (st.exit_code == 0) {
      ++harmless;
      std::vector<std::string> got;
      std::istringstream in(st.out);
      for (std::string l; std::getline(in, l);) got.insert(got.begin(), l);
      EXPECT_EQ(got, expected) << "exit 0 must mean every acknowledged record is there";
      fs::remove_all(dir);
      continue;
    }
    ++reported;
    ASSERT_EXIT_CODE(st, 3);
    EXPECT_NE(st.err.find("tb log salvage"), std::string::npos) << st.err;
    EXPECT_EQ(std::count(st.err.begin(), st.err.end(), '\n'), 1) << st.err;

    RunResult sv = Tb({"--data-dir", dir, "log", "salvage"}, NoDir());
    ASSERT_EXIT_CODE(sv, 0);
    EXPECT_NE(sv.out.find("salvaged " + dir + ": kept "), std::string::npos) << sv.out;
    ASSERT_EXIT_CODE(Tb({"--data-dir", dir, "log", "verify"}, NoDir()), 0);
    ASSERT_EXIT_CODE(Tb({"--data-dir", dir, "views", "verify"}, NoDir()), 0);
    // What survived is a subsequence of what was acknowledged, in order.
    std::vector<std::string> got = History(dir);
    size_t j = 0;
    for (const auto& c : got) {
      while (j < expected.size() && expected[j] != c) ++j;
      EXPECT_LT(j, expected.size()) << "unexpected record " << c;
    }
    // No seq is reused: a new record lands after everything acknowledged.
    ASSERT_EXIT_CODE(Tb({"--data-dir", dir, "record", "--command", "after salvage"}, NoDir()), 0);
    RunResult dump = Tb({"--data-dir", dir, "log", "dump", "--from", "9"}, NoDir());
    ASSERT_EXIT_CODE(dump, 0);
    EXPECT_NE(dump.out.find("after salvage"), std::string::npos) << dump.out;
    EXPECT_EQ(dump.out.find("acknowledged-"), std::string::npos) << dump.out;
    fs::remove_all(dir);
  }
  // Most flips land in record payloads: the test must really see reports.
  EXPECT_GE(reported, 12) << harmless << " harmless";
}

// The same after an import: a flip in the write-ahead log holding its
// batches never drops records with exit 0.
TEST_F(CliTrustFault, WalByteFlipAfterImportIsReportedNeverSilent) {
  const std::string pristine = root() + "/pristine";
  std::string lines;
  for (int i = 0; i < 2000; ++i) lines += "echo imported-" + std::to_string(i) + "\n";
  std::ofstream(root() + "/bash_history") << lines;
  ASSERT_EXIT_CODE(Tb({"--data-dir", pristine, "import", "bash", root() + "/bash_history"}, NoDir()), 0);
  ASSERT_FALSE(WalFiles(pristine + "/db").empty());
  std::mt19937_64 rng(0x1a2b0);
  int reported = 0;
  for (int trial = 0; trial < 10; ++trial) {
    const std::string dir = root() + "/flip" + std::to_string(trial);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + CopyWithFlippedWalByte(pristine, dir, &rng));
    RunResult r = Tb({"--data-dir", dir, "history", "--format", "plain", "-n", "100000"}, NoDir());
    if (r.exit_code == 0) {
      EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2000) << "exit 0 must mean nothing was lost";
    } else {
      ++reported;
      EXPECT_EXIT_CODE(r, 3);
      ASSERT_EXIT_CODE(Tb({"--data-dir", dir, "log", "salvage"}, NoDir()), 0);
      ASSERT_EXIT_CODE(Tb({"--data-dir", dir, "log", "verify"}, NoDir()), 0);
    }
    fs::remove_all(dir);
  }
  EXPECT_GE(reported, 5);
}

// The log losing its tail (the last acknowledged records gone, the rest of
// the write-ahead log intact) is noticed through the acknowledged head.
TEST_F(CliTrustFault, WalCutAfterAcknowledgedWritesIsReported) {
  for (int i = 0; i < 8; ++i) Record("echo tail-" + std::to_string(i));
  std::vector<std::string> wals = WalFiles(data_dir() + "/db");
  ASSERT_FALSE(wals.empty());
  const std::string& wal = wals.back();
  fs::resize_file(wal, fs::file_size(wal) - 40);
  RunResult r = Tb({"status"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_NE(r.err.find("but seq 8 was acknowledged"), std::string::npos) << r.err;
  RunResult w = Tb({"record", "--command", "must not reuse a seq"});
  EXPECT_EXIT_CODE(w, 3);
  ASSERT_EXIT_CODE(Tb({"log", "salvage"}), 0);
  ASSERT_EXIT_CODE(Tb({"log", "verify"}), 0);
  Record("echo after");
  RunResult dump = Tb({"log", "dump", "--from", "8"});
  EXPECT_NE(dump.out.find("\"seq\":9,"), std::string::npos) << dump.out;  // the salvage event
  EXPECT_NE(dump.out.find("\"seq\":10,"), std::string::npos) << dump.out;
  EXPECT_NE(dump.out.find("echo after"), std::string::npos) << dump.out;
}

// The first tb on a new data dir, interrupted anywhere: the next one works.
TEST_F(CliTrustFault, FirstCommandInterruptedAtRandomPointsLeavesAUsableStore) {
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EXIT_CODE(Tb({"--data-dir", root() + "/timing", "record", "--command", "ls"}, NoDir()), 0);
  auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  std::mt19937_64 rng(0xf1257);
  const int signals[] = {SIGKILL, SIGINT, SIGTERM};
  int interrupted = 0;
  for (int trial = 0; trial < 50; ++trial) {
    const std::string dir = root() + "/new" + std::to_string(trial);
    auto delay = std::chrono::microseconds(rng() % static_cast<uint64_t>(full.count() + 1));
    int sig = signals[trial % 3];
    if (RunAndSignal({"record", "--command", "first"}, delay, sig, dir)) ++interrupted;
    SCOPED_TRACE("trial " + std::to_string(trial) + " signal " + std::to_string(sig) + " after " +
                 std::to_string(delay.count()) + " us");
    RunResult r = Tb({"--data-dir", dir, "record", "--command", "second"}, NoDir());
    ASSERT_EXIT_CODE(r, 0);
    RunResult h = Tb({"--data-dir", dir, "history", "--format", "plain"}, NoDir());
    ASSERT_EXIT_CODE(h, 0);
    EXPECT_TRUE(h.out == "second\n" || h.out == "second\nfirst\n") << h.out;
    ASSERT_EXIT_CODE(Tb({"--data-dir", dir, "log", "verify"}, NoDir()), 0);
    fs::remove_all(dir);
  }
  EXPECT_GE(interrupted, 15) << "too few runs were interrupted to prove anything";
}

// A reader arriving while the store is created sees an empty history, not
// an error.
TEST_F(CliTrustFault, ReaderDuringCreationSeesAnEmptyHistory) {
  std::mt19937_64 rng(0xc4ea7e);
  for (int trial = 0; trial < 10; ++trial) {
    const std::string dir = root() + "/race" + std::to_string(trial);
    RunOptions o;
    o.env = BaseEnv();
    Child writer;
    ASSERT_TRUE(writer.Start({TbBinary(), "--data-dir", dir, "record", "--command", "x"}, o));
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 30000));
    RunResult r = Tb({"--data-dir", dir, "history", "--format", "plain"}, NoDir());
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_TRUE(r.out.empty() || r.out == "x\n") << r.out;
    EXPECT_EQ(writer.Finish(10000ms), 0);
  }
}

// `tb rebuild` killed at random points: the next open resumes it, the views
// verify and every query answers as before.
TEST_F(CliTrustFault, RebuildKilledAtRandomPointsResumes) {
  std::string ndjson;
  for (int i = 0; i < 2500; ++i) {
    ndjson += "{\"command\":\"cmd " + std::to_string(i % 300) + "\",\"cwd\":\"/p/" + std::to_string(i % 7) +
              "\",\"exit_code\":" + std::to_string(i % 5 == 0) + ",\"duration_ms\":5,\"started_at\":\"2026-01-0" +
              std::to_string(1 + i % 9) + "T10:00:00." + std::to_string(100 + i % 900) + "Z\",\"session\":\"s" +
              std::to_string(i % 11) + "\"}\n";
  }
  std::ofstream(root() + "/in.ndjson") << ndjson;
  ASSERT_EXIT_CODE(Tb({"import", "ndjson", root() + "/in.ndjson"}), 0);
  const std::vector<std::vector<std::string>> queries = {
      {"history", "--cwd", "/p/3", "--format", "ndjson", "-n", "50"},
      {"history", "--session", "s4", "--format", "ndjson", "-n", "50"},
      {"search", "cmd 29", "--format", "ndjson", "-n", "50"},
      {"stats", "--period", "all", "--format", "json"},
  };
  std::vector<std::string> before;
  for (const auto& q : queries) before.push_back(Tb(q).out);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EXIT_CODE(Tb({"rebuild"}), 0);
  auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  std::mt19937_64 rng(0x4eb1d);
  int killed = 0;
  for (int trial = 0; trial < 30; ++trial) {
    auto delay = std::chrono::microseconds(rng() % static_cast<uint64_t>(full.count() + 1));
    if (RunAndSignal({"rebuild"}, delay, SIGKILL, data_dir())) ++killed;
    SCOPED_TRACE("trial " + std::to_string(trial) + " after " + std::to_string(delay.count()) + " us");
    if (trial % 5 == 4) {
      ASSERT_EXIT_CODE(Tb({"views", "verify"}), 0);
    }
    for (size_t i = 0; i < queries.size(); ++i) EXPECT_EQ(Tb(queries[i]).out, before[i]) << queries[i][0];
  }
  ASSERT_EXIT_CODE(Tb({"views", "verify"}), 0);
  EXPECT_GE(killed, 10) << "too few runs were killed before they finished to prove anything";
}

// Readers beside 8 writer loops: no reader ever fails, every write lands
// exactly once.
TEST_F(CliTrustFault, ReadersBesideEightWritersNeverFail) {
  Record("seed");
  const auto seconds =
      std::chrono::seconds(std::getenv("TB_FAULT_SECONDS") ? std::atoi(std::getenv("TB_FAULT_SECONDS")) : 60);
  const auto end = std::chrono::steady_clock::now() + seconds;
  std::atomic<int> reader_failures{0}, reads{0};
  std::vector<std::string> failures;
  std::mutex mu;
  std::vector<std::vector<std::string>> written(8);
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) {
    threads.emplace_back([&, w] {
      for (int n = 0; std::chrono::steady_clock::now() < end; ++n) {
        std::string cmd = "w" + std::to_string(w) + "-" + std::to_string(n);
        RunResult r = Tb({"record", "--command", cmd}, Long());
        if (r.exit_code != 0) {
          std::lock_guard<std::mutex> l(mu);
          failures.push_back("writer: " + r.Describe());
        }
        written[w].push_back(cmd);
      }
    });
  }
  for (int rd = 0; rd < 2; ++rd) {
    threads.emplace_back([&, rd] {
      while (std::chrono::steady_clock::now() < end) {
        RunResult r = rd == 0 ? Tb({"search", "w1", "-n", "5"}, Long()) : Tb({"history", "-n", "5"}, Long());
        reads++;
        if (r.exit_code != 0) {
          reader_failures++;
          std::lock_guard<std::mutex> l(mu);
          failures.push_back("reader: " + r.Describe());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < failures.size() && i < 5; ++i) ADD_FAILURE() << failures[i];
  EXPECT_EQ(reader_failures.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_GT(reads.load(), 20);
  std::multiset<std::string> stored;
  for (const auto& c : Commands({"-n", "1000000"})) stored.insert(c);
  for (const auto& w : written) {
    for (const auto& c : w) EXPECT_EQ(stored.count(c), 1u) << c;
  }
}

// Another program holding RocksDB's own lock (DIR/db/LOCK): writes are
// "busy" with a message that says so, reads still answer.
using CliTrust = CliTest;
TEST_F(CliTrust, ForeignDatabaseLockIsBusyNotAnIoError) {
  Record("before");
  tb::testutil::RawDb other(data_dir());
  ASSERT_TRUE(other.status().ok()) << other.status().ToString();
  // A write is not turned away: the command is spooled for the next writer.
  RunResult w = Tb({"record", "--command", "while locked"});
  EXPECT_EXIT_CODE(w, 0);
  EXPECT_EQ(w.err,
            "tb: note: the store cannot be written now (it is in use by another process); the command was "
            "spooled and the next tb that opens the store records it\n");
  // A query answers from a read-only instance.
  RunResult r = Tb({"history", "--format", "plain"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "before\n");
  // A write that cannot spool (tb rebuild) says who holds what.
  RunResult b = Tb({"rebuild"});
  EXPECT_EXIT_CODE(b, 4);
  EXPECT_NE(b.err.find("the database is locked by another program (" + data_dir() + "/db/LOCK)"), std::string::npos)
      << b.err;
  EXPECT_EQ(std::count(b.err.begin(), b.err.end(), '\n'), 1) << b.err;
  other.Close();
  EXPECT_EQ(Commands(), (std::vector<std::string>{"while locked", "before"}));
}

}  // namespace
}  // namespace tb::testing
