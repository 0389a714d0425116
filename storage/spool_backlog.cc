#include "storage/spool_backlog.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tb {
namespace {

Status CountLines(int fd, const std::string& path, uint64_t* lines) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return Status::OK();
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("cannot read spool file (" + path + "): " + std::strerror(errno));
    }
    *lines += static_cast<uint64_t>(std::count(buf, buf + n, '\n'));
  }
}

}  // namespace

Status MeasureSpool(const std::string& spool_dir, SpoolBacklog* out) {
  *out = SpoolBacklog{};
  DIR* dir = ::opendir(spool_dir.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return Status::OK();
    return Status::IOError("cannot list the spool directory (" + spool_dir + "): " + std::strerror(errno));
  }
  Status s;
  while (dirent* e = ::readdir(dir)) {
    std::string path = spool_dir + "/" + e->d_name;
    int fd = ::openat(::dirfd(dir), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) continue;  // a symlink, or gone meanwhile
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      int64_t mtime = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
      if (out->files == 0 || mtime < out->oldest_mtime_ns) out->oldest_mtime_ns = mtime;
      ++out->files;
      out->bytes += static_cast<uint64_t>(st.st_size);
      s = CountLines(fd, path, &out->frames);
    }
    ::close(fd);
    if (!s.ok()) break;
  }
  ::closedir(dir);
  return s;
}

}  // namespace tb
