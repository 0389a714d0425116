#include "storage/search_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/history_query.h"
#include "core/keycode.h"
#include "core/sealed_file.h"
#include "core/views/history_view.h"
#include "core/views/ids_view.h"
#include "storage/admin_util.h"

namespace tb {
namespace {

// A read-only mapping, unmapped when the last SearchIndex using it goes.
struct Mapping {
  void* addr = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (addr != MAP_FAILED) ::munmap(addr, size);
  }
};

// `writable`: a private (copy-on-write) mapping the caller may change in
// place (a sealed index decrypts its blocks there); the file never changes.
Status MapFile(const std::string& path, std::shared_ptr<Mapping>* out, std::string_view* bytes, bool writable = false) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::NotFound(path) : Status::IOError(path + ": " + std::strerror(errno));
  struct stat st {};
  auto m = std::make_shared<Mapping>();
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    m->size = static_cast<size_t>(st.st_size);
    m->addr = ::mmap(nullptr, m->size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_PRIVATE, fd, 0);
  }
  int err = errno;
  ::close(fd);
  if (m->addr == MAP_FAILED) return Status::IOError(path + ": cannot map: " + std::strerror(err));
  *bytes = std::string_view(static_cast<const char*>(m->addr), m->size);
  *out = std::move(m);
  return Status::OK();
}

// A sealed index file mapped in place: the mapping and the SealedFile that
// opens its blocks as searches read them.
struct SealedMapping {
  std::shared_ptr<Mapping> map;
  std::unique_ptr<SealedFile> sealed;
};

// The index file's bytes, their owner and, under a data key, the opener of
// its blocks (core/sealed_file.h): a file that is not sealed under this key
// fails here, and a damaged block fails when read; either way it is rebuilt.
Status ReadIndexFile(const std::string& path, const DataKey* key, std::shared_ptr<const void>* owner,
                     std::string_view* bytes, const BlockOpener** opener) {
  *opener = nullptr;
  std::shared_ptr<Mapping> map;
  TB_RETURN_IF_ERROR(MapFile(path, &map, bytes, key != nullptr));
  if (key == nullptr) {
    *owner = std::move(map);
    return Status::OK();
  }
  auto s = std::make_shared<SealedMapping>();
  TB_RETURN_IF_ERROR(SealedFile::Open(*key, static_cast<char*>(map->addr), map->size, path, &s->sealed));
  s->map = std::move(map);
  *bytes = s->sealed->content();
  *opener = s->sealed.get();
  *owner = std::move(s);
  return Status::OK();
}

// Admin actions that leave every record as it was.
bool KeepsRecords(const Event& ev) {
  return ev.source == "import.pad" || ev.source.starts_with("backup.") || ev.source.starts_with("snapshot.") ||
         ev.source == "forget.purge_backups";
}

}  // namespace

class SearchCacheLoader {
 public:
  SearchCacheLoader(Store& store, const SearchCacheOptions& o) : store_(store), dir_(store.data_dir()), o_(o) {}

  // `damage`: a search already found the loaded index damaged (rebuild).
  Status Load(const Status* damage, std::unique_ptr<SearchCache>* out) {
    auto cache = std::unique_ptr<SearchCache>(new SearchCache());
    TB_RETURN_IF_ERROR(CurrentStamp(&stamp_));
    if (damage) Warn(*damage);
    bool used = false;
    if (!damage) TB_RETURN_IF_ERROR(UseFile(cache.get(), &used));
    if (used) {
      *out = std::move(cache);
      return Status::OK();
    }
    cache->overlay_ = IndexOverlay{};
    TB_RETURN_IF_ERROR(Rebuild(cache.get()));
    *out = std::move(cache);
    return Status::OK();
  }

