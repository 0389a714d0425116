// Rebuild, verification and inspection of a store: everything that replays
// or walks the whole log rather than appending to it.
#include <rocksdb/write_batch.h>

#include <unordered_map>
#include <unordered_set>

#include "core/codec.h"
#include "core/keycode.h"
#include "core/profile.h"
#include "core/views/ids_view.h"
#include "core/views/registry.h"
#include "storage/salvage.h"
#include "storage/store_impl.h"

namespace tb {
namespace {

constexpr size_t kReplayBatch = 4096;
// ScanLog's reason for an intact event stored under another key; VerifyLog
// counts those as seq mismatches rather than bad payloads.
constexpr std::string_view kEnvelopeMismatch = "envelope seq ";

std::string Hex(std::string_view s, size_t max = 48) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    out.push_back(kHex[static_cast<uint8_t>(s[i]) >> 4]);
    out.push_back(kHex[static_cast<uint8_t>(s[i]) & 15]);
  }
  if (s.size() > max) out += "...";
  return out;
}

// Stops a strict scan at the first corrupt payload.
class FirstErrorReporter final : public CorruptionReporter {
 public:
  void Corrupt(uint64_t, const Status& why) override {
    if (first.ok()) first = why;
  }
  Status first;
};

}  // namespace

Status StoreImpl::ScanLog(uint64_t from, uint64_t to, bool strict, CorruptionReporter* reporter,
                          const std::function<bool(const Event&, std::string_view)>& visit) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_cf_));
  Event ev;
  for (it->Seek(SeqKey(from)); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    std::string_view key = ToView(it->key());
    Status s;
    if (!ParseSeqKey(key, &seq)) {
      s = Status::Corruption("log key is not 8 bytes: " + Hex(key));
    } else if (seq > to) {
      break;
    } else {
      s = DecodeEvent(ToView(it->value()), &ev);
      if (s.ok() && ev.seq != seq) {
        s = Status::Corruption(std::string(kEnvelopeMismatch) + std::to_string(ev.seq) + " != key " +
                               std::to_string(seq));
      }
    }
    if (!s.ok()) {
      s = s.WithContext("log event " + std::to_string(seq));
      if (reporter != nullptr) reporter->Corrupt(seq, s);
      if (strict) return s;
      continue;
    }
    if (!visit(ev, ToView(it->value()))) return Status::OK();
  }
  return FromRocks(it->status(), "scanning the log");
}

Status StoreImpl::ReplayInto(const std::vector<const View*>& views,
                             const std::vector<rocksdb::ColumnFamilyHandle*>& targets,
                             rocksdb::ColumnFamilyHandle* ids_cf, uint64_t from, bool record_progress,
                             const std::vector<uint64_t>& applied) {
  std::vector<Event> batch_events;
  batch_events.reserve(kReplayBatch);
  ViewsResolver resolver(db_.get(), ids_cf, this, Families(views, targets));
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;  // atomic_flush keeps views and meta consistent; flushed at the end
  uint64_t done = 0, total = head_ >= from ? head_ - from + 1 : 0;
  std::string name = views.size() == 1 ? std::string(views[0]->name()) : "all views";
  auto flush_batch = [&]() -> Status {
    if (batch_events.empty()) return Status::OK();
    rocksdb::WriteBatch wb;
    std::vector<BatchViewWriter> writers;
    std::vector<ViewWriter*> wptrs;
    writers.reserve(views.size());
    for (size_t i = 0; i < targets.size(); ++i) writers.emplace_back(&wb, targets[i], views[i]);
    for (auto& w : writers) wptrs.push_back(&w);
    TB_RETURN_IF_ERROR(projector_.Apply(batch_events, views, wptrs, resolver, applied));
    uint64_t last = batch_events.back().seq;
    rocksdb::Status rs;
    for (auto& w : writers) {
      rocksdb::Status ws = w.Finish();
      if (rs.ok()) rs = ws;
    }
    if (record_progress) {
      for (size_t i = 0; i < views.size(); ++i) {
        uint64_t progress = applied.empty() ? last : std::max(last, applied[i]);
        if (rs.ok()) {
          rs = wb.Put(meta_cf_, ViewMetaKey(views[i]->name()), EncodeViewMeta(views[i]->version(), progress));
        }
      }
    }
    if (rs.ok()) rs = db_->Write(wo, &wb);
    TB_RETURN_IF_ERROR(FromRocks(rs, "writing a rebuilt view"));
    done += batch_events.size();
    batch_events.clear();
    if (options_.progress) options_.progress(name, done, total);
    return Status::OK();
  };
  Status inner;
  Status scan = ScanLog(from, head_, /*strict=*/true, nullptr, [&](const Event& ev, std::string_view) {
    // A removal reads the views: everything before it is written first, and
    // it is applied alone (core/projector.h).
    if (IsRemoval(ev.kind)) {
      inner = flush_batch();
      if (!inner.ok()) return false;
      batch_events.push_back(ev);
      inner = flush_batch();
      return inner.ok();
    }
    batch_events.push_back(ev);
    if (batch_events.size() == kReplayBatch) inner = flush_batch();
    return inner.ok();
  });
  TB_RETURN_IF_ERROR(scan);
  TB_RETURN_IF_ERROR(inner);
  TB_RETURN_IF_ERROR(flush_batch());
  // The progress rows in meta were written without the WAL too: flush them
  // atomically with the views. Otherwise a crash after this point keeps the
  // views but loses their progress, and the next open replays onto them
  // again (merge-based views such as commands then count everything twice).
  std::vector<rocksdb::ColumnFamilyHandle*> flush = targets;
  if (record_progress) flush.push_back(meta_cf_);
  rocksdb::FlushOptions fo;
  return FromRocks(db_->Flush(fo, flush), "flushing rebuilt views");
}

