#include "core/truncate.h"

namespace tb {

bool TruncateCommand(std::string* command, size_t max_bytes) {
  if (command->size() <= max_bytes) return false;
  size_t cut = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the
  // sequence that would be split, at most 3 bytes: a longer run is not UTF-8
  // and is cut as raw bytes.
  size_t back = 0;
  while (cut > 0 && back < 3 && (static_cast<unsigned char>((*command)[cut]) & 0xC0) == 0x80) {
    --cut;
    ++back;
  }
  // Keep the cut at that lead byte only when its sequence really crosses
  // max_bytes. A non-lead byte, or a sequence that ends before max_bytes,
  // means the bytes at max_bytes are stray continuation bytes (invalid, one
  // character each): cut exactly at max_bytes then.
  const unsigned char lead = static_cast<unsigned char>((*command)[cut]);
  const size_t len = lead >= 0xF8 ? 0 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (len == 0 || cut + len <= max_bytes) cut = max_bytes;
  command->resize(cut);
  return true;
}

}  // namespace tb
