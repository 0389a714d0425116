// storage/at_rest.h, storage/xchacha_provider.h, storage/rekey.h: a store
// under a data key keeps no command text in the clear in any file (database,
// search index, backups, snapshots), refuses a wrong or missing key before
// it changes a byte, and is rewritten under another key (or in plaintext)
// by a rekey.
#include "storage/at_rest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/sealed_file.h"
#include "storage/admin.h"
#include "storage/passphrase.h"
#include "storage/rekey.h"
#include "storage/scheduled_maintenance.h"
#include "storage/search_cache.h"
#include "storage/unlock.h"
#include "storage/xchacha_provider.h"
#include "tests/status_assert.h"
#include "tests/storage/store_fixture.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = "MARKER_AT_REST_4711";

DataKey Key(unsigned char fill) {
  DataKey k;
  k.bytes.fill(fill);
  return k;
}

std::string Slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every regular file under `root` -> its bytes.
std::map<std::string, std::string> Files(const std::string& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
    if (e.is_regular_file()) out[e.path().string()] = Slurp(e.path().string());
  }
  return out;
}

// The files under `root` whose raw bytes hold `needle` (grep -r -a -l).
std::vector<std::string> Holding(const std::string& root, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& [path, bytes] : Files(root)) {
    if (bytes.find(needle) != std::string::npos) out.push_back(path);
  }
  return out;
}

class AtRestTest : public StoreTest {
 protected:
  void TearDown() override { SetProcessDataKey(std::nullopt); }
  // A store under the process's key with the marker in a command, a search
  // index, a backup and a snapshot.
  void Populate() {
    Open();
    Append({Rec(10, std::string("echo ") + kMarker, "/home/u", "s1", "h1", 0, 1),
            Rec(20, "git status", "/home/u/" + std::string(kMarker), "s1", "h1", 1, 2)});
    SearchRequest req;
    req.query = kMarker;
    SearchResult res;
    ASSERT_OK(SearchStore(*store_, SearchCacheOptions{}, req, &res));
    ASSERT_EQ(res.hits.size(), 1u);
    BackupEntry b;
    ASSERT_OK(CreateBackup(*store_, BackupDir(), "", 1, &b));
    SnapshotEntry snap;
    ASSERT_OK(CreateSnapshot(*store_, "s1", "test", 1, &snap));
    Close();
  }
  std::string BackupDir() const { return tmp_.Sub("backups"); }
  Status TryOpen(Access access = Access::kReadWrite) {
    std::unique_ptr<Store> s;
    return testutil::OpenStore(dir_, access, &s);
  }
  std::vector<std::string> Texts() {
    std::vector<std::string> out;
    EXPECT_OK(QueryHistory(store_->reader(), HistoryFilter{}, [&](const HistoryRecord& r) {
      out.push_back(r.command);
      return true;
    }));
    return out;
  }
  RekeyOptions RekeyTo(std::optional<DataKey> key) {
    RekeyOptions o;
    o.data_dir = dir_;
    o.new_key = key;
    o.backup_dir = BackupDir();
    o.holder = "rekey test";
    o.store = testutil::Options(dir_, Access::kReadWrite);
    return o;
  }
};

TEST_F(AtRestTest, NoFileHoldsTheTextInTheClear) {
  SetProcessDataKey(Key(1));
  Populate();
  EXPECT_EQ(Holding(dir_, kMarker), std::vector<std::string>{});
  EXPECT_EQ(Holding(BackupDir(), kMarker), std::vector<std::string>{});
  EXPECT_TRUE(LooksSealed(Slurp(SearchCachePath(dir_))));
  // Every RocksDB file starts with the header naming the key.
  for (const auto& [path, bytes] : Files(dir_ + "/db")) {
    if (path.ends_with("/LOCK") || path.ends_with("/TBHEAD")) continue;
    EXPECT_TRUE(bytes.starts_with(std::string(kEncryptedMagic) + KeyId(Key(1)))) << path;
  }
  // And it all still reads: history, views, search, backups, snapshots.
  Open();
  EXPECT_EQ(Texts(), (std::vector<std::string>{"git status", std::string("echo ") + kMarker}));
  std::vector<ViewDiff> diffs;
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
  Close();
  std::vector<BackupEntry> backups;
  ASSERT_OK(ListBackups(BackupDir(), &backups));
  ASSERT_EQ(backups.size(), 1u);
  ASSERT_OK(VerifyBackup(BackupDir(), backups[0].id));
  ASSERT_OK(RestoreBackupTo(BackupDir(), backups[0].id, tmp_.Sub("restored")));
  std::unique_ptr<Store> restored;
  ASSERT_OK(testutil::OpenStore(tmp_.Sub("restored"), Access::kReadOnly, &restored));
  EXPECT_EQ(restored->head(), 2u);
  std::unique_ptr<Store> snap;
  ASSERT_OK(OpenSnapshot(dir_ + "/snapshots/s1", "s1", &snap));
  EXPECT_EQ(snap->head(), 2u);
}

