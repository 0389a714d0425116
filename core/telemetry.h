/// @file
/// Telemetry counts (opt-in; docs/telemetry.md): the file format of the
/// counts kept under the state dir, their aggregation, and the JSON document
/// `tb telemetry show` prints and `tb telemetry send` posts. File access and
/// the commands are tools/telemetry.h and tools/cmd_telemetry.cc.
///
/// What is counted, and nothing else: per command-table name ("search",
/// "sync status"; never arguments), how many runs, their durations in five
/// buckets, and their errors by Status code name ("not found"; never the
/// message). No command text, path, host, user name or id is ever kept.
///
/// The file (docs/formats.md, "Telemetry counts"): text lines, each ending in
/// a TAB and the CRC-32C (core/crc32c.h) of everything before that TAB, as 8
/// lowercase hex digits, then LF:
///   termbrain-telemetry\<TAB\>1\<TAB\>SINCE\<TAB\>CRC       the header, first line
///   COMMAND\<TAB\>BUCKET\<TAB\>CODE\<TAB\>CRC              one line per command run
/// SINCE: Unix seconds when the window started (enable, or the last send);
/// COMMAND: a command-table name; BUCKET: 0..4 (kDurationBucketNames); CODE:
/// a Status code name (Status::CodeName). Count lines are appended with one
/// O_APPEND write each and never rewritten; a send starts the file again.
///
/// Thread safety: functions are reentrant; values are plain.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tb {

/// How many duration ranges a command's runs are counted in.
inline constexpr int kDurationBuckets = 5;
/// Upper bounds, exclusive: <10 ms, <100 ms, <1 s, <10 s, and the rest.
inline constexpr std::array<std::string_view, kDurationBuckets> kDurationBucketNames = {"<10ms", "<100ms", "<1s",
                                                                                        "<10s", ">=10s"};
/// The first field of the header: a file without it is not a telemetry file.
inline constexpr std::string_view kTelemetryMagic = "termbrain-telemetry";
/// The file format version, the header's second field.
inline constexpr int kTelemetryFormatVersion = 1;
/// A larger file is not believed (about 150 000 runs; `send` starts it again).
inline constexpr size_t kTelemetryMaxFileBytes = 8 << 20;

/// The bucket (0..4) of a run that took `duration_ns`.
int DurationBucket(int64_t duration_ns);

/// The header line of a window that started at `since_s` (Unix seconds).
std::string TelemetryHeaderLine(int64_t since_s);
/// The line of one run of `command` (a command-table name) that took
/// `duration_ns` and ended with `code`.
std::string TelemetryCountLine(std::string_view command, int64_t duration_ns, Status::Code code);

/// What the window holds for one command.
struct CommandCounts {
  uint64_t runs = 0;                                      ///< how many times it ran
  std::array<uint64_t, kDurationBuckets> durations = {};  ///< runs per duration bucket (DurationBucket)
  std::map<std::string, uint64_t, std::less<>> errors;    ///< Status code name -> runs (not "ok")
  bool operator==(const CommandCounts&) const = default;  ///< field by field
};

/// The counts of one window, as a file holds them.
struct TelemetryCounts {
  int64_t since_s = 0;                                         ///< 0: no window (telemetry is off)
  std::map<std::string, CommandCounts, std::less<>> commands;  ///< by command-table name
  bool operator==(const TelemetryCounts&) const = default;     ///< field by field
};

/// Reads a whole file's `content` into *out. `is_command` says whether a name
/// is a command-table name. Errors (one line, *out unchanged):
///  - Incompatible: not a telemetry file (no header), or another version;
///  - Corruption: "line N: WHY" -- a checksum that does not match, a line cut
///    short (no LF), a field that is not what it must be (an unknown command
///    or code, a bucket out of range), or the file over kTelemetryMaxFileBytes.
Status ParseTelemetry(std::string_view content, const std::function<bool(std::string_view)>& is_command,
                      TelemetryCounts* out);

/// The document sent, one line of JSON without a final newline; keys in this
/// order, commands sorted by name:
///   {"schema":"termbrain-telemetry/1","tb_version":"0.1.0","since":"2026-12-07",
///    "duration_buckets":["<10ms","<100ms","<1s","<10s",">=10s"],
///    "commands":{"search":{"runs":3,"durations":[2,1,0,0,0],"errors":{"not found":1}}}}
/// "since" is the UTC date the window started (null without a window).
std::string TelemetryDocument(const TelemetryCounts& counts, std::string_view tb_version);

}  // namespace tb
