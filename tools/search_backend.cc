#include "tools/search_backend.h"

#include <spdlog/spdlog.h>

#include "core/search/index.h"

namespace tb {

namespace {

// Damage of the index is a warning in the logs (stderr and the log file);
// the search itself goes on from a rebuilt index.
SearchCacheOptions CacheOptions() {
  SearchCacheOptions o;
  o.warn = [](const std::string& message) { spdlog::warn("{}", message); };
  return o;
}

}  // namespace

Status SearchWithIndex(Store& store, const SearchRequest& req, SearchResult* out) {
  return SearchStore(store, CacheOptions(), req, out);
}

Status IndexBackend::Open(Context& ctx, std::unique_ptr<IndexBackend>* out) {
  std::unique_ptr<IndexBackend> b(new IndexBackend(ctx));
  TB_RETURN_IF_ERROR(b->Load(nullptr));
  *out = std::move(b);
  return Status::OK();
}

// Opens the store (draining the spool), brings the index up to date (or
// rebuilds it when `damage` says a search found it damaged) and closes the
// store again: the UI may stay open for minutes and must not hold the write
// lock (tb record would wait on it), and the mapped index and its overlay
// need no store.
Status IndexBackend::Load(const Status* damage) {
  searcher_.reset();
  cache_.reset();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx_.OpenStoreToRead(&store));
  SearchCacheOptions o = CacheOptions();
  TB_RETURN_IF_ERROR(damage ? SearchCache::Rebuild(*store, o, *damage, &cache_)
                            : SearchCache::Load(*store, o, &cache_));
  searcher_ = std::make_unique<Searcher>(cache_->index(), &cache_->overlay());
  return Status::OK();
}

Status IndexBackend::Search(const SearchRequest& req, SearchResult* out) {
  Status s = searcher_->Search(req, out);
  if (!s.IsCorruption()) return s;
  // A damaged index: rebuild it once.
  TB_RETURN_IF_ERROR(Load(&s));
  return searcher_->Search(req, out);
}

Status IndexBackend::Details(std::string_view command, CommandDetails* out) {
  Status s = searcher_->Details(command, out);
  if (!s.IsCorruption()) return s;
  TB_RETURN_IF_ERROR(Load(&s));
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
    TB_RETURN_IF_ERROR(ctx_.OpenStore(&store));
    TB_RETURN_IF_ERROR(ForgetSeqs(ctx_, targets, &store));
  }
  return Load(nullptr);
}

}  // namespace tb
