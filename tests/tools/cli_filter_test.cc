// End-to-end: the history/search filters of the interface contract.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

class CliFilters : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    UseSharedStore("filters", [this] {
      // Recorded out of time order on purpose: results are newest first by
      // start time, not by recording order.
      Record("make",
             {"--cwd", "/home/u/proj", "--session", "sA", "--exit", "2", "--started-at", "2026-03-02T10:00:00Z"});
      Record("ls -la",
             {"--cwd", "/home/u/proj", "--session", "sA", "--exit", "0", "--started-at", "2026-03-01T10:00:00Z"});
      Record("git PUSH origin",
             {"--cwd", "/tmp", "--session", "sB", "--exit", "0", "--started-at", "2026-03-03T10:00:00Z"});
      Record("Git status", {"--cwd", "/tmp", "--session", "sB", "--exit", "1", "--started-at", "2026-03-04T10:00:00Z"});
      Record("cargo build",
             {"--cwd", "/home/u/proj", "--session", "sC", "--exit", "0", "--started-at", "2026-03-05T10:00:00Z"});
      Record("sleep 100",
             {"--cwd", "/home/u", "--session", "sC", "--started-at", "2026-03-06T10:00:00Z"});  // exit unknown
      Record("kill -9 1", {"--cwd", "/home/u", "--session", "sC", "--exit", "137", "--started-at",
                           "2026-03-06T10:00:00Z"});  // same time: seq decides
    });
  }
  Lines Search(const std::vector<std::string>& args) {
    std::vector<std::string> full{"search", "--format", "plain"};
    full.insert(full.end(), args.begin(), args.end());
    RunResult r = Tb(full);
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.err, "");
    return SplitLines(r.out);
  }
};

const Lines kAll = {"kill -9 1", "sleep 100", "cargo build", "Git status", "git PUSH origin", "make", "ls -la"};

TEST_F(CliFilters, NewestFirst) { EXPECT_EQ(Commands(), kAll); }

TEST_F(CliFilters, Limit) {
  EXPECT_EQ(Commands({"-n", "2"}), (Lines{"kill -9 1", "sleep 100"}));
  EXPECT_EQ(Commands({"--limit", "1"}), (Lines{"kill -9 1"}));
  EXPECT_EQ(Commands({"--limit=3"}), (Lines{"kill -9 1", "sleep 100", "cargo build"}));
  EXPECT_EQ(Commands({"-n1"}), (Lines{"kill -9 1"}));
  EXPECT_EQ(Commands({"-n", "100"}), kAll);
  EXPECT_EQ(Commands({"-n", "2", "--session", "sA"}), (Lines{"make", "ls -la"}));
}

TEST_F(CliFilters, CwdSessionHost) {
  EXPECT_EQ(Commands({"--cwd", "/home/u/proj"}), (Lines{"cargo build", "make", "ls -la"}));
  EXPECT_EQ(Commands({"--cwd", "/home/u/proj/"}), (Lines{"cargo build", "make", "ls -la"}));
  EXPECT_EQ(Commands({"--cwd", "/home/u/proj/../proj"}), (Lines{"cargo build", "make", "ls -la"}));
  EXPECT_EQ(Commands({"--cwd", "/home/u"}), (Lines{"kill -9 1", "sleep 100"}))
      << "a directory does not match its subdirectories";
  EXPECT_EQ(Commands({"--cwd", "/nowhere"}), Lines{});
  EXPECT_EQ(Commands({"--session", "sB"}), (Lines{"Git status", "git PUSH origin"}));
  EXPECT_EQ(Commands({"--session", "sb"}), Lines{}) << "session ids are exact";
  EXPECT_EQ(Commands({"--host", ThisHost()}), kAll);
  EXPECT_EQ(Commands({"--host", "elsewhere"}), Lines{});
  EXPECT_EQ(Commands({"--cwd", "/home/u/proj", "--session", "sA"}), (Lines{"make", "ls -la"}));
}

TEST_F(CliFilters, ExitFailedSucceeded) {
  EXPECT_EQ(Commands({"--exit", "0"}), (Lines{"cargo build", "git PUSH origin", "ls -la"}));
  EXPECT_EQ(Commands({"--exit", "2"}), (Lines{"make"}));
  EXPECT_EQ(Commands({"--exit", "137"}), (Lines{"kill -9 1"}));
  EXPECT_EQ(Commands({"--exit", "3"}), Lines{});
  // Unknown exit status is neither failed nor succeeded.
  EXPECT_EQ(Commands({"--failed"}), (Lines{"kill -9 1", "Git status", "make"}));
  EXPECT_EQ(Commands({"--succeeded"}), (Lines{"cargo build", "git PUSH origin", "ls -la"}));
  EXPECT_EQ(Commands({"--failed", "--cwd", "/home/u/proj"}), (Lines{"make"}));
}

