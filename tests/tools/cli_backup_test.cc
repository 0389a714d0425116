// End-to-end: tb backup / snapshot / log export / replay / rollback /
// retention / audit / history --as-of.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

TbCall NoDir() {
  TbCall c;
  c.data_dir = false;
  return c;
}

class CliBackup : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    UseSharedStore("backup-six", [this] {
      for (int i = 1; i <= 6; ++i) {
        Record("cmd " + std::to_string(i),
               {"--cwd", "/w" + std::to_string(i % 2), "--exit", std::to_string(i % 3), "--session", "s1",
                "--started-at", "2026-02-0" + std::to_string(i) + "T10:00:00Z"});
      }
    });
  }
  std::string HistoryNd(const std::string& dir = "") {
    TbCall c;
    std::vector<std::string> args = {"history", "--format", "ndjson"};
    if (!dir.empty()) {
      c.data_dir = false;
      args.insert(args.begin(), {"--data-dir", dir});
    }
    RunResult r = Tb(args, c);
    EXPECT_EXIT_CODE(r, 0);
    return r.out;
  }
  void ExpectHealthy(const std::string& dir = "") {
    TbCall c;
    std::vector<std::string> pre;
    if (!dir.empty()) {
      c.data_dir = false;
      pre = {"--data-dir", dir};
    }
    auto with = [&](std::vector<std::string> a) {
      a.insert(a.begin(), pre.begin(), pre.end());
      return a;
    };
    RunResult r = Tb(with({"log", "verify"}), c);
    EXPECT_EXIT_CODE(r, 0);
    r = Tb(with({"views", "verify"}), c);
    EXPECT_EXIT_CODE(r, 0);
  }
  // The snapshot named in "undo with: tb snapshot restore NAME".
  static std::string UndoSnapshot(const std::string& out) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(out, m, std::regex("undo with: tb snapshot restore (\\S+)"))) << out;
    return m.size() > 1 ? m[1].str() : "";
  }
  std::string BackupDir() const { return data_dir() + "/backups"; }
};