TEST_F(AtRestTest, AWrongOrMissingKeyChangesNothing) {
  SetProcessDataKey(Key(1));
  Populate();
  const auto before = Files(tmp_.path());
  SetProcessDataKey(Key(2));
  for (Access a : {Access::kReadWrite, Access::kReadOnly, Access::kAuto, Access::kReadPreferred}) {
    Status s = TryOpen(a);
    EXPECT_TRUE(s.IsIncompatible()) << s.ToString();
    EXPECT_EQ(s.message(), "wrong key for " + dir_ + "/db: the store is encrypted under key id " + KeyIdHex(Key(1)) +
                               ", storage.key_file holds key id " + KeyIdHex(Key(2)) + ". Nothing was changed");
  }
  std::vector<BackupEntry> backups;
  Status s = ListBackups(BackupDir(), &backups);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("is encrypted under another key (key id " + KeyIdHex(Key(1)) + ")"), std::string::npos)
      << s.message();
  SetProcessDataKey(std::nullopt);
  s = TryOpen(Access::kAuto);
  EXPECT_EQ(s.ToString(), "incompatible: the store " + dir_ + "/db is encrypted (key id " + KeyIdHex(Key(1)) +
                              ") but storage.encryption is off: set storage.encryption = \"keyfile\" and "
                              "storage.key_file to its key file");
  EXPECT_EQ(Files(tmp_.path()), before);
}

TEST_F(AtRestTest, APlaintextStoreIsRefusedWithEncryptionOn) {
  Open();
  Append({Rec(10, "ls", "/", "s", "h", 0, 1)});
  Close();
  const auto before = Files(dir_);
  SetProcessDataKey(Key(1));
  Status s = TryOpen(Access::kReadPreferred);
  EXPECT_EQ(s.ToString(), "incompatible: the store " + dir_ +
                              "/db is not encrypted but storage.encryption is on: encrypt it with encryption off "
                              "first ('tb rekey --new-key-file PATH'), then turn encryption on");
  EXPECT_EQ(Files(dir_), before);
}

TEST_F(AtRestTest, AWrongKeyAfterAnInterruptedRekeySaysWhy) {
  SetProcessDataKey(Key(1));
  Open();
  Close();
  fs::create_directory(dir_ + "/rekey.new");
  SetProcessDataKey(Key(2));
  Status s = TryOpen();
  EXPECT_EQ(s.message(), "wrong key for " + dir_ + "/db: the store is encrypted under key id " + KeyIdHex(Key(1)) +
                             ", storage.key_file holds key id " + KeyIdHex(Key(2)) +
                             " (an interrupted 'tb rekey' left it under its new key: point storage.key_file at "
                             "that key). Nothing was changed");
}

TEST_F(AtRestTest, ADamagedOrPlainIndexIsRebuiltSealed) {
  SetProcessDataKey(Key(1));
  Open();
  Append({Rec(10, "make test", "/", "s", "h", 0, 1)});
  std::ofstream(SearchCachePath(dir_), std::ios::binary) << "not an index";
  SearchRequest req;
  req.query = "make";
  SearchResult res;
  ASSERT_OK(SearchStore(*store_, SearchCacheOptions{}, req, &res));
  EXPECT_EQ(res.hits.size(), 1u);
  EXPECT_TRUE(LooksSealed(Slurp(SearchCachePath(dir_))));
  std::unique_ptr<SearchCache> cache;
  ASSERT_OK(SearchCache::Load(*store_, SearchCacheOptions{}, &cache));
  EXPECT_EQ(cache->action(), SearchCacheAction::kFresh);
}

