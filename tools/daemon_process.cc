#include "tools/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/daemon_lock.h"
#include "storage/data_dir.h"
#include "storage/spool_trust.h"
#include "tools/commands.h"
#include "tools/daemon.h"
#include "tools/daemon_cycle.h"
#include "tools/daemon_observe.h"
#include "tools/daemon_sync.h"
#include "tools/logging.h"

namespace tb {
namespace {

constexpr int kNice = 10;

Status Errno(const std::string& what) { return Status::IOError(what + ": " + std::strerror(errno)); }

// The double fork described in the header. Returns in the grandchild only,
// with *ready: the write end of a pipe the middle process waits on, so
// `tb daemon --detach` exits only once the grandchild has written its pid
// into the lock file (a probe right after it finds the daemon) or died.
Status Detach(int* ready) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Errno("cannot create a pipe for the daemon");
  pid_t pid = ::fork();
  if (pid < 0) return Errno("cannot fork the daemon");
  if (pid > 0) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    // The parent leaves without destructors: the lock it shares with the
    // daemon must stay as it is.
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
  }
  if (::setsid() < 0) ::_exit(1);
  pid = ::fork();
  if (pid < 0) ::_exit(1);
  if (pid > 0) {
    ::close(fds[1]);
    char c = 0;
    ssize_t n;
    while ((n = ::read(fds[0], &c, 1)) < 0 && errno == EINTR) {
    }
    ::_exit(n == 1 ? 0 : 1);
  }
  ::close(fds[0]);
  *ready = fds[1];
  if (::chdir("/") != 0) return Errno("cannot change to /");
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return Errno("cannot open /dev/null");
  for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
  if (null > 2) ::close(null);
  return Status::OK();
}

// The ioprio_set(2) ABI (the kernel's include/uapi/linux/ioprio.h). Not
// that header: since linux-libc-dev 6.1.192 it names a parameter `class`,
// which C++ cannot compile.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassBestEffort = 2;
constexpr int kIoprioClassShift = 13;

void LowerPriority() {
  if (::getpriority(PRIO_PROCESS, 0) < kNice && ::setpriority(PRIO_PROCESS, 0, kNice) != 0) {
    spdlog::debug("daemon: cannot lower the CPU priority: {}", std::strerror(errno));
  }
  const int prio = (kIoprioClassBestEffort << kIoprioClassShift) | 7;  // best effort, lowest level
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, prio) != 0) {
    spdlog::debug("daemon: cannot lower the I/O priority: {}", std::strerror(errno));
  }
}

sigset_t StopSignalSet() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, sig);
  return mask;
}

// Blocks the stop signals first thing (before any thread starts, so every
// thread inherits the mask, and before the lock is taken, so a signal that
// arrives meanwhile waits for the final drain instead of killing it).
Status BlockStopSignals() {
  const sigset_t mask = StopSignalSet();
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return Errno("cannot block the stop signals");
  return Status::OK();
}

// A descriptor that becomes readable when a stop signal is pending (also
// one that arrived before it was created).
Status StopSignalFd(int* fd) {
  const sigset_t mask = StopSignalSet();
  *fd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (*fd < 0) return Errno("cannot create a signalfd");
  return Status::OK();
}

// The configuration of the daemon's file log (see the header).
Config DaemonLogConfig(const Config& config) {
  Config c = config;
  if (c.log.file.empty()) c.log.file = "logs/daemon.log.jsonl";
  if (c.log.level == "warn" || c.log.level == "error") c.log.level = "info";
  return c;
}

}  // namespace

Status RunDaemonProcess(Context& ctx, bool detach) {
  TB_RETURN_IF_ERROR(BlockStopSignals());
  bool exists = false;
  StoreIdentity identity;
  TB_RETURN_IF_ERROR(InspectDataDir(ctx.data_dir, &exists, &identity));
  TB_RETURN_IF_ERROR(MakeDataDir(ctx.data_dir));
  DaemonLock lock;
  TB_RETURN_IF_ERROR(lock.Acquire(ctx.data_dir, NowNs()));
  const std::string spool = ctx.SpoolDir();
  TB_RETURN_IF_ERROR(PrepareSpoolDir(spool));
  if (detach) {
    int ready = -1;
    TB_RETURN_IF_ERROR(Detach(&ready));
    Status updated = lock.UpdatePid();
    if (updated.ok() && ::write(ready, "1", 1) != 1) updated = Errno("cannot tell tb daemon --detach it runs");
    ::close(ready);
    TB_RETURN_IF_ERROR(updated);
  }
  int stop_fd = -1;
  TB_RETURN_IF_ERROR(StopSignalFd(&stop_fd));
  LowerPriority();
  DaemonState state;
  state.Update([](DaemonFigures& f) { f.started_ns = NowNs(); });
  DaemonObservability observe(ctx, &state);
  // The file log starts now when the data dir is a store, else once the
  // first cycle has created it (nothing goes into a directory that is not).
  bool logging = false;
  auto start_logging = [&] {
    logging = true;
    Status log = SetupLogging(DaemonLogConfig(ctx.config), ctx.data_dir, false);
    if (!log.ok()) spdlog::warn("file log disabled: {}", log.message());
    spdlog::info("daemon: started (pid {}), watching {}", ::getpid(), spool);
  };
  if (exists) start_logging();
  DaemonOptions o;
  o.spool_dir = spool;
  std::string unlocked_key;
  if (ctx.config.storage.encryption == "passphrase" && UnlockedKeyPathOf(ctx, &unlocked_key).ok()) {
    o.unlock_dir = std::filesystem::path(unlocked_key).parent_path().string();
  }
  o.stop_fd = stop_fd;
  o.now_ns = NowNs;
  HeldStore held;
  std::unique_ptr<SyncSession> sync;
  if (!ctx.config.sync.server.empty()) {
    o.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (o.wake_fd < 0) return Errno("cannot create the daemon's sync eventfd");
    sync = std::make_unique<SyncSession>(DaemonSyncOptions(ctx.config, o.wake_fd));
  }
  o.linger_ms = ctx.config.daemon.linger_ms;
  o.lock_path = ctx.data_dir + "/lock";
  o.release = [&] { held.Release(); };
  o.cycle = [&](bool final_cycle, int64_t activity_ns) {
    if (final_cycle) sd_notify(0, "STOPPING=1");
    DaemonCycleResult r = RunDaemonCycle(ctx, &state, &held, /*keep_open=*/true, final_cycle, activity_ns, sync.get());
    observe.AfterCycle(r.status, held.store.get());
    if (r.status.ok() && !logging) start_logging();
    if (!r.status.ok() && !r.status.IsBusy()) sd_notifyf(0, "STATUS=%s", r.status.message().c_str());
    return r;
  };
  o.on_ready = [&] { sd_notify(0, "READY=1"); };
  Status s = RunDaemonLoop(o, &state);
  observe.Stop();
  sync.reset();
  ::close(stop_fd);
  if (o.wake_fd >= 0) ::close(o.wake_fd);
  const DaemonFigures f = state.Snapshot();
  if (s.ok()) {
    spdlog::info("daemon: stopped after draining {} event(s) in {} cycle(s)", f.events_appended, f.cycles);
  } else {
    spdlog::error("daemon: stopped: {}", s.message());
  }
  return s;
}

}  // namespace tb
