// IndexBackend: the interactive UI's SearchBackend (tools/tui/backend.h)
// over the search index (storage/search_cache.h) of the user's store.
//
// The store is open only while the index is loaded (the UI must not hold
// the write lock while the user browses). Forget() takes the store for
// writing (like `tb forget`), forgets every use of the command text,
// purges the bytes, and reloads the index. A search or detail view that
// finds the index damaged rebuilds it and runs again.
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <vector>

#include "core/search/search.h"
#include "storage/search_cache.h"
#include "storage/store.h"
#include "tools/context.h"
#include "tools/tui/backend.h"

namespace tb {

// Appends a Forgotten event for `targets` (seqs of commands), purges their
// log entries and reopens *store writable (tools/cmd_forget.cc).
Status ForgetSeqs(Context& ctx, const std::vector<uint64_t>& targets, std::unique_ptr<Store>* store);

// Loads the store's search index and runs `req` (SearchStore() of
// storage/search_cache.h): a damaged index is rebuilt, with a warning in
// the logs, and the search retried once.
Status SearchWithIndex(Store& store, const SearchRequest& req, SearchResult* out);

class IndexBackend : public SearchBackend {
 public:
  // Opens the store (read-preferred) and loads its index.
  static Status Open(Context& ctx, std::unique_ptr<IndexBackend>* out);
  Status Search(const SearchRequest& req, SearchResult* out) override;
  Status Details(std::string_view command, CommandDetails* out) override;
  Status Forget(const HistoryRecord& record) override;

 private:
  explicit IndexBackend(Context& ctx) : ctx_(ctx) {}
  // `damage`: what a search found wrong with the loaded index (rebuild it).
  Status Load(const Status* damage);
  Context& ctx_;
  std::unique_ptr<SearchCache> cache_;
  std::unique_ptr<Searcher> searcher_;
};

}  // namespace tb
