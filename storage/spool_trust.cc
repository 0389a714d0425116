#include "storage/spool_trust.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace tb {
namespace fs = std::filesystem;

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string Where(const std::string& path) { return " (" + path + ")"; }

// Why openat(at, name, O_DIRECTORY | O_NOFOLLOW) failed with ENOTDIR: Linux
// reports a symlink that way too. Only words the refusal; trust is never
// granted from a path lookup.
std::string NotADirectory(int at, const std::string& name) {
  struct stat st {};
  if (::fstatat(at, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
    return "it is a symlink";
  }
  return "it is not a directory";
}

// The directory `name` under `at`, created 0700 when missing. With
// `nofollow` a symlink is refused; without, it is followed (ancestors: the
// link itself lives in a directory already checked).
Status OpenOrMakeDir(int at, const std::string& name, bool nofollow, Fd* out, struct stat* st) {
  const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::openat(at, name.c_str(), flags);
    if (fd >= 0) {
      *out = Fd(fd);
      if (::fstat(fd, st) != 0) return Status::IOError(std::strerror(errno));
      return Status::OK();
    }
    if (errno == ELOOP) return Status::IOError("it is a symlink");
    if (errno == ENOTDIR) return Status::IOError(NotADirectory(at, name));
    if (errno != ENOENT) return Status::IOError(std::strerror(errno));
    // Created by us, so judged like any other below; EEXIST is a race
    // with another process creating it: open again and judge that one.
    if (::mkdirat(at, name.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::IOError(std::string("cannot create it: ") + std::strerror(errno));
    }
  }
  return Status::IOError("it keeps disappearing");
}

// An ancestor of the spool base: whoever can write to it can replace what
// is below, so it must be root's or ours, and shared only if sticky.
std::string WhyUnsafeAncestor(const struct stat& st) {
  const uid_t me = ::geteuid();
  if (st.st_uid != 0 && st.st_uid != me) {
    return "it is owned by uid " + std::to_string(st.st_uid) +
           " (neither you nor root), who could replace what is in it";
  }
  if ((st.st_mode & 022) != 0 && (st.st_mode & S_ISVTX) == 0) {
    return "it is writable by group or others (mode " + Octal(st.st_mode) +
           ") and not sticky, so another user could replace what is in it";
  }
  return "";
}

}  // namespace

std::string WhyUntrusted(const struct stat& st, SpoolObject what) {
  const bool dir = what == SpoolObject::kDirectory;
  if (dir && !S_ISDIR(st.st_mode)) return "it is not a directory";
  if (!dir && !S_ISREG(st.st_mode)) return "it is not a regular file";
  const uid_t me = ::geteuid();
  if (st.st_uid != me) {
    return "it is owned by uid " + std::to_string(st.st_uid) + ", not by you (uid " + std::to_string(me) + ")";
  }
  if ((st.st_mode & 022) != 0) {
    return "it is writable by group or others (mode " + Octal(st.st_mode) + ")";
  }
  return "";
}

Status OpenTrusted(int at, const std::string& name, SpoolObject what, Fd* out) {
  *out = Fd();
  int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
  if (what == SpoolObject::kDirectory) flags |= O_DIRECTORY;
  int fd = ::openat(at, name.c_str(), flags);
  if (fd < 0) {
    if (errno == ENOENT) return Status::OK();
    if (errno == ELOOP) return Status::IOError("it is a symlink");
    if (errno == ENOTDIR) return Status::IOError(NotADirectory(at, name));
    return Status::IOError(std::string("cannot open it: ") + std::strerror(errno));
  }
  Fd held(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IOError(std::string("cannot stat it: ") + std::strerror(errno));
  std::string why = WhyUntrusted(st, what);
  if (!why.empty()) return Status::IOError(why);
  *out = std::move(held);
  return Status::OK();
}

Status PrepareSpoolDir(const std::string& dir) {
  return PreparePrivateDir(dir, "spool directory", ". Set TERMBRAIN_SPOOL_DIR to a directory of yours",
                           ". Remove it, or set TERMBRAIN_SPOOL_DIR to a directory of yours");
}

Status PreparePrivateDir(const std::string& dir, const std::string& what, const std::string& fix,
                         const std::string& remove_fix) {
  const fs::path path = fs::absolute(dir).lexically_normal();
  const fs::path base = path.parent_path();
  if (!path.has_filename() || base == base.root_path()) {
    return Status::IOError("unsafe " + what + Where(dir) + ": it is too close to /" + fix);
  }
  Fd cur(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cur.valid()) return Status::IOError("cannot open / (" + what + "): " + std::string(std::strerror(errno)));
  struct stat st {};
  // Ancestors of the base, from the top: each is judged before anything
  // below it is opened or created.
  fs::path at = base.root_path();
  for (const fs::path& part : base.parent_path().relative_path()) {
    at /= part;
    Fd next;
    Status s = OpenOrMakeDir(cur.get(), part.string(), /*nofollow=*/false, &next, &st);
    if (!s.ok()) return Status::IOError("cannot use the " + what + Where(at.string()) + ": " + s.message() + fix);
    std::string why = WhyUnsafeAncestor(st);
    if (!why.empty()) return Status::IOError("unsafe " + what + Where(at.string()) + ": " + why + fix);
    cur = std::move(next);
  }
  // The base and the directory itself: ours alone.
  for (const fs::path& level : {base, path}) {
    Fd next;
    Status s = OpenOrMakeDir(cur.get(), level.filename().string(), /*nofollow=*/true, &next, &st);
    std::string why = s.ok() ? WhyUntrusted(st, SpoolObject::kDirectory) : s.message();
    if (!why.empty()) return Status::IOError("unsafe " + what + Where(level.string()) + ": " + why + remove_fix);
    if ((st.st_mode & 077) != 0 && ::fchmod(next.get(), 0700) != 0) {
      return Status::IOError("cannot make the " + what + " private" + Where(level.string()) + ": " +
                             std::strerror(errno));
    }
    cur = std::move(next);
  }
  return Status::OK();
}

}  // namespace tb
