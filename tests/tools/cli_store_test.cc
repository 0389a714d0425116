// End-to-end: rebuild and view verification (with a view damaged behind the
// store's back), foreign and newer stores left untouched, and a store held
// by another process.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "core/views/registry.h"
#include "storage/rocks_util.h"
#include "storage/store.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

// Opens DIR/db the way tb does (every column family, the views' merge
// operators), applies `mutate` to column family `cf`, closes it.
void MutateBehindTheStoresBack(const std::string& data_dir, const std::string& cf,
                               const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& mutate) {
  const std::string db_path = data_dir + "/db";
  RocksTuning tuning;
  auto cache = rocksdb::NewLRUCache(8 << 20);
  rocksdb::DBOptions dbo = MakeDBOptions(tuning, cache);
  dbo.create_if_missing = false;
  dbo.create_missing_column_families = false;
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(dbo, db_path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names) {
    const View* view = n.starts_with("view_") ? FindView(n.substr(5)) : nullptr;
    descs.emplace_back(n, MakeCFOptions(tuning, cache, view));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(dbo, db_path, descs, &handles, &db);
  ASSERT_TRUE(s.ok()) << s.ToString();
  rocksdb::ColumnFamilyHandle* target = nullptr;
  for (size_t i = 0; i < descs.size(); ++i) {
    if (descs[i].name == cf) target = handles[i];
  }
  EXPECT_NE(target, nullptr) << cf;
  if (target != nullptr) mutate(db, target);
  for (auto* h : handles) EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  EXPECT_TRUE(db->Close().ok());
  delete db;
}

void DeleteFirstKey(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  std::string key = it->key().ToString();
  it.reset();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  ASSERT_TRUE(db->Delete(wo, cf, key).ok());
}

// One line on stderr: "tb: error: <prefix>...".
void ExpectOneErrorLine(const RunResult& r, const std::string& prefix) {
  EXPECT_EQ(r.err.rfind("tb: error: " + prefix, 0), 0u) << r.Describe();
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.Describe();
  EXPECT_TRUE(!r.err.empty() && r.err.back() == '\n') << r.Describe();
}

class CliRebuild : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    UseSharedStore("three", [this] {
      Record("git status", {"--cwd", "/tmp", "--exit", "0", "--started-at", "2026-02-01T10:00:00Z"});
      Record("make", {"--cwd", "/src", "--exit", "1", "--session", "s1", "--started-at", "2026-02-01T11:00:00Z"});
      Record("ls", {"--cwd", "/src", "--exit", "0", "--session", "s1", "--started-at", "2026-02-01T12:00:00Z"});
    });
  }
};

TEST_F(CliRebuild, RebuildKeepsHistoryByteIdentical) {
  RunResult before = Tb({"history", "--format", "ndjson"});
  ASSERT_EXIT_CODE(before, 0);
  ASSERT_EQ(SplitLines(before.out).size(), 3u);

  RunResult rb = Tb({"rebuild"});
  EXPECT_EXIT_CODE(rb, 0);
  EXPECT_EQ(rb.out, "rebuilt all views from 3 events\n");
  EXPECT_EQ(rb.err, "");

  RunResult after = Tb({"history", "--format", "ndjson"});
  EXPECT_EXIT_CODE(after, 0);
  EXPECT_EQ(after.out, before.out);

  RunResult v = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(v, 0);
  EXPECT_EQ(v.out, "ok: 11 views match a fresh replay of 3 events\n");
  EXPECT_EQ(v.err, "");
}

TEST_F(CliRebuild, VerifyFindsADamagedViewAndRebuildRepairsIt) {
  RunResult before = Tb({"history", "--format", "ndjson"});
  ASSERT_EXIT_CODE(before, 0);
  ASSERT_EXIT_CODE(Tb({"views", "verify"}), 0);

  MutateBehindTheStoresBack(data_dir(), "view_history", DeleteFirstKey);
  ASSERT_FALSE(HasFatalFailure());

  // The damage is visible: the oldest record is gone from the listing.
  EXPECT_EQ(Commands(), (std::vector<std::string>{"ls", "make"}));

  RunResult v = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(v, 3);
  EXPECT_EQ(v.out.rfind("view history: 1 missing, 0 extra, 0 different (first key ", 0), 0u) << v.out;
  EXPECT_EQ(SplitLines(v.out).size(), 1u) << "only the damaged view is named: " << v.out;
  ExpectOneErrorLine(v, "view(s) history differ from a replay of the log (" + data_dir() + ")");

  RunResult rb = Tb({"rebuild", "--view", "history"});
  EXPECT_EXIT_CODE(rb, 0);
  EXPECT_EQ(rb.out, "rebuilt view history from 3 events\n");

  RunResult v2 = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(v2, 0);
  EXPECT_EQ(Tb({"history", "--format", "ndjson"}).out, before.out);
}

