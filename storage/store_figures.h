/// @file
/// Store figures for `tb metrics` (tools/metrics_snapshot.h): what RocksDB
/// knows about the store, in tb's own types (no RocksDB type leaves
/// storage/).
/// Thread safety: use the Store from one thread at a time, as always.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/store.h"

namespace tb {

/// The size of one column family.
struct FamilySize {
  std::string name;             ///< column family: "log", "meta", "view_history"...
  uint64_t sst_bytes = 0;       ///< live table files
  uint64_t memtable_bytes = 0;  ///< memtables (active, immutable and pinned)
};

/// What RocksDB knows about an open store, in tb's types (for `tb metrics`).
struct StoreFigures {
  uint64_t head = 0;                      ///< the log's head
  std::vector<FamilySize> families;       ///< in the store's family order
  uint64_t pending_compaction_bytes = 0;  ///< RocksDB's estimate, all families
  /// Events in the log by EventKindName (core/event.h); only the kinds
  /// present. Filled only when asked: it reads the whole log.
  std::map<std::string, uint64_t> events_by_kind;
};

/// Fills *out from `store` (read-only or writable). `count_events` scans
/// the log (about a second per million events). IOError/Corruption from the
/// scan.
Status CollectStoreFigures(Store& store, bool count_events, StoreFigures* out);

}  // namespace tb
