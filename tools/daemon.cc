#include "tools/daemon.h"

#include <poll.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "tools/spool_watch.h"

namespace tb {
namespace {

constexpr int64_t kNone = INT64_MAX;
constexpr int64_t kMs = 1'000'000;

// Milliseconds until `deadline_ns` (rounded up, so poll never returns just
// before it), clamped to poll's range; -1 when there is no deadline.
int TimeoutMs(int64_t deadline_ns, int64_t now_ns) {
  if (deadline_ns == kNone) return -1;
  if (deadline_ns <= now_ns) return 0;
  const int64_t ms = (deadline_ns - now_ns + kMs - 1) / kMs;
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

// IN_OPEN on the store's lock file while the daemon holds the store: another
// process wants it.
class ContenderWatch {
 public:
  ContenderWatch() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}
  ~ContenderWatch() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }
  // Watches `path` from now on (when it exists: until then the linger
  // ends by time only).
  void Arm(const std::string& path) {
    // IN_MODIFY too: inotify merges an event with an identical one queued
    // just before it, so a writer's open right after ours would vanish
    // into ours; our open is followed by the holder text we write.
    if (fd_ >= 0 && wd_ < 0 && !path.empty()) wd_ = ::inotify_add_watch(fd_, path.c_str(), IN_OPEN | IN_MODIFY);
  }
  // The opens seen since the last call.
  int Opens() {
    alignas(inotify_event) char buf[4096];
    int opens = 0;
    ssize_t n;
    while (fd_ >= 0 && (n = ::read(fd_, buf, sizeof buf)) > 0) {
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        p += sizeof(inotify_event) + ev->len;
        if (ev->mask & IN_OPEN) ++opens;
        if (ev->mask & IN_IGNORED) wd_ = -1;  // the file went away
      }
    }
    return opens;
  }

 private:
  int fd_ = -1;
  int wd_ = -1;
};

// What the loop waits for between cycles.
struct Schedule {
  int64_t activity_ns = 0;    // first frame seen since the last good cycle (monotonic; 0 = none)
  int64_t run_at_ns = kNone;  // next cycle (monotonic)
  bool busy = false;          // run_at_ns is a busy backoff: new frames do not shorten it
  int backoff_ms = 0;
  int64_t maintenance_ns = kNone;  // next maintenance (wall clock)
  int64_t release_at_ns = kNone;   // end of the linger (monotonic)
};

// Records the outcome of a cycle in `s`.
void AfterCycle(const DaemonOptions& o, const DaemonCycleResult& r, Schedule* s) {
  const int64_t now = MonotonicNs();
  s->busy = false;
  if (r.status.ok()) {
    s->activity_ns = 0;
    s->run_at_ns = kNone;
    s->backoff_ms = 0;
    const int64_t wall = o.now_ns();
    s->maintenance_ns = r.next_maintenance_ns;
    // Still due right after a cycle: it failed; try again later.
    if (s->maintenance_ns != kNone && s->maintenance_ns <= wall) s->maintenance_ns = wall + o.error_retry_ms * kMs;
  } else if (r.status.IsLocked()) {
    s->run_at_ns = kNone;  // until the unlock watch or the spool says otherwise
  } else if (r.status.IsBusy()) {
    s->backoff_ms = s->backoff_ms == 0 ? o.busy_backoff_min_ms : std::min(s->backoff_ms * 2, o.busy_backoff_max_ms);
    s->run_at_ns = now + s->backoff_ms * kMs;
    s->busy = true;
  } else {
    s->run_at_ns = now + o.error_retry_ms * kMs;
  }
}

}  // namespace

int64_t MonotonicNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Status RunDaemonLoop(const DaemonOptions& o, DaemonState* state) {
  SpoolWatch watch;
  TB_RETURN_IF_ERROR(watch.Start(o.spool_dir));
  SpoolWatch unlock_watch;  // fd -1 (never ready) without an unlock_dir
  if (!o.unlock_dir.empty()) TB_RETURN_IF_ERROR(unlock_watch.Start(o.unlock_dir));
  ContenderWatch contender;
  Schedule s;
  auto release = [&] {
    if (s.release_at_ns != kNone && o.release) o.release();
    s.release_at_ns = kNone;
  };
  // The first cycle drains what is already there and learns the schedule.
  s.activity_ns = MonotonicNs();
  s.run_at_ns = s.activity_ns;
  bool ready = false;
  while (true) {
    const int64_t now = MonotonicNs();
    const int64_t wall = o.now_ns();
    if (s.release_at_ns != kNone && now >= s.release_at_ns) release();
    if (s.maintenance_ns != kNone && wall >= s.maintenance_ns && s.run_at_ns == kNone) s.run_at_ns = now;
    if (s.run_at_ns != kNone && now >= s.run_at_ns) {
      contender.Arm(o.lock_path);
      (void)contender.Opens();  // before the cycle: nothing was held
      const DaemonCycleResult r = o.cycle(false, s.activity_ns);
      AfterCycle(o, r, &s);
      s.release_at_ns = r.holding ? MonotonicNs() + o.linger_ms * kMs : kNone;
      contender.Arm(o.lock_path);                       // (the first cycle may have created it)
      if (contender.Opens() > r.lock_opens) release();  // another writer came during the cycle
      state->Update(
          [&](DaemonFigures& f) { f.next_maintenance_ns = s.maintenance_ns == kNone ? 0 : s.maintenance_ns; });
      if (!ready && o.on_ready) o.on_ready();
      ready = true;
      continue;
    }
    int timeout = TimeoutMs(std::min(s.run_at_ns, s.release_at_ns), now);
    const int maintenance_timeout = TimeoutMs(s.maintenance_ns, wall);
    if (timeout < 0 || (maintenance_timeout >= 0 && maintenance_timeout < timeout)) timeout = maintenance_timeout;
    pollfd fds[5] = {{watch.fd(), POLLIN, 0},
                     {o.stop_fd, POLLIN, 0},
                     {contender.fd(), POLLIN, 0},
                     {unlock_watch.fd(), POLLIN, 0},
                     {o.wake_fd, POLLIN, 0}};
    if (::poll(fds, 5, timeout) < 0 && errno != EINTR) {
      return Status::IOError(std::string("poll failed in the daemon loop: ") + std::strerror(errno));
    }
    if (fds[1].revents != 0) {
      Status final_status = o.cycle(true, s.activity_ns).status;
      s.release_at_ns = kNone;  // the final cycle closes the store itself
      return final_status;
    }
    if (fds[2].revents != 0 && contender.Opens() > 0) release();
    if (o.wake_fd >= 0 && fds[4].revents != 0) {
      uint64_t rings = 0;
      (void)!::read(o.wake_fd, &rings, sizeof rings);
      if (!s.busy) s.run_at_ns = std::min(s.run_at_ns, MonotonicNs() + o.coalesce_ms * kMs);
    }
    bool activity = false, unlocked = false;
    if (fds[0].revents != 0) TB_RETURN_IF_ERROR(watch.Read(&activity));
    if (fds[3].revents != 0) TB_RETURN_IF_ERROR(unlock_watch.Read(&unlocked));
    if (!activity && !unlocked) continue;
    const int64_t seen = MonotonicNs();
    if (s.activity_ns == 0) s.activity_ns = seen;
    if (!s.busy) s.run_at_ns = std::min(s.run_at_ns, seen + o.coalesce_ms * kMs);
  }
}

}  // namespace tb
