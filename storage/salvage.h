/// @file
/// Salvage: rebuilds a damaged store from every event that can still be read.
///
/// When the log is damaged (a write-ahead log record or table block that
/// fails its checksum, acknowledged events missing at the end, duplicate
/// event ids), `tb log salvage` keeps every readable event and says exactly
/// what was lost, the event-sourced way:
///   1. take DIR/lock; open the damaged database read-only with corrupted
///      write-ahead log records skipped;
///   2. scan the log leniently: a block that fails its checksum is stepped
///      over (the next readable key is found by seeking past it), a payload
///      that fails verification is skipped, a later event whose id was
///      already kept is dropped;
///   3. append what was kept, with its seqs and ids, to a new database built
///      beside the live one (DIR/salvage.partial), then one AdminAction event
///      ("salvage") after max(last kept seq, acknowledged head) that names the
///      seq ranges with no event (so `tb log verify` accepts those gaps and
///      no seq is ever reused);
///   4. swap the two databases atomically (renameat2 RENAME_EXCHANGE: a
///      crash leaves either the old or the new one) and keep the damaged one
///      in DIR/damaged/TIME/ (UTC) for the user to inspect or delete.
/// Views are rebuilt as the events are appended. No Store may be open on
/// DIR in this process.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "storage/store.h"

namespace tb {

/// What SalvageStore needs.
struct SalvageOptions {
  std::string data_dir;     ///< the data dir (DIR) of the damaged store
  std::string holder;       ///< written to DIR/lock
  int lock_wait_ms = 2000;  ///< how long to wait for the store's lock (Busy after that)
  int64_t now_ns = 0;       ///< names the damaged copy and stamps the salvage event
  StoreOptions store;       ///< tuning for the new database (data_dir/access ignored)
};

/// What a salvage kept and lost.
struct SalvageReport {
  uint64_t kept = 0;                                ///< events carried over
  uint64_t unreadable = 0;                          ///< payloads that failed verification
  uint64_t bad_blocks = 0;                          ///< table blocks stepped over
  uint64_t duplicates = 0;                          ///< events dropped because their id was already kept
  uint64_t old_head = 0;                            ///< the damaged log's head (meta)
  uint64_t acknowledged = 0;                        ///< the acknowledged head (0 when unknown)
  uint64_t new_head = 0;                            ///< head of the salvaged log (the salvage event)
  std::vector<std::pair<uint64_t, uint64_t>> lost;  ///< seq ranges without an event, not forgotten
  std::string damaged_copy;                         ///< where the damaged database was moved
};

/// Runs the steps above. Busy when the lock is held; an error before the
/// swap (step 4) leaves the damaged store as it was.
Status SalvageStore(const SalvageOptions& options, SalvageReport* out);

///@{
/// The AdminAction `source` of the event a salvage appends, and its detail:
/// "lost=A-B,C-D;unreadable=N;duplicates=N;acknowledged=N".
inline constexpr std::string_view kSalvageAction = "salvage";
std::string EncodeSalvageDetail(const SalvageReport& r);
///@}
/// The lost ranges named by a salvage event's detail (malformed parts are
/// ignored).
std::vector<std::pair<uint64_t, uint64_t>> SalvageLostRanges(std::string_view detail);

}  // namespace tb
