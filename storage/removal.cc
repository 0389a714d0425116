// Removal: the resolver used by the projector for BatchReverted/Forgotten,
// forgetting records (the Forgotten event and the physical purge of their
// log entries, journaled so an interrupted purge is finished later), and
// the set of forgotten seqs that `tb log verify` accepts as gaps.
//
// Purge journal (docs/formats.md): meta "ckpt/purge/pending" ->
//   ""                       compact everything (retention removed a prefix)
//   u64be(F)                 also delete the log entries that the Forgotten
//                            event at seq F names (if F was committed)
// It is written before the work starts and deleted only when the work is
// complete: log entries deleted, every memtable flushed (the WAL holding
// the bytes retired), every SST rewritten by a forced bottommost
// compaction, the database reopened (a fresh MANIFEST: the old one can hold
// SST boundary keys, i.e. command text) and DIR/search.idx removed. Every
// step is idempotent, so a purge killed at any point is redone from the
// start by the next writable open (FinishInterruptedWork).
//
// A pending purge also makes a read-preferred open writable
// (StoreImpl::PurgePending), so the next `tb history` finishes an
// interrupted purge too.
#include "storage/removal.h"

#include <rocksdb/write_batch.h>

#include "core/codec.h"
#include "core/keycode.h"
#include "core/views/registry.h"
#include "storage/admin.h"
#include "storage/rekey.h"
#include "storage/rocks_util.h"
#include "storage/search_cache.h"
#include "storage/store_impl.h"
#include "storage/table_grace.h"

namespace tb {
namespace {

std::string JournalKey() { return "ckpt/" + std::string(kPurgeCheckpoint); }

std::string U64(uint64_t v) {
  std::string s;
  PutU64BE(&s, v);
  return s;
}

}  // namespace

Status ViewsResolver::FindStart(const EventId& id, uint64_t* seq, Event* start) {
  IdsResolver ids(db_, ids_, reader_);
  return ids.FindStart(id, seq, start);
}

Status ViewsResolver::Get(std::string_view view, std::string_view key, std::string* value) {
  auto it = families_.find(view);
  if (it == families_.end()) return Status::NotFound("no view " + std::string(view));
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), it->second, ToSlice(key), value);
  if (rs.IsNotFound()) return Status::NotFound("not in view " + std::string(view));
  return FromRocks(rs, "reading view " + std::string(view));
}

std::unique_ptr<KvCursor> ViewsResolver::Cursor(std::string_view view) {
  auto it = families_.find(view);
  if (it == families_.end()) return nullptr;
  return std::make_unique<RocksCursor>(db_->NewIterator(rocksdb::ReadOptions(), it->second));
}

FamilyMap StoreImpl::Families(const std::vector<const View*>& views,
                              const std::vector<rocksdb::ColumnFamilyHandle*>& targets) const {
  FamilyMap m(view_cfs_.begin(), view_cfs_.end());
  for (size_t i = 0; i < views.size() && i < targets.size(); ++i) m[std::string(views[i]->name())] = targets[i];
  return m;
}

Status StoreImpl::AddPurgeJournal(rocksdb::WriteBatch* batch, std::string_view value) {
  return FromRocks(batch->Put(meta_cf_, JournalKey(), ToSlice(value)), "building a purge journal");
}

Status StoreImpl::AppendForgotten(Event* forgotten) {
  TB_RETURN_IF_ERROR(CheckWritable());
  if (forgotten->kind != EventKind::kForgotten) return Status::InvalidArgument("not a Forgotten event");
  // Normally none: the open finished it.
  TB_RETURN_IF_ERROR(FinishInterruptedWork());
  // The targets' ids travel with the event (other hosts forget by id), read
  // now: the purge below deletes the events they come from.
  if (forgotten->target_ids.empty()) {
    Event target;
    for (uint64_t seq : forgotten->targets) {
      Status s = GetEvent(seq, &target);
      if (s.IsNotFound()) continue;
      TB_RETURN_IF_ERROR(s);
      forgotten->target_ids.push_back(target.id);
    }
  }
  // 1. The journal names the seq the event is about to get; if the event
  // never commits, the finish finds no Forgotten event there and deletes
  // nothing.
  rocksdb::WriteBatch journal;
  TB_RETURN_IF_ERROR(AddPurgeJournal(&journal, U64(head_ + 1)));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  TB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &journal), "cannot start a purge (" + db_path_ + ")"));
  // 2. The event and every view's update in one batch, as any append.
  TB_RETURN_IF_ERROR(AppendImpl(std::span<Event>(forgotten, 1), true, nullptr, ""));
  // 3. The purge itself.
  return FinishPendingPurge();
}

Status StoreImpl::FinishInterruptedWork() {
  TB_RETURN_IF_ERROR(FinishPendingPurge());
  // We hold the store lock, so no restore, snapshot or rekey is being built:
  // what their temp directories hold is a leftover of an interrupted one.
  TB_RETURN_IF_ERROR(RemoveRekeyLeftovers(options_.data_dir));
  return RemoveInterruptedLeftovers(options_.data_dir);
}

