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

// Rotation keeps the old key as retired, newest first; importing the new
// key elsewhere does the same; anything else is refused, saying why.
TEST_F(SyncIdentityTest, RotateThenTakeTheNewKeyOnAnotherStore) {
  SyncIdentity a;
  ASSERT_OK(SetUpSync(*store_, nullptr, &a));
  TempDir other_dir;
  std::unique_ptr<Store> other;
  ASSERT_OK(OpenStore(other_dir.path(), StoreOptions::Access::kReadWrite, &other));
  SyncIdentity b;
  KeyTaken taken;
  ASSERT_OK(TakeSyncKey(*other, a.key, &b, &taken));
  EXPECT_EQ(taken, KeyTaken::kSetUp);
  ASSERT_OK(TakeSyncKey(*other, a.key, &b, &taken));
  EXPECT_EQ(taken, KeyTaken::kHeld);

  SyncIdentity r1, r2;
  ASSERT_OK(RotateSyncKey(*store_, &r1));
  ASSERT_OK(RotateSyncKey(*store_, &r2));
  EXPECT_EQ(r2.key.epoch, 3u);
  EXPECT_EQ(r2.key.account, a.key.account);
  ASSERT_EQ(r2.retired.size(), 2u);
  EXPECT_EQ(r2.retired[0], r1.key);
  EXPECT_EQ(r2.retired[1], a.key);
  SyncIdentity loaded;
  ASSERT_OK(LoadSyncIdentity(*store_, &loaded));
  EXPECT_EQ(loaded.key, r2.key);
  EXPECT_EQ(loaded.retired, r2.retired);
  EXPECT_EQ(loaded.host_id, a.host_id);
  std::string text;
  ASSERT_OK(store_->GetCheckpoint(kCkptSyncKey, &text));
  EXPECT_EQ(text, FormatSyncKey(r2.key) + FormatSyncKey(r1.key) + FormatSyncKey(a.key));

  // The other store skips epoch 2 and takes 3 directly.
  ASSERT_OK(TakeSyncKey(*other, r2.key, &b, &taken));
  EXPECT_EQ(taken, KeyTaken::kAdopted);
  EXPECT_EQ(b.key, r2.key);
  ASSERT_EQ(b.retired.size(), 1u);
  EXPECT_EQ(b.retired[0], a.key);
  Status s = TakeSyncKey(*other, a.key, &b, &taken);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "the key is the retired key epoch 1; this store holds key epoch 3. Export the current key on the machine "
            "that rotated it");
  SyncKey forged = r2.key;
  forged.bytes.fill(0);
  s = TakeSyncKey(*other, forged, &b, &taken);
  EXPECT_EQ(s.message(),
            "the key's key epoch 3 is not newer than this store's key epoch 3 and its bytes differ: it is not this "
            "account's key");
  SyncKey stranger = r2.key;
  stranger.account = "ffffffffffffffffffffffffffffffff";
  s = TakeSyncKey(*other, stranger, &b, &taken);
  EXPECT_EQ(s.message(), "the key is of account ffffffffffffffffffffffffffffffff, this store syncs account " +
                             a.key.account + "; one store syncs one history");
  ASSERT_OK(LoadSyncIdentity(*other, &b));
  EXPECT_EQ(b.key, r2.key);  // nothing changed by the refusals
}

// Keyring lines must share the account and fall in epoch.
TEST_F(SyncIdentityTest, AKeyringOutOfOrderIsCorruption) {
  SyncIdentity id;
  ASSERT_OK(SetUpSync(*store_, nullptr, &id));
  SyncKey older = id.key;
  older.epoch = 2;  // not below the current epoch 1
  for (const std::string& bad : {FormatSyncKey(id.key) + FormatSyncKey(older), FormatSyncKey(id.key) + "junk\n",
                                 FormatSyncKey(id.key).substr(0, 20)}) {
    Set(kCkptSyncKey, bad);
    EXPECT_EQ(LoadSyncIdentity(*store_, &id).message(), "damaged sync key in the store (checkpoint sync/key)") << bad;
  }
  SyncKey stranger = id.key;
  stranger.epoch = 1;
  stranger.account = "ffffffffffffffffffffffffffffffff";
  id.key.epoch = 2;
  Set(kCkptSyncKey, FormatSyncKey(id.key) + FormatSyncKey(stranger));
  EXPECT_TRUE(LoadSyncIdentity(*store_, &id).IsCorruption());
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
  for (const std::string bad : {"7x", "7 1", "7 1 0 0", "", "7  1 0"}) {
    Set(kCkptSyncPublished, bad);
    EXPECT_EQ(ReadSyncState(*store_, &state).message(), "damaged sync cursor in the store (checkpoint sync/published)")
        << bad;
  }
  // One number: a cursor of key epoch 1 (written before key rotation).
  Set(kCkptSyncPublished, "0");
  ASSERT_OK(ReadSyncState(*store_, &state));
  EXPECT_FALSE(state.purge_pending);
  // A cursor of an older epoch than the key: everything is published again,
  // and the older messages purged afterwards.
  SyncIdentity rotated;
  ASSERT_OK(RotateSyncKey(*store_, &rotated));
  ASSERT_OK(ReadSyncState(*store_, &state));
  EXPECT_TRUE(state.purge_pending);
  EXPECT_EQ(state.published, 0u);
  Set(kCkptSyncPublished, "0 2 0");
  ASSERT_OK(ReadSyncState(*store_, &state));
  EXPECT_FALSE(state.purge_pending);
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
