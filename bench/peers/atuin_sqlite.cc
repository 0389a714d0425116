#include "bench/peers/atuin_sqlite.h"

#include <sqlite3.h>

namespace tb::bench {
namespace {

// The `history` table after every migration, and its indexes.
constexpr const char* kSchema[] = {
    "create table if not exists history ("
    " id text primary key,"
    " timestamp text not null,"
    " duration integer not null,"
    " exit integer not null,"
    " command text not null,"
    " cwd text not null,"
    " session text not null,"
    " hostname text not null,"
    " deleted_at integer,"
    " author text,"
    " intent text,"
    " shell text,"
    " author_kind integer,"
    " unique(timestamp, cwd, command))",
    "create index if not exists idx_history_timestamp on history(timestamp)",
    "create index if not exists idx_history_command_timestamp on history(command, timestamp)",
    "create index if not exists idx_history_command_nocase_timestamp_not_deleted on history("
    " command collate nocase, timestamp desc) where deleted_at is null",
    "create index if not exists idx_history_command_timestamp_not_deleted on history("
    " command, timestamp desc) where deleted_at is null",
    "create index if not exists idx_history_active_timestamp on history(timestamp)"
    " where deleted_at is null",
    "create index if not exists idx_history_session_timestamp on history(session, timestamp)"
    " where deleted_at is null",
    "create index if not exists idx_history_cwd_timestamp on history(cwd, timestamp)"
    " where deleted_at is null",
    "create index if not exists idx_history_hostname_timestamp on history(lower(hostname), timestamp)"
    " where deleted_at is null",
};

constexpr const char* kColumns =
    "id, timestamp, duration, exit, command, cwd, session, hostname, deleted_at, author, intent, "
    "shell, author_kind";

std::string Quote(std::string_view s) {  // sql_builder's esc(): ' -> ''
  std::string out;
  for (char c : s) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out;
}

}  // namespace

std::string AtuinId(const GenCommand& c) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t ms = static_cast<uint64_t>(c.time_ns / 1000000);
  uint64_t x = c.index * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  uint64_t hi = (ms << 16) | 0x7000 | (x & 0x0fff);
  uint64_t lo = 0x8000000000000000ull | ((x >> 12) * 0x94D049BB133111EBull >> 2);
  std::string s(32, '0');
  for (int i = 0; i < 16; ++i) {
    s[i] = kHex[(hi >> (60 - 4 * i)) & 15];
    s[16 + i] = kHex[(lo >> (60 - 4 * i)) & 15];
  }
  return s;
}

AtuinSqlite::~AtuinSqlite() {
  if (insert_ != nullptr) sqlite3_finalize(insert_);
  if (db_ != nullptr) sqlite3_close(db_);
}

bool AtuinSqlite::Exec(const std::string& sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    error_ = sql.substr(0, 80) + ": " + (msg ? msg : sqlite3_errmsg(db_));
    sqlite3_free(msg);
    return false;
  }
  return true;
}

std::unique_ptr<AtuinSqlite> AtuinSqlite::Open(const std::string& path, std::string* error) {
  std::unique_ptr<AtuinSqlite> s(new AtuinSqlite());
  if (sqlite3_open(path.c_str(), &s->db_) != SQLITE_OK) {
    *error = "sqlite3_open " + path + ": " + sqlite3_errmsg(s->db_);
    return nullptr;
  }
  bool ok = s->Exec("pragma journal_mode = wal") && s->Exec("pragma synchronous = normal") &&
            s->Exec("pragma journal_size_limit = 4194304") && s->Exec("pragma foreign_keys = on");
  for (const char* stmt : kSchema) ok = ok && s->Exec(stmt);
  if (ok) {
    s->insert_ = s->Prepare(
        "insert or ignore into history(id, timestamp, duration, exit, command, cwd, session, "
        "hostname, author, intent, deleted_at, shell, author_kind) "
        "values(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    ok = s->insert_ != nullptr;
  }
  if (!ok) {
    *error = s->error_;
    return nullptr;
  }
  return s;
}

sqlite3_stmt* AtuinSqlite::Prepare(const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK) {
    error_ = std::string("prepare: ") + sqlite3_errmsg(db_);
    return nullptr;
  }
  return st;
}

void AtuinSqlite::Finalize(sqlite3_stmt* stmt) { sqlite3_finalize(stmt); }

