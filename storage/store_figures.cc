#include "storage/store_figures.h"

#include <rocksdb/db.h>

#include "storage/store_impl.h"

namespace tb {

Status StoreImpl::Figures(bool count_events, StoreFigures* out) {
  out->head = head_;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    FamilySize f;
    f.name = h->GetName();
    db_->GetIntProperty(h, rocksdb::DB::Properties::kTotalSstFilesSize, &f.sst_bytes);
    db_->GetIntProperty(h, rocksdb::DB::Properties::kSizeAllMemTables, &f.memtable_bytes);
    uint64_t pending = 0;
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &pending)) {
      out->pending_compaction_bytes += pending;
    }
    out->families.push_back(std::move(f));
  }
  if (!count_events) return Status::OK();
  return ScanLog(0, UINT64_MAX, true, nullptr, [&](const Event& ev, std::string_view) {
    ++out->events_by_kind[EventKindName(ev.kind)];
    return true;
  });
}

Status CollectStoreFigures(Store& store, bool count_events, StoreFigures* out) {
  *out = StoreFigures{};
  return static_cast<StoreImpl&>(store).Figures(count_events, out);
}

}  // namespace tb
