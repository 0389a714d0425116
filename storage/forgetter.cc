#include "storage/forgetter.h"

#include <algorithm>
#include <optional>
#include <span>

#include "core/views/ids_view.h"
#include "storage/admin.h"

namespace tb {
namespace {

// One Forgotten event: its seq, time and targets (sorted).
struct ForgetMark {
  uint64_t seq = 0;
  int64_t time_ns = 0;
  std::vector<uint64_t> targets;
};

bool Holds(uint64_t head, uint64_t floor, int64_t time_ns, const std::vector<ForgetMark>& forgets) {
  for (const auto& f : forgets) {
    // Taken after that forget (by seq and by time): purged already. A
    // restore or rollback reuses seqs, so a copy of a discarded branch can
    // have a head >= F although it predates the forget; the time catches it.
    if (head >= f.seq && time_ns >= f.time_ns) continue;
    auto it = std::upper_bound(f.targets.begin(), f.targets.end(), floor);
    if (it != f.targets.end() && *it <= head) return true;
  }
  return false;
}

// The Forgotten events after seq `after`.
Status ForgetsAfter(Store& store, uint64_t after, std::vector<ForgetMark>* out) {
  return store.ScanLog(after + 1, UINT64_MAX, true, nullptr, [&](const Event& ev, std::string_view) {
    if (ev.kind == EventKind::kForgotten && !ev.targets.empty()) {
      out->push_back(ForgetMark{ev.seq, ev.time_ns, ev.targets});
      std::sort(out->back().targets.begin(), out->back().targets.end());
    }
    return true;
  });
}

}  // namespace

Status Forgetter::ResolveIds(const std::vector<std::string>& ids, std::vector<HistoryRecord>* out) const {
  for (const std::string& text : ids) {
    EventId id;
    if (!EventId::Parse(text, &id)) {
      return Status::InvalidArgument("invalid id '" + text + "' (tb forget): expected <16 hex>-<number>");
    }
    uint64_t seq = 0;
    Status s = LookupId(store_.reader(), id, &seq);
    if (s.IsNotFound()) return Status::NotFound("no command with id " + text + " (tb forget)");
    TB_RETURN_IF_ERROR(s);
    Event ev;
    TB_RETURN_IF_ERROR(store_.reader().GetEvent(seq, &ev));
    if (!IsCommand(ev.kind)) return Status::InvalidArgument("id " + text + " is not a command (tb forget)");
    HistoryRecord r;
    r.id = ev.id;
    r.seq = seq;
    r.command = ev.command;
    r.cwd = ev.cwd;
    r.started_at_ns = ev.time_ns;
    out->push_back(std::move(r));
  }
  return Status::OK();
}

Status Forgetter::ResolveMatch(const std::string& text, std::vector<HistoryRecord>* out) const {
  HistoryFilter f;
  f.text = text;
  return QueryHistory(store_.reader(), f, [&](const HistoryRecord& r) {
    out->push_back(r);
    return true;
  });
}

Status Forgetter::FindCopies(const std::vector<uint64_t>& pending, int64_t pending_time_ns,
                             std::vector<ForgetCopy>* out) const {
  out->clear();
  std::vector<BackupEntry> backups;
  TB_RETURN_IF_ERROR(ListBackups(o_.backup_dir, &backups));
  std::erase_if(backups, [&](const BackupEntry& b) { return b.meta.store_id != store_.store_id(); });
  std::vector<SnapshotEntry> snaps;
  TB_RETURN_IF_ERROR(ListSnapshots(o_.data_dir, &snaps));
  if (backups.empty() && snaps.empty()) return Status::OK();
  std::vector<std::optional<uint64_t>> snap_heads;
  uint64_t min_head = UINT64_MAX;
  for (const auto& b : backups) min_head = std::min(min_head, b.meta.head);
  for (const auto& s : snaps) {
    uint64_t h = 0;
    snap_heads.push_back(SnapshotHead(s, &h).ok() ? std::optional<uint64_t>(h) : std::nullopt);
    if (snap_heads.back()) min_head = std::min(min_head, h);
  }
  // Only Forgotten events after the oldest copy can concern a copy.
  std::vector<ForgetMark> forgets;
  if (min_head != UINT64_MAX) TB_RETURN_IF_ERROR(ForgetsAfter(store_, min_head, &forgets));
  if (!pending.empty()) {
    forgets.push_back(ForgetMark{store_.head() + 1, pending_time_ns, pending});
    std::sort(forgets.back().targets.begin(), forgets.back().targets.end());
  }
  for (const auto& b : backups) {
    if (Holds(b.meta.head, b.meta.floor, b.meta.time_ns, forgets)) {
      out->push_back(ForgetCopy{true, b.id, "", b.meta.time_ns, b.meta.note});
    }
  }
  for (size_t i = 0; i < snaps.size(); ++i) {
    if (!snap_heads[i] || Holds(*snap_heads[i], 0, snaps[i].time_ns, forgets)) {
      out->push_back(ForgetCopy{false, 0, snaps[i].name, snaps[i].time_ns, snaps[i].reason});
    }
  }
  return Status::OK();
}

Status Forgetter::Forget(Event* forgotten) { return store_.AppendForgotten(forgotten); }

Status Forgetter::DeleteCopies(const std::vector<ForgetCopy>& copies, Event audit) {
  std::vector<uint32_t> ids;
  std::vector<std::string> names;
  for (const auto& c : copies) c.backup ? ids.push_back(c.id) : names.push_back(c.name);
  TB_RETURN_IF_ERROR(DeleteBackups(o_.backup_dir, ids));
  for (const auto& n : names) TB_RETURN_IF_ERROR(DeleteSnapshot(o_.data_dir, n));
  return store_.Append(std::span<Event>(&audit, 1), true);
}

}  // namespace tb
