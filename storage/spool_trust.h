/// @file
/// Which spool directories and files may be believed (storage/spool.h,
/// "Trust"): only what the running user alone could have written.
///
/// Every check is made by fstat on a descriptor opened with O_NOFOLLOW
/// (never a separate stat of a path, which a swap could outrun), and files
/// are opened relative to their checked directory's descriptor.
#pragma once

#include <sys/stat.h>

#include <string>

#include "core/status.h"

namespace tb {

/// An open descriptor, closed when it goes out of scope. Move-only.
class Fd {
 public:
  Fd() = default;
  /// Takes ownership of `fd` (-1: none).
  explicit Fd(int fd) : fd_(fd) {}
  /// Takes `o`'s descriptor; `o` is left without one.
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  /// Closes the current descriptor, then takes `o`'s.
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  /// The descriptor (still owned); -1 when none.
  int get() const { return fd_; }
  /// True when it holds a descriptor.
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// What a spool object must be: a directory or a regular file.
enum class SpoolObject { kDirectory, kFile };

/// Why `st` (of an opened object) is not trusted as `what` for the running
/// user, e.g. "it is owned by uid 1001, not by you (uid 1000)"; "" when it is
/// trusted.
std::string WhyUntrusted(const struct stat& st, SpoolObject what);

/// Opens `name` (relative to directory descriptor `at`, or AT_FDCWD) as a
/// trusted `what` into *out (read-only; O_NOFOLLOW, O_NONBLOCK so a planted
/// FIFO cannot block). OK with *out valid when trusted; OK with *out invalid
/// when it does not exist; otherwise IOError whose message is the reason
/// alone ("it is a symlink", "it is owned by uid 1001, ..."), for the caller
/// to put in its own sentence.
Status OpenTrusted(int at, const std::string& name, SpoolObject what, Fd* out);

/// Makes `dir` (SPOOL_BASE/HASH, absolute) ready for shell hooks, creating
/// nothing inside a directory it would refuse: every existing ancestor of
/// the base must be owned by root or the running user and not writable by
/// group or others unless sticky (like /tmp and /dev/shm); the base and
/// `dir` are created 0700 when missing, and must then be directories owned
/// by the running user, not symlinks, not writable by group or others (read
/// and search bits for others are removed). IOError with a one-line message
/// otherwise.
Status PrepareSpoolDir(const std::string& dir);

/// The same checks and creation for any private directory of tb under a
/// shared place (the spool, the unlocked keys of storage/unlock.h): `what`
/// names it in messages ("spool directory"), `fix` ends a refusal of an
/// ancestor (". Set TERMBRAIN_SPOOL_DIR to a directory of yours") and
/// `remove_fix` a refusal of the directory itself or its parent.
Status PreparePrivateDir(const std::string& dir, const std::string& what, const std::string& fix,
                         const std::string& remove_fix);

}  // namespace tb
