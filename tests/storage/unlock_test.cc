// storage/unlock.h: the unlocked key in the runtime dir (where, its modes,
// what is refused) and LoadDataKey's answer in passphrase mode: locked until
// `tb unlock`, and locked again when the cached key is not the wrapped one.
#include "storage/unlock.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/wrapped_key.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

DataKey Key(unsigned char seed) {
  DataKey k;
  k.bytes.fill(seed);
  return k;
}

class UnlockSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("tb-unlock-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "run");
    fs::create_directories(root_ / "data");
    ::chmod((root_ / "run").c_str(), 0700);
    config_.storage.encryption = "passphrase";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Run() const { return (root_ / "run").string(); }
  std::string Data() const { return (root_ / "data").string(); }
  std::string CachePath() const {
    std::string p;
    EXPECT_OK(UnlockedKeyPath(Run(), Data(), &p));
    return p;
  }
  void Wrap(const DataKey& key) const {
    WrappedKey w;
    ASSERT_OK(WrapDataKey(key, "pw", KdfLimits{1, 8192}, &w));
    ASSERT_OK(WriteWrappedKeyFile(WrappedKeyPath(Data()), w));
  }
  fs::path root_;
  Config config_;
};

TEST_F(UnlockSecurity, PathIsPerDataDirUnderTheRuntimeDir) {
  const std::string p = CachePath();
  EXPECT_EQ(p.rfind(Run() + "/termbrain/unlocked/", 0), 0u) << p;
  EXPECT_TRUE(p.ends_with(".key")) << p;
  std::string other;
  ASSERT_OK(UnlockedKeyPath(Run(), Data() + "2", &other));
  EXPECT_NE(other, p);
  for (const std::string& bad : {std::string(""), std::string("run")}) {
    Status s = UnlockedKeyPath(bad, Data(), &other);
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_EQ(s.message(),
              "no runtime dir for the unlocked key: XDG_RUNTIME_DIR is not set to an absolute path (it is set at "
              "login, in memory). Log in with a session that sets it");
  }
}

TEST_F(UnlockSecurity, SavedKeyIsPrivateAndReadsBack) {
  ::umask(022);
  ASSERT_OK(SaveUnlockedKey(CachePath(), Key(5)));
  struct stat st {};
  ASSERT_EQ(::stat(CachePath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(fs::path(CachePath()).parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  DataKey k;
  ASSERT_OK(ReadUnlockedKey(CachePath(), &k));
  EXPECT_EQ(k, Key(5));
  bool removed = false;
  ASSERT_OK(RemoveUnlockedKey(CachePath(), &removed));
  EXPECT_TRUE(removed);
  ASSERT_OK(RemoveUnlockedKey(CachePath(), &removed));
  EXPECT_FALSE(removed);
  EXPECT_TRUE(ReadUnlockedKey(CachePath(), &k).IsNotFound());
}

TEST_F(UnlockSecurity, RefusesAKeyOthersCanReadOrADirectoryThatIsNotOurs) {
  ASSERT_OK(SaveUnlockedKey(CachePath(), Key(5)));
  ::chmod(CachePath().c_str(), 0640);
  DataKey k;
  Status s = ReadUnlockedKey(CachePath(), &k);
  EXPECT_EQ(s.message(), "unsafe unlocked key (" + CachePath() +
                             "): it is accessible to group or others (mode 0640). Nothing was read; run 'tb lock' "
                             "and 'tb unlock' again");
  ::chmod(CachePath().c_str(), 0600);
  const std::string dir = fs::path(CachePath()).parent_path().string();
  ::chmod(dir.c_str(), 0777);
  s = ReadUnlockedKey(CachePath(), &k);
  EXPECT_EQ(s.message(), "unsafe unlocked key (" + dir +
                             "): it is writable by group or others (mode 0777). Nothing was read; run 'tb lock' and "
                             "'tb unlock' again");
  // A symlinked directory is refused, and so is saving through it.
  fs::remove_all(Run() + "/termbrain");
  fs::create_directories(root_ / "elsewhere");
  fs::create_directory_symlink(root_ / "elsewhere", Run() + "/termbrain");
  EXPECT_EQ(ReadUnlockedKey(CachePath(), &k).message(),
            "unsafe unlocked key (" + Run() +
                "/termbrain): it is a symlink. Nothing was read; run 'tb lock' and 'tb "
                "unlock' again");
  s = SaveUnlockedKey(CachePath(), Key(5));
  EXPECT_EQ(s.message(),
            "unsafe runtime directory (" + Run() + "/termbrain): it is a symlink. Remove it, or check XDG_RUNTIME_DIR");
  EXPECT_TRUE(fs::is_empty(root_ / "elsewhere"));
}

TEST_F(UnlockSecurity, PassphraseModeIsLockedUntilTheWrappedKeyIsCached) {
  std::optional<DataKey> key;
  Status s = LoadDataKey(config_, Data(), Run(), &key);
  EXPECT_TRUE(s.IsLocked()) << s.ToString();
  EXPECT_EQ(s.ExitCode(), 3);
  EXPECT_EQ(s.message(), "the store " + Data() +
                             " is locked (storage.encryption is \"passphrase\" and no passphrase is set). Run 'tb "
                             "unlock'");
  Wrap(Key(1));
  s = LoadDataKey(config_, Data(), Run(), &key);
  EXPECT_EQ(s.message(), "the store " + Data() + " is locked (its key is wrapped by a passphrase). Run 'tb unlock'");
  ASSERT_OK(SaveUnlockedKey(CachePath(), Key(2)));
  s = LoadDataKey(config_, Data(), Run(), &key);
  EXPECT_EQ(s.message(), "the store " + Data() + " is locked (the unlocked key is not the one " + Data() +
                             "/key.wrapped wraps). Run 'tb unlock'");
  ASSERT_OK(SaveUnlockedKey(CachePath(), Key(1)));
  ASSERT_OK(LoadDataKey(config_, Data(), Run(), &key));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, Key(1));
  EXPECT_TRUE(LoadDataKey(config_, Data(), "", &key).IsInvalidArgument());
}

TEST_F(UnlockSecurity, OtherModesAreTheKeyFileOnes) {
  config_.storage.encryption = "off";
  std::optional<DataKey> key = Key(1);
  ASSERT_OK(LoadDataKey(config_, Data(), Run(), &key));
  EXPECT_FALSE(key.has_value());
  config_.storage.encryption = "keyfile";
  EXPECT_TRUE(LoadDataKey(config_, Data(), Run(), &key).IsInvalidArgument());
}

}  // namespace
}  // namespace tb
