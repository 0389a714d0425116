/// @file
/// Key and value encoding primitives shared by the log, meta and views.
///
/// Grammar (docs/formats.md):
///   u64be     := 8 bytes, big-endian (sorts numerically as bytes)
///   i64key    := u64be(value XOR 0x8000000000000000)  (signed, sorts numerically)
///   varint    := LEB128, 1..10 bytes
///   lpbytes   := varint(length) bytes           (no separator, so any byte may appear)
/// All functions are pure; Get* functions consume from the front of *in and
/// return false on truncated input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tb {

void PutU64BE(std::string* out, uint64_t v);   ///< appends u64be(v)
void PutI64Key(std::string* out, int64_t v);   ///< appends i64key(v)
void PutVarint(std::string* out, uint64_t v);  ///< appends varint(v)
void PutZigzag(std::string* out, int64_t v);   ///< appends varint of v zigzag-encoded (small magnitudes stay short)
void PutLengthPrefixed(std::string* out, std::string_view bytes);  ///< appends lpbytes(bytes)

bool GetU64BE(std::string_view* in, uint64_t* v);   ///< reads u64be; false when fewer than 8 bytes are left
bool GetI64Key(std::string_view* in, int64_t* v);   ///< reads i64key; false when fewer than 8 bytes are left
bool GetVarint(std::string_view* in, uint64_t* v);  ///< reads varint; false when truncated or over 64 bits
bool GetZigzag(std::string_view* in, int64_t* v);   ///< reads what PutZigzag wrote; false as GetVarint
/// Reads lpbytes; *bytes points into the input. False when truncated.
bool GetLengthPrefixed(std::string_view* in, std::string_view* bytes);

/// The 8-byte log key of `seq`.
std::string SeqKey(uint64_t seq);
/// Decodes a log key; false unless exactly 8 bytes.
bool ParseSeqKey(std::string_view key, uint64_t* seq);

}  // namespace tb
