/// @file
/// Internal helpers of the administrative operations (storage/admin.h).
#pragma once

#include <string>

#include "core/atomic_file.h"
#include "core/status.h"
#include "storage/admin.h"
#include "storage/data_dir.h"

namespace tb::admin {

/// Writes DIR/TERMBRAIN for an existing store identity (restores, snapshots).
Status WriteIdentity(const std::string& dir, const StoreIdentity& id);
/// Copies a closed RocksDB directory: SST and blob files are hard-linked
/// (immutable), everything else is copied and fsynced. `dst` must not exist.
Status CopyDbOffline(const std::string& src, const std::string& dst);
/// Puts the database directory `incoming` in place of `db` atomically
/// (renameat2 RENAME_EXCHANGE; a plain rename when `db` does not exist) and
/// fsyncs `data_dir`: a crash leaves one or the other at `db`, never neither.
/// The old database is then at `incoming`; on failure `incoming` is removed.
Status SwapInDatabase(const std::string& data_dir, const std::string& incoming, const std::string& db);
/// "20240501T100000Z" (file-name safe UTC time).
std::string FileTime(int64_t ns);
/// errno text with context.
std::string Errno(const std::string& what, const std::string& path);

}  // namespace tb::admin

namespace tb {
/// Restores backup `id` of `backup_dir` into the new directory `db_dir`
/// after a full verification; *meta is its metadata (storage/backup.cc).
Status RestoreDbFiles(const std::string& backup_dir, uint32_t id, const std::string& db_dir, BackupMeta* meta);
}  // namespace tb
