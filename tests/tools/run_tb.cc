#include "tests/tools/run_tb.h"

#include <cstdlib>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace tb::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Writing to the stdin pipe of a child that already exited must give EPIPE,
// not kill the test binary. The child gets SIG_DFL back before execve.
void IgnoreSigpipeOnce() {
  static const bool done = [] {
    struct sigaction sa {};
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGPIPE, &sa, nullptr);
    return true;
  }();
  (void)done;
}

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

// The sanitizer settings of the test process reach every child it starts
// (unless the test sets them itself): in the sanitized run (scripts/test,
// docs/security.md) a report of a spawned `tb` goes to the run's log
// directory and exits with the run's exit code, so it fails the run.
constexpr const char* kSanitizerVars[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};

void AddSanitizerVars(const RunOptions& o, std::vector<std::string>* env) {
  for (const char* name : kSanitizerVars) {
    const char* value = std::getenv(name);
    if (value == nullptr) continue;
    bool set_by_test = false;
    for (const auto& kv : o.env) set_by_test = set_by_test || kv.first == name;
    if (!set_by_test) env->push_back(std::string(name) + "=" + value);
  }
}

// Everything execve needs, prepared before fork (no allocation afterwards).
struct ExecArgs {
  std::vector<std::string> env_strings;
  std::vector<char*> argv;
  std::vector<char*> envp;

  ExecArgs(const std::vector<std::string>& args, const RunOptions& o) {
    for (const auto& [k, v] : o.env) env_strings.push_back(k + "=" + v);
    AddSanitizerVars(o, &env_strings);
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
};

// Only async-signal-safe calls from here to execve.
[[noreturn]] void ChildAfterFork(const ExecArgs& ea, const RunOptions& o, int in_fd, int out_fd, int err_fd,
                                 int report_fd) {
  const char* cwd = o.cwd.c_str();
  ::setpgid(0, 0);
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGPIPE, &sa, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  int err = 0;
  if (o.gid >= 0 && (::setgroups(0, nullptr) != 0 || ::setgid(static_cast<gid_t>(o.gid)) != 0)) err = errno;
  if (err == 0 && o.uid >= 0 && ::setuid(static_cast<uid_t>(o.uid)) != 0) err = errno;
  if (err == 0 && cwd[0] != '\0' && ::chdir(cwd) != 0) err = errno;
  if (err == 0 && (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0)) {
    err = errno;
  }
  if (err == 0) {
    ::execve(ea.argv[0], ea.argv.data(), ea.envp.data());
    err = errno;
  }
  ssize_t ignored = ::write(report_fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

// Starts the child with the given descriptors as its 0/1/2. Returns its pid,
// or -1 with *error set when fork, chdir or execve failed.
pid_t Spawn(const std::vector<std::string>& argv, const RunOptions& o, int in_fd, int out_fd, int err_fd,
            std::string* error) {
  IgnoreSigpipeOnce();
  ExecArgs ea(argv, o);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return -1;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    ::close(report[0]);
    ::close(report[1]);
    return -1;
  }
  if (pid == 0) ChildAfterFork(ea, o, in_fd, out_fd, err_fd, report[1]);
  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins
  ::close(report[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n > 0) {  // execve never happened: the child reported why and exits
    int st;
    ::waitpid(pid, &st, 0);
    *error = "cannot start " + argv[0] + " (cwd '" + o.cwd + "'): " + std::strerror(child_errno);
    return -1;
  }
  return pid;
}

int DecodeWait(int st, bool* signaled) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) {
    *signaled = true;
    return 128 + WTERMSIG(st);
  }
  return -1;
}

void KillGroup(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

int MillisLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

// $TB_TEST_BINARY runs the end-to-end tests against another build of tb
// (e.g. to see a new test fail on the code before a change).
const char* TbBinary() {
  const char* other = std::getenv("TB_TEST_BINARY");
  return other != nullptr && *other != '\0' ? other : TB_BINARY;
}

std::string RunResult::Describe() const {
  std::string s = "exit " + std::to_string(exit_code);
  if (timed_out) s += " (TIMED OUT, killed)";
  if (spawn_failed) s += " (SPAWN FAILED)";
  s += "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err + "\n--------------";
  return s;
}

RunResult RunProcess(const std::vector<std::string>& argv, const RunOptions& o) {
  RunResult r;
  auto start = Clock::now();
  auto deadline = start + o.timeout;
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    r.spawn_failed = true;
    r.err = std::string("pipe: ") + std::strerror(errno);
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1]}) CloseFd(fd);
    return r;
  }
  std::string error;
  pid_t pid = Spawn(argv, o, in[0], out[1], err[1], &error);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  int in_w = in[1], out_r = out[0], err_r = err[0];
  if (pid < 0) {
    CloseFd(&in_w);
    CloseFd(&out_r);
    CloseFd(&err_r);
    r.spawn_failed = true;
    r.err = error;
    return r;
  }
  const std::string stdin_data = o.stdin_data.value_or("");
  size_t written = 0;
  if (stdin_data.empty()) {
    CloseFd(&in_w);
  } else {
    ::fcntl(in_w, F_SETFL, O_NONBLOCK);
  }
  char buf[65536];
  while (out_r >= 0 || err_r >= 0 || in_w >= 0) {
    int left = MillisLeft(deadline);
    if (left == 0) {
      r.timed_out = true;
      break;
    }
    pollfd fds[3];
    int nfds = 0;
    int out_i = -1, err_i = -1, in_i = -1;
    if (out_r >= 0) fds[out_i = nfds++] = {out_r, POLLIN, 0};
    if (err_r >= 0) fds[err_i = nfds++] = {err_r, POLLIN, 0};
    if (in_w >= 0) fds[in_i = nfds++] = {in_w, POLLOUT, 0};
    int pr = ::poll(fds, static_cast<nfds_t>(nfds), left);
    if (pr < 0 && errno == EINTR) continue;
    if (pr < 0) break;
    for (auto [idx, fd, sink] : {std::tuple{out_i, &out_r, &r.out}, std::tuple{err_i, &err_r, &r.err}}) {
      if (idx < 0 || fds[idx].revents == 0) continue;
      ssize_t n = ::read(*fd, buf, sizeof buf);
      if (n > 0) {
        sink->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        CloseFd(fd);
      }
    }
    if (in_i >= 0 && fds[in_i].revents != 0) {
      ssize_t n = ::write(in_w, stdin_data.data() + written, stdin_data.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data.size()) {
        CloseFd(&in_w);  // done, or the child closed its stdin (EPIPE)
      }
    }
  }
  CloseFd(&in_w);
  CloseFd(&out_r);
  CloseFd(&err_r);
  int st = 0;
  bool reaped = false;
  while (!r.timed_out) {
    pid_t w = ::waitpid(pid, &st, WNOHANG);
    if (w == pid) {
      reaped = true;
      break;
    }
    if (w < 0 && errno != EINTR) break;
    if (MillisLeft(deadline) == 0) {
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!reaped) {
    KillGroup(pid);
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  } else {
    // tb never leaves children behind; make sure no stray member of its
    // group outlives the test either.
    ::kill(-pid, SIGKILL);
  }
  r.exit_code = DecodeWait(st, &r.signaled);
  r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return r;
}

