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
  uint64_t origin = 0;
  uint64_t counter = 0;

  bool empty() const { return origin == 0 && counter == 0; }
  std::string ToString() const;
  /// Parses the text form; false on anything else.
  static bool Parse(std::string_view text, EventId* out);
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

struct EventIdHash {
  size_t operator()(const EventId& id) const {
    return static_cast<size_t>(id.origin * 0x9E3779B97F4A7C15ull ^ id.counter);
  }
};

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

struct Event {
  EventId id;
  uint64_t seq = 0;     ///< assigned by the store on append
  int64_t time_ns = 0;  ///< UTC ns since the epoch (start time for commands)
  std::string host;
  std::string user;
  std::string session;
  EventKind kind = EventKind::kRecorded;

  // kStarted / kRecorded
  std::string command;
  std::string cwd;
  std::string shell;
  bool truncated = false;
  // kRecorded (known or not) and kFinished (always set)
  std::optional<int32_t> exit_code;
  std::optional<int64_t> duration_ns;
  // kFinished: the id of the kStarted event it completes
  EventId start;
  // kRecorded: its import batch (0 = none); kImportCompleted/kBatchReverted:
  // the batch concerned
  uint64_t batch = 0;
  // kImportCompleted: importer name and file; kAdminAction: action, detail
  std::string source;
  std::string detail;
  // kImportCompleted counts
  uint64_t imported = 0;
  uint64_t duplicates = 0;
  uint64_t malformed = 0;
  // kForgotten: seqs of the forgotten records, and their ids (filled by the
  // store when it appends the event; what other hosts forget by)
  std::vector<uint64_t> targets;
  std::vector<EventId> target_ids;
  // kWorkflowSaved / kWorkflowDeleted: the workflow's name; kWorkflowSaved:
  // its steps (one shell command line each)
  std::string name;
  std::vector<std::string> steps;
  /// Sync: the host id (32 hex digits) this event was received from; empty
  /// for the events this store originated.
  std::string origin_host;

  bool operator==(const Event&) const = default;
};

}  // namespace tb
