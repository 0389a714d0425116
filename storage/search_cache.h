/// @file
/// SearchCache: the search index of a store (core/search/index.h), kept in
/// DIR/search.idx (0600) and memory-mapped by every search.
///
/// The file is a cache: it is stamped with the store id and the log head it
/// reflects (seq, time and id of that event, so a rollback followed by new
/// events is noticed). Load() brings it up to date:
///   * stamp equal to the store's head: the mapped file as is;
///   * the log went on with commands only (started, finished, recorded,
///     import markers): those records become an in-memory overlay; past
///     `max_overlay` events the index and overlay are compacted into a new
///     file (no store reads);
///   * anything else (another store, a shorter or rewritten log, a removal:
///     forget, undo, retention; another format version; a damaged file):
///     rebuilt from the history view and the log, then written back.
/// The file is never believed when damaged: its checksums (docs/formats.md,
/// "Search index") are verified on Open, and lazily per block as searches
/// read it (core/search/index.h). Damage found by Load() (or reported by a
/// search, see Rebuild() and SearchStore()) rebuilds the index and tells
/// `SearchCacheOptions::warn`; it is never an error of the caller.
/// Writing the file is best effort (a read-only data dir still searches);
/// it replaces the old file atomically (temp + fsync + rename). Under a data
/// key (Store::data_key(), storage/at_rest.h) the file is sealed
/// (core/sealed_file.h) and read into memory instead of mapped; a file not
/// sealed under that key counts as damaged (rebuilt, no warning needed).
/// Commands that remove records also delete the file (RemoveSearchCache) so
/// no copy of forgotten text outlives them.
///
/// Thread safety: one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/search/index.h"
#include "core/search/search.h"
#include "core/status.h"
#include "storage/store.h"

namespace tb {

/// How Load keeps the index file.
struct SearchCacheOptions {
  size_t max_overlay = 2048;  ///< tail events layered in memory before compacting
  bool write = true;          ///< write rebuilt/compacted indexes back to the file
  /// Told one line (no recorded text in it) when a damaged file is rebuilt,
  /// e.g. "search index (DIR/search.idx) is damaged: WHY; rebuilt from the
  /// store". Empty: not told.
  std::function<void(const std::string& message)> warn;
};

/// What Load() did, for logs and tests.
enum class SearchCacheAction { kFresh, kOverlay, kCompacted, kRebuilt };

/// A store's search index, loaded and brought up to date (see the file comment).
class SearchCache {
 public:
  ~SearchCache();
  /// The index of `store` (in store.data_dir()), up to date with its log.
  static Status Load(Store& store, const SearchCacheOptions& options, std::unique_ptr<SearchCache>* out);
  /// The index rebuilt from `store` whatever the file holds, for a caller
  /// whose search found the loaded index damaged (`why`, a Corruption from
  /// core/search/search.h); options.warn is told.
  static Status Rebuild(Store& store, const SearchCacheOptions& options, const Status& why,
                        std::unique_ptr<SearchCache>* out);
  /// The index (owned; valid while the cache lives).
  const SearchIndex& index() const { return *index_; }
  /// What the log added since the index was built (empty when it is current).
  const IndexOverlay& overlay() const { return overlay_; }
  /// How Load got the index.
  SearchCacheAction action() const { return action_; }

 private:
  std::unique_ptr<SearchIndex> index_;
  IndexOverlay overlay_;
  SearchCacheAction action_ = SearchCacheAction::kFresh;
  friend class SearchCacheLoader;
};

/// Runs `req` on the index of `store` the way `tb search` does: Load(),
/// search, and when the search finds the index damaged, Rebuild() and the
/// search once more. The result never comes from damaged bytes.
Status SearchStore(Store& store, const SearchCacheOptions& options, const SearchRequest& req, SearchResult* out);

/// DIR/search.idx
std::string SearchCachePath(const std::string& data_dir);
/// Deletes the file (absent is fine).
Status RemoveSearchCache(const std::string& data_dir);

}  // namespace tb
