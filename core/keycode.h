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

void PutU64BE(std::string* out, uint64_t v);
void PutI64Key(std::string* out, int64_t v);
void PutVarint(std::string* out, uint64_t v);
void PutZigzag(std::string* out, int64_t v);
void PutLengthPrefixed(std::string* out, std::string_view bytes);

bool GetU64BE(std::string_view* in, uint64_t* v);
bool GetI64Key(std::string_view* in, int64_t* v);
bool GetVarint(std::string_view* in, uint64_t* v);
bool GetZigzag(std::string_view* in, int64_t* v);
bool GetLengthPrefixed(std::string_view* in, std::string_view* bytes);

/// The 8-byte log key of `seq`.
std::string SeqKey(uint64_t seq);
/// Decodes a log key; false unless exactly 8 bytes.
bool ParseSeqKey(std::string_view key, uint64_t* seq);

}  // namespace tb
