// End-to-end tests of the SQLite importers (atuin, zsh-histdb, legacy
// TermBrain), `tb import auto` and `tb import --list --format json`.
//
// The databases are built at test time with the sqlite3 library, with each
// tool's real schema (reproduced, not copied):
//   * atuin: the `history` table after every migration of
//     atuinsh/atuin crates/atuin-client/migrations (text timestamp holding
//     integer nanoseconds, -1 for an unknown exit/duration, "unknown" cwd for
//     rows imported from plain files, deleted_at, shell), and the first
//     migration's shape (no deleted_at / shell) for an old database;
//   * zsh-histdb: commands/places/history of larkery/zsh-histdb
//     sqlite-history.zsh, schema v2 (`id` columns) and v0 (rowid only);
//   * legacy TermBrain: anivar/termbrain's `commands` table
//     (timestamp DATETIME DEFAULT CURRENT_TIMESTAMP, duration_ms).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

using Json = nlohmann::ordered_json;

// A bound value: NULL, integer, double or text.
using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;

class Db {
 public:
  explicit Db(const std::string& path) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~Db() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* msg = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg), SQLITE_OK) << (msg ? msg : "") << "\n" << sql;
  }
  void Insert(const std::string& sql, const std::vector<Value>& values) {
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    for (size_t i = 0; i < values.size(); ++i) {
      int col = static_cast<int>(i) + 1;
      const Value& v = values[i];
      if (std::holds_alternative<std::nullptr_t>(v)) sqlite3_bind_null(st, col);
      if (auto* n = std::get_if<int64_t>(&v)) sqlite3_bind_int64(st, col, *n);
      if (auto* d = std::get_if<double>(&v)) sqlite3_bind_double(st, col, *d);
      if (auto* s = std::get_if<std::string>(&v)) {
        sqlite3_bind_text(st, col, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      }
    }
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db_) << "\n" << sql;
    sqlite3_finalize(st);
  }

 private:
  sqlite3* db_ = nullptr;
};

// atuin's history table after all its migrations, with its pragmas (WAL).
void CreateAtuinSchema(Db& db) {
  db.Exec("pragma journal_mode = wal");
  db.Exec(
      "create table history (id text primary key, timestamp text not null, duration integer not null,"
      " exit integer not null, command text not null, cwd text not null, session text not null,"
      " hostname text not null, deleted_at integer, author text, intent text, shell text, author_kind integer,"
      " unique(timestamp, cwd, command));"
      "create index idx_history_timestamp on history(timestamp);"
      "create index idx_history_command_timestamp on history(command, timestamp);");
}

const char* kAtuinInsert =
    "insert into history(id, timestamp, duration, exit, command, cwd, session, hostname, deleted_at, shell)"
    " values(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

// One expected history record (the contract's json keys).
struct Want {
  std::string command, cwd;
  std::optional<int64_t> exit;
  std::optional<double> duration_ms;
  std::string started_at, session, host, user, shell;
};

class SqliteImportTest : public CliTest {
 protected:
  RunResult Import(const std::vector<std::string>& extra, EnvVars env = {}) {
    std::vector<std::string> args = {"import"};
    args.insert(args.end(), extra.begin(), extra.end());
    return TbEnv(args, std::move(env));
  }
  // tb history --format ndjson, oldest first.
  std::vector<Json> History() {
    RunResult r = Tb({"history", "--format", "ndjson"});
    EXPECT_EXIT_CODE(r, 0);
    std::vector<Json> out;
    for (const std::string& line : SplitLines(r.out)) out.push_back(Json::parse(line));
    std::reverse(out.begin(), out.end());
    return out;
  }
  void ExpectHistory(const std::vector<Want>& want) {
    std::vector<Json> got = History();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const Json& j = got[i];
      const Want& w = want[i];
      SCOPED_TRACE("record " + std::to_string(i) + ": " + j.dump());
      EXPECT_EQ(j["command"], w.command);
      EXPECT_EQ(j["cwd"], w.cwd);
      if (w.exit) {
        EXPECT_EQ(j["exit_code"], *w.exit);
      } else {
        EXPECT_TRUE(j["exit_code"].is_null());
      }
      if (w.duration_ms) {
        ASSERT_TRUE(j["duration_ms"].is_number());
        EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), *w.duration_ms);
      } else {
        EXPECT_TRUE(j["duration_ms"].is_null());
      }
      EXPECT_EQ(j["started_at"], w.started_at);
      EXPECT_EQ(j["session"], w.session);
      EXPECT_EQ(j["host"], w.host);
      EXPECT_EQ(j["user"], w.user);
      EXPECT_EQ(j["shell"], w.shell);
    }
  }
  void ExpectViewsVerify() {
    EXPECT_EXIT_CODE(Tb({"views", "verify"}), 0);
    EXPECT_EXIT_CODE(Tb({"log", "verify"}), 0);
  }
};

