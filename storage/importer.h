/// @file
/// Importer: one history file into the store as one import batch — the
/// orchestration behind `tb import` (tools/cmd_import.cc parses, prints and
/// opens the source).
///
/// A batch's CommandRecorded events carry the batch id (the seq of its first
/// event) and an ImportCompleted closes it. Records are appended in chunks
/// (memory stays bounded); a failure part way appends a BatchReverted for
/// the partial batch, and a crash part way leaves a batch without
/// ImportCompleted that the next import reverts first. With `strict` the
/// file is checked completely before anything is written.
///
/// Times: an entry without a timestamp that follows a timestamped one is
/// timed 1 us after it. Plain entries (no timestamp before them in the file)
/// follow core/import/plain_dedup.h: their text counts against the newest
/// records of the earlier batches of the same source and file, and new ones
/// are timed 1 ms apart after those records (ending at the file's mtime) and
/// always before the file's first timestamped entry.
///
/// De-duplication (core/import/existing_records.h): a timestamped entry is a
/// duplicate when a record with the same text and start time was in the
/// store before the import; ndjson records that keep their id also when that
/// id was. Into an empty store an ndjson file keeps its records' seqs, the
/// gaps filled with "import.pad" AdminAction events (core/import/seq_padding.h),
/// checked for the whole file before anything is written.
///
/// A non-empty file of which no entry parsed and some were malformed (the
/// wrong source) is refused (InvalidArgument) with nothing written.
///
/// Thread safety: none; the Store (writable) must outlive the Importer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/import/source.h"
#include "core/record_policy.h"
#include "core/status.h"
#include "storage/store.h"

namespace tb {

/// One history file to import.
struct ImportJob {
  std::string source;   ///< importer name: bash, zsh, fish, ndjson, atuin, ...
  std::string path;     ///< the file
  bool strict = false;  ///< check the whole file first; write nothing on any problem
};

/// What an import did with the entries it read.
struct ImportCounts {
  ///@{
  /// Records added; entries skipped as already stored; entries skipped as
  /// malformed (reported through ImporterOptions::problem).
  uint64_t imported = 0, duplicates = 0, malformed = 0;
  ///@}
};

/// What an Importer needs besides the store.
struct ImporterOptions {
  /// Opens the job's source with the given options (required: the caller
  /// knows every importer, the SQLite ones included).
  std::function<Status(const SourceOptions& o, std::unique_ptr<ImportSource>* out)> open;
  const RecordPolicy* policy = nullptr;  ///< secret masking, truncation (required)
  ///@{
  /// The host and user given to entries that name none.
  std::string host, user;
  ///@}
  std::function<int64_t()> now;  ///< the clock, UTC ns (required)
  size_t chunk_events = 16384;   ///< events appended per WriteBatch
  /// Before every chunk is written (a disk that filled up meanwhile stops
  /// the import there, and the partial batch is reverted). May be empty.
  std::function<Status()> before_chunk;
  /// Drains commands spooled meanwhile into the store: between chunks, or
  /// once at the end when the file's seqs are kept. May be empty.
  std::function<Status()> drain;
  ///@{
  /// Reports; each may be empty. `problem`: a malformed entry (skipped).
  /// `progress`: every 100,000 entries read, and once with end = true when
  /// the input is read. `reverted`: a batch an earlier crash left
  /// incomplete, reverted before this import. `parsed`: the input parsed
  /// (before its last chunk is written).
  std::function<void(uint64_t line, const std::string& why)> problem;
  std::function<void(uint64_t seen, bool end)> progress;
  std::function<void(uint64_t batch)> reverted;
  std::function<void()> parsed;
  ///@}
};

/// Imports history files into a store, each as one import batch.
class Importer {
 public:
  /// Imports into `store` (writable; not owned).
  Importer(Store& store, ImporterOptions o) : store_(store), o_(std::move(o)) {}
  /// Imports `job` as one batch; *batch is its id. On an error after
  /// something was written the partial batch is reverted.
  Status Run(const ImportJob& job, ImportCounts* counts, uint64_t* batch);

 private:
  Store& store_;
  ImporterOptions o_;
};

}  // namespace tb