Status StoreImpl::PurgeTargets(std::string_view journal, std::vector<uint64_t>* seqs) {
  seqs->clear();
  if (journal.empty()) return Status::OK();
  std::string_view v = journal;
  uint64_t forgotten_seq = 0;
  if (!GetU64BE(&v, &forgotten_seq) || !v.empty()) {
    // A damaged journal: purging every forgotten record is always right.
    std::unordered_set<uint64_t> all;
    TB_RETURN_IF_ERROR(ForgottenSeqs(&all));
    seqs->assign(all.begin(), all.end());
    return Status::OK();
  }
  if (forgotten_seq > head_) return Status::OK();  // the event never committed
  Event ev;
  Status s = GetEvent(forgotten_seq, &ev);
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  if (ev.kind == EventKind::kForgotten) *seqs = ev.targets;
  return Status::OK();
}

Status StoreImpl::FinishPendingPurge() {
  std::string journal;
  Status s = GetMeta(JournalKey(), &journal);
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  TB_RETURN_IF_ERROR(CheckWritable());
  std::vector<uint64_t> seqs;
  TB_RETURN_IF_ERROR(PurgeTargets(journal, &seqs));
  Status done = PurgeLogEntries(seqs);
  if (done.ok()) done = ReopenDb();
  // A search that ran meanwhile (read-only, from another process) may have
  // written the index back from the views as they were before the event.
  if (done.ok()) done = RemoveSearchCache(options_.data_dir);
  if (!done.ok()) {
    // The journal stays: the next writable open tries again.
    return done.WithContext("cannot finish purging removed records from the data dir (" + options_.data_dir + ")");
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Delete(wo, meta_cf_, JournalKey()), "cannot close the purge journal (" + db_path_ + ")");
}

bool StoreImpl::PurgePending() {
  std::string journal;
  return GetMeta(JournalKey(), &journal).ok();
}

Status StoreImpl::PurgeLogEntries(std::span<const uint64_t> seqs) {
  // The search index holds copies of the texts: it goes too (rebuilt by the
  // next search without them).
  TB_RETURN_IF_ERROR(RemoveSearchCache(options_.data_dir));
  rocksdb::WriteBatch b;
  for (uint64_t seq : seqs) {
    TB_RETURN_IF_ERROR(FromRocks(b.Delete(log_cf_, SeqKey(seq)), "building a purge"));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  TB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &b), "purging log entries"));
  // Flushing every memtable retires the WAL files that held the bytes (and
  // the tombstones, whose keys in views can be the text itself); the forced
  // bottommost compaction rewrites every SST file (and the zstd dictionary
  // trained from their contents) without them.
  // Automatic compactions are paused meanwhile: one triggered by the flush
  // could move the files holding the bytes to the bottom level unchanged
  // (a trivial move), leaving the forced compaction nothing to rewrite.
  for (auto* h : handles_) {
    TB_RETURN_IF_ERROR(
        FromRocks(db_->SetOptions(h, {{"disable_auto_compactions", "true"}}), "pausing compactions for a purge"));
  }
  Status s = FlushAndCompactAll();
  for (auto* h : handles_) {
    Status r =
        FromRocks(db_->SetOptions(h, {{"disable_auto_compactions", "false"}}), "resuming compactions after a purge");
    if (s.ok()) s = r;
  }
  TB_RETURN_IF_ERROR(s);
  return FromRocks(db_->FlushWAL(true), "syncing the WAL");
}

Status StoreImpl::ReopenDb() {
  StopBackgroundCompaction();
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  handles_.clear();
  view_cfs_.clear();
  log_cf_ = meta_cf_ = nullptr;
  rocksdb::Status closed = db_->Close();
  db_.reset();
  Status s = FromRocks(closed, "closing the store (" + db_path_ + ")");
  if (s.ok()) s = OpenDb(false);
  if (!s.ok()) sticky_ = s;
  return s;
}

Status StoreImpl::FlushAndCompactAll() {
  TB_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_), "flushing after a purge"));
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  co.exclusive_manual_compaction = true;
  for (auto* h : handles_) {
    TB_RETURN_IF_ERROR(FromRocks(db_->CompactRange(co, h, nullptr, nullptr), "compacting after a purge"));
  }
  // The files the compaction replaced held the removed bytes: they go now,
  // not after the grace late readers get (storage/table_grace.h).
  PurgeObsoleteTables(db_path_, 0);
  return Status::OK();
}

Status FindPendingPurge(Store& store, PendingPurge* out) {
  *out = PendingPurge{};
  std::string journal;
  Status s = store.GetCheckpoint(kPurgeCheckpoint, &journal);
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  out->pending = true;
  std::string_view v = journal;
  uint64_t forgotten_seq = 0;
  Event ev;
  if (GetU64BE(&v, &forgotten_seq) && v.empty() && forgotten_seq <= store.head() &&
      store.reader().GetEvent(forgotten_seq, &ev).ok() && ev.kind == EventKind::kForgotten) {
    out->records = ev.targets.size();
  }
  return Status::OK();
}

Status StoreImpl::ForgottenSeqs(std::unordered_set<uint64_t>* out) {
  out->clear();
  return ScanLog(0, UINT64_MAX, false, nullptr, [&](const Event& ev, std::string_view) {
    if (ev.kind == EventKind::kForgotten) out->insert(ev.targets.begin(), ev.targets.end());
    return true;
  });
}

}  // namespace tb
