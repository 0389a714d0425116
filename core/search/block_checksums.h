/// @file
/// BlockChecksums: lazy verification of a mapped file against per-block
/// checksums (the search index, core/search/index.h; layout in
/// docs/formats.md, "Search index"). The covered bytes are cut into blocks of
/// 2^kBlockShift bytes (the last one may be short), each with the XXH3-64 of
/// its bytes. A block is hashed the first time something inside it is read
/// and remembered as good or bad; bytes of a bad block are never handed out.
///
/// IndexColumn<T>: an array inside the covered bytes whose elements are read
/// through those checks: an element of a bad block reads as T{} and the file
/// is marked damaged.
///
/// Thread safety: the verification state is mutable; one thread at a time
/// (VerifyAll() first, then any number of readers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tb {

constexpr uint32_t kBlockShift = 12;  ///< 4 KiB: a page, so verifying never faults in more than a read would
/// Bytes per checksummed block (the last block of a file may be shorter).
constexpr size_t kBlockSize = size_t{1} << kBlockShift;

/// XXH3-64 of `bytes` (the checksum of the search index).
uint64_t IndexChecksum(std::string_view bytes);

/// Makes bytes of an index readable in place before they are first read: an
/// index encrypted per block (core/sealed_file.h) decrypts and authenticates
/// each block the first time a search reads inside it. False: the bytes
/// cannot be opened (damaged or forged), and are never handed out.
class BlockOpener {
 public:
  virtual ~BlockOpener() = default;
  /// Opens every block that bytes [off, off + len) touch (idempotent).
  virtual bool OpenRange(size_t off, size_t len) const = 0;
};

/// The per-block checksums of one index file and which blocks were verified
/// (lazily, on first read); records the first damage for good.
class BlockChecksums {
 public:
  BlockChecksums() = default;
  /// Bytes [0, covered) of `base` checked against `sums` (one per block;
  /// precondition: sums.size() == ceil(covered / kBlockSize)). Both must
  /// outlive this object.
  /// `opener` (may be null) opens each block before it is hashed.
  BlockChecksums(const char* base, size_t covered, std::span<const uint64_t> sums, const BlockOpener* opener = nullptr)
      : base_(base), covered_(covered), sums_(sums), opener_(opener), state_(sums.size(), kUnknown) {}

  /// True when bytes [off, off + len) are inside the covered range and
  /// every block they touch matches its checksum (hashing the blocks not
  /// verified yet). False marks the file damaged.
  bool Verify(size_t off, size_t len) const {
    size_t b = off >> kBlockShift;
    if (len != 0 && b < state_.size() && state_[b] == kGood && ((off + len - 1) >> kBlockShift) == b) return true;
    return VerifySlow(off, len);
  }
  /// Verifies every block not verified yet; Corruption naming the first bad
  /// block (the file is then damaged()).
  Status VerifyAll() const;
  /// Marks the file damaged for a value that passed its checksum but is
  /// inconsistent (out of range): a writer's bug, still never believed.
  void MarkMalformed() const {
    if (bad_block_ == SIZE_MAX) bad_block_ = state_.size();
  }
  /// True once a block failed its checksum or a value was malformed.
  bool damaged() const { return bad_block_ != SIZE_MAX; }
  /// Corruption naming the first bad block (or the malformed value); OK while !damaged().
  Status damage() const;

 private:
  enum : uint8_t { kUnknown, kGood, kBad };
  bool VerifySlow(size_t off, size_t len) const;
  bool VerifyBlock(size_t b) const;
  const char* base_ = nullptr;
  size_t covered_ = 0;
  std::span<const uint64_t> sums_;
  const BlockOpener* opener_ = nullptr;
  mutable std::vector<uint8_t> state_;
  mutable size_t bad_block_ = SIZE_MAX;  // the first block found bad; size(): a malformed value
};

/// A column of fixed-size values (T) of an index file, each read verified
/// against the file's BlockChecksums; a copyable view, it owns nothing.
template <typename T>
class IndexColumn {
 public:
  IndexColumn() = default;
  /// `data` lies at byte `offset` of the bytes `check` covers; a null
  /// `check` means trusted memory (an index being built).
  IndexColumn(std::span<const T> data, size_t offset, const BlockChecksums* check)
      : data_(data), offset_(offset), check_(check) {}

  /// Number of elements (no verification).
  size_t size() const { return data_.size(); }
  /// True when the column has no element.
  bool empty() const { return data_.empty(); }
  /// Element i (precondition: i < size()); T{} when its block is damaged.
  T operator[](size_t i) const {
    return !check_ || check_->Verify(offset_ + i * sizeof(T), sizeof(T)) ? data_[i] : T{};
  }
  /// Elements [from, from + n) (precondition: inside), verified together;
  /// empty when damaged.
  std::span<const T> Range(size_t from, size_t n) const {
    if (n == 0 || !check_ || check_->Verify(offset_ + from * sizeof(T), n * sizeof(T))) return data_.subspan(from, n);
    return {};
  }
  /// The whole column, verified at once; empty when damaged.
  std::span<const T> All() const { return Range(0, size()); }
  /// See BlockChecksums::MarkMalformed (no-op for trusted memory).
  void MarkMalformed() const {
    if (check_) check_->MarkMalformed();
  }

 private:
  std::span<const T> data_;
  size_t offset_ = 0;
  const BlockChecksums* check_ = nullptr;
};

/// The same bytes as a string_view (no copy).
inline std::string_view AsText(std::span<const char> s) { return std::string_view(s.data(), s.size()); }

}  // namespace tb