Child::~Child() {
  CloseFd(&stdin_fd_);
  CloseFd(&stdout_fd_);
  if (pid_ > 0) {
    KillGroup(pid_);
    int st;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
}

bool Child::Start(const std::vector<std::string>& argv, const RunOptions& o, bool keep_stderr) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return false;
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return false;
  }
  int err_fd = keep_stderr ? ::fcntl(2, F_DUPFD_CLOEXEC, 3) : ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  std::string error;
  pid_t pid = Spawn(argv, o, in[0], out[1], err_fd, &error);
  ::close(in[0]);
  ::close(out[1]);
  if (err_fd >= 0) ::close(err_fd);
  if (pid < 0) {
    ::close(in[1]);
    ::close(out[0]);
    return false;
  }
  pid_ = pid;
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  return true;
}

std::optional<std::string> Child::WaitForOutput(const std::string& marker, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  char buf[4096];
  while (buffered_.find(marker) == std::string::npos) {
    int left = MillisLeft(deadline);
    if (left == 0 || stdout_fd_ < 0) return std::nullopt;
    pollfd p{stdout_fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, left);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) continue;
    ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n > 0) {
      buffered_.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      CloseFd(&stdout_fd_);
    }
  }
  return buffered_;
}

void Child::CloseStdin() { CloseFd(&stdin_fd_); }

int Child::Finish(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  CloseStdin();
  auto deadline = Clock::now() + timeout;
  int st = 0;
  bool reaped = false;
  while (MillisLeft(deadline) > 0) {
    pid_t w = ::waitpid(pid_, &st, WNOHANG);
    if (w == pid_) {
      reaped = true;
      break;
    }
    if (w < 0 && errno != EINTR) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!reaped) {
    KillGroup(pid_);
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  CloseFd(&stdout_fd_);
  bool signaled = false;
  return DecodeWait(st, &signaled);
}

}  // namespace tb::testing
