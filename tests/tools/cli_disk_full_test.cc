// A full disk is an error, never an abort (docs/operations.md, "Disk
// full"). Each test mounts a small tmpfs as the data dir's file system and
// runs every write command against it at random fill levels (seeded; set
// TB_FAULT_SEED to replay another sequence), with the free-space reserve
// on and off (off: RocksDB itself meets ENOSPC). Every run must exit 0 or
// 1 with at most one line on stderr; `tb record` must always succeed (it
// spools when the store cannot be written); once space is freed, every
// acknowledged command is in the history and the log and views verify.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "storage/disk_space.h"
#include "storage/spool.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"
#include "tests/tools/tmpfs_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

class DiskFullFault : public TmpfsTest {
 protected:
  std::string dir() const { return mnt_ + "/data"; }
  std::string SpoolDir() const { return SpoolDirFor(runtime_dir() + "/termbrain", dir()); }

  // Runs tb against the tmpfs data dir with the reserve `reserve_mb`.
  RunResult Run(std::vector<std::string> args, int reserve_mb = 8) const {
    args.insert(args.begin(), {"--data-dir", dir()});
    TbCall c;
    c.data_dir = false;
    c.env = {{"TERMBRAIN_STORAGE_RESERVE_MB", std::to_string(reserve_mb)}};
    return Tb(args, c);
  }

  // Leaves about `keep` bytes free on the tmpfs (a file of zeros takes the rest).
  void Fill(uint64_t keep) {
    DiskSpace space;
    ASSERT_OK(FreeSpaceOf(mnt_, &space));
    const std::string path = mnt_ + "/fill";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    if (space.free_bytes > keep) {
      off_t size = static_cast<off_t>(space.free_bytes - keep);
      if (::fallocate(fd, 0, 0, size) != 0) {
        static const std::string zeros(1 << 16, '\0');
        for (off_t done = 0; done < size;) {
          ssize_t n = ::write(fd, zeros.data(), std::min<size_t>(zeros.size(), size - done));
          if (n <= 0) break;
          done += n;
        }
      }
    }
    ::close(fd);
  }
  void Unfill() { fs::remove(mnt_ + "/fill"); }

  // Appends a started + finished pair for `command` as the shell hooks do.
  void HookSpool(const std::string& command, int n) const {
    fs::create_directories(SpoolDir());
    std::ofstream(SpoolDir() + "/hook.spool", std::ios::app | std::ios::binary)
        << "TB1\tS\tabc\t" << 2 * n << "\t1732580000." << n << "\ts1\tbash\t/w\t" << command << "\t.\n"
        << "TB1\tF\tabc\t" << 2 * n + 1 << "\t1732580001.0\t0\t1000\t" << 2 * n << "\t.\n";
  }

  // A run at a full disk: no signal, exit 0 or 1, and a failure is one
  // "tb: error:" line (a success may print one note or warning line).
  static void ExpectClean(const RunResult& r, const std::string& what) {
    EXPECT_FALSE(r.signaled) << what << ": " << r.Describe();
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << what << ": " << r.Describe();
    EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": " << r.Describe();
    if (r.exit_code != 0) {
      EXPECT_TRUE(r.err.starts_with("tb: error: disk full: ")) << what << ": " << r.Describe();
      EXPECT_NE(r.err.find("; nothing was lost. Free space and run tb "), std::string::npos)
          << what << ": " << r.Describe();
    }
  }
};

