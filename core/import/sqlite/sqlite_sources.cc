// SQLite import sources. Each reads one query's rows in order, streaming
// (sqlite3_step), with the database opened read-only and immutable-safe.
//
//   atuin      history(timestamp ns, duration ns (-1 unknown), exit, command,
//              cwd, session, hostname "host:user", deleted_at)  -- deleted rows skipped
//   histdb     history(start_time s, duration s, exit_status, session)
//              JOIN commands(argv) JOIN places(host, dir)     (zsh-histdb)
//   termbrain-legacy
//              commands(id, command, directory, exit_code, timestamp, duration,
//              session_id): timestamp epoch seconds (or ms when > 1e11, or
//              text in any form `tb --since` accepts), duration ms
#include "core/import/sqlite/sqlite_sources.h"

#include <sqlite3.h>

#include <cstring>

#include "core/timefmt.h"

namespace tb {
namespace {

std::string Text(sqlite3_stmt* st, int col) {
  const unsigned char* t = sqlite3_column_text(st, col);
  int n = sqlite3_column_bytes(st, col);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n)) : std::string();
}
bool Null(sqlite3_stmt* st, int col) { return sqlite3_column_type(st, col) == SQLITE_NULL; }

class SqliteSource final : public ImportSource {
 public:
  SqliteSource(sqlite3* db, sqlite3_stmt* st, std::string kind, const SourceOptions& o)
      : db_(db), st_(st), kind_(std::move(kind)), options_(o) {}
  ~SqliteSource() override {
    sqlite3_finalize(st_);
    sqlite3_close(db_);
  }
  bool Next(ImportedCommand* out) override {
    for (;;) {
      int rc = sqlite3_step(st_);
      if (rc == SQLITE_DONE) return false;
      if (rc != SQLITE_ROW) {
        status_ = Status::IOError(std::string("reading the database: ") + sqlite3_errmsg(db_));
        return false;
      }
      ++row_;
      *out = ImportedCommand{};
      out->line = row_;
      out->ev.kind = EventKind::kRecorded;
      std::string why;
      if (Row(out, &why)) return true;
      options_.problem(row_, why);
    }
  }
  Status status() const override { return status_; }

 private:
  bool Row(ImportedCommand* c, std::string* why) {
    Event& ev = c->ev;
    if (kind_ == "atuin") {
      ev.command = Text(st_, 3);
      ev.time_ns = sqlite3_column_int64(st_, 0);
      c->has_time = true;
      int64_t d = sqlite3_column_int64(st_, 1);
      if (!Null(st_, 1) && d >= 0) ev.duration_ns = d;
      if (!Null(st_, 2)) ev.exit_code = static_cast<int32_t>(sqlite3_column_int64(st_, 2));
      ev.cwd = Text(st_, 4);
      ev.session = Text(st_, 5);
      std::string hu = Text(st_, 6);
      size_t colon = hu.find(':');
      ev.host = hu.substr(0, colon);
      if (colon != std::string::npos) ev.user = hu.substr(colon + 1);
      ev.shell = "atuin";
    } else if (kind_ == "histdb") {
      if (!Null(st_, 0)) {
        ev.time_ns = sqlite3_column_int64(st_, 0) * 1000000000LL;
        c->has_time = true;
      }
      if (!Null(st_, 1)) ev.duration_ns = sqlite3_column_int64(st_, 1) * 1000000000LL;
      if (!Null(st_, 2)) ev.exit_code = static_cast<int32_t>(sqlite3_column_int64(st_, 2));
      ev.session = Text(st_, 3);
      ev.command = Text(st_, 4);
      ev.host = Text(st_, 5);
      ev.cwd = Text(st_, 6);
      ev.shell = "zsh";
    } else {
      ev.command = Text(st_, 0);
      ev.cwd = Text(st_, 1);
      if (!Null(st_, 2)) ev.exit_code = static_cast<int32_t>(sqlite3_column_int64(st_, 2));
      if (sqlite3_column_type(st_, 3) == SQLITE_INTEGER || sqlite3_column_type(st_, 3) == SQLITE_FLOAT) {
        int64_t t = sqlite3_column_int64(st_, 3);
        ev.time_ns = t > 100000000000LL ? t * 1000000 : t * 1000000000LL;
        c->has_time = true;
      } else if (!Null(st_, 3)) {
        Status s = ParseTime(Text(st_, 3), 0, &ev.time_ns);
        if (!s.ok()) {
          *why = "invalid timestamp: " + s.message();
          return false;
        }
        c->has_time = true;
      }
      if (!Null(st_, 4)) ev.duration_ns = sqlite3_column_int64(st_, 4) * 1000000;
      ev.session = Text(st_, 5);
    }
    if (ev.command.empty()) {
      *why = "empty command";
      return false;
    }
    if (std::memchr(ev.command.data(), '\0', ev.command.size()) != nullptr) {
      // Text() stops nowhere: keep NULs out of history all the same.
      *why = "a NUL byte in the command";
      return false;
    }
    return true;
  }

  sqlite3* db_;
  sqlite3_stmt* st_;
  std::string kind_;
  SourceOptions options_;
  uint64_t row_ = 0;
  Status status_;
};

}  // namespace

Status OpenSqliteImportSource(std::string_view source, const std::string& path, const SourceOptions& options,
                              std::unique_ptr<ImportSource>* out) {
  const char* sql = nullptr;
  if (source == "atuin") {
    sql = "SELECT timestamp, duration, exit, command, cwd, session, hostname FROM history "
          "WHERE deleted_at IS NULL ORDER BY timestamp, rowid";
  } else if (source == "histdb") {
    sql = "SELECT h.start_time, h.duration, h.exit_status, h.session, c.argv, p.host, p.dir "
          "FROM history h JOIN commands c ON c.id = h.command_id JOIN places p ON p.id = h.place_id "
          "ORDER BY h.id";
  } else if (source == "termbrain-legacy") {
    sql = "SELECT command, directory, exit_code, timestamp, duration, session_id FROM commands ORDER BY id";
  } else {
    return Status::InvalidArgument("unknown import source '" + std::string(source) + "'");
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status::NotFound("cannot import " + path + ": " + std::strerror(errno));
  }
  char magic[16] = {};
  size_t n = std::fread(magic, 1, sizeof magic, f);
  std::fclose(f);
  if (n == 0) return Status::InvalidArgument("cannot import " + path + ": the file is empty, not an SQLite database");
  if (n < 16 || std::memcmp(magic, "SQLite format 3", 16) != 0) {
    return Status::InvalidArgument("cannot import " + path + ": not an SQLite database (" + std::string(source) + ")");
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IOError("cannot open " + path + ": " + why);
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    std::string why = sqlite3_errmsg(db);
    sqlite3_close(db);
    return Status::InvalidArgument("cannot import " + path + ": not a " + std::string(source) + " database (" + why + ")");
  }
  *out = std::make_unique<SqliteSource>(db, st, std::string(source), options);
  return Status::OK();
}

}  // namespace tb
