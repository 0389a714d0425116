// The audit trail across removals (storage/admin.h, core/audit.h).
#include <unordered_set>

#include "core/audit.h"
#include "storage/admin.h"

namespace tb {

Status CollectAuditEvents(Store& store, uint64_t after, uint64_t up_to, std::vector<Event>* out) {
  out->clear();
  if (up_to <= after) return Status::OK();
  return store.ScanLog(after + 1, up_to, /*strict=*/true, nullptr, [&](const Event& ev, std::string_view) {
    if (IsCarriedOnRemoval(ev)) out->push_back(ev);
    return true;
  });
}

Status CarryAuditEvents(Store& store, const std::vector<Event>& removed, std::string_view undone_by) {
  if (removed.empty()) return Status::OK();
  std::vector<Event> copies;
  copies.reserve(removed.size());
  for (const Event& ev : removed) copies.push_back(CarriedAuditEvent(ev, undone_by));
  return store.Append(copies, /*sync=*/true);
}

Status CarryAuditFromSnapshot(Store& store, const std::string& safety) {
  if (safety.empty()) return Status::OK();
  std::vector<Event> before;
  {
    std::unique_ptr<Store> old;
    Status s = OpenSnapshot(SnapshotsDir(store.data_dir()) + "/" + safety, safety, &old);
    if (s.IsCorruption()) return Status::OK();  // a damaged store's trail cannot be read
    TB_RETURN_IF_ERROR(s);
    TB_RETURN_IF_ERROR(CollectAuditEvents(*old, 0, old->head(), &before));
  }
  if (before.empty()) return Status::OK();
  std::vector<Event> now;
  TB_RETURN_IF_ERROR(CollectAuditEvents(store, 0, store.head(), &now));
  std::unordered_set<std::string> held;
  for (const Event& ev : now) held.insert(AuditKey(ev));
  std::vector<Event> lost;
  for (const Event& ev : before) {
    if (!held.contains(AuditKey(ev))) lost.push_back(ev);
  }
  return CarryAuditEvents(store, lost, "restore");
}

}  // namespace tb