bool AtuinSqlite::InsertBatch(std::span<const GenCommand> rows) {
  if (!Exec("begin")) return false;
  std::string id, hostname;
  for (const GenCommand& c : rows) {
    id = AtuinId(c);
    hostname = c.host + ":" + c.user;
    sqlite3_stmt* st = insert_;
    sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, c.time_ns);
    sqlite3_bind_int64(st, 3, c.duration_ns);
    sqlite3_bind_int64(st, 4, c.exit_code);
    sqlite3_bind_text(st, 5, c.command.data(), static_cast<int>(c.command.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c.cwd.data(), static_cast<int>(c.cwd.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 7, c.session.data(), static_cast<int>(c.session.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 8, hostname.data(), static_cast<int>(hostname.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 9, c.user.data(), static_cast<int>(c.user.size()), SQLITE_STATIC);
    sqlite3_bind_null(st, 10);
    sqlite3_bind_null(st, 11);
    sqlite3_bind_text(st, 12, c.shell.data(), static_cast<int>(c.shell.size()), SQLITE_STATIC);
    sqlite3_bind_null(st, 13);
    if (sqlite3_step(st) != SQLITE_DONE) {
      error_ = std::string("insert: ") + sqlite3_errmsg(db_);
      sqlite3_reset(st);
      return false;
    }
    sqlite3_reset(st);
  }
  return Exec("commit");
}

bool AtuinSqlite::Reindex() { return Exec("reindex history"); }

bool AtuinSqlite::Checkpoint() { return Exec("pragma wal_checkpoint(truncate)"); }

bool AtuinSqlite::Vacuum() { return Exec("vacuum") && Checkpoint(); }

std::vector<std::string> AtuinSqlite::Indexes() {
  std::vector<std::string> out;
  sqlite3_stmt* st = Prepare("select name from sqlite_master where type = 'index' and tbl_name = 'history'");
  if (st == nullptr) return out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  return out;
}

std::string AtuinSqlite::SearchSql(std::string_view query, size_t limit, bool dedup) {
  std::string where;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t sp = query.find(' ', pos);
    std::string_view tok = query.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos);
    pos = sp == std::string_view::npos ? query.size() + 1 : sp + 1;
    if (tok.empty()) continue;
    bool upper = false;
    for (char c : tok) upper = upper || (c >= 'A' && c <= 'Z');
    where += "(command ";
    where += upper ? "GLOB '*" : "LIKE '%";
    where += Quote(tok);
    where += upper ? "*')" : "%')";
    where += " AND ";
  }
  where += "(deleted_at IS NULL)";
  std::string inner = std::string("SELECT ") + kColumns + " FROM history WHERE " + where;
  std::string tail = " ORDER BY f.timestamp DESC LIMIT " + std::to_string(limit);
  if (!dedup) return std::string("SELECT ") + kColumns + " FROM (" + inner + ") f" + tail;
  return std::string("SELECT ") + kColumns + " FROM (" + inner + ") f WHERE NOT EXISTS ( SELECT 1 FROM (" + inner +
         ") f2 WHERE f2.command = f.command AND (f2.timestamp, f2.id) > (f.timestamp, f.id) )" + tail;
}

std::string AtuinSqlite::ListSql(size_t limit) {
  return std::string("SELECT ") + kColumns +
         " FROM history h WHERE (deleted_at IS NULL) ORDER BY timestamp DESC LIMIT " + std::to_string(limit);
}

long AtuinSqlite::RunPrepared(sqlite3_stmt* st) {
  sqlite3_reset(st);
  long rows = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int n = sqlite3_column_count(st);
    if (scratch_.size() < static_cast<size_t>(n)) scratch_.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const unsigned char* t = sqlite3_column_text(st, i);
      int len = sqlite3_column_bytes(st, i);
      if (t != nullptr) {
        scratch_[static_cast<size_t>(i)].assign(reinterpret_cast<const char*>(t), static_cast<size_t>(len));
      } else {
        scratch_[static_cast<size_t>(i)].clear();
      }
    }
    ++rows;
  }
  if (rc != SQLITE_DONE) {
    error_ = std::string("step: ") + sqlite3_errmsg(db_);
    return -1;
  }
  return rows;
}

}  // namespace tb::bench