TEST_F(CliFilters, SinceUntil) {
  // Bounds are inclusive.
  EXPECT_EQ(Commands({"--since", "2026-03-04T10:00:00Z"}),
            (Lines{"kill -9 1", "sleep 100", "cargo build", "Git status"}));
  EXPECT_EQ(Commands({"--until", "2026-03-02T10:00:00Z"}), (Lines{"make", "ls -la"}));
  EXPECT_EQ(Commands({"--since", "2026-03-02T10:00:00.001Z"}).back(), "git PUSH origin");
  // Offsets.
  EXPECT_EQ(Commands({"--since", "2026-03-05T11:00:00+02:00"}), (Lines{"kill -9 1", "sleep 100", "cargo build"}));
  // Dates are local midnight (TZ=UTC here).
  EXPECT_EQ(Commands({"--since", "2026-03-02", "--until", "2026-03-04"}), (Lines{"git PUSH origin", "make"}));
  EXPECT_EQ(Commands({"--since", "2026-03-06"}), (Lines{"kill -9 1", "sleep 100"}));
  EXPECT_EQ(Commands({"--until", "2026-03-01"}), Lines{});
  EXPECT_EQ(Commands({"--since", "2026-03-02", "--until", "2026-03-04", "--exit", "0"}), (Lines{"git PUSH origin"}));
  // Unix time.
  EXPECT_EQ(Commands({"--since", "@1772791200"}), (Lines{"kill -9 1", "sleep 100"}));
  // In another zone, the same date is another instant: 2026-03-05 in UTC-12
  // (POSIX TZ "XXX+12") is 2026-03-05T12:00Z, after "cargo build".
  TbCall far_west;
  far_west.env = {{"TZ", "XXX+12"}};
  EXPECT_EQ(Commands({"--since", "2026-03-05"}, far_west), (Lines{"kill -9 1", "sleep 100"}));
  EXPECT_EQ(Commands({"--since", "2026-03-05"}), (Lines{"kill -9 1", "sleep 100", "cargo build"}));
}

TEST_F(CliFilters, RelativeTimes) {
  EXPECT_EQ(Commands({"--since", "1 hour ago"}), Lines{});
  Record("just now", {"--cwd", "/tmp"});
  EXPECT_EQ(Commands({"--since", "1 hour ago"}), (Lines{"just now"}));
  EXPECT_EQ(Commands({"--since", "today"}), (Lines{"just now"}));
  EXPECT_EQ(Commands({"--until", "2 hours ago", "-n", "1"}), (Lines{"kill -9 1"}));
}

TEST_F(CliFilters, SearchIsSmartCase) {
  EXPECT_EQ(Search({"git"}), (Lines{"Git status", "git PUSH origin"}));
  EXPECT_EQ(Search({"GIT"}), Lines{}) << "uppercase makes the query case-sensitive";
  EXPECT_EQ(Search({"Git"}), (Lines{"Git status"}));
  EXPECT_EQ(Search({"push"}), (Lines{"git PUSH origin"}));
  EXPECT_EQ(Search({"git", "status"}), (Lines{"Git status"})) << "every word must match";
  EXPECT_EQ(Search({"status git"}), (Lines{"Git status"}));
  EXPECT_EQ(Search({"--", "-la"}), (Lines{"ls -la"})) << "after --, a query may start with '-'";
}

TEST_F(CliFilters, SearchWithFilters) {
  EXPECT_EQ(Search({"git", "--failed"}), (Lines{"Git status"}));
  EXPECT_EQ(Search({"git", "-n", "1"}), (Lines{"Git status"}));
  EXPECT_EQ(Search({"--session", "sB", "origin"}), (Lines{"git PUSH origin"}));
  EXPECT_EQ(Search({"a", "--cwd", "/home/u/proj"}), (Lines{"cargo build", "make", "ls -la"}));
  EXPECT_EQ(Search({"git", "--until", "2026-03-03T23:59:59Z"}), (Lines{"git PUSH origin"}));
  EXPECT_EQ(Search({"nothing like this"}), Lines{});
}

// --cwd relative to where tb runs (shells record the logical directory).
class CliCwd : public CliTest {};

TEST_F(CliCwd, RelativeCwdIsResolved) {
  const std::string proj = root() + "/work/proj";
  fs::create_directories(proj + "/sub");
  TbCall in_proj;
  in_proj.cwd = proj;
  in_proj.env = {{"PWD", proj}};
  Record("here", {}, in_proj);  // default --cwd: the current directory
  Record("below", {"--cwd", proj + "/sub"});
  Record("elsewhere", {"--cwd", "/tmp"});

  EXPECT_EQ(Commands({"--cwd", "."}, in_proj), (Lines{"here"}));
  EXPECT_EQ(Commands({"--cwd", "./"}, in_proj), (Lines{"here"}));
  EXPECT_EQ(Commands({"--cwd", "sub"}, in_proj), (Lines{"below"}));
  EXPECT_EQ(Commands({"--cwd", "../proj/sub/.."}, in_proj), (Lines{"here"}));
  TbCall in_sub;
  in_sub.cwd = proj + "/sub";
  EXPECT_EQ(Commands({"--cwd", ".."}, in_sub), (Lines{"here"}));
  EXPECT_EQ(Commands({"--cwd", "."}, in_sub), (Lines{"below"}));
}

}  // namespace
}  // namespace tb::testing
