/// @file
/// CRC-32C (Castagnoli), as used by iSCSI, ext4 and RocksDB: the checksum of
/// each record of a log export (docs/formats.md, "Log export").
/// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace tb {

/// Extends `crc` (the CRC-32C of some prefix; 0 for none) with `data`.
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);
/// The CRC-32C (Castagnoli) of `data`.
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

}  // namespace tb