constexpr int64_t kNs = 1000000000LL;

TEST_F(SqliteImportTest, AtuinKeepsEveryFieldSkipsDeletedAndCountsMalformed) {
  std::string path = root() + "/atuin/history.db";
  {
    Db db(path);
    CreateAtuinSchema(db);
    // Like atuin: the nanosecond timestamp is bound as an integer into the
    // text column, the hostname is "host:user".
    db.Insert(kAtuinInsert, {std::string("0190a1b2c3d4e5f60718293a4b5c6d7e"), int64_t{1700000000123456789},
                             int64_t{1500000000}, int64_t{0}, std::string("git status"), std::string("/home/alex/src"),
                             std::string("0190a1b2c3d4e5f60718293a4b5c0001"), std::string("laptop:alex"), nullptr,
                             std::string("zsh")});
    db.Insert(kAtuinInsert,
              {std::string("0190a1b2c3d4e5f60718293a4b5c6d7f"), int64_t{1700000060000000000}, int64_t{2000000},
               int64_t{127}, std::string("echo 'h\xc3\xa9llo'\nnosuchcmd"), std::string("/tmp"),
               std::string("0190a1b2c3d4e5f60718293a4b5c0002"), std::string("server:root"), nullptr, nullptr});
    // Imported by atuin from a plain history file: exit, duration and cwd unknown.
    db.Insert(kAtuinInsert,
              {std::string("0190a1b2c3d4e5f60718293a4b5c6d80"), int64_t{1700000120000000000}, int64_t{-1}, int64_t{-1},
               std::string("make -j4"), std::string("unknown"), std::string("0190a1b2c3d4e5f60718293a4b5c0003"),
               std::string("laptop:alex"), nullptr, nullptr});
    // A hostname older than the "host:user" form.
    db.Insert(kAtuinInsert,
              {std::string("0190a1b2c3d4e5f60718293a4b5c6d81"), int64_t{1700000180000000001}, int64_t{0}, int64_t{1},
               std::string("false"), std::string("/"), std::string("0190a1b2c3d4e5f60718293a4b5c0003"),
               std::string("oldhost"), nullptr, std::string("bash")});
    // Deleted in atuin: skipped, not malformed.
    db.Insert(kAtuinInsert, {std::string("0190a1b2c3d4e5f60718293a4b5c6d82"), int64_t{1700000240000000000}, int64_t{5},
                             int64_t{0}, std::string("export TOKEN=secret"), std::string("/"), std::string("s"),
                             std::string("laptop:alex"), int64_t{1700000300000000000}, nullptr});
    // Malformed: a timestamp that is not a number, an empty command.
    db.Insert(kAtuinInsert,
              {std::string("0190a1b2c3d4e5f60718293a4b5c6d83"), std::string("yesterday"), int64_t{5}, int64_t{0},
               std::string("ls"), std::string("/"), std::string("s"), std::string("laptop:alex"), nullptr, nullptr});
    db.Insert(kAtuinInsert,
              {std::string("0190a1b2c3d4e5f60718293a4b5c6d84"), int64_t{1700000360000000000}, int64_t{5}, int64_t{0},
               std::string(""), std::string("/"), std::string("s"), std::string("laptop:alex"), nullptr, nullptr});
  }
  RunResult r = Import({"atuin", path});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, path + ": 4 imported, 0 duplicates, 2 malformed (atuin, batch 1)\n");
  EXPECT_NE(r.err.find(path + ":6: invalid timestamp 'yesterday' (skipped)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":7: empty or whitespace-only command (skipped)"), std::string::npos) << r.err;
  std::vector<Want> want = {
      {"git status", "/home/alex/src", 0, 1500.0, "2023-11-14T22:13:20.123Z", "0190a1b2c3d4e5f60718293a4b5c0001",
       "laptop", "alex", "zsh"},
      {"echo 'h\xc3\xa9llo'\nnosuchcmd", "/tmp", 127, 2.0, "2023-11-14T22:14:20.000Z",
       "0190a1b2c3d4e5f60718293a4b5c0002", "server", "root", ""},
      {"make -j4", "", std::nullopt, std::nullopt, "2023-11-14T22:15:20.000Z", "0190a1b2c3d4e5f60718293a4b5c0003",
       "laptop", "alex", ""},
      {"false", "/", 1, 0.0, "2023-11-14T22:16:20.000Z", "0190a1b2c3d4e5f60718293a4b5c0003", "oldhost", ThisUser(),
       "bash"},
  };
  ExpectHistory(want);
  // Re-import: nothing new, the same rows counted as duplicates.
  RunResult again = Import({"atuin", path});
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_EQ(again.out, path + ": 0 imported, 4 duplicates, 2 malformed (atuin, batch 6)\n");
  ExpectHistory(want);
  // --strict stops at row 6 and writes nothing.
  RunResult strict = Import({"atuin", path, "--strict"});
  EXPECT_EXIT_CODE(strict, 2);
  EXPECT_NE(strict.err.find(path + ":6: invalid timestamp"), std::string::npos) << strict.err;
  ExpectViewsVerify();
}

TEST_F(SqliteImportTest, AtuinDatabaseFromItsFirstSchemaImports) {
  // The table as atuin's first migration made it: integer timestamp, no
  // deleted_at, no shell.
  std::string path = root() + "/old-atuin.db";
  {
    Db db(path);
    db.Exec(
        "create table history (id text primary key, timestamp integer not null, duration integer not null,"
        " exit integer not null, command text not null, cwd text not null, session text not null,"
        " hostname text not null, unique(timestamp, cwd, command))");
    db.Insert("insert into history values(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
              {std::string("a1"), int64_t{1600000000 * kNs}, int64_t{3 * kNs}, int64_t{0}, std::string("cargo build"),
               std::string("/src"), std::string("sess"), std::string("box:me")});
  }
  RunResult r = Import({"atuin", path});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, path + ": 1 imported, 0 duplicates, 0 malformed (atuin, batch 1)\n");
  ExpectHistory({{"cargo build", "/src", 0, 3000.0, "2020-09-13T12:26:40.000Z", "sess", "box", "me", ""}});
}

