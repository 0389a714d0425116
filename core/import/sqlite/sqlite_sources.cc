// SQLite import sources. Each reads one query's rows in rowid order,
// streaming (sqlite3_step), with the database opened read-only; an entry's
// `line` is its rowid. The query is built
// from the columns the table really has (PRAGMA table_info), so databases
// written by older and newer versions of each tool import alike.
//
//   atuin      history(timestamp ns (stored as text or integer), duration ns,
//              exit, command, cwd, session, hostname "host:user",
//              [deleted_at], [shell]) -- deleted rows skipped. atuin writes
//              -1 for an exit or duration it does not know (running, or
//              imported from a plain history file) and "unknown" for such a
//              cwd: all three import as unknown.
//   histdb     history(session, command_id, place_id, exit_status, start_time
//              s, duration s) -> commands(argv), places(host, dir), joined on
//              rowid (the `id` columns of histdb's schema v2 are rowid
//              aliases; schema v0 has no `id`); a history row whose command
//              is gone is malformed. NULL exit/duration (still running) are
//              unknown.
//   termbrain-legacy
//              commands(command, directory, exit_code, timestamp, duration_ms
//              (or duration), session_id, [hostname], [user], [shell]) in
//              rowid order; the older Rust schema's raw / working_directory
//              are accepted for command / directory. timestamp: epoch
//              seconds (ms when > 1e11), fractional seconds, digits as text,
//              SQLite's CURRENT_TIMESTAMP text "YYYY-MM-DD HH:MM:SS[.fff]"
//              (UTC), or RFC 3339 with a zone.
#include "core/import/sqlite/sqlite_sources.h"

#include <sqlite3.h>

#include "core/record_policy.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>

#include "core/timefmt.h"

namespace tb {
namespace {

enum class Kind { kAtuin, kHistdb, kLegacy };

std::string Text(sqlite3_stmt* st, int col) {
  const unsigned char* t = sqlite3_column_text(st, col);
  int n = sqlite3_column_bytes(st, col);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n)) : std::string();
}
bool Null(sqlite3_stmt* st, int col) { return sqlite3_column_type(st, col) == SQLITE_NULL; }

// A whole number in text ("-12", "1700000000123456789"), nothing else.
bool ParseI64(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (size_t k = i; k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
  }
  errno = 0;
  long long v = std::strtoll(s.c_str(), nullptr, 10);
  if (errno == ERANGE) return false;
  *out = v;
  return true;
}

// An integer column that may hold its number as text (atuin binds its
// nanosecond timestamps into a column declared `text`). False for anything
// that is not a whole number: sqlite3_column_int64 would silently read 0.
bool IntColumn(sqlite3_stmt* st, int col, int64_t* out) {
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER: *out = sqlite3_column_int64(st, col); return true;
    case SQLITE_FLOAT: {
      double d = sqlite3_column_double(st, col);
      if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return false;
      *out = std::llround(d);
      return true;
    }
    case SQLITE_TEXT: return ParseI64(Text(st, col), out);
    default: return false;
  }
}

// Epoch seconds, or milliseconds when the number is too large to be seconds.
int64_t EpochToNs(int64_t t) { return t > 100000000000LL || t < -100000000000LL ? t * 1000000 : t * 1000000000LL; }

// The legacy `timestamp` column in any of its forms (see the file comment).
bool LegacyTime(sqlite3_stmt* st, int col, int64_t* ns, std::string* why) {
  int type = sqlite3_column_type(st, col);
  if (type == SQLITE_FLOAT) {
    double d = sqlite3_column_double(st, col);
    if (!std::isfinite(d) || std::fabs(d) > 9.2e9) {
      *why = "invalid timestamp " + Text(st, col);
      return false;
    }
    *ns = std::llround(d * 1e9);
    return true;
  }
  int64_t t = 0;
  if (IntColumn(st, col, &t)) {
    *ns = EpochToNs(t);
    return true;
  }
  std::string s = Text(st, col);
  // SQLite's CURRENT_TIMESTAMP / datetime(): UTC without a zone. ParseTime
  // reads a zone-less date-time as local time, so say it is UTC.
  bool zoneless = s.size() >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') &&
                  s.find_first_of("Zz+", 19) == std::string::npos && s.find('-', 19) == std::string::npos;
  Status st_time = ParseTime(zoneless ? s + "Z" : s, 0, ns);
  if (!st_time.ok() || s.empty() || !(s[0] >= '0' && s[0] <= '9')) {
    // Relative forms ("2 hours ago", "today") mean nothing in a database.
    *why = "invalid timestamp '" + s + "'";
    return false;
  }
  return true;
}

