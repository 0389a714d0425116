/// @file
/// Export formats of `tb export` (docs/formats.md, "Export").
///
///   ndjson    the history record of the interface contract, one per line,
///             plus keys only present when needed to round-trip:
///               command_b64 / cwd_b64 / session_b64 / host_b64 / user_b64 /
///               shell_b64  base64 of the bytes when they are not valid UTF-8
///                          (the plain key then holds the U+FFFD form)
///               started_at_ns  when the start is not a whole millisecond
///               truncated      true when the command was cut when recorded
///             `tb import ndjson` reads it back, keeping ids and seqs.
///   json      a JSON array of the same objects
///   csv       RFC 4180 (the `tb history --format csv` columns)
///   markdown  a table for people: started (UTC), exit, duration, directory,
///             command; "|" escaped, newlines shown as "<br>"
#pragma once

#include <string>
#include <string_view>

#include "core/format.h"
#include "core/record.h"
#include "core/status.h"

namespace tb {

/// The formats above.
enum class ExportFormat { kNdjson, kJson, kCsv, kMarkdown };

/// "ndjson", "json", "csv", "markdown" (or "md"); InvalidArgument otherwise.
Status ParseExportFormat(std::string_view text, ExportFormat* out);

/// Writes records in one export format: Begin, Add per record, End.
class ExportFormatter {
 public:
  /// A formatter of format `f`.
  explicit ExportFormatter(ExportFormat f);
  /// Appends what precedes the records (JSON's "[", the CSV and Markdown headers).
  void Begin(std::string* out);
  /// Appends one record.
  void Add(const HistoryRecord& r, std::string* out);
  /// Appends what follows the records (JSON's "]"; nothing for the others).
  void End(std::string* out);

 private:
  void AddObject(const HistoryRecord& r, std::string* out);
  ExportFormat format_;
  RecordFormatter ndjson_;
  RecordFormatter csv_;
  uint64_t count_ = 0;
  std::string line_;
};

}  // namespace tb