TEST_F(DiskFullFault, EveryWriteCommandAtRandomFillLevels) {
  unsigned seed = 20240601;
  if (const char* s = std::getenv("TB_FAULT_SEED")) seed = static_cast<unsigned>(std::stoul(s));
  SCOPED_TRACE("TB_FAULT_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);

  // A store with history to rewrite, and a few thousand lines to import.
  std::string lines;
  for (int i = 0; i < 3000; ++i) lines += "echo imported line " + std::to_string(i) + "\n";
  const std::string import_file = root() + "/history.bash";
  WriteFile(import_file, lines);
  ASSERT_EXIT_CODE(Run({"import", "bash", import_file}), 0);
  std::set<std::string> acknowledged;
  for (int i = 0; i < 3000; ++i) acknowledged.insert("echo imported line " + std::to_string(i));

  const std::vector<uint64_t> keeps = {0, 4 << 10, 32 << 10, 128 << 10, 512 << 10, 1 << 20, 3 << 20, 9 << 20};
  const std::vector<std::string> kinds = {"record", "import", "history", "backup", "snapshot", "rebuild", "forget"};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int runs = 0, refused = 0;
  for (int i = 0; i < 70 && std::chrono::steady_clock::now() < deadline; ++i) {
    const std::string kind = kinds[rng() % kinds.size()];
    const uint64_t keep = keeps[rng() % keeps.size()];
    const int reserve_mb = static_cast<int>(rng() % 3);  // 0: the check is off
    const std::string what = "run " + std::to_string(i) + ": " + kind + " with " + std::to_string(keep >> 10) +
                             " KiB free, reserve " + std::to_string(reserve_mb) + " MiB";
    SCOPED_TRACE(what);
    std::string forget_me = "forget-me-" + std::to_string(i);
    if (kind == "forget") {
      ASSERT_EXIT_CODE(Run({"record", "--command", forget_me}), 0);
    }
    if (kind == "history") HookSpool("hook command " + std::to_string(i), i);
    Fill(keep);
    RunResult r;
    if (kind == "record") {
      const std::string cmd = "recorded " + std::to_string(i);
      r = Run({"record", "--command", cmd, "--exit", std::to_string(i % 3)}, reserve_mb);
      EXPECT_EXIT_CODE(r, 0);
      if (r.exit_code == 0) acknowledged.insert(cmd);
    } else if (kind == "import") {
      r = Run({"import", "bash", import_file}, reserve_mb);
    } else if (kind == "history") {
      r = Run({"history", "-n", "3"}, reserve_mb);
      acknowledged.insert("hook command " + std::to_string(i));  // spooled by the "hook"
    } else if (kind == "backup") {
      r = Run({"backup", "create"}, reserve_mb);
    } else if (kind == "snapshot") {
      r = Run({"snapshot", "create", "s" + std::to_string(i)}, reserve_mb);
    } else if (kind == "rebuild") {
      r = Run({"rebuild"}, reserve_mb);
    } else {
      r = Run({"forget", "--match", forget_me, "--yes"}, reserve_mb);
    }
    ExpectClean(r, what);
    ++runs;
    refused += r.exit_code != 0;
    Unfill();
    if (kind == "backup" || kind == "snapshot") {
      // Keep the tmpfs from filling with copies.
      fs::remove_all(dir() + "/backups");
      fs::remove_all(dir() + "/snapshots");
    }
    if (HasFailure()) break;
  }
  std::printf("[ fault    ] %d runs at a full disk, %d refused with one line\n", runs, refused);
  EXPECT_GT(refused, 0) << "no run met a full disk: the fill levels are too generous";

  RunResult h = Run({"history", "--format", "plain", "-n", "100000"});
  ASSERT_EXIT_CODE(h, 0);
  std::set<std::string> present;
  for (const std::string& line : SplitLines(h.out)) present.insert(line);
  for (const std::string& cmd : acknowledged) EXPECT_TRUE(present.count(cmd)) << "lost: " << cmd;
  EXPECT_TRUE(fs::is_empty(SpoolDir())) << "the spool was not drained";
  EXPECT_EXIT_CODE(Run({"log", "verify"}), 0);
  EXPECT_EXIT_CODE(Run({"views", "verify"}), 0);
}

TEST_F(DiskFullFault, WritesAreRefusedWithOneLineAndRecordSpools) {
  ASSERT_EXIT_CODE(Run({"record", "--command", "before", "--exit", "0"}), 0);
  Fill(1 << 20);  // below the 8 MiB default reserve
  DiskSpace space;
  ASSERT_OK(FreeSpaceOf(mnt_, &space));
  const std::string free_mib = std::to_string(space.free_bytes >> 20);

  RunResult imp = Run({"import", "bash", root() + "/nope.bash"});
  EXPECT_EXIT_CODE(imp, 1);
  EXPECT_EQ(imp.err, "tb: error: disk full: " + free_mib + " MiB free on " + mnt_ +
                         " (tb import needs 8 MiB); nothing was lost. Free space and run tb "
                         "--data-dir " +
                         dir() + " import bash " + root() + "/nope.bash again\n");
  RunResult backup = Run({"backup", "create", "--note", "a b"});
  EXPECT_EXIT_CODE(backup, 1);
  EXPECT_EQ(backup.err, "tb: error: disk full: " + free_mib + " MiB free on " + mnt_ +
                            " (tb backup create needs 8 MiB); nothing was lost. Free space and "
                            "run tb --data-dir " +
                            dir() + " backup create --note 'a b' again\n");

  RunResult rec = Run({"record", "--command", "while full", "--exit", "2", "--duration-ms", "5"});
  EXPECT_EXIT_CODE(rec, 0);
  EXPECT_EQ(rec.err,
            "tb: note: the store cannot be written now (the disk is full); the command "
            "was spooled and the next tb that opens the store records it\n");
  for (const auto& e : fs::directory_iterator(SpoolDir())) {
    EXPECT_EQ(fs::status(e.path()).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write)
        << e.path();
  }
  // When the spool cannot take it either, the record fails like any write.
  WriteFile(root() + "/not-a-dir", "");
  TbCall blocked;
  blocked.data_dir = false;
  blocked.env = {{"TERMBRAIN_SPOOL_DIR", root() + "/not-a-dir/spool"}};
  RunResult lost = Tb({"--data-dir", dir(), "record", "--command", "nowhere"}, blocked);
  EXPECT_EXIT_CODE(lost, 1);
  EXPECT_EQ(lost.err, "tb: error: disk full: " + free_mib + " MiB free on " + mnt_ +
                          " (tb record needs 8 MiB); nothing was lost. Free space and run tb "
                          "--data-dir " +
                          dir() + " record --command nowhere again\n");

  // A query still answers (read-only) and says why the spool waits.
  RunResult q = Run({"history", "--format", "plain"});
  EXPECT_EXIT_CODE(q, 0);
  EXPECT_EQ(q.out, "before\n");
  EXPECT_EQ(q.err, "tb: warning: disk full: " + free_mib + " MiB free on " + mnt_ +
                       " (tb history needs 8 MiB); the store was opened read-only and spooled "
                       "commands wait in the spool\n");

  Unfill();
  RunResult after = Run({"history", "--format", "ndjson"});
  ASSERT_EXIT_CODE(after, 0);
  EXPECT_EQ(after.err, "");
  EXPECT_NE(after.out.find("\"command\":\"while full\",\"cwd\""), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("\"exit_code\":2,\"duration_ms\":5"), std::string::npos) << after.out;
  EXPECT_TRUE(fs::is_empty(SpoolDir()));
  RunResult again = Run({"history", "--format", "plain"});  // drained exactly once
  EXPECT_EQ(again.out, "while full\nbefore\n");
  EXPECT_EXIT_CODE(Run({"views", "verify"}), 0);
}

// What frees space works when the disk is full, where it is needed: old
// backups and snapshots are deleted, and the audit trail says so.
TEST_F(DiskFullFault, BackupPruneAndSnapshotDeleteWorkOnAFullDisk) {
  ASSERT_EXIT_CODE(Run({"record", "--command", "before"}), 0);
  for (int i = 0; i < 3; ++i) ASSERT_EXIT_CODE(Run({"backup", "create"}, 1), 0);
  ASSERT_EXIT_CODE(Run({"snapshot", "create", "old"}, 1), 0);
  Fill(1 << 20);  // below the 8 MiB default reserve
  EXPECT_EXIT_CODE(Run({"backup", "create"}), 1);

  RunResult prune = Run({"backup", "prune", "--keep", "1"});
  EXPECT_EXIT_CODE(prune, 0);
  EXPECT_EQ(prune.out, "deleted 2 backup(s) (1, 2), kept the newest 1\n");
  EXPECT_EQ(prune.err, "");
  RunResult del = Run({"snapshot", "delete", "old"});
  EXPECT_EXIT_CODE(del, 0);
  EXPECT_EQ(del.out, "deleted snapshot old\n");
  EXPECT_FALSE(fs::exists(dir() + "/snapshots/old"));

  Unfill();
  RunResult audit = Run({"audit", "--format", "ndjson"});
  ASSERT_EXIT_CODE(audit, 0);
  EXPECT_NE(audit.out.find("backup.prune"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("snapshot.delete"), std::string::npos) << audit.out;
  EXPECT_EXIT_CODE(Run({"log", "verify"}), 0);
}

// With less than 64 MiB free, a compaction's table files are deleted at
// once rather than kept for late readers (storage/table_grace.h).
TEST_F(DiskFullFault, CompactedTablesAreNotKeptWhenSpaceIsShort) {
  for (int i = 0; i < 5; ++i) ASSERT_EXIT_CODE(Run({"record", "--command", "c" + std::to_string(i)}), 0);
  ASSERT_EXIT_CODE(Run({"rebuild"}), 0);
  ASSERT_EXIT_CODE(Run({"record", "--command", "after"}), 0);
  ASSERT_EXIT_CODE(Run({"rebuild"}), 0);
  EXPECT_FALSE(fs::exists(dir() + "/db/obsolete"));
  EXPECT_EQ(Run({"history", "--format", "plain", "-n", "2"}).out, "after\nc4\n");
}

TEST_F(DiskFullFault, RecordSpoolsWhileTheStoreIsHeldByAnotherProcess) {
  ASSERT_EXIT_CODE(Run({"record", "--command", "first"}), 0);
  // Holding DIR/lock is what a long import does.
  int fd = ::open((dir() + "/lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  std::vector<std::string> args = {"--data-dir", dir(), "record", "--command", "while busy"};
  TbCall c;
  c.data_dir = false;
  c.env = {{"TERMBRAIN_STORAGE_LOCK_WAIT_MS", "100"}};
  RunResult r = Tb(args, c);
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err,
            "tb: note: the store cannot be written now (it is in use by another "
            "process); the command was spooled and the next tb that opens the store "
            "records it\n");
  ::close(fd);
  RunResult h = Run({"history", "--format", "plain"});
  EXPECT_EXIT_CODE(h, 0);
  EXPECT_EQ(h.out, "while busy\nfirst\n");
}

}  // namespace
}  // namespace tb::testing
