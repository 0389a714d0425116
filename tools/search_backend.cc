#include "tools/search_backend.h"

#include "core/search/index.h"

namespace tb {

Status SearchWithIndex(Store& store, const SearchRequest& req, SearchResult* out) {
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<SearchCache> cache;
    TB_RETURN_IF_ERROR(SearchCache::Load(store, SearchCacheOptions{}, &cache));
    Status s = Searcher(cache->index(), &cache->overlay()).Search(req, out);
    if (!s.IsCorruption() || attempt > 0) return s;
    TB_RETURN_IF_ERROR(RemoveSearchCache(store.data_dir()));
  }
}

Status IndexBackend::Open(Context& ctx, std::unique_ptr<IndexBackend>* out) {
  std::unique_ptr<IndexBackend> b(new IndexBackend(ctx));
  TB_RETURN_IF_ERROR(b->Load());
  *out = std::move(b);
  return Status::OK();
}

// Opens the store (draining the spool), brings the index up to date and
// closes the store again: the UI may stay open for minutes and must not
// hold the write lock (tb record would wait on it), and the mapped index
// and its overlay need no store.
Status IndexBackend::Load() {
  searcher_.reset();
  cache_.reset();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx_.OpenStore(StoreOptions::Access::kReadPreferred, &store));
  TB_RETURN_IF_ERROR(SearchCache::Load(*store, SearchCacheOptions{}, &cache_));
  searcher_ = std::make_unique<Searcher>(cache_->index(), &cache_->overlay());
  return Status::OK();
}

Status IndexBackend::Search(const SearchRequest& req, SearchResult* out) {
  Status s = searcher_->Search(req, out);
  if (!s.IsCorruption()) return s;
  // A damaged index: rebuild it once.
  TB_RETURN_IF_ERROR(RemoveSearchCache(ctx_.data_dir));
  TB_RETURN_IF_ERROR(Load());
  return searcher_->Search(req, out);
}

Status IndexBackend::Details(std::string_view command, CommandDetails* out) {
  return searcher_->Details(command, out);
}

Status IndexBackend::Forget(const HistoryRecord& record) {
  // Every use of the exact text.
  SearchRequest req;
  req.query = record.command;
  req.mode = SearchMode::kExact;
  SearchResult res;
  TB_RETURN_IF_ERROR(searcher_->Search(req, &res));
  std::vector<uint64_t> targets;
  for (const auto& h : res.hits)
    if (h.record.command == record.command) targets.push_back(h.record.seq);  // byte for byte
  if (targets.empty()) return Status::NotFound("the command is no longer in the history");
  {
    std::unique_ptr<Store> store;
    TB_RETURN_IF_ERROR(ctx_.OpenStore(StoreOptions::Access::kReadWrite, &store));
    TB_RETURN_IF_ERROR(ForgetSeqs(ctx_, targets, &store));
  }
  return Load();
}

}  // namespace tb
