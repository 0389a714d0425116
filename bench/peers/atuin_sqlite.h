// AtuinSqlite: the SQLite peer of the benchmarks, reproducing atuin's
// client history database (schema, pragmas, insert and search SQL).
//
// Source: atuinsh/atuin, crates/atuin-client/migrations/*.sql (applied in
// order up to 20260828000000) and crates/atuin-client/src/database.rs
// (Sqlite::save_raw, Sqlite::search, Sqlite::list), connection settings from
// crates/atuin-common/src/db/sqlite/builder.rs (WAL, synchronous=NORMAL,
// journal_size_limit=4 MiB, foreign_keys=ON). Reproduced, not copied:
//   * the table is the final shape after every migration (13 columns,
//     unique(timestamp, cwd, command), text primary key id);
//   * indexes: timestamp; (command, timestamp); the partial "not deleted"
//     indexes on (command collate nocase, timestamp desc), (command,
//     timestamp desc), (timestamp), (session, timestamp), (cwd, timestamp),
//     (lower(hostname), timestamp); idx_history_command is dropped as atuin's
//     migration 20260723000003 does;
//   * the fts5 trigram table of migration 20240525154323 is NOT created:
//     atuin's search never queries it (FullText mode uses LIKE), and leaving
//     it out only makes the peer faster to insert and smaller on disk.
//   * like atuin, timestamps are bound as integer nanoseconds into the
//     column declared `text` (SQLite stores them as 19-digit text), ids are
//     32-hex-digit UUIDv7 strings, hostname is "host:user".
//
// Thread safety: one object per thread (one sqlite3 connection).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/history_gen.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tb::bench {

class AtuinSqlite {
 public:
  ~AtuinSqlite();
  // Opens (creating when missing) the database at `path` with atuin's
  // pragmas and schema. Null on error, with *error set.
  static std::unique_ptr<AtuinSqlite> Open(const std::string& path, std::string* error);

  // Inserts `rows` in one transaction with one prepared statement (atuin's
  // `insert or ignore` of save_raw).
  bool InsertBatch(std::span<const GenCommand> rows);
  // REINDEX of every index on `history` (including the two automatic ones
  // behind the primary key and the unique constraint).
  bool Reindex();
  // Checkpoints the WAL into the main file and truncates it.
  bool Checkpoint();
  bool Vacuum();
  // Names of the indexes on history (automatic ones included).
  std::vector<std::string> Indexes();

  // The statement atuin's Sqlite::search builds for search mode FullText,
  // filter mode Global, no other filter, `LIMIT limit`: every space-separated
  // token becomes `command LIKE '%tok%'` (GLOB '*tok*' when it has an
  // uppercase letter), ANDed, over live rows; `dedup` adds the NOT EXISTS
  // de-duplication atuin applies unless --include-duplicates is given.
  static std::string SearchSql(std::string_view query, size_t limit, bool dedup);
  // `atuin history list`-style listing: newest first, live rows, LIMIT.
  static std::string ListSql(size_t limit);

  // Runs a prepared statement to completion, reading every column of every
  // row into strings (as atuin's FromRow does); returns the number of rows
  // or -1 on error.
  long RunPrepared(sqlite3_stmt* stmt);
  sqlite3_stmt* Prepare(const std::string& sql);
  void Finalize(sqlite3_stmt* stmt);
  bool Exec(const std::string& sql);
  const std::string& error() const { return error_; }

 private:
  AtuinSqlite() = default;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  std::string error_;
  std::vector<std::string> scratch_;
};

// atuin's id for a generated command: a UUIDv7 in simple (32 hex) form with
// the command's millisecond timestamp and deterministic "random" bits.
std::string AtuinId(const GenCommand& c);

}  // namespace tb::bench