TEST_F(AtRestTest, ADamagedSealedBlockIsNeverReadAndTheIndexIsRebuilt) {
  SetProcessDataKey(Key(1));
  Open();
  std::vector<Event> batch;
  for (int i = 0; i < 3000; ++i) batch.push_back(Rec(10 + i, "cmd " + std::to_string(i), "/", "s", "h", 0, 1));
  Append(batch);
  SearchRequest req;
  req.query = "cmd 2999";
  SearchResult res;
  ASSERT_OK(SearchStore(*store_, SearchCacheOptions{}, req, &res));
  ASSERT_EQ(res.hits.size(), 1u);
  std::string file = Slurp(SearchCachePath(dir_));
  ASSERT_GT(file.size(), 3 * 4096u);
  for (size_t at = 64; at + 4096 < file.size(); at += 4096) file[at + 100] ^= 0x55;  // every block but the last
  std::ofstream(SearchCachePath(dir_), std::ios::binary) << file;
  std::vector<std::string> warnings;
  SearchCacheOptions o;
  o.warn = [&](const std::string& w) { warnings.push_back(w); };
  res = SearchResult{};
  ASSERT_OK(SearchStore(*store_, o, req, &res));
  ASSERT_EQ(res.hits.size(), 1u);
  EXPECT_EQ(res.hits[0].record.command, "cmd 2999");
  EXPECT_FALSE(warnings.empty());
  std::unique_ptr<SearchCache> cache;
  ASSERT_OK(SearchCache::Load(*store_, SearchCacheOptions{}, &cache));
  EXPECT_EQ(cache->action(), SearchCacheAction::kFresh);  // rewritten whole
}

TEST_F(AtRestTest, RekeyEncryptsRotatesAndDecrypts) {
  Populate();  // plaintext
  Open();
  const std::string id = store_->store_id();
  const std::vector<std::string> texts = Texts();
  const uint64_t head = store_->head();
  Close();
  // Copies under the old key stop a rekey unless they go too.
  RekeyResult r;
  Status s = Rekey(RekeyTo(Key(1)), &r);
  EXPECT_EQ(s.ToString(), "invalid argument: 1 snapshot(s) in " + dir_ + "/snapshots and 1 backup(s) in " +
                              BackupDir() +
                              " stay under the current key and would not open under the new one. Nothing was "
                              "changed; pass --drop-copies to delete them once the new store is in place");
  RekeyOptions o = RekeyTo(Key(1));
  o.drop_copies = true;
  ASSERT_OK(Rekey(o, &r));
  EXPECT_EQ(r.head, head);
  EXPECT_EQ(r.dropped_snapshots, std::vector<std::string>{"s1"});
  EXPECT_EQ(r.dropped_backups, std::vector<uint32_t>{1});
  EXPECT_FALSE(fs::exists(dir_ + "/rekey.new"));
  EXPECT_FALSE(fs::exists(SearchCachePath(dir_)));
  EXPECT_EQ(Holding(tmp_.path(), kMarker), std::vector<std::string>{});
  EXPECT_TRUE(TryOpen().IsIncompatible());  // still off in this process
  SetProcessDataKey(Key(1));
  Open();
  EXPECT_EQ(store_->store_id(), id);
  EXPECT_EQ(store_->head(), head);
  EXPECT_EQ(Texts(), texts);
  Close();
  // Rotate, then back to plaintext.
  ASSERT_OK(Rekey(RekeyTo(Key(2)), &r));
  EXPECT_TRUE(TryOpen().IsIncompatible());
  SetProcessDataKey(Key(2));
  ASSERT_OK(Rekey(RekeyTo(std::nullopt), &r));
  SetProcessDataKey(std::nullopt);
  Open();
  EXPECT_EQ(Texts(), texts);
  EXPECT_EQ(store_->store_id(), id);
}

