// SearchCache: the search index of a store (core/search/index.h), kept in
// DIR/search.idx (0600) and memory-mapped by every search.
//
// The file is a cache: it is stamped with the store id and the log head it
// reflects (seq, time and id of that event, so a rollback followed by new
// events is noticed). Load() brings it up to date:
//   * stamp equal to the store's head: the mapped file as is;
//   * the log went on with commands only (started, finished, recorded,
//     import markers): those records become an in-memory overlay; past
//     `max_overlay` events the index and overlay are compacted into a new
//     file (no store reads);
//   * anything else (another store, a shorter or rewritten log, a removal:
//     forget, undo, retention; a damaged file): rebuilt from the history
//     view and the log, then written back.
// Writing the file is best effort (a read-only data dir still searches).
// Commands that remove records also delete the file (RemoveSearchCache) so
// no copy of forgotten text outlives them.
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "core/search/index.h"
#include "core/status.h"
#include "storage/store.h"

namespace tb {

struct SearchCacheOptions {
  size_t max_overlay = 2048;  // tail events layered in memory before compacting
  bool write = true;          // write rebuilt/compacted indexes back to the file
};

// What Load() did, for logs and tests.
enum class SearchCacheAction { kFresh, kOverlay, kCompacted, kRebuilt };

class SearchCache {
 public:
  ~SearchCache();
  // The index of `store` (in store.data_dir()), up to date with its log.
  static Status Load(Store& store, const SearchCacheOptions& options, std::unique_ptr<SearchCache>* out);
  const SearchIndex& index() const { return *index_; }
  const IndexOverlay& overlay() const { return overlay_; }
  SearchCacheAction action() const { return action_; }

 private:
  std::unique_ptr<SearchIndex> index_;
  IndexOverlay overlay_;
  SearchCacheAction action_ = SearchCacheAction::kFresh;
  friend class SearchCacheLoader;
};

// DIR/search.idx
std::string SearchCachePath(const std::string& data_dir);
// Deletes the file (absent is fine).
Status RemoveSearchCache(const std::string& data_dir);

}  // namespace tb
