// FindExisting (core/import/existing_records.h) on a real store: which
// records of an import chunk the store already holds, by text and start
// time (only records from before the import count) and by kept id; a
// damaged history key is an error, not a guess.
#include <gtest/gtest.h>

#include <map>

#include "core/import/existing_records.h"
#include "tests/status_assert.h"
#include "tests/storage/store_fixture.h"

namespace tb {
namespace {

// A cursor over a fixed map (a view with a malformed key).
class MapCursor final : public KvCursor {
 public:
  explicit MapCursor(std::map<std::string, std::string> m) : m_(std::move(m)), it_(m_.end()) {}
  void Seek(std::string_view t) override { it_ = m_.lower_bound(std::string(t)); }
  void SeekForPrev(std::string_view) override { it_ = m_.end(); }
  void SeekToFirst() override { it_ = m_.begin(); }
  void SeekToLast() override { it_ = m_.end(); }
  bool Valid() const override { return it_ != m_.end(); }
  void Next() override { ++it_; }
  void Prev() override { it_ = m_.end(); }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  Status status() const override { return Status::OK(); }

 private:
  std::map<std::string, std::string> m_;
  std::map<std::string, std::string>::iterator it_;
};

class BadHistoryReader final : public StoreReader {
 public:
  explicit BadHistoryReader(StoreReader& inner) : inner_(inner) {}
  Status GetEvent(uint64_t seq, Event* out) override { return inner_.GetEvent(seq, out); }
  std::unique_ptr<KvCursor> NewViewCursor(std::string_view view) override {
    if (view != "history") return inner_.NewViewCursor(view);
    std::string key;
    PutI64Key(&key, T(5));
    key += "short";  // 13 bytes: not time + seq
    return std::make_unique<MapCursor>(std::map<std::string, std::string>{{key, ""}});
  }
  Status GetViewValue(std::string_view view, std::string_view key, std::string* out) override {
    return inner_.GetViewValue(view, key, out);
  }

 private:
  StoreReader& inner_;
};

class ExistingRecordsTest : public StoreTest {};

TEST_F(ExistingRecordsTest, SameTextAndTimeFromBeforeTheImportOnly) {
  Open();
  Append({Rec(5, "make", "/p", "s", "h", 0), Rec(5, "ls", "/p", "s", "h", 0), Rec(9, "make", "/p", "s", "h", 0)});
  const uint64_t before = 2;                                         // the third record came "during the import"
  std::vector<Event> chunk = {Rec(5, "make", "/q", "", "other", 1),  // same text + time: duplicate
                              Rec(5, "vim", "/p", "s", "h", 0),      // same time, other text
                              Rec(6, "make", "/p", "s", "h", 0),     // same text, other time
                              Rec(9, "make", "/p", "s", "h", 0),     // matches seq 3 > before
                              Rec(5, "ls", "/p", "s", "h", 0),       // duplicate
                              Rec(1, "ls", "/p", "s", "h", 0)};      // before every record
  std::vector<ChunkRecord> records;
  for (const Event& ev : chunk) records.push_back(ChunkRecord{&ev, false});
  std::vector<bool> existing;
  ASSERT_OK(FindExisting(store_->reader(), before, records, &existing));
  EXPECT_EQ(existing, (std::vector<bool>{true, false, false, false, true, false}));
  ASSERT_OK(FindExisting(store_->reader(), 0, records, &existing));
  EXPECT_EQ(existing, std::vector<bool>(6, false)) << "an empty store before the import has nothing";
}

TEST_F(ExistingRecordsTest, KeptIdsKnownToTheStoreOrRepeatedInTheChunk) {
  Open();
  Append({Rec(1, "a", "/p", "s", "h", 0)});
  EventId known = all_[0].id;
  std::vector<Event> chunk = {Rec(2, "b", "/p", "s", "h", 0), Rec(3, "c", "/p", "s", "h", 0),
                              Rec(4, "d", "/p", "s", "h", 0), Rec(5, "e", "/p", "s", "h", 0)};
  chunk[0].id = known;
  chunk[1].id = EventId{77, 1};
  chunk[2].id = EventId{77, 1};
  chunk[3].id = EventId{77, 2};
  std::vector<ChunkRecord> records;
  for (const Event& ev : chunk) records.push_back(ChunkRecord{&ev, true});
  std::vector<bool> existing;
  ASSERT_OK(FindExisting(store_->reader(), 0, records, &existing));
  EXPECT_EQ(existing, (std::vector<bool>{true, false, true, false}));
}

TEST_F(ExistingRecordsTest, AMalformedHistoryKeyIsCorruption) {
  Open();
  Append({Rec(5, "make", "/p", "s", "h", 0)});
  BadHistoryReader bad(store_->reader());
  Event ev = Rec(5, "make", "/p", "s", "h", 0);
  ChunkRecord r{&ev, false};
  std::vector<bool> existing;
  Status s = FindExisting(bad, 1, std::span<const ChunkRecord>(&r, 1), &existing);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(), "view history: malformed key");
}

}  // namespace
}  // namespace tb
