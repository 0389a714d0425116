/// @file
/// Encryption at rest of a data dir (docs/security.md, "Encryption at rest"):
/// which data key the RocksDB files, backups and DIR/search.idx of this
/// process are under, and the Env RocksDB reads and writes them through.
///
/// Key: tools set the process's key once, before a command runs, from
/// storage.encryption and storage.key_file (SetProcessDataKey); everything in
/// storage that opens a database, a backup engine or the search index uses
/// it unless the caller names another (StoreOptions::key_given: a rekey
/// writes its new store under the new key).
///
/// Env: DataEnv(null) is the table-grace Env (storage/table_grace.h);
/// DataEnv(key) is RocksDB's encrypted file system with the XChaCha20
/// provider (storage/xchacha_provider.h) stacked on that same table-grace
/// file system, so deleted table files still wait out their grace period
/// (as ciphertext). One Env per key per process, never destroyed (databases
/// may close during static destruction).
///
/// CheckDbKey reads the header of DB/CURRENT (never writes) and refuses,
/// before the store is locked or anything written, a store under another
/// key, an encrypted store with encryption off, and a plaintext store with
/// encryption on: each one line, Incompatible (exit 3).
/// Thread safety: SetProcessDataKey before any other thread uses storage;
/// the rest is safe for concurrent use.
#pragma once

#include <optional>
#include <string>

#include "core/data_key.h"
#include "core/status.h"

namespace rocksdb {
class Env;
}

namespace tb {

/// Sets the process's data key (nullopt: encryption off); see "Key" above.
void SetProcessDataKey(std::optional<DataKey> key);
/// Null when encryption at rest is off.
const DataKey* ProcessDataKey();

/// The Env for files under `key` (null: plaintext); see "Env" above. Owned
/// by storage, never null, valid for the life of the process.
rocksdb::Env* DataEnv(const DataKey* key);

/// Whether the database at `db_dir` is under `key` (null: plaintext); OK
/// when there is no database yet (the file comment says what is refused).
Status CheckDbKey(const std::string& db_dir, const DataKey* key);

/// The key id (raw bytes) in the clear header of DB/CURRENT: "" when the
/// store is plaintext or has no database yet.
std::string DbKeyId(const std::string& db_dir);

}  // namespace tb
