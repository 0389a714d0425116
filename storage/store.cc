#include "storage/store.h"

#include <rocksdb/write_batch.h>

#include <filesystem>
#include <random>

#include "core/codec.h"
#include "core/keycode.h"
#include "core/views/ids_view.h"
#include "core/views/registry.h"
#include "storage/store_impl.h"

namespace tb {
namespace {

constexpr std::string_view kViewPrefix = "view_";
constexpr std::string_view kScratchPrefix = "scratch_";

uint64_t RandomOrigin() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return v == 0 ? 1 : v;
}

std::string U64(uint64_t v) {
  std::string s;
  PutU64BE(&s, v);
  return s;
}

}  // namespace

std::string ViewMetaKey(std::string_view view) { return "view/" + std::string(view); }

std::string EncodeViewMeta(uint32_t version, uint64_t applied) {
  std::string s;
  PutU64BE(&s, version);
  PutU64BE(&s, applied);
  return s;
}

bool DecodeViewMeta(std::string_view v, uint32_t* version, uint64_t* applied) {
  uint64_t ver;
  if (!GetU64BE(&v, &ver) || !GetU64BE(&v, applied) || !v.empty() || ver > UINT32_MAX) return false;
  *version = static_cast<uint32_t>(ver);
  return true;
}

Status Store::Open(const StoreOptions& options, std::unique_ptr<Store>* out) {
  return StoreImpl::OpenImpl(options, out);
}

StoreImpl::~StoreImpl() {
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
}

Status StoreImpl::OpenImpl(const StoreOptions& options, std::unique_ptr<Store>* out) {
  std::unique_ptr<StoreImpl> s(new StoreImpl());
  s->options_ = options;
  s->db_path_ = options.data_dir + "/db";
  bool exists = false;
  TB_RETURN_IF_ERROR(InspectDataDir(options.data_dir, &exists, &s->identity_));
  using Access = StoreOptions::Access;
  if (options.access == Access::kReadPreferred) {
    if (exists && std::filesystem::exists(s->db_path_ + "/CURRENT")) {
      s->read_only_ = true;
      TB_RETURN_IF_ERROR(s->OpenDb(false));
      TB_RETURN_IF_ERROR(s->LoadOrInitMeta(false));
      if (s->ViewsCurrent()) {
        *out = std::move(s);
        return Status::OK();
      }
    }
    StoreOptions writable = options;
    writable.access = Access::kAuto;
    return OpenImpl(writable, out);
  }
  if (!exists) {
    if (!options.create_if_missing || options.access == Access::kReadOnly) {
      return Status::NotFound("no TermBrain store yet (" + options.data_dir +
                              "). Record a command first, e.g. tb record --command 'ls'");
    }
    TB_RETURN_IF_ERROR(CreateDataDir(options.data_dir, &s->identity_));
  }
  if (options.access == Access::kReadOnly) {
    s->read_only_ = true;
  } else {
    int wait = options.access == Access::kAuto ? 0 : options.lock_wait_ms;
    Status ls = s->lock_.Acquire(options.data_dir, options.holder, wait);
    if (ls.IsBusy() && options.access == Access::kAuto) {
      s->read_only_ = true;
    } else if (!ls.ok()) {
      return ls;
    }
  }
  bool fresh = !s->read_only_ && !std::filesystem::exists(s->db_path_ + "/CURRENT");
  TB_RETURN_IF_ERROR(s->OpenDb(fresh));
  TB_RETURN_IF_ERROR(s->LoadOrInitMeta(fresh));
  if (!s->read_only_) {
    TB_RETURN_IF_ERROR(s->DropScratchFamilies());
    TB_RETURN_IF_ERROR(s->CatchUpViews());
  }
  *out = std::move(s);
  return Status::OK();
}

