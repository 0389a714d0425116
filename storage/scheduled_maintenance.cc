#include "storage/scheduled_maintenance.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <vector>

#include <nlohmann/json.hpp>

namespace tb {
namespace {

using Json = nlohmann::ordered_json;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json RetentionDetail(const RetentionPlan& plan, bool automatic) {
  return Json{{"removed", plan.remove()}, {"floor_before", plan.floor_before}, {"floor_after", plan.floor_after},
              {"by_age", plan.by_age},    {"by_count", plan.by_count},         {"automatic", automatic}};
}

// The time a checkpoint starts with (kNeverRan when missing or
// unreadable); *value (optional) gets the whole value.
int64_t CheckpointNs(Store& store, std::string_view key, std::string* value = nullptr) {
  std::string local;
  std::string& v = value != nullptr ? *value : local;
  if (!store.GetCheckpoint(key, &v).ok()) return kNeverRan;
  char* end = nullptr;
  errno = 0;
  const long long ns = std::strtoll(v.c_str(), &end, 10);
  if (end == v.c_str() || errno != 0) return kNeverRan;
  return ns;
}

// Appends the audit entry of `action` and the checkpoint in one batch.
Status AuditWithMark(Store& store, const MaintenanceOptions& o, const std::string& action, const Json& detail,
                     std::string_view mark, int64_t now_ns) {
  std::vector<Event> evs{o.audit_event(action, Dump(detail))};
  return store.AppendWithCheckpoint(evs, true, mark, std::to_string(now_ns));
}

Status RunRetention(Store& store, const MaintenanceOptions& o, int64_t now_ns, uint64_t* removed) {
  RetentionPlan plan;
  TB_RETURN_IF_ERROR(PlanRetention(store, o.retention, now_ns, &plan));
  if (plan.remove() == 0) return store.AppendWithCheckpoint({}, true, kCkptRetentionChecked, std::to_string(now_ns));
  TB_RETURN_IF_ERROR(ApplyRetention(store, plan));
  *removed = plan.remove();
  return AuditWithMark(store, o, "retention.apply", RetentionDetail(plan, true), kCkptRetentionChecked, now_ns);
}

Status RunBackup(Store& store, const MaintenanceOptions& o, int64_t now_ns, uint32_t* id) {
  BackupEntry e;
  TB_RETURN_IF_ERROR(CreateBackup(store, o.backup_dir, "automatic", now_ns, &e));
  *id = e.id;
  Json detail{{"id", e.id}, {"dir", o.backup_dir}, {"head_seq", e.meta.head}, {"automatic", true}};
  return AuditWithMark(store, o, "backup.create", detail, kCkptLastBackup, now_ns);
}

Status MarkCompaction(Store& store, int64_t now_ns, uint64_t head) {
  return store.AppendWithCheckpoint({}, true, kCkptLastCompaction, std::to_string(now_ns) + " " + std::to_string(head));
}

Status RunCompaction(Store& store, const MaintenanceOptions& o, int64_t now_ns, MaintenanceOutcome* out) {
  const uint64_t at = store.head();
  if (o.check_rewrite_space) TB_RETURN_IF_ERROR(o.check_rewrite_space(store));
  if (o.background_compaction) {
    TB_RETURN_IF_ERROR(store.StartBackgroundCompaction());
    out->compaction_running = true;
    return Status::OK();
  }
  TB_RETURN_IF_ERROR(store.CompactAll());
  TB_RETURN_IF_ERROR(MarkCompaction(store, now_ns, at));
  out->compacted_at_head = at;
  return Status::OK();
}

// A background compaction started by an earlier run: still running, or
// ended (then its checkpoint is written, or its failure reported). True
// when it ran or ran until now, so this run must not start another.
bool PollCompaction(Store& store, int64_t now_ns, MaintenanceOutcome* out) {
  const BackgroundCompaction bc = store.PollBackgroundCompaction();
  if (bc.state == BackgroundCompaction::State::kNone) return false;
  out->ran.compaction = true;
  if (bc.state == BackgroundCompaction::State::kRunning) {
    out->compaction_running = true;
    return true;
  }
  out->compaction = bc.result.ok() ? MarkCompaction(store, now_ns, bc.head_at_start) : bc.result;
  if (out->compaction.ok()) out->compacted_at_head = bc.head_at_start;
  return true;
}

}  // namespace

MaintenancePolicy PolicyOf(const MaintenanceOptions& options) {
  MaintenancePolicy p;
  p.backup_interval_ns = options.backup_interval_ns > 0 ? options.backup_interval_ns : 0;
  p.retention_on = options.retention.max_age_ns > 0 || options.retention.max_events > 0;
  p.compact_min_events = options.compact_min_events;
  return p;
}

MaintenanceMarks ReadMaintenanceMarks(Store& store) {
  MaintenanceMarks m;
  m.last_backup_ns = CheckpointNs(store, kCkptLastBackup);
  m.last_retention_ns = CheckpointNs(store, kCkptRetentionChecked);
  std::string v;  // "<ns> <head>"
  m.last_compaction_ns = CheckpointNs(store, kCkptLastCompaction, &v);
  const size_t space = v.find(' ');
  if (m.last_compaction_ns != kNeverRan && space != std::string::npos) {
    m.head_at_compaction = std::strtoull(v.c_str() + space + 1, nullptr, 10);
  }
  m.head = store.head();
  return m;
}

MaintenanceOutcome RunMaintenance(Store& store, const MaintenanceOptions& options, int64_t now_ns) {
  MaintenanceOutcome out;
  if (store.read_only()) return out;
  const MaintenancePolicy policy = PolicyOf(options);
  const bool polled = options.background_compaction && PollCompaction(store, now_ns, &out);
  MaintenanceDue due = PlanMaintenance(policy, ReadMaintenanceMarks(store), now_ns);
  if (due.retention) out.retention = RunRetention(store, options, now_ns, &out.retention_removed);
  if (due.backup) out.backup = RunBackup(store, options, now_ns, &out.backup_id);
  if (due.compaction && !polled) out.compaction = RunCompaction(store, options, now_ns, &out);
  out.ran.retention = due.retention;
  out.ran.backup = due.backup;
  out.ran.compaction = out.ran.compaction || due.compaction;
  out.next = out.ran.any() ? PlanMaintenance(policy, ReadMaintenanceMarks(store), now_ns) : due;
  if (out.compaction_running) {
    out.next.compaction = false;
    out.next.next_ns = std::min(out.next.next_ns, now_ns + kCompactionPollNs);
  }
  return out;
}

std::string RetentionAuditDetail(const RetentionPlan& plan, bool automatic) {
  return Dump(RetentionDetail(plan, automatic));
}

}  // namespace tb
