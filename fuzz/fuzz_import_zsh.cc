// Feeds arbitrary bytes as a zsh history file, plain or EXTENDED_HISTORY,
// metafied (NewZshSource, core/import/zsh_source.h), and to Unmetafy alone.
#include <cstdlib>

#include "core/import/zsh_source.h"
#include "fuzz/fuzz_import_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = tb::fuzz::Bytes(data, size);
  std::string text(bytes);
  tb::Unmetafy(&text);
  if (text.size() > size) std::abort();  // unmetafying never grows the text
  tb::fuzz::DrainSource(&tb::NewZshSource, bytes);
  return 0;
}
