// Feeds arbitrary bytes to the spool frame parser (ParseSpool,
// core/spool_frame.h), as a drain reads a spool file a shell hook wrote,
// then re-encodes every parsed event and parses it again: the frame format
// must round-trip what it accepts.
#include <cstdlib>

#include "core/spool_frame.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tb::SpoolParse parse;
  tb::ParseSpool(tb::fuzz::Bytes(data, size), &parse);
  if (parse.consumed > size || parse.rejected.size() != parse.reasons.size()) std::abort();
  for (const tb::Event& ev : parse.events) {
    std::string frame = tb::EncodeSpoolFrame(ev);
    tb::SpoolParse again;
    tb::ParseSpool(frame, &again);
    if (again.events.size() != 1 || again.consumed != frame.size()) std::abort();
  }
  return 0;
}
