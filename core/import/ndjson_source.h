// TermBrain's own ndjson export (core/export.h): one history record per
// line with the contract's keys, plus `command_b64` / `cwd_b64` (bytes that
// are not valid UTF-8), `started_at_ns` (sub-millisecond start) and
// `truncated`. Records are returned in ascending `seq` (file order for
// records without one), so an import into an empty store can keep every
// id and seq; the file is indexed first (24 bytes per record) and each
// record re-read with pread, so memory stays bounded.
#pragma once

#include <memory>

#include "core/import/source.h"

namespace tb {

std::unique_ptr<ImportSource> NewNdjsonSource(int fd, const SourceOptions& options);

// Parses one record line. InvalidArgument naming the bad key.
Status ParseNdjsonRecord(std::string_view line, ImportedCommand* out);

}  // namespace tb
