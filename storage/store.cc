#include "storage/store.h"

#include <rocksdb/write_batch.h>

#include <filesystem>
#include <random>
#include <thread>

#include "core/codec.h"
#include "core/event.h"
#include "core/keycode.h"
#include "core/views/ids_view.h"
#include "core/views/registry.h"
#include "storage/ack_head.h"
#include "storage/at_rest.h"
#include "storage/store_impl.h"
#include "storage/table_grace.h"

namespace tb {
namespace {

constexpr std::string_view kViewPrefix = "view_";
constexpr std::string_view kScratchPrefix = "scratch_";
// Past this many bytes appended, closing flushes the memtables (~StoreImpl).
constexpr uint64_t kFlushOnCloseBytes = 1 << 20;

// Never 0 (an empty id) nor kForeignIdOrigin (core/event.h: the ids of
// imported records that carry another tool's id).
uint64_t RandomOrigin() {
  std::random_device rd;
  uint64_t v = 0;
  while (v == 0 || v == kForeignIdOrigin) v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return v;
}

std::string U64(uint64_t v) {
  std::string s;
  PutU64BE(&s, v);
  return s;
}

// RocksDB's own lock (DIR/db/LOCK) held by another program (an `ldb`
// session, a backup tool): tb's DIR/lock is ours, so this is not a tb.
bool IsForeignDbLock(const rocksdb::Status& rs) {
  return rs.IsIOError() && rs.ToString().find("lock") != std::string::npos &&
         rs.ToString().find("/LOCK") != std::string::npos;
}

// A read-only open reads the MANIFEST, then opens the files it names; the
// writer may compact and delete one in between. Such an open is retried
// (bounded, with backoff): the store is fine, only the moment was bad.
bool IsVanishedFile(const rocksdb::Status& rs) {
  const std::string m = rs.ToString();
  return (rs.IsIOError() || rs.IsCorruption() || rs.IsPathNotFound()) &&
         (m.find("No such file") != std::string::npos || m.find("Can't access") != std::string::npos);
}

rocksdb::Status OpenReadOnlyRetrying(const rocksdb::DBOptions& dbo, const std::string& path,
                                     const std::vector<rocksdb::ColumnFamilyDescriptor>& descs,
                                     std::vector<rocksdb::ColumnFamilyHandle*>* handles, rocksdb::DB** db) {
  rocksdb::Status rs;
  for (int attempt = 0, delay_ms = 2; attempt < 8; ++attempt, delay_ms *= 2) {
    rs = rocksdb::DB::OpenForReadOnly(dbo, path, descs, handles, db);
    if (!IsVanishedFile(rs)) return rs;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  }
  return rs;
}

}  // namespace

bool IsVanishedFileError(const Status& s) {
  if (s.code() != Status::Code::kIOError && !s.IsCorruption() && !s.IsNotFound()) return false;
  const std::string& m = s.message();
  return m.find("No such file") != std::string::npos || m.find("Can't access") != std::string::npos;
}

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
  StopBackgroundCompaction();
  // Whatever stays in the memtables is in the write-ahead log, and every
  // read-only open replays that log into memtables of its own: after a
  // large write (an import, a replay, a long drain) the next queries would
  // each pay for it. A flush retires the log once, here. Failure only
  // leaves the log in place (the data is durable in it either way).
  if (db_ && !read_only_ && sticky_.ok() && wal_bytes_ > kFlushOnCloseBytes) {
    rocksdb::FlushOptions fo;
    db_->Flush(fo, handles_).PermitUncheckedError();
  }
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
}

