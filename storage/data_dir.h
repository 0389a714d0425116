/// @file
/// DataDir: the files TermBrain keeps next to its RocksDB database.
///
///   DIR/               0700
///   DIR/TERMBRAIN      identity file (text, see docs/formats.md):
///                        termbrain-store\n format N\n store_id HEX32\n
///   DIR/lock           flock()ed by the one process that writes; holds a
///                      one-line description of the holder ("pid 123: tb record")
///   DIR/daemon.lock    flock()ed by the running `tb daemon` (storage/daemon_lock.h)
///   DIR/db/            the RocksDB database
///   DIR/logs/          the JSON-lines log (tools/)
///
/// Functions here never delete or rewrite a file they did not create.
#pragma once

#include <string>

#include "core/status.h"

namespace tb {

/// The store format this build writes and the newest it opens.
inline constexpr int kStoreFormatVersion = 1;

/// What DIR/TERMBRAIN says.
struct StoreIdentity {
  int format = kStoreFormatVersion;  ///< the store's format version
  std::string store_id;              ///< 32 lowercase hex digits
};

/// Checks what DIR is: Ok + *exists=false when DIR is missing, empty or holds
/// only what an interrupted creation leaves before the identity file exists
/// (tb's lock, TERMBRAIN.tmp-*, the hooks' spool/): a new store may be
/// created. Ok + identity when it is a TermBrain store this binary can open;
/// Incompatible when it is something else or newer. Never writes.
/// `own_lock`: the caller holds DIR/lock (whatever holder text it wrote).
Status InspectDataDir(const std::string& dir, bool* exists, StoreIdentity* identity, bool own_lock = false);

/// Creates DIR (0700 when it is new); an existing directory is left as is.
Status MakeDataDir(const std::string& dir);

/// Creates DIR (0700) and writes a fresh identity atomically (temp + fsync +
/// rename): the identity file is what makes DIR a store. Its store id is
/// identity->store_id when set on entry (a rekey's new database), else new. Precondition: the
/// caller holds DIR's lock and InspectDataDir (under it) said !exists.
Status CreateDataDir(const std::string& dir, StoreIdentity* identity);

/// An exclusive, advisory, process-level lock on DIR/lock. Released by the
/// destructor (and by the kernel when the process dies).
class DirLock {
 public:
  DirLock() = default;
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

  /// Tries to take the lock for `wait_ms` milliseconds, polling. On success
  /// writes `holder` into the file. Busy (naming the current holder) when it
  /// stays locked.
  Status Acquire(const std::string& dir, const std::string& holder, int wait_ms);
  /// True while this object holds the lock.
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// The description written by the current lock holder, or "" when unlocked.
std::string ReadLockHolder(const std::string& dir);

/// Total size in bytes of the regular files under `dir` (recursive).
uint64_t DirectorySize(const std::string& dir);

}  // namespace tb