 private:
  // Maps the file and brings it up to date; *used false when it must be
  // rebuilt (absent, of another format or store, stale in a way an overlay
  // cannot express, or damaged: then warned). Errors are the store's.
  Status UseFile(SearchCache* cache, bool* used) {
    std::shared_ptr<const void> owner;
    std::string_view bytes;
    const BlockOpener* opener = nullptr;
    if (!ReadIndexFile(SearchCachePath(dir_), store_.data_key(), &owner, &bytes, &opener).ok()) return Status::OK();
    Status s = SearchIndex::Open(bytes, owner, &cache->index_, opener);
    if (s.IsCorruption()) Warn(s);
    if (!s.ok() || !Compatible(cache->index_->stamp())) return Status::OK();
    bool rebuild = false;
    TB_RETURN_IF_ERROR(ReadTail(*cache->index_, &cache->overlay_, &rebuild));
    if (cache->index_->damaged()) return Warn(cache->index_->damage()), Status::OK();
    if (rebuild) return Status::OK();
    cache->action_ = cache->overlay_.empty() ? SearchCacheAction::kFresh : SearchCacheAction::kOverlay;
    if (tail_events_ > o_.max_overlay) {
      s = Compact(cache);
      if (!s.ok()) {  // a compaction that finds damaged rows falls back to a rebuild
        if (s.IsCorruption()) Warn(s);
        return Status::OK();
      }
    }
    *used = true;
    return Status::OK();
  }
  void Warn(const Status& why) {
    if (o_.warn)
      o_.warn("search index (" + SearchCachePath(dir_) + ") is damaged: " + why.message() + "; rebuilt from the store");
  }

  Status CurrentStamp(IndexStamp* s) {
    s->store_id = store_.store_id();
    s->head_seq = store_.head();
    return EventStamp(s->head_seq, &s->head_time_ns, &s->head_id);
  }
  Status EventStamp(uint64_t seq, int64_t* time, EventId* id) {
    *time = 0, *id = EventId{};
    if (seq == 0) return Status::OK();
    Event ev;
    Status s = store_.reader().GetEvent(seq, &ev);
    if (s.IsNotFound()) return Status::OK();
    TB_RETURN_IF_ERROR(s);
    *time = ev.time_ns, *id = ev.id;
    return Status::OK();
  }
  // The index is of this store and its head event is still in the log.
  bool Compatible(const IndexStamp& ix) {
    if (ix.store_id != stamp_.store_id || ix.head_seq > stamp_.head_seq) return false;
    if (ix.head_seq == stamp_.head_seq) return ix == stamp_;
    int64_t t;
    EventId id;
    return EventStamp(ix.head_seq, &t, &id).ok() && t == ix.head_time_ns && id == ix.head_id;
  }

