// End-to-end: tb forget and the backups and snapshots that still hold the
// forgotten commands: they are listed after a forget and
// in a dry run, and --purge-backups deletes them so no file of the data dir
// or the backup dir holds the forgotten text.
#include <gtest/gtest.h>

#include <regex>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

constexpr const char* kPlum = "PLUMSECRET41";
constexpr const char* kPear = "PEARSECRET73";

class CliForgetBackups : public CliTest {
 protected:
  // Every call also gets `env_` (e.g. a backup dir outside the data dir).
  RunResult T(const std::vector<std::string>& args) const { return TbEnv(args, env_); }
  RunResult Ok(const std::vector<std::string>& args) const {
    RunResult r = T(args);
    EXPECT_EXIT_CODE(r, 0);
    return r;
  }
  void RecordThree() {
    TbCall c;
    c.env = env_;
    Record(std::string("echo plum ") + kPlum, {}, c);
    Record("echo keep me", {}, c);
    Record(std::string("echo pear ") + kPear, {}, c);
  }
  // Files under `root` whose bytes contain `needle`.
  static std::vector<std::string> FilesWith(const std::string& root, const std::string& needle) {
    std::vector<std::string> hits;
    for (const auto& [path, e] : Snapshot(root)) {
      if (e.type == 'f' && e.content.find(needle) != std::string::npos) hits.push_back(path);
    }
    return hits;
  }
  // Output with every local time (YYYY-MM-DD HH:MM:SS) replaced by <T>.
  static std::string NoTimes(const std::string& s) {
    return std::regex_replace(s, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"), "<T>");
  }
  void ExpectHealthy() {
    EXPECT_EXIT_CODE(T({"log", "verify"}), 0);
    EXPECT_EXIT_CODE(T({"views", "verify"}), 0);
  }
  EnvVars env_;
};

TEST_F(CliForgetBackups, ForgetListsBackupsAndSnapshotsThatStillHoldTheRecords) {
  RecordThree();
  EXPECT_EQ(Ok({"backup", "create", "--note", "nightly"}).out.find("created backup 1 "), 0u);
  Ok({"snapshot", "create", "snap1"});
  RunResult f = Ok({"forget", "--match", kPlum, "--yes"});
  EXPECT_EQ(NoTimes(f.out),
            "forgot 1 command(s); their bytes were purged from the data dir\n"
            "1 backup(s) and 1 snapshot(s) still hold forgotten commands:\n"
            "  backup 1  <T>  nightly\n"
            "  snapshot snap1  <T>  manual\n"
            "rerun with --purge-backups to delete them\n");
  EXPECT_EQ(f.err, "");
  // The listing tells the truth: the copies hold the text, the live store does not.
  EXPECT_FALSE(FilesWith(data_dir() + "/backups", kPlum).empty());
  EXPECT_FALSE(FilesWith(data_dir() + "/snapshots/snap1", kPlum).empty());
  for (const auto& [path, e] : Snapshot(data_dir() + "/db")) {
    EXPECT_EQ(e.content.find(kPlum), std::string::npos) << path;
  }
  ExpectHealthy();

  // A backup taken after the forget does not hold the record: not listed.
  EXPECT_EQ(Ok({"backup", "create", "--note", "after"}).out.find("created backup 2 "), 0u);
  TreeSnapshot before = Snapshot(data_dir());
  RunResult dry = Ok({"forget", "--purge-backups", "--dry-run"});
  EXPECT_EQ(NoTimes(dry.out),
            "--purge-backups would delete 1 backup(s) and 1 snapshot(s) that hold forgotten commands:\n"
            "  backup 1  <T>  nightly\n"
            "  snapshot snap1  <T>  manual\n");
  // Forgetting kPear would leave it in all three copies (backup 2 too).
  dry = Ok({"forget", "--match", kPear, "--dry-run"});
  std::string d = NoTimes(dry.out);
  std::string listing = d.substr(d.find("1 command(s) would be forgotten"));
  EXPECT_EQ(listing,
            "1 command(s) would be forgotten (dry run: nothing changed)\n"
            "2 backup(s) and 1 snapshot(s) would still hold forgotten commands:\n"
            "  backup 1  <T>  nightly\n"
            "  backup 2  <T>  after\n"
            "  snapshot snap1  <T>  manual\n"
            "rerun with --purge-backups to delete them\n");
  EXPECT_NE(d.find(std::string("echo pear ") + kPear), std::string::npos) << d;
  dry = Ok({"forget", "--match", kPear, "--dry-run", "--purge-backups"});
  EXPECT_NE(NoTimes(dry.out).find("--purge-backups would delete 2 backup(s) and 1 snapshot(s) that hold forgotten "
                                  "commands:\n  backup 1  <T>  nightly\n  backup 2  <T>  after\n"
                                  "  snapshot snap1  <T>  manual\n"),
            std::string::npos)
      << dry.out;
  // The dry runs changed nothing.
  EXPECT_EQ(DiffSnapshots(before, Snapshot(data_dir())), "");
  // Without --yes and without a terminal, nothing is deleted.
  RunResult no = T({"forget", "--purge-backups"});
  EXPECT_EXIT_CODE(no, 2);
  EXPECT_NE(no.err.find("1 backup(s) and 1 snapshot(s) hold forgotten commands; add --yes"), std::string::npos)
      << no.err;
  EXPECT_EQ(DiffSnapshots(before, Snapshot(data_dir())), "");
  EXPECT_EXIT_CODE(T({"forget"}), 2);
}

TEST_F(CliForgetBackups, PurgeBackupsDeletesThemAndLeavesNoTrace) {
  const std::string backups = root() + "/elsewhere/backups";
  env_ = {{"TERMBRAIN_BACKUP_DIR", backups}};
  RecordThree();
  Ok({"backup", "create", "--note", "nightly"});
  Ok({"snapshot", "create", "snap1"});
  Ok({"forget", "--match", kPlum, "--yes"});
  Ok({"backup", "create", "--note", "after"});
  ASSERT_FALSE(FilesWith(backups, kPear).empty());

  RunResult p = Ok({"forget", "--match", kPear, "--yes", "--purge-backups"});
  EXPECT_EQ(NoTimes(p.out),
            "forgot 1 command(s); their bytes were purged from the data dir\n"
            "deleted 2 backup(s) and 1 snapshot(s) that held forgotten commands:\n"
            "  backup 1  <T>  nightly\n"
            "  backup 2  <T>  after\n"
            "  snapshot snap1  <T>  manual\n");
  // grep -r: no file of the data dir or the backup dir holds either secret.
  for (const std::string& root : {data_dir(), backups}) {
    for (const char* secret : {kPlum, kPear}) {
      EXPECT_EQ(FilesWith(root, secret), std::vector<std::string>{}) << root << " " << secret;
    }
  }
  EXPECT_EQ(Ok({"backup", "list"}).out, "no backups in " + backups + "\n");
  EXPECT_EQ(Ok({"snapshot", "list"}).out, "no snapshots in " + data_dir() + "/snapshots\n");
  ExpectHealthy();
  TbCall with_env;
  with_env.env = env_;
  EXPECT_EQ(Commands({}, with_env), std::vector<std::string>{"echo keep me"});
  // The audit trail names what was deleted.
  RunResult audit = Ok({"audit", "--format", "ndjson"});
  EXPECT_NE(audit.out.find("\"action\":\"forget.purge_backups\",\"detail\":{\"dir\":\"" + backups +
                           "\",\"backups\":[1,2],\"snapshots\":[\"snap1\"]}"),
            std::string::npos)
      << audit.out;

  // A backup taken now holds nothing forgotten: kept, and still whole.
  Ok({"backup", "create", "--note", "clean"});
  EXPECT_EQ(Ok({"forget", "--purge-backups", "--yes"}).out, "no backup or snapshot holds forgotten commands\n");
  EXPECT_EQ(Ok({"forget", "--match", kPlum, "--purge-backups"}).out,
            "nothing to forget: 0 commands matched\nno backup or snapshot holds forgotten commands\n");
  EXPECT_EXIT_CODE(T({"backup", "verify", "latest"}), 0);
  const std::string restored = root() + "/restored";
  Ok({"backup", "restore", "latest", "--to", restored});
  TbCall c;
  c.env = env_;
  c.data_dir = false;
  RunResult h = Tb({"--data-dir", restored, "history", "--format", "plain"}, c);
  EXPECT_EXIT_CODE(h, 0);
  EXPECT_EQ(h.out, "echo keep me\n");
}

TEST_F(CliForgetBackups, SafetySnapshotWithoutHeadIsJudgedByItsOwnDatabase) {
  RecordThree();
  Ok({"backup", "create"});
  Record("echo after the backup");
  // Restoring over the live store saves it as "<time>-before-restore", whose
  // SNAPSHOT records head 0: its head is read from its own database.
  RunResult r = Ok({"backup", "restore", "1", "--yes"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("undo with: tb snapshot restore (\\S+)"))) << r.out;
  const std::string safety = m[1].str();
  RunResult f = Ok({"forget", "--match", kPlum, "--yes"});
  EXPECT_EQ(NoTimes(f.out),
            "forgot 1 command(s); their bytes were purged from the data dir\n"
            "1 backup(s) and 1 snapshot(s) still hold forgotten commands:\n"
            "  backup 1  <T>\n"
            "  snapshot " +
                safety +
                "  <T>  before-restore\n"
                "rerun with --purge-backups to delete them\n");
  // Rerunning the same forget matches nothing now, and still purges.
  RunResult p = Ok({"forget", "--match", kPlum, "--yes", "--purge-backups"});
  EXPECT_EQ(NoTimes(p.out),
            "nothing to forget: 0 commands matched\n"
            "deleted 1 backup(s) and 1 snapshot(s) that held forgotten commands:\n"
            "  backup 1  <T>\n"
            "  snapshot " +
                safety + "  <T>  before-restore\n");
  EXPECT_EQ(FilesWith(data_dir(), kPlum), std::vector<std::string>{});
  ExpectHealthy();
}

}  // namespace
}  // namespace tb::testing
