// storage/search_cache.h: the search index file kept next to the store,
// brought up to date by overlay, compaction or rebuild; and the engine
// agreeing with the views on every filter.
#include "storage/search_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/search/search.h"
#include "tests/status_assert.h"
#include "tests/storage/store_fixture.h"

namespace tb {
namespace {

class SearchCacheTest : public StoreTest {
 protected:
  std::unique_ptr<SearchCache> Load(size_t max_overlay = 2048) {
    std::unique_ptr<SearchCache> c;
    SearchCacheOptions o;
    o.max_overlay = max_overlay;
    Status s = SearchCache::Load(*store_, o, &c);
    EXPECT_OK(s) << s.ToString();
    return c;
  }
  // What the engine returns for `f` (no query), as records.
  std::vector<HistoryRecord> Engine(const SearchCache& c, const HistoryFilter& f) {
    Searcher s(c.index(), &c.overlay());
    SearchRequest r;
    r.filter = f;
    SearchResult res;
    EXPECT_OK(s.Search(r, &res));
    std::vector<HistoryRecord> out;
    for (auto& h : res.hits) out.push_back(h.record);
    return out;
  }
  std::vector<HistoryRecord> Views(const HistoryFilter& f) {
    std::vector<HistoryRecord> out;
    EXPECT_OK(QueryHistory(store_->reader(), f, [&](const HistoryRecord& r) {
      out.push_back(r);
      return true;
    }));
    return out;
  }
};

TEST_F(SearchCacheTest, BuildsOnceThenMapsTheFile) {
  BuildHistory();
  auto c = Load();
  EXPECT_EQ(c->action(), SearchCacheAction::kRebuilt);
  struct stat st {};
  ASSERT_EQ(::stat(SearchCachePath(dir_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(c->index().stamp().head_seq, store_->head());
  EXPECT_EQ(Engine(*c, {}), Views({}));
  EXPECT_EQ(Load()->action(), SearchCacheAction::kFresh);
}

TEST_F(SearchCacheTest, EngineAgreesWithTheViewsOnEveryFilter) {
  BuildHistory();
  auto c = Load();
  std::vector<HistoryFilter> fs(9);
  fs[0].cwd = "/home/u";
  fs[1].session = "s2";
  fs[2].host = "h1";
  fs[3].exit_code = 0;
  fs[4].failed = true;
  fs[5].succeeded = true;
  fs[6].since_ns = T(30);
  fs[6].until_ns = T(80);
  fs[7].limit = 3;
  fs[8].cwd = "/nowhere";
  for (size_t i = 0; i < fs.size(); ++i) EXPECT_EQ(Engine(*c, fs[i]), Views(fs[i])) << "filter " << i;
}

TEST_F(SearchCacheTest, NewCommandsBecomeAnOverlayThenACompaction) {
  BuildHistory();
  Load();
  Append({Start(900, 500, "sleep 5", "/tmp", "s9", "h1")});
  auto c = Load();
  EXPECT_EQ(c->action(), SearchCacheAction::kOverlay);
  ASSERT_EQ(c->overlay().records.size(), 1u);
  EXPECT_TRUE(c->overlay().records[0].running);
  EXPECT_EQ(Engine(*c, {}), Views({}));
  // Compacting puts the running command into the file.
  c = Load(/*max_overlay=*/0);
  EXPECT_EQ(c->action(), SearchCacheAction::kCompacted);
  EXPECT_EQ(Load()->action(), SearchCacheAction::kFresh);
  // Its finish patches the row the file shows as running.
  Append({Fin(901, 505, ShellId(900), 3, 5 * kSec)});
  c = Load();
  EXPECT_EQ(c->action(), SearchCacheAction::kOverlay);
  EXPECT_TRUE(c->overlay().records.empty());
  ASSERT_EQ(c->overlay().patched.size(), 1u);
  EXPECT_EQ(c->overlay().patched[0].second.exit_code, 3);
  HistoryFilter failed;
  failed.failed = true;
  EXPECT_EQ(Engine(*c, failed), Views(failed));
  EXPECT_EQ(Engine(*c, {}), Views({}));
}

TEST_F(SearchCacheTest, ForgetRebuildsWithoutTheRecord) {
  BuildHistory();
  Load();
  Event forget;
  forget.kind = EventKind::kForgotten;
  forget.time_ns = T(900);
  forget.targets = {1};
  Append({forget});
  auto c = Load();
  EXPECT_EQ(c->action(), SearchCacheAction::kRebuilt);
  EXPECT_EQ(Engine(*c, {}), Views({}));
  for (size_t r = 0; r < c->index().rows(); ++r) EXPECT_NE(c->index().seq(r), 1u);
  ASSERT_OK(RemoveSearchCache(dir_));
  EXPECT_FALSE(std::filesystem::exists(SearchCachePath(dir_)));
  ASSERT_OK(RemoveSearchCache(dir_)) << "absent is fine";
}

TEST_F(SearchCacheTest, DamagedOrForeignFilesAreRebuilt) {
  BuildHistory();
  Load();
  std::filesystem::resize_file(SearchCachePath(dir_), 200);
  EXPECT_EQ(Load()->action(), SearchCacheAction::kRebuilt);
  {
    std::ofstream f(SearchCachePath(dir_), std::ios::trunc);
    f << "not an index";
  }
  EXPECT_EQ(Load()->action(), SearchCacheAction::kRebuilt);
  // The index of another store with the same head is not this store's.
  std::string mine = SearchCachePath(dir_);
  std::string other_dir = tmp_.Sub("other");
  std::unique_ptr<Store> other = SameEventsInAnotherStore(other_dir);
  ASSERT_NE(other, nullptr);
  std::unique_ptr<SearchCache> oc;
  ASSERT_OK(SearchCache::Load(*other, {}, &oc));
  std::filesystem::copy_file(SearchCachePath(other_dir), mine, std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(Load()->action(), SearchCacheAction::kRebuilt);
}

TEST_F(SearchCacheTest, ReadOnlyDirStillSearches) {
  BuildHistory();
  std::unique_ptr<SearchCache> c;
  SearchCacheOptions o;
  o.write = false;
  ASSERT_OK(SearchCache::Load(*store_, o, &c));
  EXPECT_EQ(c->action(), SearchCacheAction::kRebuilt);
  EXPECT_FALSE(std::filesystem::exists(SearchCachePath(dir_)));
  EXPECT_EQ(Engine(*c, {}), Views({}));
}

}  // namespace
}  // namespace tb
