/// @file
/// Import sources: each parser turns one history file (or database) into a
/// stream of commands. Streaming and memory-bounded: a source holds at most
/// one entry (and a read buffer) at a time, whatever the file size.
///
/// A source never writes anything: tools/cmd_import.cc applies the record
/// policy, de-duplicates, gives synthetic timestamps and appends the batch.
/// Thread safety: one source per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/status.h"

namespace tb {

/// One history entry read by a source.
struct ImportedCommand {
  Event ev;               ///< kind kRecorded: command, cwd, shell, exit, duration, time...
  bool has_time = false;  ///< false: ev.time_ns is to be made up (file order kept)
  uint64_t line = 0;      ///< 1-based line (or row) where the entry starts
  ///@{
  /// ndjson only: the record's own id and seq, kept on import when possible.
  bool keep_id = false;
  uint64_t want_seq = 0;
  ///@}
};

///@{
/// A malformed entry: where, and why (one line, no trailing period).
/// Every source reports an entry whose command is empty or only whitespace
/// (IsBlankCommand, core/record_policy.h) with this reason; empty lines
/// between entries are not entries and are skipped silently.
inline constexpr const char* kBlankCommandProblem = "empty or whitespace-only command";
using ProblemFn = std::function<void(uint64_t line, const std::string& why)>;
///@}

/// A history file being read entry by entry (one per importer kind).
class ImportSource {
 public:
  virtual ~ImportSource() = default;
  /// The next command; false at the end or on an I/O error (see status()).
  /// Malformed entries are reported through the ProblemFn and skipped.
  virtual bool Next(ImportedCommand* out) = 0;
  /// OK, or the error that ended Next() early (e.g. IOError on a read error).
  virtual Status status() const = 0;
  /// Sources whose records ask for a seq (ndjson) visit (seq, line) of every
  /// record in the order Next() returns them (seq 0: none), from an index
  /// built when the source was opened, before any record is parsed: an
  /// import can check its seq padding (core/import/seq_padding.h) before it
  /// writes anything. The others visit nothing. Stops at the first error.
  virtual Status ForEachWantedSeq(const std::function<Status(uint64_t seq, uint64_t line)>& visit) const {
    (void)visit;
    return Status::OK();
  }
};

/// What a source needs besides the file.
struct SourceOptions {
  ProblemFn problem;  ///< never null when opened through OpenImportSource
};

/// The importer names OpenImportSource accepts for text files.
bool IsTextSource(std::string_view source);

/// The text format `path` looks like, from its first non-empty line:
/// "ndjson" ("{"), "fish" ("- cmd:"), "zsh" (": <digit>", an extended
/// header), else "bash" (a stamp, or one command per line: a plain zsh file
/// reads the same); "" for an empty or unreadable file.
/// For messages only: an import never picks its parser by guessing.
std::string GuessTextSource(const std::string& path);

/// Opens `path` as history of kind `source` ("bash", "zsh", "fish",
/// "ndjson"). NotFound / IOError / InvalidArgument (a directory, a binary
/// file) as one-line messages naming the path.
Status OpenImportSource(std::string_view source, const std::string& path, const SourceOptions& options,
                        std::unique_ptr<ImportSource>* out);

}  // namespace tb
