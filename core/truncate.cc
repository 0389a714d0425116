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
  if ((static_cast<unsigned char>((*command)[cut]) & 0xC0) != 0xC0) cut = max_bytes;
  command->resize(cut);
  return true;
}

}  // namespace tb
