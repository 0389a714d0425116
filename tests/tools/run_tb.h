// Runs a program (normally the real `tb`) as a child process for end-to-end
// tests: given argv, environment, working directory and stdin; captures
// stdout, stderr and the exit status; kills the child (and its process group)
// when it outlives a timeout, so a hung `tb` fails a test instead of hanging
// the suite.
//
// The child is started with fork + execve; between the two it only makes
// async-signal-safe calls, so this is safe from a multi-threaded test
// process. The child's SIGPIPE disposition and signal mask are reset to the
// defaults, whatever the test process uses.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tb::testing {

// The `tb` under test (TB_BINARY, defined by CMake for tb_tests).
const char* TbBinary();

struct RunOptions {
  // Complete environment of the child: nothing is inherited but
  // ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS when the test process has
  // them and `env` does not set them (the sanitized run, scripts/sanitize-test).
  std::vector<std::pair<std::string, std::string>> env;
  // Working directory of the child; empty = the test's.
  std::string cwd;
  // Written to the child's stdin, which is then closed; nullopt = an
  // immediately closed stdin (EOF).
  std::optional<std::string> stdin_data;
  std::chrono::milliseconds timeout{20000};
  // Run as this uid and gid (no supplementary groups) instead of the test's
  // own; needs root. -1 = unchanged.
  int uid = -1;
  int gid = -1;
};

struct RunResult {
  int exit_code = -1;      // exit status; 128+N when killed by signal N
  bool signaled = false;   // terminated by a signal (including our kill)
  bool timed_out = false;  // killed by RunProcess because of the timeout
  bool spawn_failed = false;
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};

  // "exit 2; stdout: ...; stderr: ..." for assertion messages.
  std::string Describe() const;
};

// Runs `argv` (argv[0] is the program path) to completion.
RunResult RunProcess(const std::vector<std::string>& argv, const RunOptions& options);

// A child running in the background (e.g. a process that holds the store).
// The destructor kills it (SIGKILL to its process group) if still running.
class Child {
 public:
  Child() = default;
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Starts argv with stdin and stdout connected to pipes; stderr is
  // discarded unless `keep_stderr`.
  bool Start(const std::vector<std::string>& argv, const RunOptions& options, bool keep_stderr = false);
  pid_t pid() const { return pid_; }
  // Reads stdout until `marker` has been seen (returns the text read so
  // far, marker included) or the timeout passes / stdout closes (nullopt).
  std::optional<std::string> WaitForOutput(const std::string& marker, std::chrono::milliseconds timeout);
  // Closes the child's stdin (a polite "stop").
  void CloseStdin();
  // Waits up to `timeout` for the child to exit, then kills it. Returns the
  // exit code (128+N for a signal).
  int Finish(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;
};

}  // namespace tb::testing
