/// @file
/// Which records of an import chunk the store already holds.
///
/// A record being imported duplicates one that was in the store before the
/// import (seq <= `before`) when both have the same command text and start
/// time; a record that keeps its own id (ndjson) also when the store has that
/// id at all, and when an earlier record of the same chunk has it.
///
/// Checked per chunk without a read per record: the chunk's distinct start
/// times are visited in ascending order along the `history` view with one
/// cursor (a few Next steps over nearby keys, a Seek across a gap), so a
/// chunk whose time range holds no existing record costs one Seek. The log
/// is read only for the existing records at a start time the chunk has (one
/// read per such record, compared with every chunk record of that time).
/// Kept ids are visited the same way along the `ids` view.
///
/// Thread safety: none; one call at a time per reader.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "core/store_reader.h"

namespace tb {

/// One record of an import chunk, as FindExisting checks it.
struct ChunkRecord {
  const Event* ev = nullptr;  ///< kRecorded, time_ns and command set
  bool keep_id = false;       ///< ev->id is the record's own id
};

/// Sets (*existing)[i] for every records[i] that is a duplicate as described
/// above; the vector is resized to records.size(). `before` == 0 (an empty
/// store) still checks kept ids within the chunk.
Status FindExisting(StoreReader& reader, uint64_t before, std::span<const ChunkRecord> records,
                    std::vector<bool>* existing);

}  // namespace tb
