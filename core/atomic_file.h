/// @file
/// Writing files: the one way TermBrain replaces a file (leveldb's
/// WriteStringToFileSync is the model) and the one write loop under it.
///
/// A file is replaced atomically: the content goes to a temp file in the same
/// directory (`<path>.tmp-XXXXXX`, unique per writer, created 0600), every
/// short write is continued, the temp file is fsynced, given its final mode,
/// renamed over `path`, and the directory is fsynced so the rename survives a
/// crash. Readers see the old file or the whole new one, never a mix.
///
/// Errors are one line, "cannot write PATH: WHY. Check the directory exists
/// and is writable", with code NoSpace when the disk is full, else IOError.
/// Nothing on disk changes on an error (the temp file is removed).
/// Thread safety: distinct objects may be used from distinct threads; writers
/// of the same path race only on which rename lands last.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tb {

/// Writes all of `data` to `fd`, continuing after short writes and EINTR.
/// False with errno set on the first failing write.
bool WriteFully(int fd, std::string_view data);

/// A file replaced atomically, written in pieces. Writes are gathered in a
/// 1 MiB buffer, so many small pieces cost few syscalls. Until Commit()
/// succeeds `path` is untouched, and the destructor removes the temp file.
/// Not thread-safe; one Open() per object.
class AtomicFile {
 public:
  AtomicFile() = default;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  /// Creates the temp file beside `path`; `mode` is the final file's mode.
  Status Open(const std::string& path, mode_t mode = 0600);
  /// Appends `data` (buffered; large pieces are written at once). Errors as
  /// above; after one the object is unusable.
  Status Write(std::string_view data);
  /// Flushes, fsyncs, sets the final mode, renames over `path` and fsyncs the
  /// directory: after OK the new content is durable.
  Status Commit();
  /// Bytes passed to Write so far.
  uint64_t bytes() const { return bytes_; }

 private:
  Status Fail();  // the error for errno; closes and removes the temp file
  Status Flush();

  std::string path_, tmp_, buf_;
  mode_t mode_ = 0600;
  int fd_ = -1;
  uint64_t bytes_ = 0;
};

/// Open(path, mode), Write(data), Commit().
Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode = 0600);

///@{
/// The same for content produced in pieces: `produce(sink)` calls
/// sink(data, size) for each consecutive piece (large files are never held in
/// memory whole).
using ContentSink = std::function<void(const char* data, size_t size)>;
Status WriteFileAtomically(const std::string& path, const std::function<void(const ContentSink&)>& produce);
///@}

/// fsyncs a directory, best effort ("" is the current directory).
void SyncDir(const std::string& dir);

}  // namespace tb
