/// @file
/// WrappedKey: the data key of encryption at rest (core/data_key.h) stored
/// under a passphrase, for storage.encryption = "passphrase" (docs/security.md,
/// "Passphrase"). Argon2id (libsodium crypto_pwhash, ALG_ARGON2ID13) turns the
/// passphrase and a random salt into a wrapping key; the 32-byte data key is
/// sealed with XChaCha20-Poly1305 (libsodium crypto_aead_xchacha20poly1305_ietf)
/// under it, with the clear header as additional data.
///
/// File DIR/key.wrapped (docs/formats.md, "Wrapped key file"), 168 bytes,
/// integers little-endian:
///   0   8  magic "TBWRAPK\n"
///   8   4  format version, 1
///   12  4  KDF, 1 = Argon2id v1.3 (numbers never change meaning)
///   16  8  Argon2id opslimit (passes)
///   24  8  Argon2id memlimit, bytes
///   32 16  salt
///   48 16  key id of the wrapped data key (core/data_key.h, KeyId)
///   64 24  nonce
///   88 48  the sealed data key: 32 bytes of ciphertext, 16 of tag;
///          additional data = bytes [0, 88)
///   136 32 checksum: BLAKE2b-256 (crypto_generichash, unkeyed) of [0, 136)
/// The checksum tells damage (Corruption) from a wrong passphrase (the
/// checksum holds, the tag does not: Incompatible, exit 3). The key id in the
/// clear tells, before any passphrase is asked, whether the file wraps the
/// key the store is under (storage/at_rest.h, CheckDbKey), and is checked
/// again against the unwrapped key. The limits are the ones the file was
/// made with, so a later `tb key passphrase` can raise them
/// (storage.kdf_ops, storage.kdf_memory_mb).
///
/// Errors are one line naming `path`. Thread safety: reentrant; values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/data_key.h"
#include "core/status.h"

namespace tb {

inline constexpr size_t kWrappedKeyBytes = 168;   ///< size of DIR/key.wrapped
inline constexpr uint32_t kWrappedKeyFormat = 1;  ///< the format version this build writes and reads
inline constexpr uint32_t kKdfArgon2id = 1;       ///< the KDF number of Argon2id v1.3
///@{
/// Accepted Argon2id costs (the config's ranges: storage.kdf_ops,
/// storage.kdf_memory_mb). A file asking for more is refused as damaged, so a
/// planted file cannot make tb allocate without bound.
inline constexpr uint64_t kMaxKdfOps = 64;
inline constexpr uint64_t kMaxKdfMemoryBytes = 4096ull << 20;
///@}
/// Passphrases are 1 to this many bytes.
inline constexpr size_t kMaxPassphraseBytes = 4096;

/// The default cost (storage.kdf_ops, storage.kdf_memory_mb): 4 passes over
/// 96 MiB, about 0.3 s on the project's 2-core machine, keeping `tb unlock`
/// under the 150 MiB per-process memory budget (docs/benchmarks.md,
/// "Encryption at rest"); above RFC 9106's second recommended setting (3
/// passes, 64 MiB).
struct KdfLimits {
  uint64_t ops = 4;                     ///< Argon2id passes (opslimit)
  uint64_t memory_bytes = 96ull << 20;  ///< Argon2id memory (memlimit), bytes
  /// Field by field.
  bool operator==(const KdfLimits&) const = default;
};

/// The fields of a wrapped key file (layout above).
struct WrappedKey {
  KdfLimits limits;    ///< the cost it was wrapped with
  std::string salt;    ///< 16 bytes
  std::string key_id;  ///< kKeyIdBytes
  std::string nonce;   ///< 24 bytes
  std::string sealed;  ///< 48 bytes
};

/// "DIR/key.wrapped".
std::string WrappedKeyPath(const std::string& data_dir);

///@{
/// The file's bytes (checksum included) and back. Decode: Corruption when
/// the size or checksum is wrong or the limits are out of range,
/// Incompatible when the magic, version or KDF is not ours.
std::string EncodeWrappedKey(const WrappedKey& w);
Status DecodeWrappedKey(std::string_view bytes, const std::string& path, WrappedKey* out);
///@}

/// InvalidArgument when `passphrase` is empty or too long.
Status CheckPassphrase(std::string_view passphrase);

/// Wraps `key` under `passphrase` with a new random salt and nonce. IOError
/// when Argon2id cannot get its memory.
Status WrapDataKey(const DataKey& key, std::string_view passphrase, const KdfLimits& limits, WrappedKey* out);

/// Unwraps: Incompatible ("wrong passphrase for PATH ...") when the tag does
/// not hold; Corruption when the key it gives does not have the file's key id.
Status UnwrapDataKey(const WrappedKey& w, std::string_view passphrase, const std::string& path, DataKey* out);

/// Reads and decodes `path`: NotFound when it does not exist; it must be a
/// regular file (not a symlink) owned by the caller.
Status ReadWrappedKeyFile(const std::string& path, WrappedKey* out);
/// Writes `w` to `path` atomically (core/atomic_file.h), mode 0600.
Status WriteWrappedKeyFile(const std::string& path, const WrappedKey& w);

}  // namespace tb
