/// @file
/// The `batches` view: import batches and their members, so a BatchReverted
/// can be expanded into the records it removes (by the projector, on append
/// and on replay alike) and `tb import --list` can find the batches.
///
///   key := u64be(batch) 'i'              -> u64be(seq of its ImportCompleted)
///        | u64be(batch) 'r'              -> u64be(seq of its first BatchReverted)
///        | u64be(batch) 's' u64be(block) -> runs   (its CommandRecorded events with
///                                                    seq >> 16 == block)
///   runs := varint(first) varint(length - 1) { varint(gap) varint(length - 1) }
///
/// Members are runs of consecutive seqs, sorted, maximal (gap = next start -
/// previous end - 2 >= 0: runs never touch). An import's members are
/// consecutive, so a chunk of 16,384 records writes one merge operand where
/// a key per record cost a memtable entry each; merging is the union of the
/// runs (folded per batch).
///
/// Membership is never deleted (it holds sequence numbers only, no text): a
/// replay that reaches a BatchReverted at seq S finds the batch's members in
/// any state of this view at or after S, and the 'r' entry (first revert
/// only) tells a later removal that the batch is already gone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/view.h"

namespace tb {

/// The view's name (column family "view_batches").
inline constexpr std::string_view kBatchesViewName = "batches";

/// The 'i' key of `batch` (its ImportCompleted).
std::string BatchInfoKey(uint64_t batch);
/// The 'r' key of `batch` (its first BatchReverted).
std::string BatchRevertKey(uint64_t batch);
/// The first key of `batch` (any key of the view sorts in batch order).
std::string BatchPrefix(uint64_t batch);
/// Parses the batch of any key of the view; false when malformed.
bool ParseBatchOfKey(std::string_view key, uint64_t* batch);

/// A run of member seqs [first, last].
struct SeqRun {
  uint64_t first = 0;  ///< the first seq of the run
  uint64_t last = 0;   ///< the last seq of the run (>= first)
  /// Field by field.
  bool operator==(const SeqRun&) const = default;
};
/// Appends the `runs` encoding of sorted runs that never touch (layout above).
void EncodeSeqRuns(const std::vector<SeqRun>& runs, std::string* out);
/// False when malformed (truncated, overlapping or touching runs, overflow).
bool DecodeSeqRuns(std::string_view in, std::vector<SeqRun>* out);

/// Calls visit(seq) for the members of `batch` under `c`, oldest first or
/// newest first, until it returns false. Corruption on a malformed entry.
Status ForEachBatchMember(KvCursor& c, uint64_t batch, bool newest_first,
                          const std::function<bool(uint64_t seq)>& visit);

/// Whether import batch `batch` was completed (has its ImportCompleted) and
/// whether it was reverted, as the batches view of `reader` holds it.
struct BatchStatus {
  uint64_t completed_seq = 0;  ///< the seq of its ImportCompleted; 0: none
  bool reverted = false;       ///< a BatchReverted names it
};
/// Fills *out for `batch`; an unknown batch is {0, false}, not an error.
/// Corruption when its entries are malformed.
Status GetBatchStatus(StoreReader& reader, uint64_t batch, BatchStatus* out);
/// Whether any record names `batch` (members are never deleted).
Status HasBatchMembers(StoreReader& reader, uint64_t batch, bool* any);
/// A cursor over the batches view of `reader` (null when it has none).
std::unique_ptr<KvCursor> NewBatchesCursor(StoreReader& reader);

/// The `batches` view (see the file comment).
class BatchesView final : public View {
 public:
  std::string_view name() const override { return kBatchesViewName; }
  uint32_t version() const override { return 2; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
  bool HasMerge() const override { return true; }
  bool FoldsOperands() const override { return true; }
  bool PartialMerge(std::span<const std::string_view> operands, std::string* out) const override;
  bool FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                 std::string* out) const override;
};

}  // namespace tb
