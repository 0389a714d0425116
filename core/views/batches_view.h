// The `batches` view: import batches and their members, so a BatchReverted
// can be expanded into the records it removes (by the projector, on append
// and on replay alike) and `tb import --list` can find the batches.
//
//   key := u64be(batch) 'i'            -> u64be(seq of its ImportCompleted)
//        | u64be(batch) 'r'            -> u64be(seq of its first BatchReverted)
//        | u64be(batch) 's' u64be(seq) -> ""      (a CommandRecorded of the batch)
//
// Membership is never deleted (it holds sequence numbers only, no text): a
// replay that reaches a BatchReverted at seq S finds the batch's members in
// any state of this view at or after S, and the 'r' entry (first revert
// only) tells a later removal that the batch is already gone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/view.h"

namespace tb {

inline constexpr std::string_view kBatchesViewName = "batches";

std::string BatchInfoKey(uint64_t batch);
std::string BatchRevertKey(uint64_t batch);
std::string BatchMemberPrefix(uint64_t batch);
std::string BatchMemberKey(uint64_t batch, uint64_t seq);
// Parses any key of the view: *kind is 'i', 'r' or 's' (*seq set for 's').
bool ParseBatchKey(std::string_view key, uint64_t* batch, char* kind, uint64_t* seq);

// Whether import batch `batch` was completed (has its ImportCompleted) and
// whether it was reverted, as the batches view of `reader` holds it.
struct BatchStatus {
  uint64_t completed_seq = 0;  // the seq of its ImportCompleted; 0: none
  bool reverted = false;
};
Status GetBatchStatus(StoreReader& reader, uint64_t batch, BatchStatus* out);
// Whether any record names `batch` (members are never deleted).
Status HasBatchMembers(StoreReader& reader, uint64_t batch, bool* any);
// A cursor over the batches view of `reader` (null when it has none).
std::unique_ptr<KvCursor> NewBatchesCursor(StoreReader& reader);

class BatchesView final : public View {
 public:
  std::string_view name() const override { return kBatchesViewName; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
};

}  // namespace tb
