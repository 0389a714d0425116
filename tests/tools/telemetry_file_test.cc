// The telemetry counts file (tools/telemetry.h): the file is the setting,
// CountRun appends to an existing file only, a file that cannot be believed
// is replaced and said so.
#include "tools/telemetry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/status_assert.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

class TelemetryFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/telemetry-file-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    path_ = dir_ + "/state/termbrain/telemetry";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Read() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string dir_, path_;
};

TEST_F(TelemetryFileTest, StateDirFollowsXdg) {
  Context ctx;
  ctx.env = {{"HOME", "/home/u"}};
  EXPECT_EQ(TelemetryPath(ctx), "/home/u/.local/state/termbrain/telemetry");
  ctx.env = {{"XDG_STATE_HOME", "relative"}, {"HOME", "/home/u"}};
  EXPECT_EQ(TelemetryPath(ctx), "/home/u/.local/state/termbrain/telemetry");
  ctx.env = {{"XDG_STATE_HOME", "/s"}, {"HOME", "/home/u"}};
  EXPECT_EQ(TelemetryPath(ctx), "/s/termbrain/telemetry");
  ctx.env = {};
  EXPECT_EQ(TelemetryPath(ctx), "");
}

TEST_F(TelemetryFileTest, CountsOnlyWhileTheFileExists) {
  CountRun(path_, "search", 1, Status::Code::kOk);
  EXPECT_FALSE(fs::exists(dir_));  // off: nothing created, not even the directory

  ASSERT_OK(StartTelemetryWindow(path_, 1765065600));
  EXPECT_EQ(fs::status(path_).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  CountRun(path_, "search", 1, Status::Code::kOk);
  CountRun(path_, "sync status", 20'000'000, Status::Code::kNotFound);
  CountRun(path_, "telemetry show", 1, Status::Code::kOk);  // never counted
  EXPECT_EQ(Read(), TelemetryHeaderLine(1765065600) + TelemetryCountLine("search", 1, Status::Code::kOk) +
                        TelemetryCountLine("sync status", 20'000'000, Status::Code::kNotFound));

  bool enabled = false;
  TelemetryCounts counts;
  std::string replaced;
  ASSERT_OK(LoadTelemetry(path_, 1, &enabled, &counts, &replaced));
  EXPECT_TRUE(enabled);
  EXPECT_EQ(replaced, "");
  EXPECT_EQ(counts.since_s, 1765065600);
  EXPECT_EQ(counts.commands.size(), 2u);

  fs::remove(path_);
  ASSERT_OK(LoadTelemetry(path_, 1, &enabled, &counts, &replaced));
  EXPECT_FALSE(enabled);
  EXPECT_EQ(counts, TelemetryCounts{});
}

TEST_F(TelemetryFileTest, ADamagedFileIsReplacedAndSaidSo) {
  ASSERT_OK(StartTelemetryWindow(path_, 1765065600));
  CountRun(path_, "search", 1, Status::Code::kOk);
  std::string content = Read();
  content[content.size() - 3] ^= 1;  // the checksum of the count line
  std::ofstream(path_, std::ios::trunc) << content;

  bool enabled = false;
  TelemetryCounts counts;
  std::string replaced;
  ASSERT_OK(LoadTelemetry(path_, 1765152000, &enabled, &counts, &replaced));
  EXPECT_TRUE(enabled);
  EXPECT_EQ(replaced, "the telemetry counts file " + path_ +
                          " could not be believed (line 2: checksum mismatch); its counts were dropped and counting "
                          "starts again");
  EXPECT_EQ(counts.since_s, 1765152000);
  EXPECT_TRUE(counts.commands.empty());
  EXPECT_EQ(Read(), TelemetryHeaderLine(1765152000));

  // A foreign file (here: a symbolic link to one) is replaced, the target untouched.
  const std::string other = dir_ + "/other";
  std::ofstream(other) << "precious\n";
  fs::remove(path_);
  fs::create_symlink(other, path_);
  CountRun(path_, "search", 1, Status::Code::kOk);  // O_NOFOLLOW: not through the link
  ASSERT_OK(LoadTelemetry(path_, 1765152000, &enabled, &counts, &replaced));
  EXPECT_TRUE(enabled);
  EXPECT_NE(replaced.find("(a symbolic link, not a telemetry counts file)"), std::string::npos) << replaced;
  EXPECT_FALSE(fs::is_symlink(path_));
  EXPECT_EQ(Read(), TelemetryHeaderLine(1765152000));
  std::ifstream in(other);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "precious");
}

}  // namespace
}  // namespace tb
