// Removal: the resolver used by the projector for BatchReverted/Forgotten,
// the physical purge of forgotten log entries, and the set of forgotten
// seqs that `tb log verify` accepts as gaps.
#include "storage/removal.h"
#include "storage/search_cache.h"

#include <rocksdb/write_batch.h>

#include "core/codec.h"
#include "core/keycode.h"
#include "storage/rocks_util.h"
#include "storage/store_impl.h"

namespace tb {

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

Status StoreImpl::PurgeLogEntries(std::span<const uint64_t> seqs) {
  TB_RETURN_IF_ERROR(CheckWritable());
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
    TB_RETURN_IF_ERROR(FromRocks(db_->SetOptions(h, {{"disable_auto_compactions", "true"}}),
                                 "pausing compactions for a purge"));
  }
  Status s = FlushAndCompactAll();
  for (auto* h : handles_) {
    Status r = FromRocks(db_->SetOptions(h, {{"disable_auto_compactions", "false"}}),
                         "resuming compactions after a purge");
    if (s.ok()) s = r;
  }
  TB_RETURN_IF_ERROR(s);
  return FromRocks(db_->FlushWAL(true), "syncing the WAL");
}

Status StoreImpl::FlushAndCompactAll() {
  TB_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_), "flushing after a purge"));
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  co.exclusive_manual_compaction = true;
  for (auto* h : handles_) {
    TB_RETURN_IF_ERROR(FromRocks(db_->CompactRange(co, h, nullptr, nullptr), "compacting after a purge"));
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