struct Columns {
  std::set<std::string> names;
  bool Has(const char* n) const { return names.count(n) != 0; }
  // The first of `candidates` the table has, or "NULL".
  std::string Pick(std::initializer_list<const char*> candidates) const {
    for (const char* c : candidates) {
      if (Has(c)) return c;
    }
    return "NULL";
  }
};

Columns TableColumns(sqlite3* db, const char* table) {
  Columns c;
  sqlite3_stmt* st = nullptr;
  std::string sql = std::string("PRAGMA table_info(") + table + ")";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) c.names.insert(Text(st, 1));
  }
  sqlite3_finalize(st);
  return c;
}

class SqliteSource final : public ImportSource {
 public:
  SqliteSource(sqlite3* db, sqlite3_stmt* st, Kind kind, const SourceOptions& o)
      : db_(db), st_(st), kind_(kind), options_(o) {}
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
      *out = ImportedCommand{};
      // The row's rowid (the last column) is its "line": a problem is
      // reported where `SELECT ... WHERE rowid = N` finds it.
      int last = sqlite3_column_count(st_) - 1;
      out->line = static_cast<uint64_t>(sqlite3_column_int64(st_, last));
      out->ev.kind = EventKind::kRecorded;
      std::string why;
      if (Row(out, &why)) return true;
      options_.problem(out->line, why);
    }
  }
  Status status() const override { return status_; }

 private:
  bool Row(ImportedCommand* c, std::string* why) {
    Event& ev = c->ev;
    int64_t v = 0;
    if (kind_ == Kind::kAtuin) {
      // timestamp, duration, exit, command, cwd, session, hostname, shell
      ev.command = Text(st_, 3);
      if (!IntColumn(st_, 0, &v)) {
        *why = "invalid timestamp '" + Text(st_, 0) + "'";
        return false;
      }
      ev.time_ns = v;
      c->has_time = true;
      if (IntColumn(st_, 1, &v) && v >= 0) ev.duration_ns = v;
      if (IntColumn(st_, 2, &v) && v != -1) ev.exit_code = static_cast<int32_t>(v);
      ev.cwd = Text(st_, 4);
      if (ev.cwd == "unknown") ev.cwd.clear();
      ev.session = Text(st_, 5);
      std::string hu = Text(st_, 6);
      size_t colon = hu.find(':');
      ev.host = hu.substr(0, colon);
      if (colon != std::string::npos) ev.user = hu.substr(colon + 1);
      ev.shell = Text(st_, 7);
    } else if (kind_ == Kind::kHistdb) {
      // start_time, duration, exit_status, session, argv, host, dir, command_id
      if (Null(st_, 4)) {
        *why = "history row refers to a missing command (command_id " + Text(st_, 7) + ")";
        return false;
      }
      if (!Null(st_, 0)) {
        if (!IntColumn(st_, 0, &v)) {
          *why = "invalid start_time '" + Text(st_, 0) + "'";
          return false;
        }
        ev.time_ns = v * 1000000000LL;
        c->has_time = true;
      }
      if (IntColumn(st_, 1, &v) && v >= 0) ev.duration_ns = v * 1000000000LL;
      if (IntColumn(st_, 2, &v)) ev.exit_code = static_cast<int32_t>(v);
      ev.session = Text(st_, 3);
      ev.command = Text(st_, 4);
      ev.host = Text(st_, 5);
      ev.cwd = Text(st_, 6);
      ev.shell = "zsh";
    } else {
      // command, directory, exit_code, timestamp, duration, session_id,
      // hostname, user, shell
      ev.command = Text(st_, 0);
      ev.cwd = Text(st_, 1);
      if (IntColumn(st_, 2, &v)) ev.exit_code = static_cast<int32_t>(v);
      if (!Null(st_, 3)) {
        if (!LegacyTime(st_, 3, &ev.time_ns, why)) return false;
        c->has_time = true;
      }
      if (IntColumn(st_, 4, &v) && v >= 0) ev.duration_ns = v * 1000000;
      ev.session = Text(st_, 5);
      ev.host = Text(st_, 6);
      ev.user = Text(st_, 7);
      ev.shell = Text(st_, 8);
    }
    if (IsBlankCommand(ev.command)) {
      *why = kBlankCommandProblem;
      return false;
    }
    if (std::memchr(ev.command.data(), '\0', ev.command.size()) != nullptr) {
      *why = "a NUL byte in the command";
      return false;
    }
    return true;
  }

  sqlite3* db_;
  sqlite3_stmt* st_;
  Kind kind_;
  SourceOptions options_;
  Status status_;
};