// zsh-histdb's tables (sqlite-history.zsh), schema v2 or v0.
void CreateHistdb(Db& db, bool v2) {
  if (v2) {
    db.Exec(
        "create table commands (id integer primary key autoincrement, argv text, unique(argv) on conflict ignore);"
        "create table places   (id integer primary key autoincrement, host text, dir text,"
        " unique(host, dir) on conflict ignore);"
        "create table history  (id integer primary key autoincrement, session int,"
        " command_id int references commands (id), place_id int references places (id),"
        " exit_status int, start_time int, duration int);"
        "PRAGMA user_version = 2;"
        "create index if not exists hist_time on history(start_time);");
  } else {
    db.Exec(
        "create table commands (argv text, unique(argv) on conflict ignore);"
        "create table places   (host text, dir text, unique(host, dir) on conflict ignore);"
        "create table history  (session int, command_id int references commands (rowid),"
        " place_id int references places (rowid), exit_status int, start_time int, duration int);");
  }
}

// What histdb's zshaddhistory does for one command (insert-or-ignore the
// command and the place, then the history row joined on them).
void HistdbAdd(Db& db, int64_t session, const std::string& cmd, const std::string& host, const std::string& dir,
               Value exit, Value start, Value duration) {
  db.Insert("insert into commands (argv) values (?1)", {cmd});
  db.Insert("insert into places (host, dir) values (?1, ?2)", {host, dir});
  db.Insert(
      "insert into history (session, command_id, place_id, exit_status, start_time, duration)"
      " select ?1, commands.rowid, places.rowid, ?2, ?3, ?4 from commands, places"
      " where commands.argv = ?5 and places.host = ?6 and places.dir = ?7",
      {session, exit, start, duration, cmd, host, dir});
}

