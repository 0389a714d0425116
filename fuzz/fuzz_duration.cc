// Feeds arbitrary text to the config duration parser (ParseDuration,
// core/duration.h) and checks it agrees with DurationProblem.
#include <cstdlib>

#include "core/duration.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = tb::fuzz::Bytes(data, size);
  int64_t ns = -1;
  bool ok = tb::ParseDuration(text, &ns);
  if (ok != tb::DurationProblem(text).empty()) std::abort();
  if (ok && ns < 0) std::abort();
  return 0;
}
