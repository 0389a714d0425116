// Feeds arbitrary bytes as a `tb log export` file to its reader
// (ReadLogExport, storage/admin.h: the reader of Replay), twice: as they
// are, then with every checksum the layout lets us find recomputed (the
// header's, each record's, the end marker's), so mutations reach the JSON
// header, the FlatBuffers decoder and the sequence checks behind them.
#include <cstring>
#include <string>

#include "core/crc32c.h"
#include "fuzz/fuzz_util.h"
#include "storage/admin.h"

namespace {

uint32_t Get32(const std::string& s, size_t pos) {
  uint32_t v;
  std::memcpy(&v, s.data() + pos, 4);
  return v;  // little-endian host, as the format
}

void Put32(std::string* s, size_t pos, uint32_t v) { std::memcpy(s->data() + pos, &v, 4); }

void FixChecksums(std::string* s) {
  if (s->size() < 20) return;
  size_t n = Get32(*s, 12);
  if (n > s->size() - 20) return;
  Put32(s, 16 + n, tb::Crc32c(std::string_view(*s).substr(16, n)));
  size_t pos = 20 + n;
  while (s->size() - pos >= 4) {
    size_t len = Get32(*s, pos);
    if (len == 0) {
      if (s->size() - pos >= 24) Put32(s, pos + 20, tb::Crc32c(std::string_view(*s).substr(pos + 4, 16)));
      return;
    }
    if (s->size() - pos < 8 || s->size() - pos - 8 < len) return;
    Put32(s, pos + 4, tb::Crc32c(std::string_view(*s).substr(pos + 8, len)));
    pos += 8 + len;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(tb::fuzz::Bytes(data, size));
  std::string store_id;
  auto visit = [](tb::Event&) { return true; };
  (void)tb::ReadLogExport(bytes, "fuzz.tblog", &store_id, visit);
  FixChecksums(&bytes);
  (void)tb::ReadLogExport(bytes, "fuzz.tblog", &store_id, visit);
  return 0;
}
