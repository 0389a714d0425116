/// @file
/// Event: the in-memory form of one immutable log entry (schemas/event.fbs).
///
/// Events are values. They are encoded to / decoded from FlatBuffers by
/// core/codec.h; storage assigns `seq` on append. Byte fields (command, cwd)
/// hold arbitrary bytes, including invalid UTF-8 and NUL.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tb {

/// Globally unique event id: a random 64-bit origin (one per store or per
/// shell session) and a counter that increases per origin.
/// Text form: 16 lowercase hex digits, '-', decimal counter ("00ab...-42").
struct EventId {
  uint64_t origin = 0;   ///< the random origin (never 0 for an assigned id)
  uint64_t counter = 0;  ///< increases per origin

  /// True for the unassigned id {0, 0}: Store::Append assigns one.
  bool empty() const { return origin == 0 && counter == 0; }
  /// The text form above.
  std::string ToString() const;
  /// Parses the text form; false on anything else.
  static bool Parse(std::string_view text, EventId* out);
  /// Ordered by origin, then counter.
  auto operator<=>(const EventId&) const = default;
};

/// The origin of the ids an import gives to records that carry another
/// tool's id (an ndjson "id" that is not the text form above, e.g. "gen-5" or
/// a UUID): (kForeignIdOrigin, XXH3-64 of the id's bytes). The same foreign
/// id always maps to the same EventId, so importing a file again finds its
/// records by id. No store takes this value as its origin
/// (storage/store.cc, RandomOrigin). docs/formats.md, "Import sources".
inline constexpr uint64_t kForeignIdOrigin = 0xffffffffffffffffull;

/// The EventId of a foreign id: {kForeignIdOrigin, XXH3_64bits(text), seed 0}.
EventId ForeignEventId(std::string_view text);

/// Hash of an EventId for unordered containers.
struct EventIdHash {
  /// Mixes origin and counter; for in-memory containers, not for storing.
  size_t operator()(const EventId& id) const {
    return static_cast<size_t>(id.origin * 0x9E3779B97F4A7C15ull ^ id.counter);
  }
};

/// What an event records; the values are stored (schemas/event.fbs): never
/// renumber them.
enum class EventKind : uint8_t {
  kStarted = 1,          ///< a command started (hook); history shows it as running
  kFinished = 2,         ///< the command `start` ended
  kRecorded = 3,         ///< a complete record (tb record, imports)
  kImportCompleted = 4,  ///< an import batch committed (batch, source, detail, counts)
  kBatchReverted = 5,    ///< import `batch` undone
  kForgotten = 6,        ///< records at `targets` forgotten
  kAdminAction = 7,      ///< administrative action `source` with `detail` (audit trail)
  kWorkflowSaved = 8,    ///< workflow `name` saved with `steps`
  kWorkflowDeleted = 9,  ///< workflow `name` deleted
};

/// Started and recorded events are commands: the records history shows.
inline bool IsCommand(EventKind k) { return k == EventKind::kStarted || k == EventKind::kRecorded; }

/// The kind's name in machine output ("command_started", `tb log dump`'s
/// "type", the "kind" label of the metrics); "unknown" for other values.
const char* EventKindName(EventKind k);

/// One log entry. Which fields mean something depends on `kind` (each field
/// says); the others stay at their defaults.
struct Event {
  EventId id;                             ///< globally unique; empty until the store assigns it on append
  uint64_t seq = 0;                       ///< assigned by the store on append
  int64_t time_ns = 0;                    ///< UTC ns since the epoch (start time for commands)
  std::string host;                       ///< host name of the machine it happened on
  std::string user;                       ///< user name it happened as
  std::string session;                    ///< the shell session's id ("" when none)
  EventKind kind = EventKind::kRecorded;  ///< what it records

  std::string command;     ///< kStarted, kRecorded: the command line (bytes; masked by the record policy before append)
  std::string cwd;         ///< kStarted, kRecorded: the directory it ran in ("" = unknown)
  std::string shell;       ///< kStarted, kRecorded: the shell's name ("" = unknown)
  bool truncated = false;  ///< kStarted, kRecorded: `command` was cut at record.max_command_bytes
  /// kRecorded (nullopt = unknown) and kFinished (always set): exit status
  std::optional<int32_t> exit_code;
  /// kRecorded (nullopt = unknown) and kFinished (always set): run time in ns
  std::optional<int64_t> duration_ns;
  EventId start;  ///< kFinished: the id of the kStarted event it completes
  /// kRecorded: its import batch (0 = none); kImportCompleted/kBatchReverted:
  /// the batch concerned
  uint64_t batch = 0;
  std::string source;             ///< kImportCompleted: importer name; kAdminAction: the action
  std::string detail;             ///< kImportCompleted: the file imported; kAdminAction: its detail
  uint64_t imported = 0;          ///< kImportCompleted: records the batch added
  uint64_t duplicates = 0;        ///< kImportCompleted: entries skipped as already stored
  uint64_t malformed = 0;         ///< kImportCompleted: entries skipped as malformed
  std::vector<uint64_t> targets;  ///< kForgotten: seqs of the forgotten records
  /// kForgotten: the ids of the forgotten records (filled by the store when
  /// it appends the event; what other hosts forget by)
  std::vector<EventId> target_ids;
  std::string name;                ///< kWorkflowSaved, kWorkflowDeleted: the workflow's name
  std::vector<std::string> steps;  ///< kWorkflowSaved: its steps (one shell command line each)
  /// Sync: the host id (32 hex digits) this event was received from; empty
  /// for the events this store originated.
  std::string origin_host;

  /// Field by field.
  bool operator==(const Event&) const = default;
};

}  // namespace tb
