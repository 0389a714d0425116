// The spool drain through the CLI: frames written as a shell hook writes
// them show up in `tb history`; lines that do not parse are kept aside with
// their secrets masked.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "storage/spool.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

class CliSpool : public CliTest {
 protected:
  // The spool directory `tb` uses for this test's data dir.
  std::string SpoolDir() const { return SpoolDirFor(runtime_dir() + "/termbrain", data_dir()); }
  void WriteSpool(const std::string& name, const std::string& frames) const {
    std::filesystem::create_directories(SpoolDir());
    std::ofstream(SpoolDir() + "/" + name, std::ios::binary) << frames;
  }
};

TEST_F(CliSpool, FramesAreDrainedAndRejectedLinesAreMasked) {
  WriteSpool("abc.spool",
             "TB1\tS\tabc\t1\t1732580000.123456\ts1\tbash\t/home/u\tgit status\t.\n"
             "TB1\tF\tabc\t2\t1732580000.5\t0\t1000\t1\t.\n"
             "garbage export GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n");
  RunResult r = Tb({"history", "--format", "plain"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "git status\n");
  EXPECT_EQ(r.err, "tb: warning: 1 spool line(s) did not parse; kept in " + data_dir() +
                       "/spool-rejected\n");
  std::string kept;
  for (const auto& e : std::filesystem::directory_iterator(data_dir() + "/spool-rejected")) {
    kept += ReadFile(e.path().string());
  }
  EXPECT_EQ(kept.find("ghp_0123456789"), std::string::npos) << kept;
  EXPECT_NE(kept.find("garbage export GITHUB_TOKEN=\u2039"), std::string::npos) << kept;
  EXPECT_TRUE(std::filesystem::is_empty(SpoolDir()));
}

}  // namespace
}  // namespace tb::testing
