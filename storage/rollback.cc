// Rollback and retention: removing a suffix or a prefix of the log
// (storage/admin.h).
//
// meta "log_floor" -> u64be(seq): events 1..floor were removed by retention;
// the log holds floor+1..head (absent = 0).
//
// Both operations write, in one synced WriteBatch, the log deletion (a range
// tombstone), the new head or floor, and every view's progress as version 0
// ("stale": no view has version 0). A crash before the views are rebuilt
// therefore leaves views that the next writable open drops and replays
// (CatchUpViews resets a view whose version differs from the code's).
// Retention also writes the purge journal (storage/removal.cc) in that
// batch, so the compaction that takes the removed bytes off the disk (and
// the removal of DIR/search.idx, whose stamp a prefix removal does not
// change) is finished by the next writable open when interrupted.
#include <rocksdb/write_batch.h>

#include "core/keycode.h"
#include "core/views/registry.h"
#include "storage/admin.h"
#include "storage/search_cache.h"
#include "storage/store_impl.h"

namespace tb {
namespace {

std::string U64(uint64_t v) {
  std::string s;
  PutU64BE(&s, v);
  return s;
}

}  // namespace

uint64_t StoreImpl::log_floor() {
  std::string v;
  if (!GetMeta(kMetaLogFloor, &v).ok()) return 0;
  std::string_view sv = v;
  uint64_t floor = 0;
  return GetU64BE(&sv, &floor) ? floor : 0;
}

Status StoreImpl::TruncateLogAfter(uint64_t seq) {
  TB_RETURN_IF_ERROR(CheckWritable());
  if (seq >= head_) return Status::OK();
  uint64_t floor = log_floor();
  if (seq < floor) {
    return Status::InvalidArgument("cannot roll back to " + std::to_string(seq) + ": events up to " +
                                   std::to_string(floor) + " were removed by retention");
  }
  // Lowered before the log is cut (storage/ack_head.h): a crash in between
  // leaves a log longer than the record, never shorter.
  TB_RETURN_IF_ERROR(LowerAckHead(seq));
  rocksdb::WriteBatch b;
  rocksdb::Status rs = b.DeleteRange(log_cf_, SeqKey(seq + 1), SeqKey(head_ + 1));
  if (rs.ok()) rs = b.Put(meta_cf_, ToSlice(kMetaHead), U64(seq));
  for (const View* v : AllViews()) {
    if (rs.ok()) rs = b.Put(meta_cf_, ViewMetaKey(v->name()), EncodeViewMeta(0, 0));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (rs.ok()) rs = db_->Write(wo, &b);
  TB_RETURN_IF_ERROR(FromRocks(rs, "cannot truncate the log (" + db_path_ + ")"));
  const uint64_t old_head = head_;
  head_ = seq;
  TB_RETURN_IF_ERROR(Rebuild(""));
  rocksdb::CompactRangeOptions co;
  std::string lo = SeqKey(seq + 1), hi = SeqKey(old_head + 1);
  rocksdb::Slice los(lo), his(hi);
  return FromRocks(db_->CompactRange(co, log_cf_, &los, &his), "compacting the log");
}

Status StoreImpl::DropLogThrough(uint64_t seq) {
  TB_RETURN_IF_ERROR(CheckWritable());
  uint64_t floor = log_floor();
  if (seq <= floor) return Status::OK();
  if (seq > head_) {
    return Status::InvalidArgument("cannot remove events up to " + std::to_string(seq) + ": the log ends at " +
                                   std::to_string(head_));
  }
  rocksdb::WriteBatch b;
  TB_RETURN_IF_ERROR(AddPurgeJournal(&b, ""));
  rocksdb::Status rs = b.DeleteRange(log_cf_, SeqKey(0), SeqKey(seq + 1));
  if (rs.ok()) rs = b.Put(meta_cf_, ToSlice(kMetaLogFloor), U64(seq));
  for (const View* v : AllViews()) {
    if (rs.ok()) rs = b.Put(meta_cf_, ViewMetaKey(v->name()), EncodeViewMeta(0, 0));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (rs.ok()) rs = db_->Write(wo, &b);
  TB_RETURN_IF_ERROR(FromRocks(rs, "cannot remove old events (" + db_path_ + ")"));
  TB_RETURN_IF_ERROR(Rebuild(""));
  // The removed bytes leave the disk only when compaction rewrites the
  // files that hold them (and the WAL that logged them is retired).
  return FinishPendingPurge();
}

Status SeqAtTime(Store& store, int64_t t, uint64_t* seq) {
  *seq = store.log_floor();
  return store.ScanLog(0, UINT64_MAX, /*strict=*/true, nullptr, [&](const Event& ev, std::string_view) {
    if (ev.time_ns > t) return false;
    *seq = ev.seq;
    return true;
  });
}

Status Rollback(Store& store, uint64_t to_seq, int64_t now_ns, RollbackResult* out) {
  *out = RollbackResult{};
  out->old_head = store.head();
  uint64_t floor = store.log_floor();
  if (to_seq < floor) {
    return Status::InvalidArgument("cannot roll back to " + std::to_string(to_seq) + ": events up to " +
                                   std::to_string(floor) + " were removed by retention");
  }
  if (to_seq >= store.head()) {
    out->new_head = store.head();
    return Status::OK();
  }
  TB_RETURN_IF_ERROR(CreateSnapshot(store, "", "before-rollback", now_ns, &out->safety));
  std::vector<Event> audit;
  TB_RETURN_IF_ERROR(CollectAuditEvents(store, to_seq, out->old_head, &audit));
  TB_RETURN_IF_ERROR(store.TruncateLogAfter(to_seq));
  TB_RETURN_IF_ERROR(RemoveSearchCache(store.data_dir()));
  out->new_head = store.head();
  out->removed = out->old_head - out->new_head;
  return CarryAuditEvents(store, audit, "rollback");
}

Status PlanRetention(Store& store, const RetentionPolicy& policy, int64_t now_ns, RetentionPlan* out) {
  *out = RetentionPlan{};
  const uint64_t floor = store.log_floor();
  const uint64_t head = store.head();
  out->floor_before = out->floor_after = floor;
  uint64_t target = floor;
  if (policy.max_events > 0 && head - floor > policy.max_events) {
    out->by_count = head - floor - policy.max_events;
    target = head - policy.max_events;
  }
  if (policy.max_age_ns > 0) {
    uint64_t age_floor = floor;
    TB_RETURN_IF_ERROR(SeqAtTime(store, now_ns - policy.max_age_ns - 1, &age_floor));
    out->by_age = age_floor - floor;
    target = std::max(target, age_floor);
  }
  out->floor_after = target;
  return Status::OK();
}

Status ApplyRetention(Store& store, const RetentionPlan& plan) {
  if (plan.floor_after <= store.log_floor()) return Status::OK();
  std::vector<Event> audit;
  TB_RETURN_IF_ERROR(CollectAuditEvents(store, store.log_floor(), plan.floor_after, &audit));
  // DropLogThrough also removes DIR/search.idx (copies of the removed texts).
  TB_RETURN_IF_ERROR(store.DropLogThrough(plan.floor_after));
  return CarryAuditEvents(store, audit, "retention");
}

}  // namespace tb
