/// @file
/// The `ids` view: every event's globally unique id -> its sequence number.
/// Used to join finishes to starts, to find a record by id, and to detect
/// duplicates.
///
///   key   := u64be(origin) u64be(counter)
///   value := varint(seq)
#pragma once

#include <string>
#include <string_view>

#include "core/store_reader.h"
#include "core/view.h"

namespace tb {

/// The view's name (column family "view_ids").
inline constexpr std::string_view kIdsViewName = "ids";

/// The key of `id` (layout above).
std::string IdKey(const EventId& id);
/// Decodes a key; false unless it is exactly 16 bytes.
bool ParseIdKey(std::string_view key, EventId* id);

/// The seq of the event with `id` in the `ids` view of `reader`: NotFound
/// when there is none (never appended, or forgotten), Corruption when the
/// entry is malformed.
Status LookupId(StoreReader& reader, const EventId& id, uint64_t* seq);
///@{
/// A cursor over the ids view of `reader` (null when it has none), and the
/// seq held by one of its values (false when malformed).
std::unique_ptr<KvCursor> NewIdsCursor(StoreReader& reader);
bool ParseIdsValue(std::string_view value, uint64_t* seq);
///@}

/// The `ids` view (see the file comment).
class IdsView final : public View {
 public:
  std::string_view name() const override { return kIdsViewName; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
};

}  // namespace tb
