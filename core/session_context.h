/// @file
/// SessionTracker: builds the session context of each completion
/// (core/view.h, Completion) for the projector, identically on append,
/// catch-up and rebuild.
///
/// The context of a record C completing at event seq E is the last
/// kSessionContext records of C's session with a (start time, seq) key
/// below C's, among the records present before E, with their exit codes as
/// they stood before E. It is merged from two sources:
///  - the views as they were before the batch (by_session for the records,
///    history for their exits, the log for their texts), read through the
///    ViewLookup and cached per session for the batch;
///  - the records and finishes of the batch itself, kept in memory (the
///    views do not see the WriteBatch being built).
/// Entries from the views with seq >= E or also held in memory are skipped,
/// so a single-view rebuild over complete live views stays close.
///
/// Thread safety: one tracker per Projector (one thread).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/view.h"
#include "core/views/field_index_view.h"

namespace tb {

/// Builds the session context of completions (core/view.h, Completion):
/// the commands of the batch being applied in memory, earlier ones read
/// through a ViewLookup.
class SessionTracker {
 public:
  /// Forgets the batch memory (call at the start of every batch).
  void BeginBatch();
  /// A started/recorded event was appended in this batch.
  void OnRecord(const Event& ev, uint64_t seq);
  /// The started record at `start_seq` finished with `exit`.
  void OnFinish(uint64_t start_seq, const Event& start, int32_t exit);
  /// Fills *out for `record` (started or recorded, at `seq`) completing with
  /// `exit` at event `event_seq`. `lookup` may be null (memory only). The
  /// spans in *out stay valid until the next call.
  Status Complete(const Event& record, uint64_t seq, std::optional<int32_t> exit, uint64_t event_seq,
                  ViewLookup* lookup, Completion* out);

  /// One command of a session as the tracker holds it (owning copies of
  /// what a SessionEntry points at).
  struct Entry {
    uint64_t seq = 0;                  ///< its started/recorded event
    int64_t time_ns = 0;               ///< its start time
    std::optional<int32_t> exit_code;  ///< nullopt: running or unknown
    ///@{
    /// Its command line, CommandTemplate of it, and its directory.
    std::string command, tmpl, cwd;
    ///@}
  };

 private:
  Status LoadBefore(ViewLookup& lookup, const std::string& session, const Posting* before, uint64_t event_seq,
                    std::vector<Entry>* out);
  using Key = std::pair<int64_t, uint64_t>;  // (start time, seq)
  // session -> the batch's records of that session by key
  std::unordered_map<std::string, std::map<Key, Entry>> batch_;
  std::unordered_map<uint64_t, Entry*> batch_index_;                     // seq -> its entry in batch_
  std::unordered_map<uint64_t, int32_t> batch_exits_;                    // earlier records finished in this batch
  std::unordered_map<std::string, std::vector<Entry>> view_tail_;        // last entries in the views
  std::vector<Entry> loaded_;                                            // an out-of-order record's own view lookup
  std::vector<std::pair<const Entry*, std::optional<int32_t>>> merged_;  // entry, exit
  std::vector<SessionEntry> context_;
  std::string tmpl_;
};

/// Reads the records of `session` before position `before` (null = the end),
/// newest first, at most `max` accepted by `accept`, with exit codes from
/// history and texts from the log.
Status ReadSessionBackward(ViewLookup& lookup, const std::string& session, const Posting* before, size_t max,
                           const std::function<bool(uint64_t seq)>& accept, std::vector<SessionTracker::Entry>* out);

}  // namespace tb
