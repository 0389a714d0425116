/// @file
/// XChaCha20Provider: RocksDB's EncryptionProvider (rocksdb/env_encryption.h)
/// for encryption at rest (docs/security.md, "Encryption at rest"). Every file
/// RocksDB writes through the encrypted file system (SST, WAL, MANIFEST,
/// CURRENT, IDENTITY, OPTIONS, blob) starts with a 4096-byte header in the
/// clear (docs/formats.md, "Encrypted RocksDB file"):
///
///   0   8  magic "TBENC1\0\0"
///   8  16  key id of the data key (core/data_key.h)
///  24  24  a random XChaCha20 nonce, new for every file
///  48      zero up to 4096
///
/// and the rest of the file is the content XORed with the XChaCha20 keystream
/// of (key, nonce), at the block counter of its offset (core/data_key.h,
/// XorKeystream): random access, no length change, no authentication (RocksDB's
/// own block and record checksums catch damage, not a forger).
///
/// CreateCipherStream refuses a file whose header does not carry the magic
/// (a plaintext file: InvalidArgument, "not encrypted") or carries another
/// key id (InvalidArgument, "another key"); storage/at_rest.h checks the
/// store's CURRENT file the same way before a store is opened, so a wrong key
/// is refused before anything in the data dir is written.
/// Thread safety: the provider is immutable after construction; RocksDB calls
/// it from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/data_key.h"

namespace rocksdb {
class EncryptionProvider;
}

namespace tb {

inline constexpr size_t kEncryptedPrefixBytes = 4096;                ///< the clear header of every file
inline constexpr std::string_view kEncryptedMagic{"TBENC1\0\0", 8};  ///< the header's first 8 bytes

/// The provider for files under `key` (the key is copied).
std::shared_ptr<rocksdb::EncryptionProvider> NewXChaCha20Provider(const DataKey& key);

/// The key id (raw bytes) in the header `prefix` (the first bytes of a
/// file); "" when it does not start with the magic (a plaintext file).
std::string PrefixKeyId(std::string_view prefix);

}  // namespace tb
