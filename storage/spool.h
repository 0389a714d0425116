/// @file
/// Spool directory: where shell hooks leave frames (core/spool_frame.h) and
/// from where any process that opens the store for writing drains them.
///
///   SPOOL/SESSION.spool                   live file, appended by one shell
///   SPOOL/SESSION.spool.draining.N        taken over by a drainer (renamed, so
///                                         the shell starts a new live file)
///   DIR/spool-rejected/FILE               complete lines that did not parse
///
/// Exactly once: a draining file's consumed offset is a store checkpoint
/// ("spool/<file name>") committed in the same WriteBatch as its events; the
/// file is deleted only once everything in it is committed.
/// The spool directory is meant to be memory-backed ($XDG_RUNTIME_DIR): raw
/// frames may hold secrets, which are masked here, before the log.
///
/// Trust: whatever is drained becomes the user's history, so only what the
/// running user (effective uid) alone could have written is read. The spool
/// directory and its parent (the spool base) must be directories owned by
/// that user, not symlinks, not writable by group or others; a spool file a
/// regular file owned by that user, not a symlink, not writable by group or
/// others. Each is opened with O_NOFOLLOW and judged by fstat on the opened
/// descriptor (never a separate stat of the path), and the files are reached
/// through the checked directory's descriptor, so nothing can be swapped in
/// between the check and the read. Anything else is refused: left untouched
/// and reported as one warning line.
///
/// Ids: an event whose id is already in the log (the `ids` view), or earlier
/// in the same drain, is dropped and reported: a spool file appended again
/// (copied back, restored) never makes the log hold one id twice.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "storage/store.h"

namespace tb {

///@{
/// The most of one spool file a drain holds in memory (docs/security.md,
/// "Size limits"): a longer file is drained in parts of this size. A frame longer
/// than this (no shell writes one: record.max_command_bytes is at most
/// 16 MiB) is rejected, and only its first kRejectedFrameKeepBytes are kept.
inline constexpr size_t kMaxSpoolReadBytes = 64u << 20;
inline constexpr size_t kRejectedFrameKeepBytes = 4096;
///@}

/// Where to drain from and how to prepare what is drained.
struct SpoolDrainOptions {
  std::string spool_dir;     ///< SPOOL: the directory of the shells' spool files
  std::string rejected_dir;  ///< DIR/spool-rejected: where lines that did not parse are kept
  std::string host;          ///< filled into every drained event
  std::string user;          ///< filled into every drained event
  /// Applied to each drained event before it is appended (secret masking,
  /// truncation, ignore rules). Return false to drop the event (its frame
  /// still counts as consumed).
  std::function<bool(Event*)> prepare;
  /// Applied to every rejected line before it is kept on disk (secret
  /// masking: a line that does not parse may still hold a credential).
  std::function<void(std::string*)> mask_rejected;
  /// Writers that opened a live file just before it was renamed finish
  /// within microseconds; the drainer waits this long before reading.
  int settle_ms = 5;
  /// A torn final frame older than this is the remains of a killed writer:
  /// it is rejected and the file deleted.
  int torn_grace_ms = 2000;
  /// kMaxSpoolReadBytes (smaller in tests).
  size_t max_read_bytes = kMaxSpoolReadBytes;
};

/// What one drain did.
struct DrainReport {
  size_t files = 0;                            ///< spool files drained (wholly or in part)
  size_t events = 0;                           ///< events appended to the log
  std::map<EventKind, size_t> events_by_kind;  ///< `events`, by kind
  size_t dropped = 0;                          ///< dropped by `prepare` (record policy)
  size_t rejected = 0;                         ///< lines that did not parse, kept in rejected_dir
  size_t refused = 0;                          ///< spool directories and files not trusted (see above)
  size_t duplicates = 0;                       ///< events whose id the log (or this drain) already had
  /// One line per refused directory or file and per file with duplicates,
  /// "<what> (<where>): <why>. <what to do>", for the caller to show.
  std::vector<std::string> warnings;
};

/// Drains every trusted spool file into `store` (which must be writable).
/// Each file's frames are appended with its consumed offset as a checkpoint
/// in the same write; the log is synced once after all files, and only then
/// are the fully consumed files deleted (a crash before that re-reads them
/// from their checkpoints: nothing lost, nothing twice).
/// A missing spool directory is nothing to drain; an untrusted one is
/// refused (a warning, OK). Errors are I/O and store failures only.
Status DrainSpool(Store& store, const SpoolDrainOptions& options, DrainReport* report);

/// The spool directory for a data dir: SPOOL_BASE/<16 hex of FNV-1a(data dir)>.
std::string SpoolDirFor(const std::string& spool_base, const std::string& data_dir);

}  // namespace tb
