// Tests for storage/data_dir.h and the refusal paths of Store::Open: foreign
// or newer directories are refused without touching a single file, and the
// one-writer lock works across processes.
#include "storage/data_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "core/history_query.h"
#include "storage/store.h"
#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

namespace fs = std::filesystem;
using namespace std::literals;
using testutil::OpenStore;
using testutil::TempDir;
using Access = StoreOptions::Access;

constexpr Access kAllAccess[] = {Access::kAuto, Access::kReadWrite, Access::kReadOnly};

// ------------------------------------------------------------ snapshots

struct FileState {
  char type = '?';  // 'd', 'f', 'l', '?'
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint32_t mode = 0;
  size_t hash = 0;
  bool operator==(const FileState&) const = default;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

FileState StateOf(const std::string& path) {
  struct stat st;
  FileState s;
  if (::lstat(path.c_str(), &st) != 0) return s;
  s.type = S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : '?';
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.mode = st.st_mode;
  if (s.type == 'f') s.hash = std::hash<std::string>()(ReadAll(path));
  return s;
}

// Path + type + size + mtime + mode + content hash of everything under root
// (root included).
std::map<std::string, FileState> Snapshot(const std::string& root) {
  std::map<std::string, FileState> out;
  out["."] = StateOf(root);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it); it.increment(ec)) {
    std::string p = it->path().string();
    out[p.substr(root.size())] = StateOf(p);
  }
  EXPECT_FALSE(ec) << ec.message();
  return out;
}

std::string Diff(const std::map<std::string, FileState>& a, const std::map<std::string, FileState>& b) {
  std::string d;
  for (const auto& [p, s] : a) {
    auto it = b.find(p);
    if (it == b.end()) {
      d += " removed:" + p;
    } else if (!(it->second == s)) {
      d += " changed:" + p;
    }
  }
  for (const auto& [p, s] : b) {
    if (!a.count(p)) d += " added:" + p;
  }
  return d;
}

void MakeForeignRocksDb(const std::string& path) {
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, path, &db);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "key" + std::to_string(i), "someone else's data").ok());
  }
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "in-wal", "x").ok());
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

// Every way of opening `dir` is refused as Incompatible (or, for damaged
// identities, Corruption when `allow_corruption`), and nothing under it
// changes. Returns the kReadWrite message.
std::string ExpectRefusedUntouched(const std::string& dir, bool allow_corruption = false) {
  auto before = Snapshot(dir);
  std::string msg;
  for (Access access : kAllAccess) {
    std::unique_ptr<Store> store;
    Status s = OpenStore(dir, access, &store);
    if (allow_corruption) {
      EXPECT_TRUE(s.IsIncompatible() || s.IsCorruption()) << s.ToString();
    } else {
      EXPECT_TRUE(s.IsIncompatible()) << static_cast<int>(access) << ": " << s.ToString();
    }
    EXPECT_EQ(s.ExitCode(), 3) << s.ToString();
    EXPECT_FALSE(store);
    EXPECT_NE(s.message().find(dir), std::string::npos) << "names the place: " << s.message();
    if (access == Access::kReadWrite) msg = s.message();
    auto after = Snapshot(dir);
    EXPECT_EQ(before, after) << "access " << static_cast<int>(access) << ":" << Diff(before, after);
  }
  bool exists = true;
  StoreIdentity id;
  Status s = InspectDataDir(dir, &exists, &id);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ExitCode(), 3) << s.ToString();
  EXPECT_EQ(before, Snapshot(dir));
  return msg;
}

// ------------------------------------------------------------ refusals

