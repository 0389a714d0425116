// TmpfsTest: a CliTest with a small tmpfs mounted at root()/mnt for the
// test's data dir, so a test can fill its file system (disk-full paths).
// Mounting needs root; elsewhere the test is skipped with the reason.
#pragma once

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {

class TmpfsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    mnt_ = root() + "/mnt";
    std::filesystem::create_directories(mnt_);
    if (::mount("tmpfs", mnt_.c_str(), "tmpfs", 0, "size=24m,mode=0700") != 0) {
      GTEST_SKIP() << "mounting a tmpfs is not permitted here (" << std::strerror(errno) << "); this test needs root";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(mnt_.c_str(), MNT_DETACH);
    CliTest::TearDown();
  }

  std::string mnt_;  // the tmpfs (24 MiB)
  bool mounted_ = false;
};

}  // namespace tb::testing
