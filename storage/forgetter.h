/// @file
/// Forgetter: the domain side of `tb forget` — which records a forget names,
/// which backups and snapshots still hold forgotten records, the forget
/// itself and the deletion of those copies. tools/cmd_forget.cc asks and
/// prints; this module never does either.
///
/// The forget is one Forgotten event (seqs only, never the text or the
/// query), appended by Store::AppendForgotten, which also purges the bytes
/// from every file of the data dir.
///
/// Backups and snapshots are copies taken earlier: they keep the bytes. A
/// copy taken at head H (log floor L) holds a record forgotten at seq S by
/// the Forgotten event at seq F when L < S <= H and the copy predates the
/// forget: H < F, or it is older than the event (seqs are reused after a
/// restore or rollback, so a copy of a discarded branch can have H >= F).
/// Both tests err on the side of listing a copy; so does a snapshot whose
/// head cannot be read (it counts as holding everything).
///
/// Thread safety: none; the Store must outlive the Forgetter. The store may
/// be read-only except for Forget and DeleteCopies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/history_query.h"
#include "core/status.h"
#include "storage/store.h"

namespace tb {

/// A backup or snapshot that still holds forgotten records.
struct ForgetCopy {
  bool backup = false;  ///< a backup (`id`); false: a snapshot (`name`)
  uint32_t id = 0;      ///< backups
  std::string name;     ///< snapshots
  int64_t time_ns = 0;  ///< when it was taken, UTC ns
  std::string note;     ///< backup note, snapshot reason
};

/// Where the copies a forget may leave behind are looked for.
struct ForgetterOptions {
  std::string data_dir;    ///< its snapshots are searched
  std::string backup_dir;  ///< its backups of this store are searched
};

/// `tb forget`'s domain operations on one store (see the file comment).
class Forgetter {
 public:
  /// Works on `store` (not owned).
  Forgetter(Store& store, ForgetterOptions o) : store_(store), o_(std::move(o)) {}

  /// The records with these ids ("<16 hex>-<number>"), in order.
  /// InvalidArgument for a malformed id or one that is not a command,
  /// NotFound for an unknown one; the messages end in "(tb forget)".
  Status ResolveIds(const std::vector<std::string>& ids, std::vector<HistoryRecord>* out) const;
  /// Every record whose command contains `text` (case-insensitive), newest first.
  Status ResolveMatch(const std::string& text, std::vector<HistoryRecord>* out) const;

  /// The copies holding records forgotten by the Forgotten events in the log
  /// and, when `pending` is non-empty, by a forget of those seqs at
  /// `pending_time_ns` not appended yet (a dry run). Backups first (oldest
  /// first), then snapshots.
  Status FindCopies(const std::vector<uint64_t>& pending, int64_t pending_time_ns, std::vector<ForgetCopy>* out) const;

  /// Appends `forgotten` (kind kForgotten, targets set) and purges
  /// (Store::AppendForgotten). The store must be writable.
  Status Forget(Event* forgotten);

  /// Deletes `copies` (backups through the backup engine's garbage
  /// collection, snapshot directories removed), then appends `audit` (the
  /// "forget.purge_backups" AdminAction). The store must be writable.
  Status DeleteCopies(const std::vector<ForgetCopy>& copies, Event audit);

 private:
  Store& store_;
  ForgetterOptions o_;
};

}  // namespace tb