TEST_F(CliBackup, BackupChangeRestoreEqualsStateAtBackup) {
  std::string before = HistoryNd();
  RunResult r = Tb({"backup", "create", "--note", "before the change"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("created backup 1 (head seq 6"), std::string::npos) << r.out;
  Record("after backup 1");
  Record("after backup 2");
  ASSERT_NE(HistoryNd(), before);

  r = Tb({"backup", "list", "--format", "json"});
  ASSERT_EXIT_CODE(r, 0);
  Json list = Json::parse(r.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], 1);
  EXPECT_EQ(list[0]["head_seq"], 6);
  EXPECT_EQ(list[0]["note"], "before the change");
  EXPECT_EQ(list[0]["format"], 1);

  r = Tb({"backup", "verify", "1"});
  EXPECT_EXIT_CODE(r, 0);

  r = Tb({"backup", "restore", "latest", "--yes"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(HistoryNd(), before);
  ExpectHealthy();
  // Undo: the safety snapshot brings the change back.
  std::string snap = UndoSnapshot(r.out);
  r = Tb({"snapshot", "restore", snap});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(HistoryNd().find("after backup 2"), std::string::npos);
  ExpectHealthy();

  r = Tb({"audit", "--format", "json"});
  ASSERT_EXIT_CODE(r, 0);
  Json audit = Json::parse(r.out);
  std::vector<std::string> actions;
  for (const auto& a : audit) actions.push_back(a["action"]);
  // Each restore replaced the log and carried the audit entries it would
  // have lost. The snapshot holds the backup's creation itself; the backup
  // restore is a carried copy.
  EXPECT_EQ(actions, (std::vector<std::string>{"backup.create", "backup.restore", "snapshot.restore"}));
  EXPECT_EQ(audit[0]["seq"], 7);
  EXPECT_FALSE(audit[0]["detail"].contains("undone_by")) << r.out;
  EXPECT_EQ(audit[1]["detail"]["undone_by"], "restore") << r.out;
  EXPECT_EQ(audit[2]["user"], ThisUser());
  EXPECT_EQ(audit[2]["host"], ThisHost());
  EXPECT_EQ(audit[2]["detail"]["name"], snap);
}

// A relative backup.dir is under the data dir, not wherever tb runs.
TEST_F(CliBackup, RelativeBackupDirIsUnderTheDataDir) {
  Record("one");
  RunResult r = TbEnv({"backup", "create"}, {{"TERMBRAIN_BACKUP_DIR", "elsewhere/b"}});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find(") in " + data_dir() + "/elsewhere/b\n"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(data_dir() + "/elsewhere/b/meta/1"));
  r = TbEnv({"backup", "list"}, {{"TERMBRAIN_BACKUP_DIR", "elsewhere/b"}});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("\n1 "), std::string::npos) << r.out;
}

TEST_F(CliBackup, RestoreOverTheLiveStoreAsksFirst) {
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
  Record("after the backup");
  const std::string before = HistoryNd();
  // No terminal to ask on (stdin is not one here), no --yes: refused.
  RunResult r = Tb({"backup", "restore", "latest"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: error: restoring backup 1 would replace the live store " + data_dir() +
                       "; nothing was changed. Add --yes to do it, or --to DIR to restore into a new "
                       "data dir\n");
  EXPECT_EQ(HistoryNd(), before);
  EXPECT_FALSE(fs::exists(data_dir() + "/snapshots"));
  // --to DIR does not ask; --yes restores in place.
  EXPECT_EXIT_CODE(Tb({"backup", "restore", "latest", "--to", root() + "/elsewhere"}), 0);
  r = Tb({"backup", "restore", "latest", "--yes"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(HistoryNd().find("after the backup"), std::string::npos);
}

// The store a restore repairs does not open: the restore goes ahead, and
// the damaged database is kept as the safety snapshot, listed as such,
// from which a salvage still reads what came after the backup.
TEST_F(CliBackup, RestoreOverADamagedStoreKeepsItAsASnapshotForSalvage) {
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
  for (int i = 1; i <= 8; ++i) Record("after-" + std::to_string(i));
  std::string wal;
  for (const auto& e : fs::directory_iterator(data_dir() + "/db")) {
    if (e.path().extension() == ".log" && e.path().string() > wal) wal = e.path().string();
  }
  ASSERT_FALSE(wal.empty());
  fs::resize_file(wal, fs::file_size(wal) - 40);  // the last acknowledged write is cut off
  EXPECT_EXIT_CODE(Tb({"history"}), 3);

  RunResult r = Tb({"backup", "restore", "latest", "--yes"});
  ASSERT_EXIT_CODE(r, 0);
  const std::string snap = UndoSnapshot(r.out);
  ExpectHealthy();
  EXPECT_EQ(HistoryNd().find("after-"), std::string::npos);
  r = Tb({"snapshot", "list", "--format", "json"});
  ASSERT_EXIT_CODE(r, 0);
  Json list = Json::parse(r.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], snap);
  EXPECT_EQ(list[0]["head_seq"], 0);
  EXPECT_EQ(list[0]["reason"], "before-restore of a damaged store (does not open: tb log salvage can read it)");

  const std::string copy = data_dir() + "/snapshots/" + snap;
  r = Tb({"--data-dir", copy, "log", "salvage"}, NoDir());
  ASSERT_EXIT_CODE(r, 0);
  r = Tb({"--data-dir", copy, "history", "--format", "plain", "-n", "2"}, NoDir());
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "after-7\nafter-6\n");
}

TEST_F(CliBackup, SafetySnapshotsListTheirHeadSeq) {
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);  // head 6; its audit event is seq 7
  Record("eight");
  Record("nine");
  // Restored: head 6, then the carried backup.create (7) and the restore's own entry (8).
  RunResult r = Tb({"backup", "restore", "latest", "--yes"});
  ASSERT_EXIT_CODE(r, 0);
  const std::string restore_snap = UndoSnapshot(r.out);
  r = Tb({"rollback", "--to", "3", "--yes"});
  ASSERT_EXIT_CODE(r, 0);
  const std::string rollback_snap = UndoSnapshot(r.out);
  auto heads = [&] {
    RunResult l = Tb({"snapshot", "list", "--format", "json"});
    EXPECT_EXIT_CODE(l, 0);
    std::vector<std::pair<std::string, uint64_t>> out;
    for (const auto& s : Json::parse(l.out)) out.emplace_back(s["name"], s["head_seq"]);
    return out;
  };
  const std::vector<std::pair<std::string, uint64_t>> want = {{restore_snap, 9}, {rollback_snap, 8}};
  EXPECT_EQ(heads(), want);
  r = Tb({"snapshot", "list"});
  ASSERT_EXIT_CODE(r, 0);
  std::vector<std::string> rows = SplitLines(r.out);
  ASSERT_EQ(rows.size(), 3u) << r.out;
  auto head_column = [](const std::string& row) {  // NAME, date, time, HEAD SEQ, REASON
    std::istringstream in(row);
    std::string name, date, time, head;
    in >> name >> date >> time >> head;
    return head;
  };
  EXPECT_EQ(head_column(rows[1]), "9") << r.out;
  EXPECT_EQ(head_column(rows[2]), "8") << r.out;
  // A safety snapshot written by an older tb recorded head 0: its own
  // database says the head.
  const std::string info = data_dir() + "/snapshots/" + restore_snap + "/SNAPSHOT";
  Json j = Json::parse(ReadFile(info));
  j["head"] = 0;
  WriteFile(info, j.dump() + "\n");
  EXPECT_EQ(heads(), want);
}

TEST_F(CliBackup, RestoreToNewDirMakesACompleteDataDir) {
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
  std::string before = HistoryNd();
  std::string to = root() + "/restored";
  RunResult r = Tb({"backup", "restore", "1", "--to", to});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(ReadFile(to + "/TERMBRAIN"), ReadFile(data_dir() + "/TERMBRAIN"));
  EXPECT_EQ(HistoryNd(to), before);
  ExpectHealthy(to);
  // Not over a non-empty directory.
  r = Tb({"backup", "restore", "1", "--to", to});
  EXPECT_EXIT_CODE(r, 2);
}

TEST_F(CliBackup, FlippedByteFailsVerifyAndRestoreRefuses) {
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
  std::string victim;
  uint64_t biggest = 0;
  for (const auto& e : fs::recursive_directory_iterator(BackupDir())) {
    if (e.is_regular_file() && e.path().extension() == ".sst" && e.file_size() > biggest) {
      biggest = e.file_size();
      victim = e.path().string();
    }
  }
  ASSERT_FALSE(victim.empty());
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(biggest / 2));
    char c;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(biggest / 2));
    f.put(static_cast<char>(c ^ 0x40));
  }
  std::string before = HistoryNd();
  RunResult r = Tb({"backup", "verify", "1"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_NE(r.err.find(fs::path(victim).filename().string()), std::string::npos) << r.err;
  r = Tb({"backup", "restore", "1", "--yes"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(HistoryNd(), before);
  r = Tb({"backup", "restore", "1", "--to", root() + "/x"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_FALSE(fs::exists(root() + "/x/TERMBRAIN"));
  ExpectHealthy();
}

TEST_F(CliBackup, PruneKeepsTheNewest) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);
    Record("between " + std::to_string(i));
  }
  RunResult r = Tb({"backup", "prune", "--keep", "1"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("deleted 2 backup(s) (1, 2)"), std::string::npos) << r.out;
  r = Tb({"backup", "list", "--format", "json"});
  Json list = Json::parse(r.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], 3);
  EXPECT_EXIT_CODE(Tb({"backup", "verify", "3"}), 0);
}

TEST_F(CliBackup, AutomaticBackupWhenTheLastIsOlderThanTheInterval) {
  EnvVars env = {{"TERMBRAIN_BACKUP_INTERVAL", "1d"}};
  TbCall c;
  c.env = env;
  Record("one", {}, c);
  Record("two", {}, c);
  RunResult r = Tb({"backup", "list", "--format", "json"});
  Json list = Json::parse(r.out);
  ASSERT_EQ(list.size(), 1u);  // the second record found a fresh backup
  EXPECT_EQ(list[0]["note"], "automatic");
}

TEST_F(CliBackup, SnapshotsAreCompleteDataDirs) {
  RunResult r = Tb({"snapshot", "create", "mine"});
  ASSERT_EXIT_CODE(r, 0);
  std::string before = HistoryNd();
  Record("later");
  EXPECT_EQ(HistoryNd(data_dir() + "/snapshots/mine"), before);
  r = Tb({"snapshot", "list", "--format", "json"});
  Json list = Json::parse(r.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "mine");
  EXPECT_EQ(list[0]["head_seq"], 6);
  EXPECT_EXIT_CODE(Tb({"snapshot", "create", "mine"}), 2);
  EXPECT_EXIT_CODE(Tb({"snapshot", "create", "../evil"}), 2);
  EXPECT_EXIT_CODE(Tb({"snapshot", "delete", "mine"}), 0);
  EXPECT_FALSE(fs::exists(data_dir() + "/snapshots/mine"));
  EXPECT_EXIT_CODE(Tb({"snapshot", "delete", "mine"}), 1);
}

TEST_F(CliBackup, ExportReplayIsIdentical) {
  std::string file = root() + "/log.tblog";
  RunResult r = Tb({"log", "export", "-o", file});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("exported 6 events (seq 1..6"), std::string::npos) << r.out;
  std::string into = root() + "/replayed";
  r = Tb({"replay", "--from", file, "--into", into}, NoDir());
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(replayed 6 events \(seq 1\.\.6\) into .* events/s\))"))) << r.out;
  EXPECT_EQ(HistoryNd(into), HistoryNd());
  ExpectHealthy(into);
  // log dump is identical too (same seqs, ids and payloads).
  TbCall c = NoDir();
  EXPECT_EQ(Tb({"--data-dir", into, "log", "dump"}, c).out, Tb({"log", "dump"}).out);

  // From a data dir, and a prefix.
  std::string prefix = root() + "/prefix";
  r = Tb({"replay", "--data-dir", data_dir(), "--until", "4", "--into", prefix}, c);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(Tb({"--data-dir", prefix, "history", "--format", "plain"}, c).out, "cmd 4\ncmd 3\ncmd 2\ncmd 1\n");
  std::string by_time = root() + "/by-time";
  r = Tb({"replay", "--from", file, "--until", "2026-02-02T12:00:00Z", "--into", by_time}, c);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(Tb({"--data-dir", by_time, "history", "--format", "plain"}, c).out, "cmd 2\ncmd 1\n");
}