TEST_F(SqliteImportTest, HistdbKeepsEveryFieldAndCountsOrphanRows) {
  for (bool v2 : {true, false}) {
    SCOPED_TRACE(v2 ? "schema v2" : "schema v0");
    std::string path = root() + (v2 ? "/histdb-v2.db" : "/histdb-v0.db");
    {
      Db db(path);
      CreateHistdb(db, v2);
      HistdbAdd(db, 3, "make -j4", "laptop", "/home/alex/proj", int64_t{2}, int64_t{1700000100}, int64_t{42});
      HistdbAdd(db, 3, "for i in 1 2\ndo echo $i\ndone", "laptop", "/home/alex", int64_t{0}, int64_t{1700000200},
                int64_t{0});
      // Started, never finished (histdb writes exit and duration at the end).
      HistdbAdd(db, 4, "ssh server", "desk", "/", nullptr, int64_t{1700000300}, nullptr);
      // The same command again in another place: one commands row, two places.
      HistdbAdd(db, 4, "make -j4", "desk", "/srv", int64_t{0}, int64_t{1700000400}, int64_t{1});
      // A history row whose command was deleted (histdb --forget).
      db.Insert(
          "insert into history (session, command_id, place_id, exit_status, start_time, duration)"
          " values (5, 99, 1, 0, 1700000500, 1)",
          {});
    }
    RunResult r = Import({"histdb", path});
    ASSERT_EXIT_CODE(r, 0);
    // The v0 database holds the same history as the v2 one imported before.
    EXPECT_EQ(r.out, path + (v2 ? ": 4 imported, 0 duplicates, 1 malformed (histdb, batch 1)\n"
                                : ": 0 imported, 4 duplicates, 1 malformed (histdb, batch 7)\n"));
    EXPECT_NE(r.err.find(path + ":5: history row refers to a missing command (command_id 99) (skipped)"),
              std::string::npos)
        << r.err;
    RunResult again = Import({"histdb", path});
    ASSERT_EXIT_CODE(again, 0);
    EXPECT_NE(again.out.find(": 0 imported, 4 duplicates, 1 malformed"), std::string::npos) << again.out;
  }
  // Both databases hold the same history: 4 records, each once.
  std::string user = ThisUser();
  ExpectHistory({
      {"make -j4", "/home/alex/proj", 2, 42000.0, "2023-11-14T22:15:00.000Z", "3", "laptop", user, "zsh"},
      {"for i in 1 2\ndo echo $i\ndone", "/home/alex", 0, 0.0, "2023-11-14T22:16:40.000Z", "3", "laptop", user, "zsh"},
      {"ssh server", "/", std::nullopt, std::nullopt, "2023-11-14T22:18:20.000Z", "4", "desk", user, "zsh"},
      {"make -j4", "/srv", 0, 1000.0, "2023-11-14T22:20:00.000Z", "4", "desk", user, "zsh"},
  });
  ExpectViewsVerify();
}