Status StoreImpl::OpenDb(bool create) {
  tuning_.block_cache_bytes = options_.block_cache_bytes;
  tuning_.write_buffer_bytes = options_.write_buffer_bytes;
  tuning_.read_only = read_only_;
  tuning_.db_path = db_path_;
  // One shard: tb reads from one thread, and with the default 64 shards a
  // large index or filter block is bigger than a shard and never stays cached.
  cache_ = rocksdb::NewLRUCache(tuning_.block_cache_bytes, /*num_shard_bits=*/0);
  rocksdb::DBOptions dbo = MakeDBOptions(tuning_, cache_);
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, "log", "meta"};
  for (const View* v : AllViews()) names.push_back(std::string(kViewPrefix) + std::string(v->name()));
  if (!create) {
    std::vector<std::string> existing;
    TB_RETURN_IF_ERROR(FromRocks(rocksdb::DB::ListColumnFamilies(dbo, db_path_, &existing),
                                 "cannot open the store (" + db_path_ + ")"));
    for (const auto& n : {std::string("log"), std::string("meta")}) {
      if (std::find(existing.begin(), existing.end(), n) == existing.end()) {
        return Status::Corruption("damaged store (" + db_path_ + "): column family '" + n +
                                  "' is missing. Restore from a backup");
      }
    }
    for (const auto& n : existing) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names) {
    const View* view = n.starts_with(kViewPrefix) ? FindView(n.substr(kViewPrefix.size()))
                       : n.starts_with(kScratchPrefix) ? FindView(n.substr(kScratchPrefix.size()))
                                                       : nullptr;
    descs.emplace_back(n, MakeCFOptions(tuning_, cache_, view));
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status rs;
  if (read_only_) {
    // Only the families that exist can be opened read-only.
    std::vector<std::string> existing;
    rs = rocksdb::DB::ListColumnFamilies(dbo, db_path_, &existing);
    if (rs.ok()) {
      std::erase_if(descs, [&](const auto& d) {
        return std::find(existing.begin(), existing.end(), d.name) == existing.end();
      });
      rs = rocksdb::DB::OpenForReadOnly(dbo, db_path_, descs, &handles_, &db);
    }
  } else {
    rs = rocksdb::DB::Open(dbo, db_path_, descs, &handles_, &db);
  }
  TB_RETURN_IF_ERROR(FromRocks(rs, "cannot open the store (" + db_path_ + ")"));
  db_.reset(db);
  for (size_t i = 0; i < descs.size(); ++i) {
    const std::string& n = descs[i].name;
    if (n == "log") log_cf_ = handles_[i];
    if (n == "meta") meta_cf_ = handles_[i];
    if (n.starts_with(kViewPrefix)) view_cfs_[n.substr(kViewPrefix.size())] = handles_[i];
  }
  if (log_cf_ == nullptr || meta_cf_ == nullptr) {
    return Status::Corruption("damaged store (" + db_path_ + "): the log or meta column family is missing");
  }
  return Status::OK();
}

Status StoreImpl::GetMeta(std::string_view key, std::string* value) {
  return FromRocks(db_->Get(rocksdb::ReadOptions(), meta_cf_, ToSlice(key), value),
                   "reading store metadata");
}