TEST_F(CliRebuild, VerifyFindsAnExtraAndADifferentEntry) {
  MutateBehindTheStoresBack(data_dir(), "view_by_cwd", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, "zz-bogus", "x").ok());
  });
  ASSERT_FALSE(HasFatalFailure());
  RunResult v = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(v, 3);
  EXPECT_EQ(v.out.rfind("view by_cwd: 0 missing, 1 extra, 0 different", 0), 0u) << v.out;
  ExpectOneErrorLine(v, "view(s) by_cwd differ");
  EXPECT_EXIT_CODE(Tb({"rebuild"}), 0);
  EXPECT_EXIT_CODE(Tb({"views", "verify"}), 0);
}

// ------------------------------------------------- foreign and newer stores

class CliForeignStore : public CliTest {
 protected:
  // Every store-opening command must refuse with exit 3, one error line
  // starting with `prefix`, nothing on stdout, and not touch one byte.
  void ExpectRefusedUntouched(const std::string& dir, const std::string& prefix) {
    TreeSnapshot before = Snapshot(dir);
    ASSERT_GT(before.size(), 1u);
    const std::vector<std::vector<std::string>> commands = {
        {"history"},         {"history", "--format", "json"},
        {"search", "git"},   {"record", "--command", "git status", "--cwd", "/tmp", "--exit", "0"},
        {"status"},          {"views"},
        {"views", "verify"}, {"rebuild"},
        {"log", "verify"},   {"log", "dump"},
    };
    for (const auto& args : commands) {
      std::vector<std::string> full{"--data-dir", dir};
      full.insert(full.end(), args.begin(), args.end());
      TbCall call;
      call.data_dir = false;
      RunResult r = Tb(full, call);
      SCOPED_TRACE(::testing::PrintToString(args));
      EXPECT_EXIT_CODE(r, 3);
      EXPECT_EQ(r.out, "");
      ExpectOneErrorLine(r, prefix);
      EXPECT_EQ(DiffSnapshots(before, Snapshot(dir)), "");
    }
    // Spelled out, as these are the files a careless open would create.
    for (const char* name : {"logs", "lock", "db", "spool-rejected"}) {
      if (!before.count(name)) {
        EXPECT_FALSE(fs::exists(dir + "/" + name)) << name;
      }
    }
  }

  void MakeForeignRocksDb(const std::string& path) {
    fs::create_directories(path);
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, path, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "their-key", "their-value").ok());
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    ASSERT_TRUE(db->Close().ok());
    delete db;
  }
};

TEST_F(CliForeignStore, RocksDbOfAnotherProgram) {
  std::string dir = root() + "/other-app";
  MakeForeignRocksDb(dir);
  ASSERT_FALSE(HasFatalFailure());
  ExpectRefusedUntouched(dir, "not a TermBrain store (" + dir + "): it holds a RocksDB database of another program");
}

TEST_F(CliForeignStore, RocksDbOfAnotherProgramInDb) {
  std::string dir = root() + "/other-app";
  MakeForeignRocksDb(dir + "/db");
  ASSERT_FALSE(HasFatalFailure());
  ExpectRefusedUntouched(dir, "not a TermBrain store (" + dir + "): it holds a RocksDB database of another program");
}

TEST_F(CliForeignStore, NewerFormat) {
  std::string dir = root() + "/future";
  WriteFile(dir + "/TERMBRAIN", "termbrain-store\nformat 99\nstore_id 0123456789abcdef0123456789abcdef\n");
  ExpectRefusedUntouched(dir, "store format 99 is newer than this tb supports (1) (" + dir +
                                  "/TERMBRAIN). Upgrade tb; the store was left untouched");
}

TEST_F(CliForeignStore, NewerFormatWithData) {
  // A real store whose identity says it was upgraded by a future tb.
  Record("git status", {"--cwd", "/tmp"});
  WriteFile(data_dir() + "/TERMBRAIN", "termbrain-store\nformat 99\nstore_id 0123456789abcdef0123456789abcdef\n");
  ExpectRefusedUntouched(data_dir(), "store format 99 is newer than this tb supports (1)");
}

TEST_F(CliForeignStore, DirectoryWithOtherFiles) {
  std::string dir = root() + "/photos";
  WriteFile(dir + "/cat.jpg", "not really a cat");
  ExpectRefusedUntouched(dir,
                         "not a TermBrain store (" + dir + "): the directory has files but no TERMBRAIN identity file");
}

TEST_F(CliForeignStore, IdentityFileOfAnotherKind) {
  std::string dir = root() + "/odd";
  WriteFile(dir + "/TERMBRAIN", "something else\n");
  ExpectRefusedUntouched(dir, "not a TermBrain store (" + dir + "/TERMBRAIN)");
}

TEST_F(CliForeignStore, DataDirIsAFile) {
  std::string file = root() + "/plain-file";
  WriteFile(file, "hello\n");
  TbCall call;
  call.data_dir = false;
  RunResult r = Tb({"--data-dir", file, "record", "--command", "x"}, call);
  EXPECT_EXIT_CODE(r, 3);
  ExpectOneErrorLine(r, "not a TermBrain store (" + file + "): it is a file, not a directory");
  EXPECT_EQ(ReadFile(file), "hello\n");
}

// ------------------------------------------------------------ locked store