TEST_F(SqliteImportTest, LegacyTermbrainKeepsEveryFieldAndCountsBadTimestamps) {
  // anivar/termbrain's table; its default place is ~/.termbrain/data/termbrain.db.
  std::string path = home() + "/.termbrain/data/termbrain.db";
  {
    Db db(path);
    db.Exec(
        "CREATE TABLE commands (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,"
        " command TEXT NOT NULL, directory TEXT, exit_code INTEGER, duration_ms INTEGER, git_branch TEXT,"
        " project_type TEXT, semantic_type TEXT, session_id TEXT, is_sensitive BOOLEAN DEFAULT FALSE);"
        "CREATE INDEX idx_commands_timestamp ON commands(timestamp);");
    const char* ins =
        "INSERT INTO commands (timestamp, command, directory, exit_code, duration_ms, session_id)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    // CURRENT_TIMESTAMP text is UTC.
    db.Insert(ins, {std::string("2024-03-01 12:00:00"), std::string("npm test"), std::string("/home/alex/app"),
                    int64_t{1}, int64_t{2500}, std::string("session-1709294400-4242")});
    db.Insert(ins, {int64_t{1709294500}, std::string("git push"), std::string("/home/alex/app"), int64_t{0},
                    int64_t{800}, std::string("session-1709294400-4242")});
    db.Insert(ins, {int64_t{1709294600123}, std::string("echo ms"), std::string("/"), int64_t{0}, int64_t{0},
                    std::string("s2")});
    db.Insert(ins, {std::string("2024-03-01T12:05:00.250+02:00"), std::string("echo zoned"), std::string("/"),
                    int64_t{0}, int64_t{1}, std::string("s2")});
    // Recorded by the preexec hook, never updated by precmd.
    db.Insert(ins, {std::string("2024-03-01 12:10:00"), std::string("vim notes"), std::string("/home/alex"), nullptr,
                    nullptr, std::string("s2")});
    db.Insert(ins, {std::string("yesterday"), std::string("bad1"), std::string("/"), int64_t{0}, int64_t{0},
                    std::string("s2")});
    db.Insert(ins, {std::string("not a time"), std::string("bad2"), std::string("/"), int64_t{0}, int64_t{0},
                    std::string("s2")});
    db.Insert(ins, {std::string("2024-03-01 12:20:00"), std::string(""), std::string("/"), int64_t{0}, int64_t{0},
                    std::string("s2")});
  }
  // No FILE: the default place is found. A local zone far from UTC: the
  // CURRENT_TIMESTAMP texts are UTC whatever TZ says.
  RunResult r = Import({"termbrain-legacy"}, {{"TZ", "IST-5:30"}});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, path + ": 5 imported, 0 duplicates, 3 malformed (termbrain-legacy, batch 1)\n");
  EXPECT_NE(r.err.find(path + ":6: invalid timestamp 'yesterday' (skipped)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":7: invalid timestamp 'not a time' (skipped)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":8: empty or whitespace-only command (skipped)"), std::string::npos) << r.err;
  std::string host = ThisHost(), user = ThisUser();
  std::vector<Want> want = {
      {"npm test", "/home/alex/app", 1, 2500.0, "2024-03-01T12:00:00.000Z", "session-1709294400-4242", host, user, ""},
      {"git push", "/home/alex/app", 0, 800.0, "2024-03-01T12:01:40.000Z", "session-1709294400-4242", host, user, ""},
      {"echo ms", "/", 0, 0.0, "2024-03-01T12:03:20.123Z", "s2", host, user, ""},
      {"echo zoned", "/", 0, 1.0, "2024-03-01T10:05:00.250Z", "s2", host, user, ""},
      {"vim notes", "/home/alex", std::nullopt, std::nullopt, "2024-03-01T12:10:00.000Z", "s2", host, user, ""},
  };
  // History is newest first: "echo zoned" (10:05Z) sorts before "npm test".
  std::vector<Want> by_time = {want[3], want[0], want[1], want[2], want[4]};
  ExpectHistory(by_time);
  RunResult again = Import({"termbrain-legacy", path});
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_EQ(again.out, path + ": 0 imported, 5 duplicates, 3 malformed (termbrain-legacy, batch 7)\n");
  ExpectHistory(by_time);
  ExpectViewsVerify();
}

TEST_F(SqliteImportTest, LegacyTermbrainDocumentedShapeWithDuration) {
  // The shape docs/formats.md names: duration (ms) instead of duration_ms.
  std::string path = root() + "/legacy.db";
  {
    Db db(path);
    db.Exec(
        "CREATE TABLE commands (id INTEGER PRIMARY KEY, command TEXT, directory TEXT, exit_code INTEGER,"
        " timestamp INTEGER, duration INTEGER, session_id TEXT)");
    db.Insert("INSERT INTO commands VALUES (1, 'ls -la', '/etc', 0, 1700000000, 15, 'abc')", {});
  }
  RunResult r = Import({"termbrain-legacy", path});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, path + ": 1 imported, 0 duplicates, 0 malformed (termbrain-legacy, batch 1)\n");
  ExpectHistory({{"ls -la", "/etc", 0, 15.0, "2023-11-14T22:13:20.000Z", "abc", ThisHost(), ThisUser(), ""}});
}

