#include "tools/metrics_snapshot.h"

#include <chrono>

#include "core/metrics.h"
#include "storage/admin.h"
#include "tools/commands.h"

namespace tb {
namespace {

// Definitions are constant and valid: their Status is checked by the tests
// of the rendered text.
void Define(MetricsRegistry* m) {
  (void)m->DefineGauge("tb_build_info", "The tb that computed these figures (always 1).", {"version"});
  (void)m->DefineGauge("tb_log_head_seq", "Sequence number of the last event in the log.");
  (void)m->DefineGauge("tb_log_events", "Events in the log, by kind.", {"kind"});
  (void)m->DefineGauge("tb_column_family_bytes", "Bytes per RocksDB column family, in table files (sst) and memtables.",
                       {"family", "storage"});
  (void)m->DefineGauge("tb_pending_compaction_bytes", "RocksDB's estimate of the bytes compaction has to rewrite.");
  (void)m->DefineGauge("tb_spool_files", "Spool files waiting to be drained.");
  (void)m->DefineGauge("tb_spool_frames", "Complete frames in the spool files.");
  (void)m->DefineGauge("tb_spool_bytes", "Bytes in the spool files.");
  (void)m->DefineGauge("tb_backups", "Backups in the backup directory.");
}

}  // namespace

std::string RenderSnapshot(const MetricsSnapshot& snap) {
  MetricsRegistry m;
  Define(&m);
  (void)m.Set("tb_build_info", {snap.version}, 1);
  (void)m.Set("tb_log_head_seq", {}, static_cast<double>(snap.store.head));
  for (const auto& [kind, n] : snap.store.events_by_kind) (void)m.Set("tb_log_events", {kind}, static_cast<double>(n));
  for (const FamilySize& f : snap.store.families) {
    (void)m.Set("tb_column_family_bytes", {f.name, "sst"}, static_cast<double>(f.sst_bytes));
    (void)m.Set("tb_column_family_bytes", {f.name, "memtable"}, static_cast<double>(f.memtable_bytes));
  }
  (void)m.Set("tb_pending_compaction_bytes", {}, static_cast<double>(snap.store.pending_compaction_bytes));
  (void)m.Set("tb_spool_files", {}, static_cast<double>(snap.spool.files));
  (void)m.Set("tb_spool_frames", {}, static_cast<double>(snap.spool.frames));
  (void)m.Set("tb_spool_bytes", {}, static_cast<double>(snap.spool.bytes));
  (void)m.Set("tb_backups", {}, static_cast<double>(snap.backups));
  if (snap.last_backup_ns) {
    (void)m.DefineGauge("tb_last_backup_age_seconds", "Seconds since the newest backup was taken.");
    (void)m.Set("tb_last_backup_age_seconds", {}, static_cast<double>(snap.now_ns - *snap.last_backup_ns) / 1e9);
  }
  return m.Render();
}

Status CollectSnapshot(const Context& ctx, Store& store, MetricsSnapshot* out, bool count_events) {
  out->version = TB_VERSION;
  TB_RETURN_IF_ERROR(CollectStoreFigures(store, count_events, &out->store));
  TB_RETURN_IF_ERROR(MeasureSpool(ctx.SpoolDir(), &out->spool));
  std::vector<BackupEntry> backups;
  TB_RETURN_IF_ERROR(ListBackups(BackupDir(ctx), &backups));
  out->backups = backups.size();
  if (!backups.empty()) out->last_backup_ns = backups.back().meta.time_ns;
  out->now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return Status::OK();
}

std::string DaemonSocketPath(const Context& ctx) { return ctx.SpoolDir() + ".sock"; }

}  // namespace tb
