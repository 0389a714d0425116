/// @file
/// Spool frames: how shell hooks hand commands to `tb` without opening the
/// store (docs/formats.md, "Spool files").
///
/// A spool file belongs to one shell session (one writer, append-only). It is
/// a sequence of text frames written with shell builtins:
///
///   frame    := "TB1" TAB kind TAB field (TAB field)* TAB "." LF
///   started  := kind "S": origin counter time session shell cwd command
///   finished := kind "F": origin counter time exit duration_us start_counter
///               (duration_us: decimal, at most INT64_MAX / 1000)
///   origin   := 1..16 hex digits   (random per shell session)
///   counter  := decimal            (per session, increasing)
///   time     := seconds "." micro  (or "," — $EPOCHREALTIME under a locale
///               with a decimal comma); UTC seconds since the epoch, at
///               most kMaxEpochSeconds (core/timefmt.h)
///   text     := bytes with "\\" -> "\", "\t" -> TAB, "\n" -> LF, "\r" -> CR
/// The final "." field and LF mark a complete frame: shells cannot compute a
/// checksum without starting a process, and one writer per file means only
/// the last frame can be torn. A torn final frame (no LF yet) is left for a
/// later drain; a complete line that does not parse is rejected (reported,
/// kept aside by the caller).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace tb {

/// What parsing a chunk of spool bytes gave.
struct SpoolParse {
  std::vector<Event> events;          ///< host/user are left empty for the caller
  size_t consumed = 0;                ///< bytes of complete lines (parsed or rejected)
  std::vector<std::string> rejected;  ///< complete lines that did not parse
  std::vector<std::string> reasons;   ///< one per rejected line
};

/// Parses the complete frames at the start of `data`.
void ParseSpool(std::string_view data, SpoolParse* out);

/// Encodes one frame (used by tests and by `tb` itself when it spools).
std::string EncodeSpoolFrame(const Event& ev);

}  // namespace tb
