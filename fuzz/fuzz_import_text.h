// The body of the text-history harnesses (fuzz/fuzz_import_*.cc): reads
// every entry of the bytes through one import source, as `tb import` does.
#pragma once

#include <cstdlib>
#include <memory>

#include "core/import/source.h"
#include "fuzz/fuzz_util.h"

namespace tb::fuzz {

using NewSourceFn = std::unique_ptr<ImportSource> (*)(int fd, const SourceOptions& options);

inline void DrainSource(NewSourceFn make, std::string_view bytes) {
  int fd = MemFd(bytes);
  if (fd < 0) return;
  SourceOptions options;
  options.problem = [](uint64_t, const std::string& why) {
    if (why.empty()) std::abort();  // every problem has a reason
  };
  std::unique_ptr<ImportSource> source = make(fd, options);  // owns fd
  (void)source->ForEachWantedSeq([](uint64_t, uint64_t) { return Status::OK(); });
  ImportedCommand cmd;
  while (source->Next(&cmd)) {
  }
  (void)source->status();
}

}  // namespace tb::fuzz
