#include "core/keycode.h"

namespace tb {

void PutU64BE(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

void PutI64Key(std::string* out, int64_t v) { PutU64BE(out, static_cast<uint64_t>(v) ^ 0x8000000000000000ull); }

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutZigzag(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PutLengthPrefixed(std::string* out, std::string_view bytes) {
  PutVarint(out, bytes.size());
  out->append(bytes);
}

bool GetU64BE(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(8);
  *v = r;
  return true;
}

bool GetI64Key(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetU64BE(in, &u)) return false;
  *v = static_cast<int64_t>(u ^ 0x8000000000000000ull);
  return true;
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (size_t i = 0; i < in->size() && i < 10; ++i) {
    uint8_t byte = static_cast<uint8_t>((*in)[i]);
    if (i == 9 && byte > 1) return false;  // more than 64 bits
    r |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      in->remove_prefix(i + 1);
      *v = r;
      return true;
    }
  }
  return false;
}

bool GetZigzag(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetVarint(in, &u)) return false;
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

bool GetLengthPrefixed(std::string_view* in, std::string_view* bytes) {
  uint64_t n;
  std::string_view rest = *in;
  if (!GetVarint(&rest, &n) || rest.size() < n) return false;
  *bytes = rest.substr(0, n);
  rest.remove_prefix(n);
  *in = rest;
  return true;
}

std::string SeqKey(uint64_t seq) {
  std::string k;
  k.reserve(8);
  PutU64BE(&k, seq);
  return k;
}

bool ParseSeqKey(std::string_view key, uint64_t* seq) { return key.size() == 8 && GetU64BE(&key, seq); }

}  // namespace tb