TEST_F(AtRestTest, AWritableOpenRemovesRekeyLeftovers) {
  Open();
  Close();
  fs::create_directories(dir_ + "/rekey.new/db");
  fs::create_directories(dir_ + "/rekey.new.partial-12/db");
  fs::create_directories(dir_ + "/rekey.newer");
  Open();
  EXPECT_FALSE(fs::exists(dir_ + "/rekey.new"));
  EXPECT_FALSE(fs::exists(dir_ + "/rekey.new.partial-12"));
  EXPECT_TRUE(fs::exists(dir_ + "/rekey.newer"));
}

TEST_F(AtRestTest, RekeyKeepsTheStoresCheckpoints) {
  Open();
  Append({Rec(10, "ls", "/", "s", "h", 0, 1)});
  ASSERT_OK(store_->AppendWithCheckpoint({}, true, kCkptLastBackup, "111"));
  ASSERT_OK(store_->AppendWithCheckpoint({}, true, kCkptRetentionChecked, "222"));
  ASSERT_OK(store_->AppendWithCheckpoint({}, true, kCkptLastCompaction, "333 1"));
  ASSERT_OK(store_->AppendWithCheckpoint({}, true, "spool/f1.spool", "42"));
  Close();
  RekeyResult r;
  ASSERT_OK(Rekey(RekeyTo(Key(1)), &r));
  SetProcessDataKey(Key(1));
  Open();
  for (const auto& [key, want] : {std::pair<std::string_view, std::string>{kCkptLastBackup, "111"},
                                  {kCkptRetentionChecked, "222"},
                                  {kCkptLastCompaction, "333 1"},
                                  {"spool/f1.spool", "42"}}) {
    std::string v;
    ASSERT_OK(store_->GetCheckpoint(key, &v));
    EXPECT_EQ(v, want) << key;
  }
  EXPECT_EQ(store_->head(), 1u);
}

// Passphrase mode (storage/passphrase.h) on a real store.
class PassphraseStoreSecurity : public AtRestTest {
 protected:
  void SetUp() override {
    AtRestTest::SetUp();
    cache_ = tmp_.Sub("run") + "/termbrain/unlocked/k.key";
  }
  UnlockRequest Request(const std::string& passphrase) const {
    UnlockRequest r;
    r.data_dir = dir_;
    r.cache_path = cache_;
    r.passphrase = passphrase;
    r.limits = KdfLimits{1, 8192};
    return r;
  }
  std::string cache_;
};

TEST_F(PassphraseStoreSecurity, FirstUnlockSetsThePassphraseOfANewStoreOnly) {
  UnlockResult r;
  ASSERT_OK(Unlock(Request("pw"), &r));
  EXPECT_TRUE(r.created);
  DataKey key;
  ASSERT_OK(ReadUnlockedKey(cache_, &key));
  EXPECT_EQ(r.key_id_hex, KeyIdHex(key));
  SetProcessDataKey(key);
  Open();  // the data dir holding only key.wrapped is a new store
  Append({Rec(10, kMarker, "/", "s", "h", 0, 1)});
  Close();
  EXPECT_EQ(Holding(dir_, kMarker), std::vector<std::string>{});
  ASSERT_OK(Unlock(Request("pw"), &r));
  EXPECT_FALSE(r.created);
  Status s = Unlock(Request("other"), &r);
  EXPECT_EQ(s.ToString(), "incompatible: wrong passphrase for " + dir_ + "/key.wrapped. Nothing was changed");
  // A store that is not under a passphrase is converted by a rekey, not here.
  fs::remove(WrappedKeyPath(dir_));
  s = Unlock(Request("pw"), &r);
  EXPECT_EQ(s.ToString(), "incompatible: the store " + dir_ + " has no wrapped key (" + dir_ +
                              "/key.wrapped). If it was under a passphrase, put back the key.wrapped that came "
                              "with it; if not, convert it with 'tb rekey --passphrase' run with its current "
                              "storage.encryption");
}

