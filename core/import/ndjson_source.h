/// @file
/// TermBrain's own ndjson export (core/export.h): one history record per
/// line with the contract's keys, plus `command_b64` / `cwd_b64` (bytes that
/// are not valid UTF-8), `started_at_ns` (sub-millisecond start) and
/// `truncated`. Records are returned in ascending `seq` (file order for
/// records without one), so an import into an empty store can keep every
/// id and seq; the file is indexed first (24 bytes per record) and each
/// record re-read with pread, so memory stays bounded.
///
/// An `id` that is not EventId's text form (core/event.h) is another tool's
/// id: the record keeps ForeignEventId(id), so importing the same file again
/// finds it by id. An empty `id` is invalid; an `id` that is not a string is
/// ignored (the record gets a new id).
#pragma once

#include <memory>
#include <string_view>

#include "core/import/source.h"

namespace tb {

/// A source over the ndjson export open at `fd` (owned: closed with the source).
std::unique_ptr<ImportSource> NewNdjsonSource(int fd, const SourceOptions& options);

/// Parses record lines with simdjson's DOM parser; one object per source,
/// its buffers grow to the longest line and are reused. A line simdjson
/// refuses is parsed again with nlohmann::json, which decides: a record is
/// exactly a line nlohmann::json reads as an object (it also takes a UTF-8
/// byte order mark, integers beyond 64 bits as numbers with a fraction,
/// nesting deeper than simdjson's limit, and ignores what follows a NUL).
/// Of a key given twice the last counts. Not thread safe.
class NdjsonRecordParser {
 public:
  NdjsonRecordParser();
  ~NdjsonRecordParser();
  NdjsonRecordParser(const NdjsonRecordParser&) = delete;
  NdjsonRecordParser& operator=(const NdjsonRecordParser&) = delete;

  /// Parses one record line (without its LF) into *out. InvalidArgument
  /// naming the bad key, or "not a JSON object".
  Status Parse(std::string_view line, ImportedCommand* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb
