// Feeds arbitrary bytes as a fish history file (NewFishSource,
// core/import/fish_source.h) and to UnescapeFish alone.
#include <cstdlib>

#include "core/import/fish_source.h"
#include "fuzz/fuzz_import_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = tb::fuzz::Bytes(data, size);
  if (tb::UnescapeFish(bytes).size() > size) std::abort();  // unescaping never grows the text
  tb::fuzz::DrainSource(&tb::NewFishSource, bytes);
  return 0;
}