Status StoreImpl::ResetView(const View* view) {
  std::string name = std::string("view_") + std::string(view->name());
  // "Nothing applied" is recorded before the contents go: a crash in
  // between leaves a view that CatchUpViews empties again, never an empty
  // view marked as applied.
  rocksdb::WriteOptions wo;
  wo.sync = true;
  TB_RETURN_IF_ERROR(FromRocks(db_->Put(wo, meta_cf_, ViewMetaKey(view->name()), EncodeViewMeta(view->version(), 0)),
                               "resetting view " + name));
  auto it = view_cfs_.find(view->name());
  if (it != view_cfs_.end()) {
    StopBackgroundCompaction();  // it may be compacting this family
    auto hit = std::find(handles_.begin(), handles_.end(), it->second);
    TB_RETURN_IF_ERROR(FromRocks(db_->DropColumnFamily(it->second), "dropping view " + name));
    TB_RETURN_IF_ERROR(FromRocks(db_->DestroyColumnFamilyHandle(it->second), "dropping view " + name));
    if (hit != handles_.end()) handles_.erase(hit);
    view_cfs_.erase(it);
  }
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  TB_RETURN_IF_ERROR(
      FromRocks(db_->CreateColumnFamily(MakeCFOptions(tuning_, cache_, view), name, &cf), "creating view " + name));
  handles_.push_back(cf);
  view_cfs_[std::string(view->name())] = cf;
  return Status::OK();
}

Status StoreImpl::CatchUpViews() {
  ScopedPhase phase("view catch-up");  // tb --profile
  // Views that are behind the log (an interrupted rebuild) resume from where
  // they stopped; views with another version start over. All of them replay
  // together from the earliest point, each skipping what it already has, so
  // the finish -> start join (through `ids`) always sees every start.
  std::vector<const View*> behind;
  std::vector<uint64_t> applied_by_view;
  for (const View* v : AllViews()) {
    std::string m;
    Status s = GetMeta(ViewMetaKey(v->name()), &m);
    uint32_t version = 0;
    uint64_t applied = 0;
    if (s.ok() && !DecodeViewMeta(m, &version, &applied)) {
      return Status::Corruption("damaged store metadata: view " + std::string(v->name()));
    }
    if (!s.ok() && !s.IsNotFound()) return s;
    // applied == 0 with a non-empty log: a reset or rebuild that did not
    // finish; the family may still hold old contents, so it starts empty.
    if (s.IsNotFound() || version != v->version() || applied > head_ || ViewFamily(v->name()) == nullptr ||
        (applied == 0 && head_ > 0)) {
      TB_RETURN_IF_ERROR(ResetView(v));
      applied = 0;
    }
    if (applied < head_) {
      behind.push_back(v);
      applied_by_view.push_back(applied);
    }
  }
  if (behind.empty()) return Status::OK();
  uint64_t from = *std::min_element(applied_by_view.begin(), applied_by_view.end()) + 1;
  std::vector<rocksdb::ColumnFamilyHandle*> targets;
  for (const View* v : behind) targets.push_back(ViewFamily(v->name()));
  return ReplayInto(behind, targets, ViewFamily(kIdsViewName), from, true, applied_by_view);
}

