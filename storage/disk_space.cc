#include "storage/disk_space.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace tb {
namespace {

// The nearest existing ancestor of `path` (itself when it exists).
std::string ExistingAncestor(std::string path) {
  struct stat st {};
  while (!path.empty() && ::stat(path.c_str(), &st) != 0) {
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
  return path.empty() ? "." : path;
}

// Walks up from `dir` while the device stays the same: the top directory
// is the mount point (`dir` is absolute, else the top relative directory).
std::string MountPoint(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return dir;
  std::string cur = dir;
  for (;;) {
    size_t slash = cur.find_last_of('/');
    if (slash == std::string::npos || cur == "/") return cur;
    std::string up = slash == 0 ? "/" : cur.substr(0, slash);
    struct stat ust {};
    if (::stat(up.c_str(), &ust) != 0 || ust.st_dev != st.st_dev) return cur;
    cur = up;
  }
}

std::string Mib(uint64_t bytes) { return std::to_string(bytes >> 20); }

// Rounded up, so a need is never shown smaller than it is.
std::string MibUp(uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20); }

}  // namespace

Status FreeSpaceOf(const std::string& path, DiskSpace* out) {
  std::string dir = ExistingAncestor(path);
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) != 0) {
    return Status::IOError("cannot read the free space (" + dir + "): " + std::strerror(errno));
  }
  out->free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  char real[PATH_MAX];
  out->mount = MountPoint(::realpath(dir.c_str(), real) != nullptr ? std::string(real) : dir);
  return Status::OK();
}

std::string DiskFullMessage(const DiskSpace& space, uint64_t need_bytes, const std::string& what,
                            const std::string& retry) {
  std::string msg = "disk full: " + Mib(space.free_bytes) + " MiB free on " + space.mount;
  if (need_bytes > 0) msg += " (" + what + " needs " + MibUp(need_bytes) + " MiB)";
  return msg + "; nothing was lost. Free space and run " + retry + " again";
}

Status CheckFreeSpace(const std::string& path, uint64_t need_bytes, const std::string& what, const std::string& retry) {
  if (need_bytes == 0) return Status::OK();
  DiskSpace space;
  if (!FreeSpaceOf(path, &space).ok() || space.free_bytes >= need_bytes) return Status::OK();
  return Status::NoSpace(DiskFullMessage(space, need_bytes, what, retry));
}

}  // namespace tb
