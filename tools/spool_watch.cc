#include "tools/spool_watch.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tb {
namespace {

constexpr uint32_t kSpoolMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
constexpr uint32_t kAncestorMask = IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

bool IsDir(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A frame may be in `name` (not a file the drainer renamed for itself).
bool IsSpoolWrite(const char* name) { return std::strstr(name, ".draining.") == nullptr; }

}  // namespace

SpoolWatch::~SpoolWatch() {
  if (fd_ >= 0) ::close(fd_);
}

Status SpoolWatch::Start(const std::string& spool_dir) {
  if (spool_dir.empty() || spool_dir[0] != '/') {
    return Status::InvalidArgument("the spool directory must be an absolute path (" + spool_dir + ")");
  }
  spool_dir_ = spool_dir;
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return Status::IOError(std::string("cannot start inotify: ") + std::strerror(errno));
  bool on_spool = false;
  return Rewatch(&on_spool);
}

Status SpoolWatch::Rewatch(bool* on_spool) {
  if (wd_ >= 0) ::inotify_rm_watch(fd_, wd_);  // may already be gone (IN_IGNORED)
  wd_ = -1;
  std::string dir = spool_dir_;
  std::string child;  // the path below `dir` that was missing
  *on_spool = true;
  while (true) {
    if (IsDir(dir)) {
      wd_ = ::inotify_add_watch(fd_, dir.c_str(), *on_spool ? kSpoolMask : kAncestorMask);
      if (wd_ >= 0 && !child.empty() && IsDir(child)) {
        // It appeared between the check and the watch: its IN_CREATE was
        // missed. Start again from the spool directory.
        ::inotify_rm_watch(fd_, wd_);
        wd_ = -1;
        dir = spool_dir_;
        child.clear();
        *on_spool = true;
        continue;
      }
      if (wd_ >= 0) {
        watched_ = dir;
        return Status::OK();
      }
      if (errno != ENOENT && errno != ENOTDIR) {
        return Status::IOError("cannot watch " + dir + ": " + std::strerror(errno));
      }
      continue;  // removed meanwhile: look again
    }
    if (dir == "/") return Status::IOError("cannot watch the spool directory (" + spool_dir_ + "): no directory");
    size_t slash = dir.rfind('/');
    child = dir;
    dir = slash == 0 ? "/" : dir.substr(0, slash);
    *on_spool = false;
  }
}

Status SpoolWatch::Read(bool* activity) {
  *activity = false;
  bool moved = false;
  alignas(inotify_event) char buf[16384];
  while (true) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) return Status::IOError(std::string("cannot read inotify events: ") + std::strerror(errno));
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) *activity = true;  // events were lost: look
      if (ev->wd != wd_) continue;                     // a watch already replaced
      if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        moved = true;
      } else if (watched_ != spool_dir_) {
        moved = true;  // something appeared on the way to the spool directory
      } else if (ev->len > 0 && IsSpoolWrite(ev->name)) {
        *activity = true;
      }
    }
  }
  if (moved) {
    bool on_spool = false;
    TB_RETURN_IF_ERROR(Rewatch(&on_spool));
    // Files may have been written before the watch was in place.
    if (on_spool) *activity = true;
  }
  return Status::OK();
}

}  // namespace tb