// The query for `kind` over the columns the database has; empty with *why
// set when a required table or column is missing.
std::string BuildQuery(sqlite3* db, Kind kind, std::string* why) {
  auto require = [&](const Columns& c, const char* table, std::initializer_list<const char*> cols) {
    if (c.names.empty()) {
      *why = std::string("no table '") + table + "'";
      return false;
    }
    for (const char* col : cols) {
      if (!c.Has(col)) {
        *why = std::string("table '") + table + "' has no column '" + col + "'";
        return false;
      }
    }
    return true;
  };
  if (kind == Kind::kAtuin) {
    Columns h = TableColumns(db, "history");
    if (!require(h, "history", {"timestamp", "duration", "exit", "command", "cwd", "session", "hostname"})) return "";
    return "SELECT timestamp, duration, exit, command, cwd, session, hostname, " + h.Pick({"shell"}) +
           ", rowid FROM history" + (h.Has("deleted_at") ? " WHERE deleted_at IS NULL" : "") + " ORDER BY rowid";
  }
  if (kind == Kind::kHistdb) {
    Columns h = TableColumns(db, "history");
    Columns c = TableColumns(db, "commands");
    Columns p = TableColumns(db, "places");
    if (!require(h, "history", {"session", "command_id", "place_id", "exit_status", "start_time", "duration"}) ||
        !require(c, "commands", {"argv"}) || !require(p, "places", {"host", "dir"})) {
      return "";
    }
    return "SELECT h.start_time, h.duration, h.exit_status, h.session, c.argv, p.host, p.dir, h.command_id, h.rowid "
           "FROM history h LEFT JOIN commands c ON c.rowid = h.command_id "
           "LEFT JOIN places p ON p.rowid = h.place_id ORDER BY h.rowid";
  }
  Columns t = TableColumns(db, "commands");
  if (t.names.empty()) {
    *why = "no table 'commands'";
    return "";
  }
  std::string command = t.Pick({"command", "raw"});
  if (command == "NULL") {
    *why = "table 'commands' has no column 'command'";
    return "";
  }
  return "SELECT " + command + ", " + t.Pick({"directory", "working_directory"}) + ", " + t.Pick({"exit_code"}) + ", " +
         t.Pick({"timestamp"}) + ", " + t.Pick({"duration_ms", "duration"}) + ", " + t.Pick({"session_id"}) + ", " +
         t.Pick({"hostname"}) + ", " + t.Pick({"user"}) + ", " + t.Pick({"shell"}) +
         ", rowid FROM commands ORDER BY rowid";
}

}  // namespace

Status OpenSqliteImportSource(std::string_view source, const std::string& path, const SourceOptions& options,
                              std::unique_ptr<ImportSource>* out) {
  Kind kind;
  if (source == "atuin") {
    kind = Kind::kAtuin;
  } else if (source == "histdb") {
    kind = Kind::kHistdb;
  } else if (source == "termbrain-legacy") {
    kind = Kind::kLegacy;
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
  std::string why;
  std::string sql = BuildQuery(db, kind, &why);
  sqlite3_stmt* st = nullptr;
  if (sql.empty() || sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    if (why.empty()) why = sqlite3_errmsg(db);
    sqlite3_close(db);
    return Status::InvalidArgument("cannot import " + path + ": not a " + std::string(source) + " database (" + why +
                                   ")");
  }
  *out = std::make_unique<SqliteSource>(db, st, kind, options);
  return Status::OK();
}

}  // namespace tb
