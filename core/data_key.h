/// @file
/// DataKey: the 32-byte key of encryption at rest (docs/security.md,
/// "Encryption at rest"), its key file, its key id, and the XChaCha20
/// keystream the encrypted files are XORed with (libsodium).
///
/// Key file (storage.key_file; docs/formats.md, "Key file"): one line of 64
/// hex digits (the 32 key bytes), an optional final newline, nothing else;
/// mode 0600 (no group or other bits), owned by the user running tb, a
/// regular file outside the data dir. `tb key generate PATH` writes one.
///
/// Key id: the first 16 bytes of BLAKE2b-256 keyed with the key over
/// "termbrain key id 1". It is written in the clear in every encrypted
/// file's header, so a wrong key is told apart from damage before a byte is
/// decrypted; it reveals nothing about the key.
///
/// Errors are one line. A missing key file is Incompatible (exit 3: the
/// store cannot be read without it); a key file that is unsafe or malformed
/// is InvalidArgument (exit 2: a configuration problem).
/// Thread safety: functions are reentrant; a DataKey is a value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tb {

inline constexpr size_t kDataKeyBytes = 32;      ///< bytes of a data key
inline constexpr size_t kKeyIdBytes = 16;        ///< bytes of a key id (KeyId)
inline constexpr size_t kStreamNonceBytes = 24;  ///< XChaCha20

/// A data key (a secret: never log or print it).
struct DataKey {
  std::array<unsigned char, kDataKeyBytes> bytes{};  ///< the raw key
  /// Byte by byte (not constant-time: never compare against untrusted input).
  bool operator==(const DataKey&) const = default;
};

///@{
/// The key id (kKeyIdBytes raw bytes) and its lowercase hex spelling.
std::string KeyId(const DataKey& key);
std::string KeyIdHex(const DataKey& key);
///@}
/// Lowercase hex of `bytes` (two digits per byte).
std::string HexOf(std::string_view bytes);

/// Parses a key file's content (64 hex digits, optional final newline);
/// `path` names the file in the message.
Status ParseKeyText(std::string_view text, const std::string& path, DataKey* out);

/// Reads and checks the key file at `path` (absolute): it exists (else
/// Incompatible), is a regular file owned by the caller with no group or
/// other permission bits, does not lie inside `data_dir` (compared after
/// resolving symlinks), and holds a key.
Status ReadKeyFile(const std::string& path, const std::string& data_dir, DataKey* out);

/// Writes a new random key to `path` (mode 0600, atomically: core/atomic_file.h).
/// Refuses (InvalidArgument) a relative path, an existing file (a key is
/// never overwritten) and a path inside `data_dir`.
Status GenerateKeyFile(const std::string& path, const std::string& data_dir, DataKey* out);

/// The config check of storage.key_file (core/config.h, ConfigKey::check_item):
/// "" when empty or absolute, else "is not an absolute path".
std::string KeyFileProblem(std::string_view path);

struct Config;
/// The data key the config asks for: nullopt when storage.encryption is
/// "off"; for "keyfile", ReadKeyFile(storage.key_file, data_dir), and
/// InvalidArgument when storage.key_file is empty. "passphrase" is
/// InvalidArgument here: LoadDataKey (storage/unlock.h) resolves it.
Status DataKeyFromConfig(const Config& config, const std::string& data_dir, std::optional<DataKey>* out);

/// `n` random bytes (libsodium's randombytes_buf).
void RandomBytes(void* out, size_t n);

/// Overwrites the bytes of a secret with zeros (libsodium's sodium_memzero,
/// which the compiler may not drop) and empties it.
void WipeSecret(std::string* s);

/// XORs `n` bytes at byte `offset` of the XChaCha20 keystream of (key, nonce)
/// into `data`: encryption and decryption alike, at any offset (the block
/// counter is offset / 64).
void XorKeystream(const DataKey& key, const unsigned char* nonce, uint64_t offset, char* data, size_t n);

}  // namespace tb
