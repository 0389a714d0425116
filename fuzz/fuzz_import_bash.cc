// Feeds arbitrary bytes as a bash history file (NewBashSource,
// core/import/bash_source.h) and as one timestamp line (ParseBashStamp).
#include "core/import/bash_source.h"
#include "fuzz/fuzz_import_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = tb::fuzz::Bytes(data, size);
  int64_t seconds = 0;
  (void)tb::ParseBashStamp(bytes, &seconds);
  tb::fuzz::DrainSource(&tb::NewBashSource, bytes);
  return 0;
}
