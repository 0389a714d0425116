#include "storage/daemon_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/timefmt.h"

namespace tb {
namespace {

constexpr int kLineTries = 25;  // 50 ms in all

std::string LockPath(const std::string& dir) { return dir + "/" + kDaemonLockFile; }

// Replaces the file's content with `line` (informational: the flock is the
// truth, so a failed write is not an error of the lock). Written before the
// file is cut to its length, so a reader never sees it empty in between.
void WriteLine(int fd, const std::string& line) {
  if (line.empty() || ::pwrite(fd, line.data(), line.size(), 0) == static_cast<ssize_t>(line.size())) {
    (void)!::ftruncate(fd, static_cast<off_t>(line.size()));
  }
}

std::string Line(int64_t since_ns) {
  return "pid " + std::to_string(::getpid()) + " since " + FormatRfc3339Millis(since_ns) + "\n";
}

void ParseLine(const std::string& text, DaemonHolder* h) {
  std::istringstream in(text);
  std::string pid_word, since_word, time;
  long pid = 0;
  if (!(in >> pid_word >> pid >> since_word >> time) || pid_word != "pid" || since_word != "since") return;
  h->pid = static_cast<pid_t>(pid);
  int64_t ns = 0;
  if (ParseTime(time, 0, &ns).ok()) h->since_ns = ns;
}

}  // namespace

DaemonLock::~DaemonLock() {
  if (fd_ < 0) return;
  WriteLine(fd_, "");
  ::close(fd_);  // closing the last descriptor releases the flock
}

Status DaemonLock::Acquire(const std::string& dir, int64_t now_ns) {
  const std::string path = LockPath(dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IOError("cannot open the daemon lock (" + path + "): " + std::strerror(errno));
  // ProbeDaemon takes a shared lock for an instant: a few tries tell that
  // apart from a daemon that holds it.
  int tries = 0;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK && ++tries < 5) {
      ::usleep(2000);
      continue;
    }
    ::close(fd);
    if (err != EWOULDBLOCK) {
      return Status::IOError("cannot lock the daemon lock (" + path + "): " + std::strerror(err));
    }
    return Status::Busy("a daemon already runs for " + dir + " (" + DescribeDaemon(ProbeDaemon(dir)) +
                        "). Stop it first (kill -TERM PID, or systemctl --user stop termbrain)");
  }
  fd_ = fd;
  since_ns_ = now_ns;
  WriteLine(fd_, Line(since_ns_));
  return Status::OK();
}

Status DaemonLock::UpdatePid() {
  if (fd_ < 0) return Status::InvalidArgument("the daemon lock is not held");
  WriteLine(fd_, Line(since_ns_));
  return Status::OK();
}

DaemonHolder ProbeDaemon(const std::string& dir) {
  DaemonHolder h;
  int fd = ::open(LockPath(dir).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return h;
  h.running = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  // A daemon writes its line just after it took the lock: until then the
  // file is empty or holds a dead daemon's line. Wait that moment out.
  for (int tries = 0; h.running && tries < kLineTries; ++tries) {
    char buf[256];
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    h.pid = 0;
    h.since_ns = 0;
    if (n > 0) ParseLine(std::string(buf, static_cast<size_t>(n)), &h);
    if (h.pid > 0 && (::kill(h.pid, 0) == 0 || errno == EPERM)) break;
    ::usleep(2000);
  }
  ::close(fd);
  return h;
}

std::string DescribeDaemon(const DaemonHolder& h) {
  std::string out = h.pid > 0 ? "pid " + std::to_string(h.pid) : std::string("pid unknown");
  if (h.since_ns > 0) out += ", since " + FormatRfc3339Millis(h.since_ns);
  return out;
}

}  // namespace tb
