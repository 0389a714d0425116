/// @file
/// View: a projection of the log into its own key space (one column family).
///
/// A view is a pure function of the log: replaying the log from sequence 1
/// into an empty key space must give exactly the live contents. Storage
/// commits a view's mutations in the same WriteBatch as the events that
/// caused them. When a view's version() differs from the version stored in
/// `meta`, storage drops and rebuilds it by replay (the migration system), so
/// bump version() whenever the key or value layout or the semantics change.
///
/// Thread safety: views are immutable after construction; Apply may be called
/// from one thread at a time per ViewWriter.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/status.h"
#include "core/store_reader.h"

namespace tb {

/// Receives a view's mutations for the batch being built. Implemented by
/// storage over a rocksdb::WriteBatch; by tests over a map.
class ViewWriter {
 public:
  virtual ~ViewWriter() = default;
  /// Sets `key` of the view to `value` (replacing any value) in the batch.
  virtual void Put(std::string_view key, std::string_view value) = 0;
  /// Removes `key` of the view in the batch (nothing when absent).
  virtual void Delete(std::string_view key) = 0;
  /// Only for views whose HasMerge() is true.
  virtual void Merge(std::string_view key, std::string_view operand) = 0;
};

/// Session context (docs/architecture.md, "Session context"): a command of
/// the same session as a record that just completed, as it stood when that
/// record completed.
struct SessionEntry {
  uint64_t seq = 0;                  ///< its started/recorded event
  int64_t time_ns = 0;               ///< its start time
  std::optional<int32_t> exit_code;  ///< nullopt: running or unknown
  std::string_view command;          ///< its command line (valid during the call that receives it)
  std::string_view tmpl;             ///< CommandTemplate(command)
  std::string_view cwd;              ///< its directory ("" = unknown)
};

/// How many earlier commands of the session a completion carries.
inline constexpr size_t kSessionContext = 3;

/// A command record became complete: a CommandRecorded was appended, or a
/// CommandFinished joined its start. `before` holds the (up to)
/// kSessionContext commands of the same session that precede it in
/// (start time, seq) order among the records present at that point of the
/// log, oldest first; empty when the session is "". Analytics views learn
/// from completions (patterns, fixes).
struct Completion {
  const Event* record = nullptr;         ///< the started/recorded event (never null)
  uint64_t seq = 0;                      ///< its seq
  std::optional<int32_t> exit_code;      ///< its final exit status; nullopt: unknown
  std::string_view tmpl;                 ///< CommandTemplate(record->command)
  std::span<const SessionEntry> before;  ///< the session context described above, oldest first
};

/// One event as the views see it, after the projector joined a finish to the
/// command it completes.
struct ViewInput {
  uint64_t seq = 0;              ///< == event->seq
  const Event* event = nullptr;  ///< never null
  ///@{
  /// kFinished only: the started event it completes and that event's seq;
  /// null when the start is unknown (views then ignore the finish).
  const Event* start = nullptr;
  uint64_t start_seq = 0;
  ///@}
  /// Set for a kRecorded event and for a kFinished event joined to its start.
  const Completion* completion = nullptr;
};

/// Removal (docs/architecture.md, "Removal"): a BatchReverted or Forgotten
/// event expanded by the projector into the records it removes, each with the
/// event that created it and its final state (exit code as history shows it).
struct RemovedRecord {
  uint64_t seq = 0;                  ///< the seq of its started/recorded event
  const Event* event = nullptr;      ///< the started/recorded event (never null)
  std::optional<int32_t> exit_code;  ///< final exit (after any finish); nullopt: running/unknown
};

/// One removal event as the views see it (View::ApplyRemoval).
struct RemovalInput {
  uint64_t seq = 0;                        ///< the removal event's seq
  const Event* event = nullptr;            ///< the BatchReverted / Forgotten event
  std::span<const RemovedRecord> records;  ///< present records it removes (ascending seq)
};

/// Read access to the views as they are at the point of the log being
/// applied (the live families on append, the families being rebuilt on
/// replay) and to the log. Views that must read-modify-write on removal
/// (counters) use it; they see nothing of the WriteBatch being built.
class ViewLookup {
 public:
  virtual ~ViewLookup() = default;
  /// NotFound when absent.
  virtual Status Get(std::string_view view, std::string_view key, std::string* value) = 0;
  /// A cursor over `view` (null for an unknown view).
  virtual std::unique_ptr<KvCursor> Cursor(std::string_view view) = 0;
  /// The log event at `seq`: NotFound when absent (e.g. purged by forget).
  virtual Status GetEvent(uint64_t seq, Event* out) = 0;
};

/// A materialized view of the log: a column family kept up to date by
/// Apply on every append and rebuilt by replaying the log (core/views/ holds
/// them, core/views/registry.h lists them).
class View {
 public:
  virtual ~View() = default;
  /// Stable name: the column family is "view_" + name(). Never reused.
  virtual std::string_view name() const = 0;
  /// Layout/semantics version; a change triggers a rebuild on open.
  virtual uint32_t version() const = 0;
  /// Emits the mutations `in` causes. Must be deterministic.
  virtual void Apply(const ViewInput& in, ViewWriter& out) const = 0;

  /// Removes `in.records` from the view (their keys, their contribution to
  /// counters). Called once per removal event, alone in its write batch, so
  /// `lookup` sees everything before it. Must leave exactly what a replay of
  /// the log gives. Default: nothing (the view has no per-record state).
  virtual Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const {
    (void)in;
    (void)lookup;
    (void)out;
    return Status::OK();
  }

  /// True for views that use ViewWriter::Merge; they implement FullMerge.
  virtual bool HasMerge() const { return false; }
  /// Views whose keys repeat within a batch (counters per command text, per
  /// day) fold: storage holds their operands until the batch is complete and
  /// writes one per key (PartialMerge). Holding costs a hash lookup and a
  /// copy per operand, so views whose keys are mostly distinct per batch
  /// do not fold.
  virtual bool FoldsOperands() const { return false; }
  /// Folds `operands` (in order, at least two) into one operand with the
  /// same effect on any existing value: FullMerge(e, {folded}) equals
  /// FullMerge(e, operands) for every e, absent included. False: they
  /// cannot be folded (bad input); they are then written as they are.
  virtual bool PartialMerge(std::span<const std::string_view> operands, std::string* out) const {
    (void)operands;
    (void)out;
    return false;
  }
  /// The associative merge of views with HasMerge(): *out = `existing` (null
  /// when the key has no value) folded with `operands` in order. Returns
  /// false when an operand or the existing value is malformed.
  virtual bool FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                         std::string* out) const {
    (void)existing;
    (void)operands;
    (void)out;
    return false;
  }
};

}  // namespace tb
