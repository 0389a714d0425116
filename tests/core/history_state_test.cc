// Tests for GetHistoryState, the typed read of the history view
// (core/views/history_view.h).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/views/history_view.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

// GetHistoryState: a record's state, NotFound for an absent record (the
// state untouched), Corruption for a malformed value.
TEST(HistoryViewTest, GetHistoryStateReadsDecodesAndRefusesDamage) {
  class OneView final : public ViewLookup {
   public:
    Status Get(std::string_view view, std::string_view key, std::string* value) override {
      asked.emplace_back(view);
      auto it = kv.find(std::string(key));
      if (it == kv.end()) return Status::NotFound("no such key");
      *value = it->second;
      return Status::OK();
    }
    std::unique_ptr<KvCursor> Cursor(std::string_view) override { return nullptr; }
    Status GetEvent(uint64_t, Event*) override { return Status::NotFound("no log"); }
    std::map<std::string, std::string> kv;
    std::vector<std::string> asked;
  } lookup;
  lookup.kv[HistoryKey(1000, 4)] = EncodeHistoryState(HistoryState{2, 7, false});
  lookup.kv[HistoryKey(1000, 5)] = "\x01";  // says it has an exit code, holds none
  HistoryState st;
  ASSERT_OK(GetHistoryState(lookup, 1000, 4, &st));
  EXPECT_EQ(st, (HistoryState{2, 7, false}));
  HistoryState untouched{9, std::nullopt, true};
  EXPECT_TRUE(GetHistoryState(lookup, 1000, 6, &untouched).IsNotFound());
  EXPECT_EQ(untouched, (HistoryState{9, std::nullopt, true}));
  Status bad = GetHistoryState(lookup, 1000, 5, &st);
  EXPECT_TRUE(bad.IsCorruption()) << bad.ToString();
  EXPECT_EQ(bad.message(), "view history: malformed entry");
  EXPECT_EQ(lookup.asked, (std::vector<std::string>{"history", "history", "history"}));
}

}  // namespace
}  // namespace tb