Status StoreImpl::OpenImpl(const StoreOptions& options, std::unique_ptr<Store>* out) {
  std::unique_ptr<StoreImpl> s(new StoreImpl());
  s->options_ = options;
  s->db_path_ = options.data_dir + "/db";
  if (options.key_given) {
    s->key_ = options.key;
  } else if (ProcessDataKey() != nullptr) {
    s->key_ = *ProcessDataKey();
  }
  bool exists = false;
  TB_RETURN_IF_ERROR(InspectDataDir(options.data_dir, &exists, &s->identity_));
  // Before the lock is taken or any file written: a wrong key changes nothing.
  TB_RETURN_IF_ERROR(CheckDbKey(s->db_path_, s->data_key()));
  using Access = StoreOptions::Access;
  if (options.access == Access::kReadPreferred) {
    if (exists && std::filesystem::exists(s->db_path_ + "/CURRENT")) {
      s->read_only_ = true;
      Status st = s->OpenExisting(false);
      // A pending purge is finished by a writer, so it cannot wait.
      if (st.ok() && s->ViewsCurrent() && !s->PurgePending()) {
        *out = std::move(s);
        return Status::OK();
      }
      if (!st.ok() && !s->half_created_) return st;
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
    // Created under the lock, so two first commands cannot both write an
    // identity; the identity file comes first and the database is finished
    // by whoever opens it next if this process dies (OpenExisting).
    TB_RETURN_IF_ERROR(MakeDataDir(options.data_dir));
    TB_RETURN_IF_ERROR(s->lock_.Acquire(options.data_dir, options.holder, options.lock_wait_ms));
    TB_RETURN_IF_ERROR(InspectDataDir(options.data_dir, &exists, &s->identity_, /*own_lock=*/true));
    if (!exists) {
      s->identity_.store_id = options.new_store_id;
      TB_RETURN_IF_ERROR(CreateDataDir(options.data_dir, &s->identity_));
    }
  } else if (options.access == Access::kReadOnly) {
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
  Status st = s->OpenExisting(!s->read_only_ && !std::filesystem::exists(s->db_path_ + "/CURRENT"));
  if (!st.ok() && s->half_created_ && s->read_only_ && options.access != Access::kReadOnly) {
    // Another process is creating the store (or died doing it): wait for
    // its lock, then open (and if need be finish) the store as a writer.
    s.reset();
    StoreOptions writer = options;
    writer.access = Access::kReadWrite;
    return OpenImpl(writer, out);
  }
  if (!st.ok() && s->foreign_db_lock_ && options.access == Access::kAuto) {
    // Another program holds RocksDB's own lock: a query still answers from
    // a read-only instance (the spool waits for a writer).
    s.reset();
    StoreOptions reader = options;
    reader.access = Access::kReadOnly;
    return OpenImpl(reader, out);
  }
  TB_RETURN_IF_ERROR(st);
  if (!s->read_only_) {
    TB_RETURN_IF_ERROR(s->DropScratchFamilies());
    TB_RETURN_IF_ERROR(s->CatchUpViews());
    TB_RETURN_IF_ERROR(s->FinishInterruptedWork());
  }
  *out = std::move(s);
  return Status::OK();
}

Status StoreImpl::OpenExisting(bool fresh) {
  bool ack_present = false;
  uint64_t acked = 0;
  Status ack = options_.salvage ? Status::OK() : AckHeadFile::Read(db_path_, &ack_present, &acked);
  TB_RETURN_IF_ERROR(OpenDb(fresh));
  TB_RETURN_IF_ERROR(LoadOrInitMeta(fresh));
  if (options_.salvage) return Status::OK();
  // A damaged record is not believed: the writer rewrites it from the log.
  if (!ack.ok() && !ack.IsCorruption()) return ack;
  for (int attempt = 0; ack.ok() && ack_present && acked > head_ && read_only_ && attempt < 5; ++attempt) {
    // A reader races the writers: an append raises the record after the
    // log (so the value read before opening is <= the log's head), a
    // rollback lowers it before cutting the log (so a value read now is).
    bool again_present = false;
    uint64_t again = 0;
    if (AckHeadFile::Read(db_path_, &again_present, &again).ok() && again_present) {
      acked = std::min(acked, again);
    }
    if (acked <= head_) break;
    // And a writer that started meanwhile may have recovered the log file
    // this open looked for into table files and deleted it, after this
    // open read the file list: the events are there, in files this open
    // does not know. Opened again, it sees them. Lost events fail every
    // attempt.
    std::this_thread::sleep_for(std::chrono::milliseconds(2 << attempt));
    ack = AckHeadFile::Read(db_path_, &ack_present, &acked);
    TB_RETURN_IF_ERROR(ReopenReadOnly());
  }
  if (ack.ok() && ack_present && acked > head_) {
    return Status::Corruption("acknowledged events are missing (" + db_path_ + "): the log ends at seq " +
                              std::to_string(head_) + " but seq " + std::to_string(acked) +
                              " was acknowledged, so events " + std::to_string(head_ + 1) + ".." +
                              std::to_string(acked) +
                              " were lost (a damaged write-ahead log?). Run 'tb log salvage' to keep every "
                              "readable event and record the loss, or restore a backup ('tb backup restore')");
  }
  if (read_only_) return Status::OK();
  PurgeObsoleteTables(db_path_);  // kept table files whose grace is over (storage/table_grace.h)
  TB_RETURN_IF_ERROR(ack_.OpenForWrite(db_path_));
  if (!ack.ok() || !ack_present || acked < head_) TB_RETURN_IF_ERROR(ack_.Write(head_));
  return Status::OK();
}

Status StoreImpl::ReopenReadOnly() {
  StopBackgroundCompaction();
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  handles_.clear();
  view_cfs_.clear();
  log_cf_ = meta_cf_ = nullptr;
  db_->Close().PermitUncheckedError();
  db_.reset();
  TB_RETURN_IF_ERROR(OpenDb(false));
  return LoadOrInitMeta(false);
}

Status StoreImpl::OpenDb(bool create) {
  tuning_.block_cache_bytes = options_.block_cache_bytes;
  tuning_.write_buffer_bytes = options_.write_buffer_bytes;
  tuning_.read_only = read_only_;
  tuning_.salvage = options_.salvage;
  tuning_.bulk = options_.bulk;
  tuning_.db_path = db_path_;
  tuning_.key = data_key();
  // One shard: tb reads from one thread, and with the default 64 shards a
  // large index or filter block is bigger than a shard and never stays cached.
  cache_ = rocksdb::NewLRUCache(tuning_.block_cache_bytes, /*num_shard_bits=*/0);
  rocksdb::DBOptions dbo = MakeDBOptions(tuning_, cache_);
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, "log", "meta"};
  for (const View* v : AllViews()) names.push_back(std::string(kViewPrefix) + std::string(v->name()));
  if (!create) {
    if (read_only_ && !std::filesystem::exists(db_path_ + "/CURRENT")) return HalfCreated();
    std::vector<std::string> existing;
    TB_RETURN_IF_ERROR(FromRocks(rocksdb::DB::ListColumnFamilies(dbo, db_path_, &existing),
                                 "cannot open the store (" + db_path_ + ")"));
    for (const auto& n : {std::string("log"), std::string("meta")}) {
      // A creation that died before RocksDB made every family: a writer
      // makes them (create_missing_column_families) and LoadOrInitMeta
      // decides whether the store is new or damaged.
      if (std::find(existing.begin(), existing.end(), n) == existing.end() && read_only_) {
        return HalfCreated();
      }
    }
    for (const auto& n : existing) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names) {
    const View* view = n.starts_with(kViewPrefix)      ? FindView(n.substr(kViewPrefix.size()))
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
      std::erase_if(
          descs, [&](const auto& d) { return std::find(existing.begin(), existing.end(), d.name) == existing.end(); });
      rs = OpenReadOnlyRetrying(dbo, db_path_, descs, &handles_, &db);
    }
  } else {
    rs = rocksdb::DB::Open(dbo, db_path_, descs, &handles_, &db);
    if (IsForeignDbLock(rs)) {
      foreign_db_lock_ = true;
      return Status::Busy("the database is locked by another program (" + db_path_ + "/LOCK): " + rs.ToString() +
                          ". Retry when it has finished");
    }
  }
  if (rs.IsCorruption()) return DamagedDb(rs);
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
  return FromRocks(db_->Get(rocksdb::ReadOptions(), meta_cf_, ToSlice(key), value), "reading store metadata");
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
  if (s.IsNotFound() && LogEmpty()) {
    // The identity file exists but the database was never initialised (a
    // creation that died): nothing was ever acknowledged, so a writer
    // finishes it as a new store.
    if (read_only_) return HalfCreated();
    return LoadOrInitMeta(true);
  }
  if (s.IsNotFound()) {
    return Status::Incompatible("not a TermBrain store (" + db_path_ +
                                "): the database has no store id. Nothing was changed");
  }
  TB_RETURN_IF_ERROR(s);
  if (v != identity_.store_id) {
    return Status::Corruption("damaged store (" + options_.data_dir + "): the database belongs to store " + v +
                              " but TERMBRAIN names " + identity_.store_id +
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

Status StoreImpl::HalfCreated() {
  half_created_ = true;
  return Status::NotFound("the store is being created (" + options_.data_dir + ")");
}

bool StoreImpl::LogEmpty() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
  it->SeekToFirst();
  return !it->Valid() && it->status().ok();
}

Status StoreImpl::DamagedDb(const rocksdb::Status& rs) {
  bool present = false;
  uint64_t acked = 0;
  std::string at_stake;
  if (AckHeadFile::Read(db_path_, &present, &acked).ok() && present) {
    at_stake = "; events up to seq " + std::to_string(acked) + " were acknowledged";
  }
  return Status::Corruption("damaged store (" + db_path_ + "): " + rs.ToString() + at_stake +
                            ". Run 'tb log salvage' to keep every readable event and record what was lost, "
                            "or restore a backup ('tb backup restore')");
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
                        (who.empty() ? std::string("another process") : who) + " (" + options_.data_dir +
                        "). Retry when it has finished");
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

Status StoreImpl::Append(std::span<Event> events, bool sync) { return AppendImpl(events, sync, nullptr, ""); }

Status StoreImpl::AppendWithCheckpoint(std::span<Event> events, bool sync, std::string_view key,
                                       std::string_view value) {
  std::string k = CheckpointKey(key);
  return AppendImpl(events, sync, &k, value);
}

Status StoreImpl::GetCheckpoint(std::string_view key, std::string* value) { return GetMeta(CheckpointKey(key), value); }

Status StoreImpl::SyncLog() {
  TB_RETURN_IF_ERROR(CheckWritable());
  return FromRocks(db_->SyncWAL(), "syncing the log");
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
                             std::string_view ckpt_value, bool preserve_seq) {
  TB_RETURN_IF_ERROR(CheckWritable());
  if (events.empty() && ckpt_key == nullptr) return Status::OK();
  rocksdb::WriteBatch batch;
  uint64_t seq = head_;
  std::string bytes;
  for (Event& ev : events) {
    seq = preserve_seq ? ev.seq : seq + 1;
    ev.seq = seq;
    if (ev.id.empty()) ev.id = EventId{origin_, ev.seq};
    EncodeEvent(ev, &bytes);
    TB_RETURN_IF_ERROR(FromRocks(batch.Put(log_cf_, SeqKey(ev.seq), bytes), "building a write"));
  }
  auto views = AllViews();
  std::vector<BatchViewWriter> writers;
  std::vector<ViewWriter*> wptrs;
  writers.reserve(views.size());
  for (const View* v : views) writers.emplace_back(&batch, ViewFamily(v->name()), v);
  for (auto& w : writers) wptrs.push_back(&w);
  ViewsResolver resolver(db_.get(), ViewFamily(kIdsViewName), this, Families({}, {}));
  TB_RETURN_IF_ERROR(projector_.Apply(events, views, wptrs, resolver));
  rocksdb::Status rs = batch.Put(meta_cf_, ToSlice(kMetaHead), U64(seq));
  for (const View* v : views) {
    if (rs.ok()) rs = batch.Put(meta_cf_, ViewMetaKey(v->name()), EncodeViewMeta(v->version(), seq));
  }
  for (auto& w : writers) {
    rocksdb::Status ws = w.Finish();
    if (rs.ok()) rs = ws;
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
  wal_bytes_ += batch.GetDataSize();
  // After the log: the record never runs ahead of what is durable. A failure
  // here only leaves the record behind (never a false alarm), so the
  // append stands.
  static_cast<void>(ack_.Write(seq));
  return Status::OK();
}

Status StoreImpl::LowerAckHead(uint64_t seq) { return ack_.Write(seq); }

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