TEST(DataDirTest, ForeignRocksDbIsRefusedUntouched) {
  TempDir tmp;
  std::string dir = tmp.Sub("foreign");
  MakeForeignRocksDb(dir);
  ASSERT_TRUE(fs::exists(dir + "/CURRENT"));
  std::string msg = ExpectRefusedUntouched(dir);
  EXPECT_NE(msg.find("RocksDB"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Nothing was changed"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dir + "/TERMBRAIN"));
  EXPECT_FALSE(fs::exists(dir + "/lock"));
}

TEST(DataDirTest, ForeignRocksDbNestedAsDbIsRefusedUntouched) {
  TempDir tmp;
  std::string dir = tmp.Sub("nested");
  fs::create_directory(dir);
  MakeForeignRocksDb(dir + "/db");
  std::string msg = ExpectRefusedUntouched(dir);
  EXPECT_NE(msg.find("RocksDB"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dir + "/TERMBRAIN"));
}

TEST(DataDirTest, NonEmptyDirectoryWithoutIdentityIsRefusedUntouched) {
  TempDir tmp;
  std::string dir = tmp.Sub("docs");
  fs::create_directories(dir + "/sub");
  WriteFile(dir + "/notes.txt", "my notes\n");
  WriteFile(dir + "/sub/more.bin", "\0\1\2"s);
  std::string msg = ExpectRefusedUntouched(dir);
  EXPECT_NE(msg.find("TERMBRAIN"), std::string::npos) << msg;
  // Even a directory holding only another program's lock file is not ours.
  std::string dir2 = tmp.Sub("lockonly");
  fs::create_directory(dir2);
  WriteFile(dir2 + "/lock", "held by some daemon\n");
  ExpectRefusedUntouched(dir2);
}

TEST(DataDirTest, WhatAnInterruptedCreationLeavesIsANewStore) {
  TempDir tmp;
  for (const std::string lock : {"", "pid 42 (tb record)\n"}) {
    std::string dir = tmp.Sub("half" + std::to_string(lock.size()));
    fs::create_directories(dir + "/spool");
    WriteFile(dir + "/lock", lock);
    // The identity's temp file as core/atomic_file.h names it, and as
    // older versions named it.
    WriteFile(dir + "/TERMBRAIN.tmp-a1B2c3", "termbrain-st");
    WriteFile(dir + "/TERMBRAIN.tmp", "termbrain-st");
    bool exists = true;
    StoreIdentity id;
    ASSERT_OK(InspectDataDir(dir, &exists, &id));
    EXPECT_FALSE(exists) << "lock '" << lock << "'";
  }
}

TEST(DataDirTest, RegularFileIsRefused) {
  TempDir tmp;
  std::string path = tmp.Sub("afile");
  WriteFile(path, "not a directory");
  std::string msg = ExpectRefusedUntouched(path);
  EXPECT_NE(msg.find("file"), std::string::npos) << msg;
  EXPECT_EQ(ReadAll(path), "not a directory");
}

class DataDirIdentityTest : public ::testing::Test {
 protected:
  // A real store with one command, closed.
  void SetUp() override {
    dir_ = tmp_.Sub("store");
    std::unique_ptr<Store> store;
    Status s = OpenStore(dir_, Access::kReadWrite, &store);
    ASSERT_OK(s) << s.ToString();
    Event ev;
    ev.command = "ls";
    std::vector<Event> batch = {ev};
    ASSERT_OK(store->Append(batch, true));
    store.reset();
    identity_ = ReadAll(dir_ + "/TERMBRAIN");
    auto pos = identity_.find("store_id ");
    ASSERT_NE(pos, std::string::npos) << identity_;
    store_id_ = identity_.substr(pos + 9, 32);
  }
  TempDir tmp_;
  std::string dir_;
  std::string identity_;
  std::string store_id_;
};

TEST_F(DataDirIdentityTest, FreshIdentityFileFormat) {
  EXPECT_EQ(identity_, "termbrain-store\nformat 1\nstore_id " + store_id_ + "\n");
  bool exists = false;
  StoreIdentity id;
  ASSERT_OK(InspectDataDir(dir_, &exists, &id));
  EXPECT_TRUE(exists);
  EXPECT_EQ(id.format, 1);
  EXPECT_EQ(id.store_id, store_id_);
  EXPECT_EQ(StateOf(dir_).mode & 0777, 0700u);
  EXPECT_EQ(StateOf(dir_ + "/TERMBRAIN").mode & 0777, 0600u);
}

TEST_F(DataDirIdentityTest, NewerFormatIsRefusedUntouched) {
  WriteFile(dir_ + "/TERMBRAIN", "termbrain-store\nformat 2\nstore_id " + store_id_ + "\n");
  std::string msg = ExpectRefusedUntouched(dir_);
  EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
}

TEST_F(DataDirIdentityTest, NewerFormatWithUnknownLayoutIsStillNewer) {
  // A later format may describe itself differently after its version line;
  // this binary must still say "newer", not "damaged".
  WriteFile(dir_ + "/TERMBRAIN", "termbrain-store\nformat 7\nstore_uuid 0192-abcd\nshards 4\n");
  std::string msg = ExpectRefusedUntouched(dir_);
  EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
}

TEST_F(DataDirIdentityTest, GarbageIdentityIsRefusedUntouched) {
  for (const std::string& garbage : {""s, "\0\1\2\3garbage"s, "termbrain-store\n"s, "termbrain-store\nformat x\n"s,
                                     "termbrain-store\nformat 1\nstore_id nothex\n"s, "termbrain-store\nformat 1\n"s,
                                     "termbrain-store\nformat 0\nstore_id " + store_id_ + "\n",
                                     "termbrain-store\nformat -3\nstore_id " + store_id_ + "\n",
                                     "termbrain-store\nversion 1\nstore_id " + store_id_ + "\n",
                                     "TERMBRAIN-STORE\nformat 1\nstore_id " + store_id_ + "\n",
                                     "termbrain-store\nformat 1\nstore_id " + store_id_.substr(0, 31) + "\n"}) {
    SCOPED_TRACE(testing::PrintToString(garbage));
    WriteFile(dir_ + "/TERMBRAIN", garbage);
    ExpectRefusedUntouched(dir_, /*allow_corruption=*/true);
  }
}

TEST_F(DataDirIdentityTest, IdentityOfAnotherStoreIsCorruption) {
  std::string other(32, 'a');
  ASSERT_NE(other, store_id_);
  WriteFile(dir_ + "/TERMBRAIN", "termbrain-store\nformat 1\nstore_id " + other + "\n");
  for (Access access : kAllAccess) {
    std::unique_ptr<Store> store;
    Status s = OpenStore(dir_, access, &store);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(s.ExitCode(), 3);
  }
}

TEST(DataDirTest, MissingAndEmptyDirectoriesMayBeCreated) {
  TempDir tmp;
  bool exists = true;
  StoreIdentity id;
  ASSERT_OK(InspectDataDir(tmp.Sub("missing"), &exists, &id));
  EXPECT_FALSE(exists);
  EXPECT_FALSE(fs::exists(tmp.Sub("missing")));
  exists = true;
  ASSERT_OK(InspectDataDir(tmp.path(), &exists, &id));
  EXPECT_FALSE(exists);
  ASSERT_OK(CreateDataDir(tmp.Sub("new/deeper"), &id));
  EXPECT_EQ(id.format, kStoreFormatVersion);
  EXPECT_EQ(id.store_id.size(), 32u);
  StoreIdentity again;
  ASSERT_OK(InspectDataDir(tmp.Sub("new/deeper"), &exists, &again));
  EXPECT_TRUE(exists);
  EXPECT_EQ(again.store_id, id.store_id);
  for (const auto& e : fs::directory_iterator(tmp.Sub("new/deeper"))) {
    EXPECT_FALSE(e.path().filename().string().starts_with("TERMBRAIN.tmp")) << e.path();
  }
}

// ------------------------------------------------------------ locks

// Runs `child` in a forked process; it reports a string back over a pipe.
// The child never returns into the test framework.
std::string RunInChild(const std::function<std::string()>& child, int* exit_status) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::string out = child();
    ssize_t n = ::write(fds[1], out.data(), out.size());
    ::_exit(n == static_cast<ssize_t>(out.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string got;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  *exit_status = status;
  return got;
}

TEST(DirLockTest, SecondHolderInAnotherProcessGetsBusyNamingTheFirst) {
  TempDir tmp;
  const std::string holder = "pid " + std::to_string(::getpid()) + ": tb record --command sleep";
  DirLock lock;
  ASSERT_OK(lock.Acquire(tmp.path(), holder, 0));
  EXPECT_TRUE(lock.held());
  EXPECT_EQ(ReadLockHolder(tmp.path()), holder);

  int status = 0;
  std::string report = RunInChild(
      [&] {
        DirLock second;
        auto t0 = std::chrono::steady_clock::now();
        Status s = second.Acquire(tmp.path(), "child", 200);
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        return std::to_string(static_cast<int>(s.code())) + "|" + std::to_string(ms) + "|" +
               std::to_string(second.held()) + "|" + s.message();
      },
      &status);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  size_t a = report.find('|'), b = report.find('|', a + 1), c = report.find('|', b + 1);
  ASSERT_NE(c, std::string::npos) << report;
  EXPECT_EQ(std::stoi(report.substr(0, a)), static_cast<int>(Status::Code::kBusy)) << report;
  long ms = std::stol(report.substr(a + 1, b - a - 1));
  EXPECT_GE(ms, 150) << "waited for the lock";
  EXPECT_LT(ms, 10000);
  EXPECT_EQ(report.substr(b + 1, c - b - 1), "0");
  std::string msg = report.substr(c + 1);
  EXPECT_NE(msg.find(holder), std::string::npos) << msg;
  // The holder text is still intact after the failed attempt.
  EXPECT_EQ(ReadLockHolder(tmp.path()), holder);
}

TEST(DirLockTest, ReleasedLockCanBeTakenAndHolderCleared) {
  TempDir tmp;
  {
    DirLock lock;
    ASSERT_OK(lock.Acquire(tmp.path(), "first holder", 0));
    // Another open file description in this process conflicts too.
    DirLock same_process;
    Status s = same_process.Acquire(tmp.path(), "second", 0);
    EXPECT_TRUE(s.IsBusy()) << s.ToString();
    EXPECT_EQ(s.ExitCode(), 4);
    EXPECT_NE(s.message().find("first holder"), std::string::npos) << s.message();
    EXPECT_FALSE(same_process.held());
  }
  EXPECT_EQ(ReadLockHolder(tmp.path()), "") << "nobody holds it";
  int status = 0;
  std::string report = RunInChild(
      [&] {
        DirLock l;
        Status s = l.Acquire(tmp.path(), "child holder", 200);
        return s.ok() ? "ok:" + ReadLockHolder(tmp.path()) : s.ToString();
      },
      &status);
  EXPECT_EQ(report, "ok:child holder");
  // A shorter holder text replaces a longer one entirely.
  DirLock again;
  ASSERT_OK(again.Acquire(tmp.path(), "x", 0));
  EXPECT_EQ(ReadLockHolder(tmp.path()), "x");
}

TEST(DirLockTest, LockDiesWithItsProcess) {
  TempDir tmp;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    DirLock l;
    bool ok = l.Acquire(tmp.path(), "doomed child", 0).ok();
    char c = ok ? 'R' : 'F';
    if (::write(ready[1], &c, 1) != 1) ::_exit(2);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, 'R');
  EXPECT_EQ(ReadLockHolder(tmp.path()), "doomed child");
  DirLock mine;
  EXPECT_TRUE(mine.Acquire(tmp.path(), "parent", 0).IsBusy());
  ::kill(pid, SIGKILL);
  int status;
  ::waitpid(pid, &status, 0);
  Status s = mine.Acquire(tmp.path(), "parent", 1000);
  EXPECT_OK(s) << s.ToString();
}

// ------------------------------------------------------------ stores in use

TEST(StoreLockTest, AnotherProcessHoldingTheStore) {
  TempDir tmp;
  const std::string dir = tmp.Sub("store");
  {
    std::unique_ptr<Store> store;
    ASSERT_OK(OpenStore(dir, Access::kReadWrite, &store));
    Event ev;
    ev.command = "echo from parent";
    ev.time_ns = 1000;
    std::vector<Event> batch = {ev};
    ASSERT_OK(store->Append(batch, true));
  }
  const std::string holder = "pid 4242: tb import --from child";
  int ready[2], go[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(go), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    ::close(go[1]);
    StoreOptions o = testutil::Options(dir, Access::kReadWrite);
    o.holder = holder;
    std::unique_ptr<Store> store;
    char c = 'F';
    if (Store::Open(o, &store).ok()) {
      Event ev;
      ev.command = "echo from child";
      ev.time_ns = 2000;
      std::vector<Event> batch = {ev};
      if (store->Append(batch, true).ok()) c = 'R';
    }
    if (::write(ready[1], &c, 1) != 1) ::_exit(2);
    if (::read(go[0], &c, 1) != 1) ::_exit(3);
    ::_exit(0);  // no destructors: the kernel releases the lock
  }
  ::close(ready[1]);
  ::close(go[0]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'R') << "child could not open the store";

  {
    // kAuto falls back to read-only and sees the child's write.
    std::unique_ptr<Store> ro;
    Status s = OpenStore(dir, Access::kAuto, &ro);
    ASSERT_OK(s) << s.ToString();
    EXPECT_TRUE(ro->read_only());
    EXPECT_EQ(ro->head(), 2u);
    std::vector<std::string> commands;
    ASSERT_OK(QueryHistory(ro->reader(), {}, [&](const HistoryRecord& r) {
      commands.push_back(r.command);
      return true;
    }));
    EXPECT_EQ(commands, (std::vector<std::string>{"echo from child", "echo from parent"}));
    StoreInfo info;
    ASSERT_OK(ro->Info(&info));
    EXPECT_TRUE(info.read_only);
    EXPECT_EQ(info.lock_holder, holder);
    std::vector<Event> batch(1);
    Status w = ro->Append(batch, false);
    EXPECT_TRUE(w.IsBusy()) << w.ToString();
    EXPECT_NE(w.message().find(holder), std::string::npos) << w.message();
  }
  {
    // kReadWrite waits, then gives up naming the holder.
    StoreOptions o = testutil::Options(dir, Access::kReadWrite);
    o.lock_wait_ms = 300;
    std::unique_ptr<Store> rw;
    auto t0 = std::chrono::steady_clock::now();
    Status s = Store::Open(o, &rw);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_TRUE(s.IsBusy()) << s.ToString();
    EXPECT_EQ(s.ExitCode(), 4);
    EXPECT_NE(s.message().find(holder), std::string::npos) << s.message();
    EXPECT_GE(ms, 250);
    EXPECT_FALSE(rw);
  }
  {
    std::unique_ptr<Store> ro;
    ASSERT_OK(OpenStore(dir, Access::kReadOnly, &ro));
    EXPECT_EQ(ro->head(), 2u);
  }
  c = 'G';
  ASSERT_EQ(::write(go[1], &c, 1), 1);
  ::close(go[1]);
  ::close(ready[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  // The lock went with the child; the store is whole.
  std::unique_ptr<Store> rw;
  Status s = OpenStore(dir, Access::kReadWrite, &rw);
  ASSERT_OK(s) << s.ToString();
  EXPECT_FALSE(rw->read_only());
  EXPECT_EQ(rw->head(), 2u);
  LogVerifyReport r;
  ASSERT_OK(rw->VerifyLog(&r));
  EXPECT_TRUE(r.ok());
  std::vector<ViewDiff> diffs;
  ASSERT_OK(rw->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
}

}  // namespace
}  // namespace tb
