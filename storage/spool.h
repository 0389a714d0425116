// Spool directory: where shell hooks leave frames (core/spool_frame.h) and
// from where any process that opens the store for writing drains them.
//
//   SPOOL/<session>.spool                 live file, appended by one shell
//   SPOOL/<session>.spool.draining.<n>    taken over by a drainer (renamed, so
//                                         the shell starts a new live file)
//   <data dir>/spool-rejected/<file>      complete lines that did not parse
//
// Exactly once: a draining file's consumed offset is a store checkpoint
// ("spool/<file name>") committed in the same WriteBatch as its events; the
// file is deleted only once everything in it is committed.
// The spool directory is meant to be memory-backed ($XDG_RUNTIME_DIR): raw
// frames may hold secrets, which are masked here, before the log.
#pragma once

#include <functional>
#include <string>

#include "core/event.h"
#include "core/status.h"
#include "storage/store.h"

namespace tb {

struct SpoolDrainOptions {
  std::string spool_dir;
  std::string rejected_dir;
  std::string host;  // filled into every drained event
  std::string user;
  // Applied to each drained event before it is appended (secret masking,
  // truncation, ignore rules). Return false to drop the event (its frame
  // still counts as consumed).
  std::function<bool(Event*)> prepare;
  // Applied to every rejected line before it is kept on disk (secret
  // masking: a line that does not parse may still hold a credential).
  std::function<void(std::string*)> mask_rejected;
  // Writers that opened a live file just before it was renamed finish
  // within microseconds; the drainer waits this long before reading.
  int settle_ms = 5;
  // A torn final frame older than this is the remains of a killed writer:
  // it is rejected and the file deleted.
  int torn_grace_ms = 2000;
};

struct DrainReport {
  size_t files = 0;
  size_t events = 0;
  size_t dropped = 0;
  size_t rejected = 0;
};

// Drains every spool file into `store` (which must be writable).
Status DrainSpool(Store& store, const SpoolDrainOptions& options, DrainReport* report);

// The spool directory for a data dir: SPOOL_BASE/<16 hex of FNV-1a(data dir)>.
std::string SpoolDirFor(const std::string& spool_base, const std::string& data_dir);

}  // namespace tb
