/// @file
/// Deleted table files outlive their deletion by a grace period, so that a
/// read-only instance opened before a writer's compaction can still read
/// them.
///
/// RocksDB opens a read-only database's table files lazily, by the names its
/// MANIFEST listed at open. A writer that compacts meanwhile deletes files
/// the reader's version still names, and the reader's next read failed with
/// "No such file" although the store is fine. Under the file system below:
///
///  - deleting a table file DB/NNNNNN.sst (or .ldb) renames it to
///    DB/obsolete/NNNNNN.sst instead, and removes the files in DB/obsolete
///    renamed there more than kTableGraceSeconds ago (by ctime, which the
///    rename sets; looked at once a second at most, and at each writable
///    open). With less than kTableGraceMinFreeBytes free on the file
///    system the file is deleted at once: a full disk needs the space more
///    than a late reader needs the file. A rename that fails deletes too.
///  - a purge (forget, retention: storage/removal.cc) calls
///    PurgeObsoleteTables(DB, 0) after its compaction: removed text never
///    waits out a grace period on disk.
///  - opening a table file for reading that does not exist opens
///    DB/obsolete/NAME instead, when it is there; otherwise the original
///    error stands.
///
/// RocksDB ignores subdirectories of its directory; checkpoints and backups
/// copy live files only, so DB/obsolete is never part of a copy.
/// Thread safety: the file system is shared by every database of the process
/// and is safe for concurrent use, as RocksDB requires.
#pragma once

#include <cstdint>
#include <string>

namespace rocksdb {
class Env;
}

namespace tb {

constexpr int64_t kTableGraceSeconds = 60;                 ///< how long a deleted table file waits
constexpr uint64_t kTableGraceMinFreeBytes = 64ull << 20;  ///< below this free space, deletion is at once

/// The process-wide Env over the default file system with the behaviour
/// above (created on first use, never destroyed: databases may close during
/// static destruction).
rocksdb::Env* TableGraceEnv();

/// Removes the files of DB_DIR/obsolete older than `grace_seconds` (all of
/// them for 0), and the directory when it is left empty. Errors are ignored:
/// a file left behind is removed by a later call.
void PurgeObsoleteTables(const std::string& db_dir, int64_t grace_seconds = kTableGraceSeconds);

}  // namespace tb