TEST_F(SqliteImportTest, NotTheRightDatabaseIsAOneLineError) {
  std::string path = root() + "/other.db";
  {
    Db db(path);
    db.Exec("create table something (x int)");
  }
  for (const char* src : {"atuin", "histdb", "termbrain-legacy"}) {
    RunResult r = Import({src, path});
    EXPECT_EXIT_CODE(r, 2);
    EXPECT_NE(r.err.find(std::string("not a ") + src + " database (no table"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_EQ(Tb({"history", "--format", "ndjson"}).out, "");
}

TEST_F(SqliteImportTest, AutoFindsAndImportsEveryKnownFile) {
  std::string h = home();
  WriteFile(h + "/.bash_history", "ls -la\ncd /tmp\ngit status\n");
  WriteFile(h + "/.zsh_history", ": 1700000000:0;make\n: 1700000010:3;make test\n");
  std::filesystem::create_directories(h + "/.local/share/fish");
  WriteFile(h + "/.local/share/fish/fish_history",
            "- cmd: echo fish\n  when: 1700000020\n- cmd: cargo run\n  when: 1700000030\n");
  std::string atuin = h + "/.local/share/atuin/history.db";
  {
    Db db(atuin);
    CreateAtuinSchema(db);
    db.Insert(kAtuinInsert,
              {std::string("a1"), int64_t{1700000040 * kNs}, int64_t{kNs}, int64_t{0}, std::string("atuin one"),
               std::string("/"), std::string("s"), std::string("h:u"), nullptr, std::string("zsh")});
    db.Insert(kAtuinInsert,
              {std::string("a2"), int64_t{1700000050 * kNs}, int64_t{kNs}, int64_t{0}, std::string("atuin two"),
               std::string("/"), std::string("s"), std::string("h:u"), nullptr, std::string("zsh")});
  }
  // XDG_DATA_HOME empty: the data files are under ~/.local/share.
  EnvVars env = {{"XDG_DATA_HOME", ""}};
  RunResult r = Import({"auto"}, env);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, h + "/.bash_history: 3 imported, 0 duplicates, 0 malformed (bash, batch 1)\n" + h +
                       "/.zsh_history: 2 imported, 0 duplicates, 0 malformed (zsh, batch 5)\n" + h +
                       "/.local/share/fish/fish_history: 2 imported, 0 duplicates, 0 malformed (fish, batch 8)\n" +
                       atuin + ": 2 imported, 0 duplicates, 0 malformed (atuin, batch 11)\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Commands(), (std::vector<std::string>{"git status", "cd /tmp", "ls -la", "atuin two", "atuin one",
                                                  "cargo run", "echo fish", "make test", "make"}));
  RunResult again = Import({"auto"}, env);
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_EQ(again.out, h + "/.bash_history: 0 imported, 3 duplicates, 0 malformed (bash, batch 14)\n" + h +
                           "/.zsh_history: 0 imported, 2 duplicates, 0 malformed (zsh, batch 15)\n" + h +
                           "/.local/share/fish/fish_history: 0 imported, 2 duplicates, 0 malformed (fish, batch 16)\n" +
                           atuin + ": 0 imported, 2 duplicates, 0 malformed (atuin, batch 17)\n");
  EXPECT_EQ(Commands().size(), 9u);
}

TEST_F(SqliteImportTest, ListAsJson) {
  RunResult empty = Import({"--list", "--format", "json"});
  ASSERT_EXIT_CODE(empty, 0);
  EXPECT_EQ(empty.out, "[]\n");
  std::string bash = root() + "/bash_history";
  WriteFile(bash, "ls\npwd\nls\n");
  ASSERT_EXIT_CODE(Import({"bash", bash}), 0);
  std::string zsh = root() + "/zsh_history";
  WriteFile(zsh, ": 1700000000:0;make\n: 1700000001:0;   \n");  // the second: a blank command
  ASSERT_EXIT_CODE(Import({"zsh", zsh}), 0);
  ASSERT_EXIT_CODE(Import({"--undo", "1"}), 0);
  RunResult r = Import({"--list", "--format", "json"});
  ASSERT_EXIT_CODE(r, 0);
  Json j = Json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["batch"], 1);
  EXPECT_EQ(j[0]["source"], "bash");
  EXPECT_EQ(j[0]["file"], bash);
  EXPECT_EQ(j[0]["imported"], 3);
  EXPECT_EQ(j[0]["duplicates"], 0);
  EXPECT_EQ(j[0]["malformed"], 0);
  EXPECT_EQ(j[0]["state"], "undone");
  EXPECT_EQ(j[1]["batch"], 5);
  EXPECT_EQ(j[1]["source"], "zsh");
  EXPECT_EQ(j[1]["file"], zsh);
  EXPECT_EQ(j[1]["imported"], 1);
  EXPECT_EQ(j[1]["malformed"], 1);
  EXPECT_EQ(j[1]["state"], "active");
  std::vector<std::string> keys;
  for (auto it = j[1].begin(); it != j[1].end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"batch", "time", "source", "file", "imported", "duplicates", "malformed",
                                            "state"}));
  // time: RFC 3339 UTC with milliseconds.
  std::string t = j[1]["time"].get<std::string>();
  ASSERT_EQ(t.size(), 24u) << t;
  EXPECT_EQ(t.back(), 'Z');
  EXPECT_EQ(t[10], 'T');
  // The table stays the default; a bad format or --format without --list is a usage error.
  EXPECT_NE(Import({"--list"}).out.find("BATCH"), std::string::npos);
  EXPECT_EXIT_CODE(Import({"--list", "--format", "csv"}), 2);
  EXPECT_EXIT_CODE(Import({"bash", bash, "--format", "json"}), 2);
}

}  // namespace
}  // namespace tb::testing
