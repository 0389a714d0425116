// Shared fixture of the end-to-end CLI tests (tests/tools/cli_*_test.cc):
// a per-test temp directory with HOME and the XDG dirs inside it, a clean
// environment (TZ=UTC, no TERMBRAIN_* unless a test adds it), and helpers to
// run the real `tb` and inspect what it left on disk.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/tools/run_tb.h"

namespace tb::testing {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// How to run one `tb` command.
struct TbCall {
  EnvVars env;                    // added to (or replacing) the base environment
  std::string cwd;                // working directory; empty = the test's
  std::optional<std::string> in;  // stdin contents
  bool data_dir = true;           // prepend --data-dir <data_dir()>
  std::chrono::milliseconds timeout{20000};
  int uid = -1;  // run as this uid/gid (RunOptions::uid); -1 = the test's own
  int gid = -1;
};

// One file or directory as a snapshot sees it.
struct FileEntry {
  char type = '?';  // 'd' dir, 'f' regular file, 'l' symlink, '?' other
  unsigned mode = 0;
  uint64_t size = 0;
  std::string content;  // regular files: all bytes; symlinks: the target
  bool operator==(const FileEntry&) const = default;
};
using TreeSnapshot = std::map<std::string, FileEntry>;  // relative path -> entry

// Every path under `root` (root itself as "."), recursively, not following
// symlinks.
TreeSnapshot Snapshot(const std::string& root);
// Human-readable list of what differs between two snapshots ("" = equal).
std::string DiffSnapshots(const TreeSnapshot& before, const TreeSnapshot& after);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
std::vector<std::string> SplitLines(const std::string& text);  // on '\n', no trailing ""

// Appends one command (started and finished frames, one write) to
// `spool_dir`/`session`.spool as a hook does: open, append, close.
// `session` is the hook's origin (16 hex digits); `n` must be unique within
// it. Started now (so after anything recorded before), finished a second
// later, exit 0.
void AppendHookCommand(const std::string& spool_dir, const std::string& session, int n, const std::string& command);

// What `tb record` stores as host and user (same sources as tb).
std::string ThisHost();
std::string ThisUser();

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::string& root() const { return root_; }          // per-test temp dir
  const std::string& home() const { return home_; }          // $HOME (exists)
  const std::string& data_dir() const { return data_dir_; }  // root/data (not created)
  std::string xdg_config() const { return root_ + "/xdg/config"; }
  std::string xdg_data() const { return root_ + "/xdg/data"; }
  std::string runtime_dir() const { return root_ + "/xdg/runtime"; }  // exists, 0700

  // The base environment of every call.
  EnvVars BaseEnv() const;

  // Runs `tb [--data-dir D] args...`.
  RunResult Tb(const std::vector<std::string>& args, const TbCall& call = {}) const;
  // Runs `tb --data-dir D args` on a pseudo-terminal (stdin, stdout and
  // stderr all a terminal), with `extra` added to the base environment, and
  // types the next of `lines` each time the output ends with a prompt
  // (": "). Returns what the terminal showed and the exit code.
  std::pair<std::string, int> OnTerminal(const std::vector<std::string>& args, std::vector<std::string> lines,
                                         const EnvVars& extra = {}) const;
  RunResult TbEnv(const std::vector<std::string>& args, EnvVars env) const {
    TbCall c;
    c.env = std::move(env);
    return Tb(args, c);
  }
  // `tb record --command cmd extra...`; fails the test unless it exits 0 quietly.
  void Record(const std::string& command, const std::vector<std::string>& extra = {}, const TbCall& call = {}) const;
  // Fills data_dir() with a store built once per test binary run and cached
  // under `key`: the first test to ask runs `build` (which records into
  // data_dir()), later ones get a copy of the closed store. Saves the cost of
  // many `tb record` processes for suites that only read.
  void UseSharedStore(const std::string& key, const std::function<void()>& build);
  // `tb history --format plain args...` split into lines (asserts exit 0).
  std::vector<std::string> Commands(const std::vector<std::string>& args = {}, const TbCall& call = {}) const;

 private:
  std::string root_, home_, data_dir_;
};

// A RunResult's exit code with its output attached for failure messages.
#define EXPECT_EXIT_CODE(result, code) EXPECT_EQ((result).exit_code, (code)) << (result).Describe()
#define ASSERT_EXIT_CODE(result, code) ASSERT_EQ((result).exit_code, (code)) << (result).Describe()

}  // namespace tb::testing
