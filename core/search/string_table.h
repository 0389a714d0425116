/// @file
/// StringTable: an immutable set of byte strings with dense ids 0..size-1
/// and a hash lookup, laid out so it can be read in place from a mapped file
/// (docs/formats.md, "Search index").
///
///   offsets : u64[size + 1]   string i is blob[offsets[i], offsets[i+1])
///   blob    : bytes
///   slots   : u32[capacity]   open addressing (linear probing) by Hash();
///                             0 = empty, else id + 1; capacity a power of two
///
/// A table read from a mapped file checks its blob lazily against the file's
/// block checksums (core/search/block_checksums.h): a string in a damaged
/// block reads as empty and marks the file damaged; so are its hash slots.
/// The offsets must be verified before the table is built.
///
/// Thread safety: immutable but for the lazy checks (see BlockChecksums).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/search/block_checksums.h"
#include "core/status.h"

namespace tb {

/// FNV-1a 64 (stable: it reaches disk through the slot layout).
uint64_t StringTableHash(std::string_view s);

/// A string table read in place (see the file comment); it owns nothing.
class StringTable {
 public:
  StringTable() = default;
  /// A table over trusted memory (e.g. a StringTableBuilder's): nothing is
  /// checked against checksums. The spans must outlive the table.
  StringTable(std::span<const uint64_t> offsets, std::string_view blob, std::span<const uint32_t> slots)
      : offsets_(offsets),
        blob_(std::span<const char>(blob.data(), blob.size()), 0, nullptr),
        slots_(slots, 0, nullptr) {}
  /// A table over a mapped file: blob and slots are verified lazily against
  /// the file's block checksums; `offsets` must already be verified.
  StringTable(std::span<const uint64_t> offsets, IndexColumn<char> blob, IndexColumn<uint32_t> slots)
      : offsets_(offsets), blob_(blob), slots_(slots) {}
  /// Checks the layout invariants (offsets monotonic and inside the blob,
  /// capacity a power of two). Corruption otherwise. A slot is checked when
  /// Find() reads it (one out of range reads as "absent" and marks a
  /// checked table damaged).
  Status Validate() const;

  /// Number of strings (ids are 0..size()-1).
  size_t size() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  /// String `id`; empty when its block is damaged. Precondition: id < size().
  std::string_view Get(uint32_t id) const { return AsText(blob_.Range(offsets_[id], offsets_[id + 1] - offsets_[id])); }
  /// The id of `s`; nullopt when absent (or when a damaged slot hides it).
  std::optional<uint32_t> Find(std::string_view s) const;
  /// The whole blob (empty when damaged).
  std::string_view blob() const { return AsText(blob_.All()); }
  /// Bytes of the blob, without reading (verifying) it.
  size_t blob_size() const { return blob_.size(); }
  /// The offsets: size() + 1 of them, string i is blob[offsets[i], offsets[i+1]).
  std::span<const uint64_t> offsets() const { return offsets_; }
  /// The hash slots, verified whole (empty when damaged).
  std::span<const uint32_t> slots() const { return slots_.All(); }

 private:
  std::span<const uint64_t> offsets_;
  IndexColumn<char> blob_;
  IndexColumn<uint32_t> slots_;
};

/// Collects strings and assigns ids in first-seen order. The hash slots are
/// kept as strings arrive (no second copy of the strings in a map).
class StringTableBuilder {
 public:
  /// The id of `s`: its existing one, else the next one (size() before the call).
  uint32_t Intern(std::string_view s);
  /// Number of distinct strings interned.
  size_t size() const { return offsets_.size() - 1; }
  /// String `id` (precondition: id < size()); valid until the next Intern.
  std::string_view Get(uint32_t id) const {
    return std::string_view(blob_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  ///@{
  /// The table's sections as written to disk (layout in the file comment).
  const std::vector<uint64_t>& offsets() const { return offsets_; }
  const std::string& blob() const { return blob_; }
  const std::vector<uint32_t>& slots() const { return slots_; }
  ///@}
  /// A StringTable over the builder's memory; valid until the next Intern.
  StringTable View() const { return StringTable(offsets_, blob_, slots_); }

 private:
  void Grow();
  std::vector<uint64_t> offsets_{0};
  std::string blob_;
  std::vector<uint32_t> slots_ = std::vector<uint32_t>(16, 0);
};

}  // namespace tb
