// Feeds arbitrary bytes to the event decoder (DecodeEvent, core/codec.h:
// the FlatBuffers verifier, then the payload checks), as every read of the
// log does; an event it accepts must encode and decode to itself.
#include <cstdlib>

#include "core/codec.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = tb::fuzz::Bytes(data, size);
  tb::Event ev;
  if (!tb::DecodeEvent(bytes, &ev).ok()) return 0;
  std::string encoded;
  tb::EncodeEvent(ev, &encoded);
  tb::Event again;
  if (!tb::DecodeEvent(encoded, &again).ok() || !(again == ev)) std::abort();
  return 0;
}