constexpr const char* kHoldEnv = "TB_CLI_TEST_HOLD_DIR";

// Not a test of its own: the CliLock tests run this binary again with only
// this test selected and kHoldEnv set, as a separate process that holds the
// store (open for writing) until its stdin closes. A fresh process, rather
// than fork() alone, because RocksDB's thread pools do not survive fork().
TEST(CliLockHolder, DISABLED_HelperProcess) {
  const char* dir = std::getenv(kHoldEnv);
  if (dir == nullptr) GTEST_SKIP() << "helper process for the CliLock tests";
  StoreOptions o;
  o.data_dir = dir;
  o.access = StoreOptions::Access::kReadWrite;
  o.lock_wait_ms = 0;
  o.holder = "pid " + std::to_string(::getpid()) + " (cli test holder)";
  std::unique_ptr<Store> store;
  Status s = Store::Open(o, &store);
  if (!s.ok()) {
    std::printf("HOLDER-FAILED %s\n", s.ToString().c_str());
    std::fflush(stdout);
    FAIL() << s.ToString();
  }
  std::printf("HOLDER-READY\n");
  std::fflush(stdout);
  char c;
  while (::read(0, &c, 1) > 0) {
  }
}

class CliLock : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    UseSharedStore("two", [this] {
      Record("first", {"--cwd", "/tmp", "--started-at", "2026-02-01T10:00:00Z"});
      Record("second", {"--cwd", "/tmp", "--started-at", "2026-02-01T11:00:00Z"});
    });
  }

  // Starts the holder process; returns its pid (or fails the test).
  void StartHolder(Child* child) {
    std::string self = fs::read_symlink("/proc/self/exe").string();
    RunOptions o;
    o.env = BaseEnv();
    o.env.emplace_back(kHoldEnv, data_dir());
    ASSERT_TRUE(
        child->Start({self, "--gtest_filter=CliLockHolder.DISABLED_HelperProcess", "--gtest_also_run_disabled_tests"},
                     o, /*keep_stderr=*/true));
    auto out = child->WaitForOutput("HOLDER-READY\n", std::chrono::seconds(20));
    ASSERT_TRUE(out.has_value()) << "the holder did not start";
  }
};

TEST_F(CliLock, ReadsWorkWritesGiveUpNamingTheHolder) {
  Child holder;
  StartHolder(&holder);
  ASSERT_FALSE(HasFatalFailure());
  const std::string pid = "pid " + std::to_string(holder.pid());

  // Queries fall back to a read-only view of the store.
  EXPECT_EQ(Commands(), (std::vector<std::string>{"second", "first"}));
  RunResult st = Tb({"status"});
  EXPECT_EXIT_CODE(st, 0);
  EXPECT_NE(st.out.find("lock         held by " + pid + " (cli test holder)\n"), std::string::npos) << st.out;

  // A write waits storage.lock_wait_ms, then gives up with exit 4 naming
  // the holder...
  RunResult rb = TbEnv({"rebuild"}, {{"TERMBRAIN_STORAGE_LOCK_WAIT_MS", "300"}});
  EXPECT_EXIT_CODE(rb, 4);
  EXPECT_EQ(rb.out, "");
  ExpectOneErrorLine(rb,
                     "the store is in use by " + pid + " (cli test holder) (" + data_dir() + "); gave up after 300 ms");
  EXPECT_GE(rb.elapsed.count(), 300);
  EXPECT_LT(rb.elapsed.count(), 3000);

  // ...except tb record, which then spools the command (exit 0, one note).
  RunResult rec = TbEnv({"record", "--command", "x"}, {{"TERMBRAIN_STORAGE_LOCK_WAIT_MS", "0"}});
  EXPECT_EXIT_CODE(rec, 0);
  EXPECT_EQ(rec.err,
            "tb: note: the store cannot be written now (it is in use by another "
            "process); the command was spooled and the next tb that opens the store "
            "records it\n");

  // Once free, writes work and the spooled command is recorded.
  EXPECT_EQ(holder.Finish(std::chrono::seconds(10)), 0);
  Record("third", {"--cwd", "/tmp"});
  EXPECT_EQ(Commands(), (std::vector<std::string>{"third", "x", "second", "first"}));
}

TEST_F(CliLock, AWriteWaitsForTheHolderToFinish) {
  Child holder;
  StartHolder(&holder);
  ASSERT_FALSE(HasFatalFailure());
  // A real tb that has to wait: started while the store is held.
  Child writer;
  RunOptions o;
  o.env = BaseEnv();
  o.env.emplace_back("TERMBRAIN_STORAGE_LOCK_WAIT_MS", "15000");
  ASSERT_TRUE(
      writer.Start({TbBinary(), "--data-dir", data_dir(), "record", "--command", "waited", "--cwd", "/tmp"}, o));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(holder.Finish(std::chrono::seconds(10)), 0);
  EXPECT_EQ(writer.Finish(std::chrono::seconds(15)), 0);
  EXPECT_EQ(Commands(), (std::vector<std::string>{"waited", "second", "first"}));
}

}  // namespace
}  // namespace tb::testing
