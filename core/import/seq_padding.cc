#include "core/import/seq_padding.h"

#include <string>

namespace tb {

Status SeqPadding::Before(uint64_t want, uint64_t next, uint64_t* pads) {
  *pads = 0;
  if (want <= next) return Status::OK();
  const uint64_t gap = want - next;
  if (gap > kMaxGap) {
    return Status::InvalidArgument("seq " + std::to_string(want) + " would need " + std::to_string(gap) +
                                   " padding events; an import into an " + "empty store pads at most " +
                                   std::to_string(kMaxGap) + " per gap");
  }
  if (total_ + gap > budget_) {
    return Status::InvalidArgument("seq " + std::to_string(want) + " would bring the padding to " +
                                   std::to_string(total_ + gap) + " events; an import of this " + "file pads at most " +
                                   std::to_string(budget_) + " (twice its records plus " + std::to_string(kMaxGap) +
                                   ")");
  }
  total_ += gap;
  *pads = gap;
  return Status::OK();
}

}  // namespace tb
