// Tests for tools/daemon_client.h: which spool files a read command waits
// for a running daemon to drain.
#include "tools/daemon_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

TEST(DaemonClientTest, OnlyFilesWrittenWithinTheWindowAreWorthWaitingFor) {
  testutil::TempDir dir;
  const auto now = fs::file_time_type::clock::now();
  EXPECT_FALSE(SpoolHasFreshFile(dir.Sub("missing"), kDaemonDrainWindow, now));
  EXPECT_FALSE(SpoolHasFreshFile(dir.path(), kDaemonDrainWindow, now));  // empty
  std::ofstream(dir.Sub("refused.spool")) << "TB1\n";
  fs::last_write_time(dir.Sub("refused.spool"), now - std::chrono::seconds(10));
  fs::create_directory(dir.Sub("subdir"));  // not a spool file, however new
  EXPECT_FALSE(SpoolHasFreshFile(dir.path(), kDaemonDrainWindow, now))
      << "an old file the daemon left is not waited for";
  std::ofstream(dir.Sub("new.spool")) << "TB1\n";
  fs::last_write_time(dir.Sub("new.spool"), now - milliseconds(200));
  EXPECT_TRUE(SpoolHasFreshFile(dir.path(), kDaemonDrainWindow, now));
  EXPECT_FALSE(SpoolHasFreshFile(dir.path(), milliseconds(100), now));
}

}  // namespace
}  // namespace tb
