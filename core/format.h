/// @file
/// Output of history records in the formats of `--format` (the record keys
/// of json/ndjson are a stable interface: docs/formats.md).
///
/// The formatter appends text to a caller-owned std::string; the library never
/// prints. Callers flush the buffer to stdout whenever they like (e.g. every
/// few hundred KiB), which keeps memory bounded for a million records.
///
///   json    a JSON array, pretty-printed (2-space indent), one object per
///           record; "[]\n" when empty
///   ndjson  one compact JSON object per line
///   csv     RFC 4180 with a header row and CRLF line endings
///   plain   the command bytes exactly as stored, one per line
///   table   aligned columns for people: TIME DURATION EXIT DIRECTORY COMMAND
///
/// A record object in json/ndjson has exactly these keys, in this order:
///   id (string), seq (integer), command, cwd (strings), exit_code (integer or
///   null), duration_ms (number or null; exact, up to 6 fractional digits),
///   started_at (RFC 3339 UTC, milliseconds), session, host, user, shell.
/// Text fields are made valid UTF-8 (invalid bytes become U+FFFD) in json,
/// ndjson and csv; plain is byte-exact; table escapes control characters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.h"
#include "core/status.h"
#include "core/theme.h"

namespace tb {

/// The --format of commands that print records: an aligned table, one JSON
/// array, one JSON object per line, CSV, or the command lines alone.
enum class OutputFormat { kTable, kJson, kNdjson, kCsv, kPlain };

/// Parses a --format value (ASCII case-insensitive) into *out (untouched on
/// error). Error: InvalidArgument "unknown format 'xml': expected table, json,
/// ndjson, csv or plain".
Status ParseOutputFormat(std::string_view text, OutputFormat* out);

/// The canonical lowercase name ("table", "json", ...); a static string.
std::string_view OutputFormatName(OutputFormat format);
/// Every format's name, in the order of the enum: table, json, ndjson, csv, plain.
std::vector<std::string_view> OutputFormatNames();

/// How RecordFormatter lays records out.
struct FormatOptions {
  /// table: total line width in display columns; the command column is cut
  /// with a trailing "…" so rows fit. When fewer than
  /// RecordFormatter::kMinCommandColumns are left after the fixed columns, the
  /// command gets that many anyway (such a row wraps regardless).
  /// 0 = no truncation.
  int terminal_width = 0;
  /// table: the styles (core/theme.h); a non-zero exit code is in
  /// palette.failure. Empty (the default) = no escape codes.
  Palette palette;
  /// table: a cwd equal to or below this directory is shown as "~...".
  /// Empty = no replacement.
  std::string home_dir;
};

/// Streams records in one format: Begin() once, Add() per record, End() once.
/// Every call appends to *out (never null) and never clears it, so the caller
/// may flush and clear the buffer between calls. Records are written in the
/// order given. Not thread-safe; one formatter per output stream.
class RecordFormatter {
 public:
  /// Table column widths in display columns (two spaces between columns).
  static constexpr int kTimeColumns = 19;        ///< "YYYY-MM-DD HH:MM:SS", local time
  static constexpr int kDurationColumns = 8;     ///< right-aligned
  static constexpr int kExitColumns = 4;         ///< right-aligned
  static constexpr int kDirectoryColumns = 30;   ///< longer paths keep their end: "…/src"
  static constexpr int kMinCommandColumns = 10;  ///< the command column never gets fewer

  /// A formatter of `format` laid out by `options`.
  RecordFormatter(OutputFormat format, FormatOptions options);

  /// Header (csv, table) or opening bracket (json).
  void Begin(std::string* out);
  /// Appends one record (one row, element or line) to *out.
  void Add(const HistoryRecord& record, std::string* out);
  /// Closing bracket (json); nothing for the other formats.
  void End(std::string* out);

 private:
  void AddJson(const HistoryRecord& record, bool pretty, std::string* out) const;
  void AddCsv(const HistoryRecord& record, std::string* out) const;
  void AddTable(const HistoryRecord& record, std::string* out) const;
  std::string DisplayDirectory(const std::string& cwd) const;

  OutputFormat format_;
  FormatOptions options_;
  uint64_t count_ = 0;  // records added so far (json needs the separators)
};

}  // namespace tb