TEST_F(CliBackup, ReplayRejectsACorruptRecord) {
  std::string file = root() + "/log.tblog";
  ASSERT_EXIT_CODE(Tb({"log", "export", "-o", file}), 0);
  std::string bytes = ReadFile(file);
  size_t at = bytes.find("cmd 4");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 4] = '5';
  WriteFile(file, bytes);
  std::string into = root() + "/replayed";
  RunResult r = Tb({"replay", "--from", file, "--into", into}, NoDir());
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_NE(r.err.find("offset"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("seq 4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("checksum mismatch"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(into));
  // A truncated file is refused too.
  ASSERT_EXIT_CODE(Tb({"log", "export", "-o", file}), 0);
  bytes = ReadFile(file);
  WriteFile(file, bytes.substr(0, bytes.size() - 10));
  r = Tb({"replay", "--from", file, "--into", into}, NoDir());
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
}

TEST_F(CliBackup, RollbackThenRestoreOfTheSafetySnapshotReturnsTheOriginal) {
  std::string before = HistoryNd();
  RunResult r = Tb({"rollback", "--to", "3"});
  EXPECT_EXIT_CODE(r, 2);  // no --yes, no terminal: refused
  EXPECT_EQ(HistoryNd(), before);
  r = Tb({"rollback", "--to", "3", "--yes"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("removed 3 event(s) (seq 4..6)"), std::string::npos) << r.out;
  EXPECT_EQ(Commands(), (std::vector<std::string>{"cmd 3", "cmd 2", "cmd 1"}));
  ExpectHealthy();
  Record("new after rollback");
  ExpectHealthy();
  r = Tb({"snapshot", "restore", UndoSnapshot(r.out)});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(HistoryNd(), before);
  ExpectHealthy();
}

TEST_F(CliBackup, AuditTrailSurvivesRollbackAndRetention) {
  ASSERT_EXIT_CODE(Tb({"backup", "create"}), 0);            // 7
  ASSERT_EXIT_CODE(Tb({"snapshot", "create", "mine"}), 0);  // 8
  const std::string file = root() + "/h";
  WriteFile(file, "ls\npwd\n");
  ASSERT_EXIT_CODE(Tb({"import", "bash", file}), 0);            // 9, 10, ImportCompleted 11
  ASSERT_EXIT_CODE(Tb({"import", "--undo", "9"}), 0);           // 12
  ASSERT_EXIT_CODE(Tb({"rollback", "--to", "6", "--yes"}), 0);  // carried 7..10, rollback 11
  auto audit = [&] {
    RunResult r = Tb({"audit", "--format", "json"});
    EXPECT_EXIT_CODE(r, 0);
    std::vector<std::string> rows;
    for (const auto& a : Json::parse(r.out)) {
      Json d = a["detail"];
      rows.push_back(std::to_string(a["seq"].get<uint64_t>()) + " " + a["action"].get<std::string>() + " " +
                     d.value("undone_by", "-") + " " + std::to_string(d.value("was_seq", 0)));
    }
    return rows;
  };
  EXPECT_EQ(audit(), (std::vector<std::string>{"7 backup.create rollback 7", "8 snapshot.create rollback 8",
                                               "9 import rollback 11", "10 undo rollback 12", "11 rollback - 0"}));
  // The copies are audit entries only: the import stays rolled back, the
  // views equal a replay of the log.
  EXPECT_EQ(Commands().size(), 6u);
  ExpectHealthy();
  // Retention removes seqs 1..8 and carries the two entries among them
  // (again marked with what first removed them); time order is kept.
  ASSERT_EXIT_CODE(TbEnv({"retention", "apply"}, {{"TERMBRAIN_RETENTION_MAX_EVENTS", "3"}}), 0);
  EXPECT_EQ(audit(), (std::vector<std::string>{"12 backup.create rollback 7", "13 snapshot.create rollback 8",
                                               "9 import rollback 11", "10 undo rollback 12", "11 rollback - 0",
                                               "14 retention.apply - 0"}));
  ExpectHealthy();
}

TEST_F(CliBackup, RollbackToATime) {
  RunResult r = Tb({"rollback", "--to", "2026-02-04T12:00:00Z", "--yes"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(Commands(), (std::vector<std::string>{"cmd 4", "cmd 3", "cmd 2", "cmd 1"}));
}

TEST_F(CliBackup, HistoryAsOfDoesNotChangeTheStore) {
  std::string before = HistoryNd();
  EXPECT_EQ(Commands({"--as-of", "2026-02-03T12:00:00Z"}), (std::vector<std::string>{"cmd 3", "cmd 2", "cmd 1"}));
  EXPECT_EQ(Commands({"--as-of", "2026-02-03T12:00:00Z", "--cwd", "/w1"}),
            (std::vector<std::string>{"cmd 3", "cmd 1"}));
  EXPECT_EQ(HistoryNd(), before);
}

TEST_F(CliBackup, RetentionByCount) {
  EnvVars env = {{"TERMBRAIN_RETENTION_MAX_EVENTS", "4"}};
  RunResult r = TbEnv({"retention", "apply", "--dry-run"}, env);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_NE(r.out.find("would remove 2 event(s) (seq 1..2)"), std::string::npos) << r.out;
  EXPECT_EQ(Commands().size(), 6u);
  r = TbEnv({"retention", "apply"}, env);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(Commands(), (std::vector<std::string>{"cmd 6", "cmd 5", "cmd 4", "cmd 3"}));
  ExpectHealthy();
  r = Tb({"log", "verify"});
  EXPECT_NE(r.out.find("(seq 3..7)"), std::string::npos) << r.out;  // 7: the audit event
  // Export and replay keep the floor.
  std::string file = root() + "/log.tblog", into = root() + "/replayed";
  ASSERT_EXIT_CODE(Tb({"log", "export", "-o", file}), 0);
  ASSERT_EXIT_CODE(Tb({"replay", "--from", file, "--into", into}, NoDir()), 0);
  EXPECT_EQ(HistoryNd(into), HistoryNd());
  ExpectHealthy(into);
  r = Tb({"audit", "--format", "ndjson"});
  EXPECT_NE(r.out.find("\"action\":\"retention.apply\""), std::string::npos) << r.out;
}

TEST_F(CliBackup, RetentionByAgeAndAutomatically) {
  // The store's commands are from 2026-02; these are recent.
  Record("recent 1");
  Record("recent 2");
  EnvVars env = {{"TERMBRAIN_RETENTION_MAX_AGE", "30d"}};
  TbCall c;
  c.env = env;
  Record("recent 3", {}, c);  // opening for writing applies retention
  EXPECT_EQ(Commands(), (std::vector<std::string>{"recent 3", "recent 2", "recent 1"}));
  ExpectHealthy();
  // The bytes left the disk: no SST or log file holds the old commands.
  for (const auto& e : fs::recursive_directory_iterator(data_dir() + "/db")) {
    if (e.is_regular_file()) {
      EXPECT_EQ(ReadFile(e.path().string()).find("cmd 4"), std::string::npos) << e.path();
    }
  }
  RunResult r = Tb({"audit", "--format", "json"});
  Json audit = Json::parse(r.out);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["action"], "retention.apply");
  EXPECT_EQ(audit[0]["detail"]["automatic"], true);
  EXPECT_EQ(audit[0]["detail"]["removed"], 6);
}

}  // namespace
}  // namespace tb::testing
