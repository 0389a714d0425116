// The sync identity and cursors kept in the store (sync/sync_identity.h,
// sync/syncer.h): set-up, refusal of a second key, and damaged values.
#include "sync/sync_identity.h"

#include <gtest/gtest.h>

#include "sync/syncer.h"
#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

using testutil::OpenStore;
using testutil::TempDir;

class SyncIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(OpenStore(dir_.path(), StoreOptions::Access::kReadWrite, &store_)); }
  void Set(std::string_view key, std::string_view value) {
    ASSERT_OK(store_->AppendWithCheckpoint({}, true, key, value));
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SyncIdentityTest, SetUpOnceThenLoad) {
  SyncIdentity id;
  Status s = LoadSyncIdentity(*store_, &id);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(),
            "sync is not set up for this store. Run tb sync init on your first machine, then tb sync key export there "
            "and tb sync key import FILE on the others");
  SyncIdentity made;
  ASSERT_OK(SetUpSync(*store_, nullptr, &made));
  EXPECT_TRUE(IsSyncId(made.host_id));
  EXPECT_TRUE(IsSyncId(made.key.account));
  EXPECT_EQ(made.key.epoch, 1u);
  ASSERT_OK(LoadSyncIdentity(*store_, &id));
  EXPECT_EQ(id.host_id, made.host_id);
  EXPECT_EQ(id.key, made.key);
  s = SetUpSync(*store_, &made.key, &id);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "this store already has a sync key (tb sync status shows it); one store syncs one history");
  SyncState state;
  ASSERT_OK(ReadSyncState(*store_, &state));
  EXPECT_EQ(state.published, 0u);
  EXPECT_EQ(state.consumed, 0u);
}

// A host id left by a set-up that stopped before its key is kept.
TEST_F(SyncIdentityTest, AHostIdWithoutAKeyIsKept) {
  Set(kCkptSyncHost, "0123456789abcdef0123456789abcdef");
  SyncIdentity id;
  ASSERT_OK(SetUpSync(*store_, nullptr, &id));
  EXPECT_EQ(id.host_id, "0123456789abcdef0123456789abcdef");
}

TEST_F(SyncIdentityTest, DamagedValuesAreCorruption) {
  SyncIdentity id;
  ASSERT_OK(SetUpSync(*store_, nullptr, &id));
  Set(kCkptSyncHost, "LAPTOP");
  Status s = LoadSyncIdentity(*store_, &id);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), "damaged sync host id in the store (checkpoint sync/host)");
  Set(kCkptSyncHost, "0123456789abcdef0123456789abcdef");
  Set(kCkptSyncKey, "1 not-a-key\n");
  s = LoadSyncIdentity(*store_, &id);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), "damaged sync key in the store (checkpoint sync/key)");
  EXPECT_TRUE(SetUpSync(*store_, nullptr, &id).IsInvalidArgument());  // a damaged key is still a key
}

TEST_F(SyncIdentityTest, DamagedCursorsAreCorruption) {
  SyncIdentity id;
  ASSERT_OK(SetUpSync(*store_, nullptr, &id));
  SyncState state;
  for (const std::string bad : {"", "x", "12 ", "12", "12 x", "12 3 4", "-1 2"}) {
    Set(kCkptSyncConsumed, bad);
    Status s = ReadSyncState(*store_, &state);
    EXPECT_TRUE(s.IsCorruption()) << bad;
    EXPECT_EQ(s.message(), "damaged sync cursor in the store (checkpoint sync/consumed)") << bad;
  }
  Set(kCkptSyncConsumed, "12 0");
  Set(kCkptSyncPublished, "7x");
  EXPECT_EQ(ReadSyncState(*store_, &state).message(), "damaged sync cursor in the store (checkpoint sync/published)");
  // A cursor committed with a head above today's (a rollback since): the
  // inbox starts over.
  Set(kCkptSyncPublished, "0");
  Set(kCkptSyncConsumed, "12 5");
  ASSERT_OK(ReadSyncState(*store_, &state));
  EXPECT_EQ(state.consumed, 0u);
  Set(kCkptSyncConsumed, "12 0");
  ASSERT_OK(ReadSyncState(*store_, &state));
  EXPECT_EQ(state.consumed, 12u);
}

}  // namespace
}  // namespace tb