TEST_F(PassphraseStoreSecurity, RekeyWrapsTheNewKeyAndUnlockFinishesAnInterruptedRename) {
  Open();
  Append({Rec(10, "ls", "/", "s", "h", 0, 1)});
  Close();
  RekeyOptions o = RekeyTo(Key(2));
  WrappedKey w2;
  ASSERT_OK(WrapDataKey(Key(2), "new", KdfLimits{1, 8192}, &w2));
  o.wrapped = w2;
  RekeyResult r;
  ASSERT_OK(Rekey(o, &r));
  EXPECT_TRUE(fs::exists(WrappedKeyPath(dir_)));
  EXPECT_FALSE(fs::exists(NewWrappedKeyPath(dir_)));
  UnlockResult u;
  ASSERT_OK(Unlock(Request("new"), &u));
  EXPECT_EQ(u.key_id_hex, KeyIdHex(Key(2)));
  // A kill between the swap and the rename: key.wrapped wraps the old key,
  // key.wrapped.new the store's.
  WrappedKey w1;
  ASSERT_OK(WrapDataKey(Key(1), "old", KdfLimits{1, 8192}, &w1));
  fs::rename(WrappedKeyPath(dir_), NewWrappedKeyPath(dir_));
  ASSERT_OK(WriteWrappedKeyFile(WrappedKeyPath(dir_), w1));
  SetProcessDataKey(Key(1));
  Status s = TryOpen();
  EXPECT_EQ(s.ToString(), "incompatible: wrong key for " + dir_ + "/db: the store is encrypted under key id " +
                              KeyIdHex(Key(2)) + ", the unlocked key has key id " + KeyIdHex(Key(1)) +
                              " (an interrupted 'tb rekey' left it under its new key: run 'tb unlock' with the new "
                              "passphrase). Nothing was changed");
  ASSERT_OK(Unlock(Request("new"), &u));
  EXPECT_FALSE(fs::exists(NewWrappedKeyPath(dir_)));
  WrappedKey now;
  ASSERT_OK(ReadWrappedKeyFile(WrappedKeyPath(dir_), &now));
  EXPECT_EQ(now.key_id, KeyId(Key(2)));
  // A wrapped key that belongs to another store, with nothing to finish.
  ASSERT_OK(WriteWrappedKeyFile(WrappedKeyPath(dir_), w1));
  s = Unlock(Request("old"), &u);
  EXPECT_EQ(s.ToString(), "incompatible: the wrapped key " + dir_ + "/key.wrapped (key id " + KeyIdHex(Key(1)) +
                              ") is not the key of the store " + dir_ + " (key id " + KeyIdHex(Key(2)) +
                              "). Nothing was changed; put back the key.wrapped that came with the store");
  // Rekeyed to a key file: the wrapped key goes.
  SetProcessDataKey(Key(2));
  ASSERT_OK(Rekey(RekeyTo(Key(3)), &r));
  EXPECT_FALSE(fs::exists(WrappedKeyPath(dir_)));
}

TEST_F(PassphraseStoreSecurity, ChangingThePassphraseKeepsTheKey) {
  UnlockResult u;
  ASSERT_OK(Unlock(Request("one"), &u));
  const std::string before = Slurp(WrappedKeyPath(dir_));
  Status s = ChangePassphrase(dir_, "wrong", "two", KdfLimits{1, 8192});
  EXPECT_TRUE(s.IsIncompatible()) << s.ToString();
  EXPECT_EQ(Slurp(WrappedKeyPath(dir_)), before);
  EXPECT_TRUE(ChangePassphrase(dir_, "one", "", KdfLimits{1, 8192}).IsInvalidArgument());
  EXPECT_EQ(Slurp(WrappedKeyPath(dir_)), before);
  ASSERT_OK(ChangePassphrase(dir_, "one", "two", KdfLimits{2, 16384}));
  WrappedKey w;
  ASSERT_OK(ReadWrappedKeyFile(WrappedKeyPath(dir_), &w));
  EXPECT_EQ(w.limits, (KdfLimits{2, 16384}));  // the cost is raised on a change
  UnlockResult again;
  EXPECT_TRUE(Unlock(Request("one"), &again).IsIncompatible());
  ASSERT_OK(Unlock(Request("two"), &again));
  EXPECT_EQ(again.key_id_hex, u.key_id_hex);
}

}  // namespace
}  // namespace tb