Status StoreImpl::LoadOrInitMeta(bool fresh) {
  if (fresh) {
    origin_ = RandomOrigin();
    rocksdb::WriteBatch b;
    rocksdb::Status rs = b.Put(meta_cf_, ToSlice(kMetaStoreId), identity_.store_id);
    if (rs.ok()) rs = b.Put(meta_cf_, ToSlice(kMetaFormat), U64(identity_.format));
    if (rs.ok()) rs = b.Put(meta_cf_, ToSlice(kMetaOrigin), U64(origin_));
    if (rs.ok()) rs = b.Put(meta_cf_, ToSlice(kMetaHead), U64(0));
    for (const View* v : AllViews()) {
      if (rs.ok()) rs = b.Put(meta_cf_, ViewMetaKey(v->name()), EncodeViewMeta(v->version(), 0));
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (rs.ok()) rs = db_->Write(wo, &b);
    return FromRocks(rs, "initialising the store (" + db_path_ + ")");
  }
  std::string v;
  Status s = GetMeta(kMetaStoreId, &v);
  if (s.IsNotFound()) {
    return Status::Incompatible("not a TermBrain store (" + db_path_ +
                                "): the database has no store id. Nothing was changed");
  }
  TB_RETURN_IF_ERROR(s);
  if (v != identity_.store_id) {
    return Status::Corruption("damaged store (" + options_.data_dir + "): the database belongs to store " +
                              v + " but TERMBRAIN names " + identity_.store_id +
                              ". Restore the matching files from a backup");
  }
  std::string h, o;
  TB_RETURN_IF_ERROR(GetMeta(kMetaHead, &h));
  TB_RETURN_IF_ERROR(GetMeta(kMetaOrigin, &o));
  std::string_view hv = h, ov = o;
  if (!GetU64BE(&hv, &head_) || !GetU64BE(&ov, &origin_)) {
    return Status::Corruption("damaged store metadata (" + db_path_ + "): head or origin is malformed");
  }
  return Status::OK();
}

bool StoreImpl::ViewsCurrent() {
  for (const View* v : AllViews()) {
    std::string m;
    uint32_t version = 0;
    uint64_t applied = 0;
    if (ViewFamily(v->name()) == nullptr || !GetMeta(ViewMetaKey(v->name()), &m).ok() ||
        !DecodeViewMeta(m, &version, &applied) || version != v->version() || applied != head_) {
      return false;
    }
  }
  return true;
}

Status StoreImpl::CheckWritable() const {
  if (read_only_) {
    std::string who = ReadLockHolder(options_.data_dir);
    return Status::Busy("the store is opened read-only because it is in use by " +
                        (who.empty() ? std::string("another process") : who) + " (" +
                        options_.data_dir + "). Retry when it has finished");
  }
  return sticky_;
}

rocksdb::ColumnFamilyHandle* StoreImpl::ViewFamily(std::string_view name) const {
  auto it = view_cfs_.find(name);
  return it == view_cfs_.end() ? nullptr : it->second;
}

namespace {
constexpr std::string_view kCheckpointPrefix = "ckpt/";
std::string CheckpointKey(std::string_view key) { return std::string(kCheckpointPrefix) + std::string(key); }
}  // namespace

Status StoreImpl::Append(std::span<Event> events, bool sync) {
  return AppendImpl(events, sync, nullptr, "");
}

Status StoreImpl::AppendWithCheckpoint(std::span<Event> events, bool sync, std::string_view key,
                                       std::string_view value) {
  std::string k = CheckpointKey(key);
  return AppendImpl(events, sync, &k, value);
}

Status StoreImpl::GetCheckpoint(std::string_view key, std::string* value) {
  return GetMeta(CheckpointKey(key), value);
}

Status StoreImpl::DeleteCheckpoint(std::string_view key) {
  TB_RETURN_IF_ERROR(CheckWritable());
  return FromRocks(db_->Delete(rocksdb::WriteOptions(), meta_cf_, CheckpointKey(key)), "deleting a checkpoint");
}

Status StoreImpl::ListCheckpoints(std::string_view prefix, std::vector<std::string>* keys) {
  keys->clear();
  std::string p = CheckpointKey(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_cf_));
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    keys->push_back(it->key().ToString().substr(kCheckpointPrefix.size()));
  }
  return FromRocks(it->status(), "listing checkpoints");
}