Status StoreImpl::DropScratchFamilies() {
  StopBackgroundCompaction();  // it may be compacting a scratch family
  for (size_t i = 0; i < handles_.size();) {
    if (handles_[i]->GetName().starts_with("scratch_")) {
      TB_RETURN_IF_ERROR(FromRocks(db_->DropColumnFamily(handles_[i]), "dropping a scratch family"));
      TB_RETURN_IF_ERROR(FromRocks(db_->DestroyColumnFamilyHandle(handles_[i]), "dropping a scratch family"));
      handles_.erase(handles_.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
  return Status::OK();
}

Status StoreImpl::Rebuild(std::string_view view) {
  TB_RETURN_IF_ERROR(CheckWritable());
  std::vector<const View*> views;
  if (view.empty()) {
    views.assign(AllViews().begin(), AllViews().end());
  } else if (const View* v = FindView(view)) {
    views.push_back(v);
  } else {
    std::string known;
    for (const View* v2 : AllViews()) known += (known.empty() ? "" : ", ") + std::string(v2->name());
    return Status::InvalidArgument("unknown view '" + std::string(view) + "'. Known views: " + known);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> targets;
  for (const View* v : views) {
    TB_RETURN_IF_ERROR(ResetView(v));
    targets.push_back(ViewFamily(v->name()));
  }
  return ReplayInto(views, targets, ViewFamily(kIdsViewName), 1, true);
}

namespace {

// Compares two families key by key.
Status CompareFamilies(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* live, rocksdb::ColumnFamilyHandle* fresh,
                       ViewDiff* diff) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> a(db->NewIterator(ro, live));
  std::unique_ptr<rocksdb::Iterator> b(db->NewIterator(ro, fresh));
  a->SeekToFirst();
  b->SeekToFirst();
  auto note = [&](const rocksdb::Slice& k) {
    if (diff->first_key_hex.empty()) diff->first_key_hex = Hex(ToView(k));
  };
  while (a->Valid() || b->Valid()) {
    int c = !a->Valid() ? 1 : !b->Valid() ? -1 : a->key().compare(b->key());
    if (c < 0) {
      diff->extra++;
      note(a->key());
      a->Next();
    } else if (c > 0) {
      diff->missing++;
      note(b->key());
      b->Next();
    } else {
      if (a->value() != b->value()) {
        diff->different++;
        note(a->key());
      }
      a->Next();
      b->Next();
    }
  }
  TB_RETURN_IF_ERROR(FromRocks(a->status(), "reading a live view"));
  return FromRocks(b->status(), "reading a replayed view");
}

}  // namespace

Status StoreImpl::VerifyViews(std::vector<ViewDiff>* diffs) {
  TB_RETURN_IF_ERROR(CheckWritable());
  diffs->clear();
  std::vector<const View*> views(AllViews().begin(), AllViews().end());
  std::vector<rocksdb::ColumnFamilyHandle*> scratch;
  rocksdb::ColumnFamilyHandle* scratch_ids = nullptr;
  for (const View* v : views) {
    rocksdb::ColumnFamilyHandle* cf = nullptr;
    TB_RETURN_IF_ERROR(
        FromRocks(db_->CreateColumnFamily(MakeCFOptions(tuning_, cache_, v), "scratch_" + std::string(v->name()), &cf),
                  "creating a scratch family"));
    handles_.push_back(cf);
    scratch.push_back(cf);
    if (v->name() == kIdsViewName) scratch_ids = cf;
  }
  // The replay resolves finishes through its own fresh ids, so a damaged
  // live ids view cannot hide damage elsewhere.
  Status s = ReplayInto(views, scratch, scratch_ids, 1, false);
  for (size_t i = 0; s.ok() && i < views.size(); ++i) {
    ViewDiff d;
    d.view = std::string(views[i]->name());
    s = CompareFamilies(db_.get(), ViewFamily(views[i]->name()), scratch[i], &d);
    if (s.ok() && (d.missing || d.extra || d.different)) diffs->push_back(d);
  }
  Status drop = DropScratchFamilies();
  TB_RETURN_IF_ERROR(s);
  return drop;
}

Status StoreImpl::VerifyLog(LogVerifyReport* r) {
  *r = LogVerifyReport{};
  std::unordered_map<EventId, uint64_t, EventIdHash> ids;  // id -> first seq
  uint64_t prev = 0;
  auto problem = [&](std::string p) {
    if (r->problems.size() < 20) r->problems.push_back(std::move(p));
  };
  class Collect final : public CorruptionReporter {
   public:
    explicit Collect(LogVerifyReport* r, std::function<void(std::string)> p) : r_(r), p_(std::move(p)) {}
    void Corrupt(uint64_t, const Status& why) override {
      if (why.message().find(kEnvelopeMismatch) != std::string::npos) {
        r_->seq_mismatches++;
      } else {
        r_->bad_payloads++;
      }
      p_(why.message());
    }
    LogVerifyReport* r_;
    std::function<void(std::string)> p_;
  } reporter(r, problem);
  // Seqs purged by `tb forget` and seqs a salvage recorded as lost are
  // gaps the log itself explains.
  std::unordered_set<uint64_t> forgotten;
  TB_RETURN_IF_ERROR(ForgottenSeqs(&forgotten));
  std::vector<std::pair<uint64_t, uint64_t>> lost;
  TB_RETURN_IF_ERROR(ScanLog(0, UINT64_MAX, false, nullptr, [&](const Event& ev, std::string_view) {
    if (ev.kind == EventKind::kAdminAction && ev.source == kSalvageAction) {
      auto ranges = SalvageLostRanges(ev.detail);
      lost.insert(lost.end(), ranges.begin(), ranges.end());
    }
    return true;
  }));
  auto in_lost = [&](uint64_t q) {
    return std::any_of(lost.begin(), lost.end(), [q](const auto& r) { return q >= r.first && q <= r.second; });
  };
  auto explained = [&](uint64_t from, uint64_t to) {  // [from, to] all forgotten or lost
    if (forgotten.empty() && lost.empty()) return false;
    for (uint64_t q = from; q <= to; ++q) {
      if (!forgotten.count(q) && !in_lost(q)) return false;
    }
    return true;
  };
  // Gaps are judged on keys, so a corrupt payload is not also a gap.
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t seq;
    if (!ParseSeqKey(ToView(it->key()), &seq)) continue;  // reported by the scan below
    if (r->events == 0) r->first_seq = seq;
    if (prev == 0 && seq > log_floor() + 1 && explained(log_floor() + 1, seq - 1)) r->first_seq = log_floor() + 1;
    if (prev != 0 && seq != prev + 1 && !explained(prev + 1, seq - 1)) {
      r->gaps++;
      problem("gap: sequence " + std::to_string(prev + 1) + ".." + std::to_string(seq - 1) + " missing");
    }
    prev = seq;
    r->events++;
  }
  TB_RETURN_IF_ERROR(FromRocks(it->status(), "scanning the log"));
  r->last_seq = prev;
  // Retention removes a prefix of the log and records how far (log_floor).
  const uint64_t floor = log_floor();
  if (r->events == 0 ? head_ != floor && !explained(floor + 1, head_) : prev != head_ && !explained(prev + 1, head_)) {
    r->gaps++;
    problem("head is " + std::to_string(head_) + " but the last event is " + std::to_string(prev));
  }
  if (r->events > 0 && r->first_seq != floor + 1) {
    r->gaps++;
    problem("the log starts at " + std::to_string(r->first_seq) + ", not " + std::to_string(floor + 1) +
            (floor ? " (retention floor " + std::to_string(floor) + ")" : ""));
  }
  return ScanLog(0, UINT64_MAX, false, &reporter, [&](const Event& ev, std::string_view) {
    auto [first, inserted] = ids.emplace(ev.id, ev.seq);
    if (!inserted) {
      r->duplicate_ids++;
      problem("duplicate id " + ev.id.ToString() + " at seq " + std::to_string(ev.seq) + " (first at seq " +
              std::to_string(first->second) + ")");
    }
    return true;
  });
}

Status StoreImpl::Views(std::vector<ViewInfo>* out) {
  out->clear();
  for (const View* v : AllViews()) {
    ViewInfo info;
    info.name = std::string(v->name());
    info.code_version = v->version();
    std::string m;
    Status s = GetMeta(ViewMetaKey(v->name()), &m);
    if (s.ok() && !DecodeViewMeta(m, &info.stored_version, &info.applied_seq)) {
      return Status::Corruption("damaged store metadata: view " + info.name);
    }
    if (!s.ok() && !s.IsNotFound()) return s;
    if (rocksdb::ColumnFamilyHandle* cf = ViewFamily(v->name())) {
      rocksdb::ReadOptions ro;
      ro.fill_cache = false;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
      for (it->SeekToFirst(); it->Valid(); it->Next()) info.entries++;
      TB_RETURN_IF_ERROR(FromRocks(it->status(), "counting view " + info.name));
    }
    out->push_back(std::move(info));
  }
  return Status::OK();
}

Status StoreImpl::Info(StoreInfo* out) {
  out->data_dir = options_.data_dir;
  out->store_id = identity_.store_id;
  out->format = identity_.format;
  out->head = head_;
  out->read_only = read_only_;
  out->lock_holder = read_only_ ? ReadLockHolder(options_.data_dir) : "";
  out->disk_bytes = DirectorySize(db_path_);  // the store itself, not backups or snapshots
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
  it->SeekToFirst();
  uint64_t first = 0;
  out->events = 0;
  if (it->Valid() && ParseSeqKey(ToView(it->key()), &first) && head_ >= first) {
    out->events = head_ - first + 1;
  }
  return FromRocks(it->status(), "reading the log");
}

}  // namespace tb
