/// @file
/// Sealed files: files tb writes itself into the data dir (the search index,
/// DIR/search.idx) encrypted and authenticated under the data key when
/// encryption at rest is on (docs/formats.md, "Sealed file").
///
/// Layout: a 64-byte header in the clear -- "TBSEAL2\n", the key id (16
/// bytes, core/data_key.h), a random 24-byte nonce, the content size (u64
/// little-endian), zeros -- then the content, block by block of 4096 bytes
/// (the search index's checksum blocks, core/search/block_checksums.h; the
/// last may be short), each encrypted with XChaCha20-Poly1305 (libsodium
/// crypto_aead_xchacha20poly1305_ietf, detached) under the nonce whose last
/// 8 bytes are XORed with the block's index (little-endian) and the header
/// as additional data; then the 16-byte tags of the blocks in order. The
/// content keeps its offsets (header + offset), so a mapping of the file is
/// used in place: each block is decrypted and authenticated the first time
/// it is read (SealedFile::OpenRange), not the whole file at open.
///
/// Errors are one line: Incompatible for a file that is not sealed or was
/// sealed under another key (exit 3), Corruption for a damaged one; a block
/// that fails authentication is never handed out.
/// Thread safety: SealTo is reentrant; a SealedFile is used from one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/atomic_file.h"
#include "core/data_key.h"
#include "core/search/block_checksums.h"
#include "core/status.h"

namespace tb {

inline constexpr std::string_view kSealMagic = "TBSEAL2\n";  ///< the first 8 bytes of a sealed file
inline constexpr size_t kSealHeaderBytes = 64;               ///< the clear header before the content
inline constexpr size_t kSealBlockBytes = kBlockSize;        ///< content bytes per authenticated block

/// Writes `plain` sealed under `key` through `sink`.
void SealTo(const DataKey& key, std::string_view plain, const ContentSink& sink);
/// True when `bytes` starts like a sealed file.
bool LooksSealed(std::string_view bytes);

/// A sealed file mapped in memory, decrypted in place block by block as it is read.
class SealedFile final : public BlockOpener {
 public:
  /// Checks the header of the sealed file `file` (`size` bytes of writable
  /// memory, e.g. a MAP_PRIVATE mapping, that outlives the object; `name`
  /// for messages). Nothing is decrypted yet.
  static Status Open(const DataKey& key, char* file, size_t size, const std::string& name,
                     std::unique_ptr<SealedFile>* out);
  /// The content, in place; only opened bytes may be read.
  std::string_view content() const { return std::string_view(content_, size_); }
  /// Decrypts and authenticates, in place and once, every block that
  /// content bytes [off, off + len) touch. False when one fails (or the
  /// range is outside the content).
  bool OpenRange(size_t off, size_t len) const override;
  /// OpenRange over the whole content, as a Status naming the first bad block.
  Status OpenAll() const;

 private:
  SealedFile() = default;
  bool OpenBlock(size_t b) const;
  DataKey key_;
  const char* header_ = nullptr;
  char* content_ = nullptr;
  const unsigned char* tags_ = nullptr;
  size_t size_ = 0;
  std::string name_;
  mutable std::vector<uint8_t> state_;  // per block: 0 sealed, 1 open, 2 bad
};

}  // namespace tb