  // Reads the events after the index's head into `ov`; *rebuild when one of
  // them cannot be layered (a removal or an unknown administrative action).
  Status ReadTail(const SearchIndex& ix, IndexOverlay* ov, bool* rebuild) {
    uint64_t from = ix.stamp().head_seq + 1;
    if (from > stamp_.head_seq) return Status::OK();
    std::vector<Event> starts;            // started/recorded events of the tail
    std::vector<uint64_t> finished_base;  // base seqs finished in the tail
    Status st = store_.ScanLog(from, stamp_.head_seq, true, nullptr, [&](const Event& ev, std::string_view) {
      ++tail_events_;
      switch (ev.kind) {
        case EventKind::kStarted:
        case EventKind::kRecorded: starts.push_back(ev); return true;
        case EventKind::kFinished: return FinishedBase(ix, ev, &finished_base);
        case EventKind::kImportCompleted: return true;
        case EventKind::kAdminAction:
          if (KeepsRecords(ev)) return true;
          [[fallthrough]];
        default: *rebuild = true; return false;
      }
    });
    TB_RETURN_IF_ERROR(st);
    if (*rebuild) return Status::OK();
    for (const Event& ev : starts) {
      HistoryRecord rec;
      bool present = false;
      TB_RETURN_IF_ERROR(LoadCurrent(ev.seq, ev.time_ns, &rec, &present));
      if (present) ov->records.push_back(std::move(rec));
    }
    std::sort(ov->records.begin(), ov->records.end(), [](const HistoryRecord& a, const HistoryRecord& b) {
      return a.started_at_ns != b.started_at_ns ? a.started_at_ns > b.started_at_ns : a.seq > b.seq;
    });
    auto seqs = ix.running_seqs();
    for (uint64_t seq : finished_base) {
      auto it = std::lower_bound(seqs.begin(), seqs.end(), seq);
      uint32_t row = ix.running_rows()[it - seqs.begin()];
      HistoryRecord rec;
      bool present = false;
      TB_RETURN_IF_ERROR(LoadCurrent(seq, ix.time(row), &rec, &present));
      if (present) ov->patched.push_back({row, std::move(rec)});
    }
    std::sort(ov->patched.begin(), ov->patched.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });  // the overlay's contract
    return Status::OK();
  }
  // A finish of a command the index shows as running: remember its seq.
  bool FinishedBase(const SearchIndex& ix, const Event& ev, std::vector<uint64_t>* out) {
    uint64_t seq = 0;
    if (!LookupId(store_.reader(), ev.start, &seq).ok() || seq > ix.stamp().head_seq) return true;
    auto seqs = ix.running_seqs();
    if (std::binary_search(seqs.begin(), seqs.end(), seq)) out->push_back(seq);
    return true;
  }
  Status LoadCurrent(uint64_t seq, int64_t time, HistoryRecord* rec, bool* present) {
    std::string state;
    Status s = store_.reader().GetViewValue(kHistoryViewName, HistoryKey(time, seq), &state);
    if (s.IsNotFound()) return *present = false, Status::OK();
    TB_RETURN_IF_ERROR(s);
    *present = true;
    return LoadRecord(store_.reader(), seq, state, rec);
  }

  Status Rebuild(SearchCache* cache) {
    IndexBuilder b(stamp_);
    TB_RETURN_IF_ERROR(QueryHistory(store_.reader(), HistoryFilter{}, [&](const HistoryRecord& r) {
      b.Add(r);
      return true;
    }));
    cache->action_ = SearchCacheAction::kRebuilt;
    return Install(b, cache);
  }
  Status Compact(SearchCache* cache) {
    IndexBuilder b(stamp_);
    TB_RETURN_IF_ERROR(AddIndexRecords(*cache->index_, cache->overlay_, &b));
    cache->overlay_ = IndexOverlay{};
    cache->action_ = SearchCacheAction::kCompacted;
    return Install(b, cache);
  }
  // Writes the new index to the file and maps it; when the file cannot be
  // written (read-only data dir, full disk) the index lives in memory. Under
  // a data key the file is sealed, and the index is the one in memory.
  Status Install(IndexBuilder& b, SearchCache* cache) {
    std::unique_ptr<SearchIndex> ix;
    std::string path = SearchCachePath(dir_);
    if (const DataKey* key = store_.data_key()) return InstallSealed(b, *key, path, cache);
    if (o_.write && WriteFileAtomically(path, [&b](const ContentSink& w) { b.Serialize(w); }).ok()) {
      std::shared_ptr<Mapping> map;
      std::string_view bytes;
      if (MapFile(path, &map, &bytes).ok() && SearchIndex::Open(bytes, map, &ix).ok()) {
        cache->index_ = std::move(ix);
        return Status::OK();
      }
    }
    auto bytes = std::make_shared<std::string>();
    b.Serialize(bytes.get());
    TB_RETURN_IF_ERROR(SearchIndex::Open(*bytes, bytes, &ix));
    cache->index_ = std::move(ix);
    return Status::OK();
  }

  Status InstallSealed(IndexBuilder& b, const DataKey& key, const std::string& path, SearchCache* cache) {
    auto bytes = std::make_shared<std::string>();
    b.Serialize(bytes.get());
    if (o_.write) {
      (void)WriteFileAtomically(path, [&](const ContentSink& w) { SealTo(key, *bytes, w); });  // best effort
    }
    std::unique_ptr<SearchIndex> ix;
    TB_RETURN_IF_ERROR(SearchIndex::Open(*bytes, bytes, &ix));
    cache->index_ = std::move(ix);
    return Status::OK();
  }

  Store& store_;
  std::string dir_;
  SearchCacheOptions o_;
  IndexStamp stamp_;
  size_t tail_events_ = 0;
};

SearchCache::~SearchCache() = default;

Status SearchCache::Load(Store& store, const SearchCacheOptions& options, std::unique_ptr<SearchCache>* out) {
  return SearchCacheLoader(store, options).Load(nullptr, out);
}

Status SearchCache::Rebuild(Store& store, const SearchCacheOptions& options, const Status& why,
                            std::unique_ptr<SearchCache>* out) {
  return SearchCacheLoader(store, options).Load(&why, out);
}

Status SearchStore(Store& store, const SearchCacheOptions& options, const SearchRequest& req, SearchResult* out) {
  std::unique_ptr<SearchCache> cache;
  TB_RETURN_IF_ERROR(SearchCache::Load(store, options, &cache));
  Status s = Searcher(cache->index(), &cache->overlay()).Search(req, out);
  if (!s.IsCorruption()) return s;
  TB_RETURN_IF_ERROR(SearchCache::Rebuild(store, options, s, &cache));
  return Searcher(cache->index(), &cache->overlay()).Search(req, out);
}

std::string SearchCachePath(const std::string& data_dir) { return data_dir + "/search.idx"; }

Status RemoveSearchCache(const std::string& data_dir) {
  std::string p = SearchCachePath(data_dir);
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) return Status::IOError(p + ": " + std::strerror(errno));
  return Status::OK();
}

}  // namespace tb