Status StoreImpl::AppendImpl(std::span<Event> events, bool sync, const std::string* ckpt_key,
                             std::string_view ckpt_value) {
  TB_RETURN_IF_ERROR(CheckWritable());
  if (events.empty() && ckpt_key == nullptr) return Status::OK();
  rocksdb::WriteBatch batch;
  uint64_t seq = head_;
  std::string bytes;
  for (Event& ev : events) {
    ev.seq = ++seq;
    if (ev.id.empty()) ev.id = EventId{origin_, ev.seq};
    EncodeEvent(ev, &bytes);
    TB_RETURN_IF_ERROR(FromRocks(batch.Put(log_cf_, SeqKey(ev.seq), bytes), "building a write"));
  }
  auto views = AllViews();
  std::vector<BatchViewWriter> writers;
  std::vector<ViewWriter*> wptrs;
  writers.reserve(views.size());
  for (const View* v : views) writers.emplace_back(&batch, ViewFamily(v->name()));
  for (auto& w : writers) wptrs.push_back(&w);
  ViewsResolver resolver(db_.get(), ViewFamily("ids"), this, Families({}, {}));
  TB_RETURN_IF_ERROR(projector_.Apply(events, views, wptrs, resolver));
  rocksdb::Status rs = batch.Put(meta_cf_, ToSlice(kMetaHead), U64(seq));
  for (const View* v : views) {
    if (rs.ok()) rs = batch.Put(meta_cf_, ViewMetaKey(v->name()), EncodeViewMeta(v->version(), seq));
  }
  for (auto& w : writers) {
    if (rs.ok()) rs = w.status();
  }
  if (rs.ok() && ckpt_key != nullptr) rs = batch.Put(meta_cf_, *ckpt_key, ToSlice(ckpt_value));
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  if (rs.ok()) rs = db_->Write(wo, &batch);
  if (!rs.ok()) {
    sticky_ = FromRocks(rs, "cannot append to the store (" + db_path_ + ")");
    for (Event& ev : events) ev.seq = 0;
    return sticky_;
  }
  head_ = seq;
  return Status::OK();
}

Status StoreImpl::GetEvent(uint64_t seq, Event* out) {
  rocksdb::PinnableSlice v;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), log_cf_, SeqKey(seq), &v);
  if (rs.IsNotFound()) return Status::NotFound("no event " + std::to_string(seq));
  TB_RETURN_IF_ERROR(FromRocks(rs, "reading the log"));
  Status s = DecodeEvent(ToView(v), out);
  if (!s.ok()) return s.WithContext("log event " + std::to_string(seq));
  return Status::OK();
}

std::unique_ptr<KvCursor> StoreImpl::NewViewCursor(std::string_view view) {
  rocksdb::ColumnFamilyHandle* cf = ViewFamily(view);
  if (cf == nullptr) return nullptr;
  return std::make_unique<RocksCursor>(db_->NewIterator(rocksdb::ReadOptions(), cf));
}

std::unique_ptr<KvCursor> StoreImpl::NewLogCursor() {
  return std::make_unique<RocksCursor>(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
}

Status StoreImpl::GetViewValue(std::string_view view, std::string_view key, std::string* out) {
  rocksdb::ColumnFamilyHandle* cf = ViewFamily(view);
  if (cf == nullptr) return Status::NotFound("no view " + std::string(view));
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), cf, ToSlice(key), out);
  if (rs.IsNotFound()) return Status::NotFound("not in view " + std::string(view));
  return FromRocks(rs, "reading view " + std::string(view));
}

Status IdsResolver::FindStart(const EventId& id, uint64_t* seq, Event* start) {
  std::string v;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), ids_, IdKey(id), &v);
  if (rs.IsNotFound()) return Status::NotFound("unknown start");
  TB_RETURN_IF_ERROR(FromRocks(rs, "reading view ids"));
  std::string_view sv = v;
  if (!GetVarint(&sv, seq)) return Status::Corruption("view ids: malformed entry for " + id.ToString());
  TB_RETURN_IF_ERROR(reader_->GetEvent(*seq, start));
  if (start->kind != EventKind::kStarted) return Status::NotFound("not a start");
  return Status::OK();
}

}  // namespace tb
