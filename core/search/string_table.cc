#include "core/search/string_table.h"

#include <bit>

namespace tb {

uint64_t StringTableHash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

Status StringTable::Validate() const {
  if (offsets_.empty()) return Status::Corruption("string table without offsets");
  if (offsets_[0] != 0 || offsets_.back() != blob_.size())
    return Status::Corruption("string table offsets do not cover the blob");
  for (size_t i = 1; i < offsets_.size(); ++i)
    if (offsets_[i] < offsets_[i - 1]) return Status::Corruption("string table offsets decrease");
  if (!std::has_single_bit(slots_.size()) || slots_.size() < size())
    return Status::Corruption("string table hash capacity is wrong");
  return Status::OK();
}

std::optional<uint32_t> StringTable::Find(std::string_view s) const {
  if (slots_.empty()) return std::nullopt;
  size_t mask = slots_.size() - 1;
  for (size_t i = StringTableHash(s) & mask, n = 0; n < slots_.size(); i = (i + 1) & mask, ++n) {
    uint32_t v = slots_[i];
    if (v == 0) return std::nullopt;
    if (v > size()) return slots_.MarkMalformed(), std::nullopt;
    if (Get(v - 1) == s) return v - 1;
  }
  return std::nullopt;
}

uint32_t StringTableBuilder::Intern(std::string_view s) {
  size_t mask = slots_.size() - 1;
  size_t i = StringTableHash(s) & mask;
  for (; slots_[i] != 0; i = (i + 1) & mask)
    if (Get(slots_[i] - 1) == s) return slots_[i] - 1;
  auto id = static_cast<uint32_t>(size());
  blob_.append(s);
  offsets_.push_back(blob_.size());
  slots_[i] = id + 1;
  if (size() * 2 > slots_.size()) Grow();  // load factor at most 1/2
  return id;
}

void StringTableBuilder::Grow() {
  slots_.assign(slots_.size() * 2, 0);
  size_t mask = slots_.size() - 1;
  for (uint32_t id = 0; id < size(); ++id) {
    size_t i = StringTableHash(Get(id)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = id + 1;
  }
}

}  // namespace tb
