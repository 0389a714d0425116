// What `tb` creates on disk, whatever the user's umask, and where: every
// file and directory of the data dir and the spool is private (0600, 0700)
// under umask 000; names given on the command line never leave the directory
// they name an entry of. (Spool ownership and symlinks: tests/storage/
// spool_trust_test.cc, tests/storage/spool_drain_test.cc,
// tests/tools/cli_spool_test.cc; data dir locations: tests/tools/cli_admin_test.cc.)
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/spool.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

// Each path under `root` that is not private: "path mode".
std::vector<std::string> NotPrivate(const std::string& root) {
  std::vector<std::string> bad;
  for (const auto& [path, e] : Snapshot(root)) {
    const unsigned want = e.type == 'd' ? 0700u : 0600u;
    if (e.type == 'l' || e.mode != want) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", e.mode);
      bad.push_back(path + " " + std::string(1, e.type) + " " + mode);
    }
  }
  return bad;
}

class CliPermissionsSecurity : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    old_umask_ = ::umask(0);  // inherited by every tb this test starts
  }
  void TearDown() override {
    ::umask(old_umask_);
    CliTest::TearDown();
  }
  mode_t old_umask_ = 022;
};

TEST_F(CliPermissionsSecurity, EverythingTbCreatesIsPrivateUnderUmask000) {
  ASSERT_EXIT_CODE(Tb({"init", "bash"}), 0);
  Record("git status", {"--cwd", "/tmp", "--exit", "0"});
  const std::string bash = root() + "/bash_history";
  WriteFile(bash, "ls\nmake\n");
  ASSERT_EXIT_CODE(Tb({"import", "bash", bash}), 0);
  const std::string spool = SpoolDirFor(runtime_dir() + "/termbrain", data_dir());
  fs::create_directories(spool);
  ::chmod(spool.c_str(), 0700);
  WriteFile(spool + "/0000000000000abc.spool", "TB1\tS\tabc\t1\t1732580000.5\ts1\tbash\t/tmp\tpwd\t.\nnot a frame\n");
  ::chmod((spool + "/0000000000000abc.spool").c_str(), 0600);
  RunResult drain = Tb({"drain"});
  ASSERT_EXIT_CODE(drain, 0);
  ASSERT_TRUE(fs::exists(data_dir() + "/spool-rejected")) << drain.Describe();
  ASSERT_EXIT_CODE(Tb({"search", "git"}), 0);
  ASSERT_TRUE(fs::exists(data_dir() + "/search.idx"));
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
  ASSERT_EXIT_CODE(Tb({"snapshot", "create", "s1"}), 0);
  ASSERT_EXIT_CODE(Tb({"workflow", "create", "w1", "--", "make", "make test"}), 0);
  ASSERT_EXIT_CODE(Tb({"forget", "--match", "make", "--yes"}), 0);
  ASSERT_EXIT_CODE(Tb({"rebuild"}), 0);
  ASSERT_TRUE(fs::exists(data_dir() + "/backups"));
  ASSERT_TRUE(fs::exists(data_dir() + "/snapshots/s1"));
  ASSERT_TRUE(fs::exists(data_dir() + "/logs"));
  EXPECT_EQ(NotPrivate(data_dir()), std::vector<std::string>{});
  EXPECT_EQ(NotPrivate(runtime_dir() + "/termbrain"), std::vector<std::string>{});
}

// Files written where the user asks (-o) hold history too: private, and
// never written through a symlink planted in their place.
TEST_F(CliPermissionsSecurity, OutputFilesArePrivate) {
  Record("git status", {"--cwd", "/tmp", "--exit", "0"});
  const std::vector<std::vector<std::string>> writers = {
      {"export", "--format", "ndjson", "-o", root() + "/out.ndjson"},
      {"log", "export", "-o", root() + "/out.tblog"},
  };
  for (const auto& args : writers) {
    RunResult r = Tb(args);
    ASSERT_EXIT_CODE(r, 0);
    struct stat st;
    ASSERT_EQ(::lstat(args.back().c_str(), &st), 0) << args.back();
    EXPECT_TRUE(S_ISREG(st.st_mode)) << args.back();
    EXPECT_EQ(st.st_mode & 07777, 0600u) << args.back();
  }
}

class CliPathSecurity : public CliTest {
 protected:
  // The names in `dir`, sorted.
  static std::vector<std::string> Entries(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

// A snapshot name is one entry of DIR/snapshots: nothing that could name
// another place (a separator, "..", a leading dot, an absolute path) is
// accepted by any snapshot command, and nothing is created.
TEST_F(CliPathSecurity, SnapshotNamesStayInTheSnapshotDirectory) {
  Record("ls", {"--cwd", "/tmp"});
  ASSERT_EXIT_CODE(Tb({"snapshot", "create", "good"}), 0);
  const TreeSnapshot snapshots = Snapshot(data_dir() + "/snapshots");
  const std::vector<std::string> top = Entries(root()), in_data = Entries(data_dir());
  const bool tmp_x = fs::exists("/tmp/x");
  for (const std::string& name : std::vector<std::string>{"../x", "..", ".", "a/b", "/tmp/x", ".hidden", "good/../../x",
                                                          "x\ny", std::string(129, 'a')}) {
    for (const std::string verb : {"create", "delete", "restore"}) {
      RunResult r = Tb({"snapshot", verb, name});
      EXPECT_EXIT_CODE(r, 2) << verb << " " << name;
      EXPECT_EQ(r.out, "");
      EXPECT_NE(r.err.find("invalid snapshot name"), std::string::npos) << r.err;
    }
  }
  EXPECT_EQ(DiffSnapshots(snapshots, Snapshot(data_dir() + "/snapshots")), "");
  EXPECT_EQ(Entries(root()), top);
  EXPECT_EQ(Entries(data_dir()), in_data);
  EXPECT_EQ(fs::exists("/tmp/x"), tmp_x);
}

// A relative log.file is under the data dir; ".." in it is the user's own
// choice and is taken as written (the config is the user's file).
TEST_F(CliPathSecurity, RelativeLogFileIsUnderTheDataDir) {
  RunResult r = TbEnv({"record", "--command", std::string(400, 'y'), "--cwd", "/tmp"},
                      {{"TERMBRAIN_LOG_FILE", "sub/../mine.jsonl"}, {"TERMBRAIN_RECORD_MAX_COMMAND_BYTES", "256"}});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_TRUE(fs::exists(data_dir() + "/mine.jsonl"));
  EXPECT_FALSE(fs::exists(root() + "/mine.jsonl"));
}

}  // namespace
}  // namespace tb::testing
