// Feeds arbitrary bytes as an ndjson export file (NewNdjsonSource,
// core/import/ndjson_source.h: its seq index, then every record) and each
// line of them to NdjsonRecordParser alone.
#include "core/import/ndjson_source.h"
#include "fuzz/fuzz_import_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = tb::fuzz::Bytes(data, size);
  tb::NdjsonRecordParser parser;
  size_t start = 0;
  while (start <= bytes.size()) {
    size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    tb::ImportedCommand cmd;
    (void)parser.Parse(bytes.substr(start, end - start), &cmd);
    start = end + 1;
  }
  tb::fuzz::DrainSource(&tb::NewNdjsonSource, bytes);
  return 0;
}
