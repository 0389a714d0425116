// tb backup / snapshot / rollback / retention / replay / log export / audit:
// the administrative commands (storage/admin.h), each recorded in the log
// as an AdminAction event (the audit trail). The automatic backups and
// retention are tools/auto_maintenance.h.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/audit.h"
#include "core/duration.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "storage/admin.h"
#include "storage/passphrase.h"
#include "storage/scheduled_maintenance.h"
#include "tools/args.h"
#include "tools/auto_maintenance.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace tb {
namespace {

using Json = nlohmann::ordered_json;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string Pad(std::string s, size_t n) {
  if (s.size() < n) s.resize(n, ' ');
  return s + " ";
}

// Appends the audit entry of `action` (with a checkpoint in the same batch
// when `ckpt_key` is set).
Status AuditText(const Context& ctx, Store& store, const std::string& action, std::string detail,
                 std::string_view ckpt_key = {}, std::string_view ckpt_value = {}) {
  std::vector<Event> evs{AuditEvent(ctx, action, std::move(detail))};
  if (!ckpt_key.empty()) return store.AppendWithCheckpoint(evs, true, ckpt_key, ckpt_value);
  return store.Append(evs, true);
}

Status Audit(const Context& ctx, Store& store, const std::string& action, const Json& detail,
             std::string_view ckpt_key = {}, std::string_view ckpt_value = {}) {
  return AuditText(ctx, store, action, Dump(detail), ckpt_key, ckpt_value);
}

// Swaps `src` in for the live database (under the store lock, keeping a
// safety snapshot named in *safety), then opens the result writable.
Status ReplaceAndReopen(Context& ctx, const DbSource& src, std::string* safety, std::unique_ptr<Store>* store) {
  ReplaceOptions ro;
  ro.data_dir = ctx.data_dir;
  ro.holder = "pid " + std::to_string(::getpid()) + " (tb " + ctx.command_name + ")";
  ro.lock_wait_ms = ctx.config.storage.lock_wait_ms;
  ro.now_ns = NowNs();
  TB_RETURN_IF_ERROR(ReplaceDatabase(ro, src, safety));
  TB_RETURN_IF_ERROR(ctx.OpenStore(store));
  return CarryAuditFromSnapshot(**store, *safety);
}

// "SEQ" (digits) or a time ParseTime() understands.
Status ParseSeqOrTime(const std::string& flag, const std::string& text, std::optional<uint64_t>* seq,
                      std::optional<int64_t>* time) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    int64_t v;
    TB_RETURN_IF_ERROR(ParseIntFlag(flag, text, 0, INT64_MAX, &v));
    *seq = static_cast<uint64_t>(v);
    return Status::OK();
  }
  int64_t ns;
  TB_RETURN_IF_ERROR(ParseTime(text, NowNs(), &ns).WithContext(flag));
  *time = ns;
  return Status::OK();
}

Json BackupJson(const BackupEntry& e) {
  return Json{{"id", e.id},
              {"time", FormatRfc3339Millis(e.meta.time_ns)},
              {"head_seq", e.meta.head},
              {"floor_seq", e.meta.floor},
              {"format", e.meta.format},
              {"store_id", e.meta.store_id},
              {"size_bytes", e.size},
              {"files", e.files},
              {"note", e.meta.note}};
}

Status PrintSnapshotUndo(const std::string& snapshot) {
  if (snapshot.empty()) return Status::OK();
  WriteOut("the previous state is saved as snapshot " + snapshot + "; undo with: tb snapshot restore " + snapshot +
           "\n");
  return Status::OK();
}

}  // namespace

std::string BackupDir(const Context& ctx) {
  const std::string& dir = ctx.config.backup.dir;
  if (dir.empty()) return ctx.data_dir + "/backups";
  return dir[0] == '/' ? dir : ctx.data_dir + "/" + dir;  // relative: to the data dir, as log.file
}

Event AuditEvent(const Context& ctx, const std::string& action, std::string detail) {
  Event ev;
  ev.kind = EventKind::kAdminAction;
  ev.time_ns = NowNs();
  ev.host = HostName();
  ev.user = ctx.UserName();
  ev.session = ctx.Env("TERMBRAIN_SESSION");
  ev.source = action;
  ev.detail = std::move(detail);
  return ev;
}

// ---- backups ---------------------------------------------------------------------

Status CmdBackupCreate(Context& ctx, const Argv& args) {
  Args a("backup create", "backup create [--note TEXT]");
  a.opts().add_options()("note", po::value<std::string>()->value_name("TEXT"), "a note stored with the backup");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  TB_RETURN_IF_ERROR(ctx.CheckSpaceToRewrite(*store, BackupDir(ctx)));
  BackupEntry e;
  int64_t now = NowNs();
  TB_RETURN_IF_ERROR(CreateBackup(*store, BackupDir(ctx), a.Str("note"), now, &e));
  TB_RETURN_IF_ERROR(
      Audit(ctx, *store, "backup.create",
            Json{{"id", e.id}, {"dir", BackupDir(ctx)}, {"head_seq", e.meta.head}, {"note", e.meta.note}},
            kCkptLastBackup, std::to_string(now)));
  WriteOut("created backup " + std::to_string(e.id) + " (head seq " + std::to_string(e.meta.head) + ", " +
           std::to_string(e.files) + " files, " + HumanBytes(e.size) + ") in " + BackupDir(ctx) + "\n");
  return Status::OK();
}

Status CmdBackupList(Context& ctx, const Argv& args) {
  Args a("backup list", "backup list [--format table|json]");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::vector<BackupEntry> all;
  std::vector<uint32_t> corrupt;
  TB_RETURN_IF_ERROR(ListBackups(BackupDir(ctx), &all, &corrupt));
  if (json) {
    Json j = Json::array();
    for (const auto& e : all) j.push_back(BackupJson(e));
    return WriteOut(Dump(j) + "\n"), Status::OK();
  }
  std::string out = Pad("ID", 5) + Pad("TIME", 20) + Pad("HEAD SEQ", 10) + Pad("SIZE", 10) + Pad("FILES", 6) + "NOTE\n";
  for (const auto& e : all) {
    out += Pad(std::to_string(e.id), 5) + Pad(FormatLocalTime(e.meta.time_ns), 20) +
           Pad(std::to_string(e.meta.head), 10) + Pad(HumanBytes(e.size), 10) + Pad(std::to_string(e.files), 6) +
           ToValidUtf8(e.meta.note) + "\n";
  }
  for (uint32_t id : corrupt) out += Pad(std::to_string(id), 5) + "(damaged: its metadata does not parse)\n";
  if (all.empty() && corrupt.empty()) out = "no backups in " + BackupDir(ctx) + "\n";
  return WriteOut(out), Status::OK();
}

Status CmdBackupVerify(Context& ctx, const Argv& args) {
  Args a("backup verify", "backup verify ID|latest");
  a.Positional("id");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("id")) return Status::InvalidArgument("missing ID (tb backup verify). Run 'tb backup list'");
  BackupEntry e;
  TB_RETURN_IF_ERROR(FindBackup(BackupDir(ctx), a.Str("id"), &e));
  TB_RETURN_IF_ERROR(VerifyBackup(BackupDir(ctx), e.id));
  WriteOut("ok: backup " + std::to_string(e.id) + " verified (" + std::to_string(e.files) + " files, " +
           HumanBytes(e.size) + ", every checksum matches)\n");
  return Status::OK();
}

Status CmdBackupRestore(Context& ctx, const Argv& args) {
  Args a("backup restore", "backup restore ID|latest [--to DIR] [--yes]");
  a.Positional("id");
  a.opts().add_options()("to", po::value<std::string>()->value_name("DIR"),
                         "restore into a new data dir instead of over the live store")(
      "yes", "restore over the live store without asking (required when stdin is not a terminal)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("id")) return Status::InvalidArgument("missing ID (tb backup restore). Run 'tb backup list'");
  BackupEntry e;
  TB_RETURN_IF_ERROR(FindBackup(BackupDir(ctx), a.Str("id"), &e));
  Json detail{{"id", e.id}, {"dir", BackupDir(ctx)}, {"head_seq", e.meta.head}};
  if (a.Has("to")) {
    std::string to = a.Str("to");
    TB_RETURN_IF_ERROR(RestoreBackupTo(BackupDir(ctx), e.id, to));
    TB_RETURN_IF_ERROR(CopyWrappedKey(ctx.data_dir, to));  // passphrase mode: the same key, the same passphrase
    Context other = ctx;
    other.data_dir = to;
    std::unique_ptr<Store> store;
    TB_RETURN_IF_ERROR(other.OpenStore(&store));
    detail["to"] = to;
    TB_RETURN_IF_ERROR(Audit(ctx, *store, "backup.restore", detail));
    WriteOut("restored backup " + std::to_string(e.id) + " (head seq " + std::to_string(e.meta.head) +
             ") into a new data dir " + to + "\n");
    return Status::OK();
  }
  // Over the live store: everything after the backup goes (a safety
  // snapshot keeps it), so ask as tb rollback does.
  if (!a.Has("yes") && !AskYesNo("tb: replace the live store " + ctx.data_dir + " with backup " + std::to_string(e.id) +
                                 " (head seq " + std::to_string(e.meta.head) + "; a snapshot is taken first)?")) {
    return Status::InvalidArgument("restoring backup " + std::to_string(e.id) + " would replace the live store " +
                                   ctx.data_dir +
                                   "; nothing was changed. Add --yes to do it, or --to DIR to "
                                   "restore into a new data dir");
  }
  DbSource src;
  src.backup_dir = BackupDir(ctx);
  src.backup_id = e.id;
  std::string safety;
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ReplaceAndReopen(ctx, src, &safety, &store));
  detail["safety_snapshot"] = safety;
  TB_RETURN_IF_ERROR(Audit(ctx, *store, "backup.restore", detail));
  WriteOut("restored backup " + std::to_string(e.id) + " (head seq " + std::to_string(e.meta.head) + ") into " +
           ctx.data_dir + "\n");
  return PrintSnapshotUndo(safety);
}

Status CmdBackupPrune(Context& ctx, const Argv& args) {
  Args a("backup prune", "backup prune --keep N");
  a.opts().add_options()("keep", po::value<std::string>()->value_name("N"), "how many of the newest backups to keep");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::optional<int64_t> keep;
  TB_RETURN_IF_ERROR(a.Int("keep", 1, 1000000, &keep));
  if (!keep) return Status::InvalidArgument("missing --keep N (tb backup prune)");
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  std::vector<uint32_t> deleted;
  TB_RETURN_IF_ERROR(PruneBackups(BackupDir(ctx), static_cast<uint32_t>(*keep), &deleted));
  TB_RETURN_IF_ERROR(Audit(ctx, *store, "backup.prune", Json{{"keep", *keep}, {"deleted", deleted}}));
  std::string ids;
  for (uint32_t id : deleted) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
  WriteOut("deleted " + std::to_string(deleted.size()) + " backup(s)" + (ids.empty() ? "" : " (" + ids + ")") +
           ", kept the newest " + std::to_string(*keep) + "\n");
  return Status::OK();
}

// ---- snapshots --------------------------------------------------------------------

Status CmdSnapshotCreate(Context& ctx, const Argv& args) {
  Args a("snapshot create", "snapshot create [NAME]");
  a.Positional("name");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  // Hard links, after a flush of the memtables.
  TB_RETURN_IF_ERROR(ctx.CheckSpace(static_cast<uint64_t>(ctx.config.storage.write_buffer_mb) << 20));
  SnapshotEntry s;
  TB_RETURN_IF_ERROR(CreateSnapshot(*store, a.Str("name"), "manual", NowNs(), &s));
  TB_RETURN_IF_ERROR(Audit(ctx, *store, "snapshot.create", Json{{"name", s.name}, {"head_seq", s.head}}));
  WriteOut("created snapshot " + s.name + " (head seq " + std::to_string(s.head) + ") at " + s.path + "\n");
  return Status::OK();
}

Status CmdSnapshotList(Context& ctx, const Argv& args) {
  Args a("snapshot list", "snapshot list [--format table|json]");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::vector<SnapshotEntry> all;
  TB_RETURN_IF_ERROR(ListSnapshots(ctx.data_dir, &all));
  // Safety snapshots of older versions recorded head 0: read theirs. One
  // that does not open (the copy of a damaged store) is listed as such.
  for (auto& s : all) {
    Status hs = SnapshotHead(s, &s.head);
    if (hs.IsCorruption()) s.reason += " (does not open: tb log salvage can read it)";
    if (!hs.ok() && !hs.IsCorruption()) return hs;
  }
  if (json) {
    Json j = Json::array();
    for (const auto& s : all) {
      j.push_back({{"name", s.name},
                   {"time", FormatRfc3339Millis(s.time_ns)},
                   {"head_seq", s.head},
                   {"reason", s.reason},
                   {"path", s.path}});
    }
    return WriteOut(Dump(j) + "\n"), Status::OK();
  }
  std::string out = Pad("NAME", 40) + Pad("TIME", 20) + Pad("HEAD SEQ", 10) + "REASON\n";
  for (const auto& s : all) {
    out += Pad(s.name, 40) + Pad(FormatLocalTime(s.time_ns), 20) + Pad(std::to_string(s.head), 10) + s.reason + "\n";
  }
  if (all.empty()) out = "no snapshots in " + SnapshotsDir(ctx.data_dir) + "\n";
  return WriteOut(out), Status::OK();
}

Status CmdSnapshotDelete(Context& ctx, const Argv& args) {
  Args a("snapshot delete", "snapshot delete NAME");
  a.Positional("name");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("name")) return Status::InvalidArgument("missing NAME (tb snapshot delete). Run 'tb snapshot list'");
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  TB_RETURN_IF_ERROR(DeleteSnapshot(ctx.data_dir, a.Str("name")));
  TB_RETURN_IF_ERROR(Audit(ctx, *store, "snapshot.delete", Json{{"name", a.Str("name")}}));
  WriteOut("deleted snapshot " + a.Str("name") + "\n");
  return Status::OK();
}

Status CmdSnapshotRestore(Context& ctx, const Argv& args) {
  Args a("snapshot restore", "snapshot restore NAME");
  a.Positional("name");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("name")) return Status::InvalidArgument("missing NAME (tb snapshot restore). Run 'tb snapshot list'");
  DbSource src;
  src.snapshot = a.Str("name");
  std::string safety;
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ReplaceAndReopen(ctx, src, &safety, &store));
  TB_RETURN_IF_ERROR(Audit(ctx, *store, "snapshot.restore", Json{{"name", src.snapshot}, {"safety_snapshot", safety}}));
  WriteOut("restored snapshot " + src.snapshot + " into " + ctx.data_dir + " (head seq " +
           std::to_string(store->head() - 1) + ")\n");
  return PrintSnapshotUndo(safety);
}

// ---- log export / replay ------------------------------------------------------------

Status CmdLogExport(Context& ctx, const Argv& args) {
  Args a("log export", "log export -o FILE [--from SEQ] [--to SEQ]");
  a.opts().add_options()("output,o", po::value<std::string>()->value_name("FILE"), "the file to write")(
      "from", po::value<std::string>()->value_name("SEQ"), "first sequence number (default: the first)")(
      "to", po::value<std::string>()->value_name("SEQ"), "last sequence number (default: head)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("output")) return Status::InvalidArgument("missing -o FILE (tb log export)");
  std::optional<int64_t> from, to;
  TB_RETURN_IF_ERROR(a.Int("from", 0, INT64_MAX, &from));
  TB_RETURN_IF_ERROR(a.Int("to", 0, INT64_MAX, &to));
  if (from && to && *from > *to) return Status::InvalidArgument("--from is after --to (tb log export)");
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  ExportStats st;
  auto t0 = std::chrono::steady_clock::now();
  TB_RETURN_IF_ERROR(ExportLog(*store, a.Str("output"), static_cast<uint64_t>(from.value_or(0)),
                               static_cast<uint64_t>(to.value_or(INT64_MAX)), NowNs(), &st));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s, %.0f events/s", secs,
                secs > 0 ? static_cast<double>(st.events) / secs : 0.0);
  WriteOut("exported " + std::to_string(st.events) + " events (seq " + std::to_string(st.first_seq) + ".." +
           std::to_string(st.last_seq) + ", " + HumanBytes(st.bytes) + ") to " + a.Str("output") + " in " + rate +
           "\n");
  return Status::OK();
}

Status CmdReplay(Context& ctx, const Argv& args) {
  Args a("replay", "replay --from FILE|--data-dir DIR [--until SEQ|TIME] --into NEWDIR");
  a.opts().add_options()("from", po::value<std::string>()->value_name("FILE"), "a file written by 'tb log export'")(
      "data-dir", po::value<std::string>()->value_name("DIR"), "a data dir to replay (default: this store)")(
      "until", po::value<std::string>()->value_name("SEQ|TIME"), "stop after this seq or time")(
      "into", po::value<std::string>()->value_name("NEWDIR"), "the new data dir to build (missing or empty)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("into")) return Status::InvalidArgument("missing --into NEWDIR (tb replay)");
  if (a.Has("from") && a.Has("data-dir")) {
    return Status::InvalidArgument("--from and --data-dir exclude each other (tb replay)");
  }
  ReplayOptions o;
  o.from_file = a.Str("from");
  if (o.from_file.empty()) o.from_data_dir = a.Has("data-dir") ? a.Str("data-dir") : ctx.data_dir;
  if (auto u = a.OptStr("until")) TB_RETURN_IF_ERROR(ParseSeqOrTime("--until", *u, &o.until_seq, &o.until_time_ns));
  o.into = a.Str("into");
  o.store.block_cache_bytes = static_cast<uint64_t>(ctx.config.storage.block_cache_mb) << 20;
  o.store.write_buffer_bytes = static_cast<uint64_t>(ctx.config.storage.write_buffer_mb) << 20;
  auto t0 = std::chrono::steady_clock::now();
  if (ctx.stderr_tty) {
    o.progress = [&](uint64_t done, uint64_t total) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "\rtb: replaying: %llu/%llu events (%.0f events/s)", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total), s > 0 ? static_cast<double>(done) / s : 0.0);
      std::fflush(stderr);
    };
  }
  ReplayStats st;
  Status s = Replay(o, &st);
  if (ctx.stderr_tty) std::fprintf(stderr, "\n");
  TB_RETURN_IF_ERROR(s);
  char rate[96];
  std::snprintf(rate, sizeof rate, "%.2f s (%.0f events/s)", st.seconds,
                st.seconds > 0 ? static_cast<double>(st.events) / st.seconds : 0.0);
  WriteOut("replayed " + std::to_string(st.events) + " events (seq " + std::to_string(st.first_seq) + ".." +
           std::to_string(st.last_seq) + ") into " + o.into + " in " + rate + "\n");
  return Status::OK();
}

// ---- rollback / retention ----------------------------------------------------------------

Status CmdRollback(Context& ctx, const Argv& args) {
  Args a("rollback", "rollback --to SEQ|TIME [--yes]");
  a.opts().add_options()("to", po::value<std::string>()->value_name("SEQ|TIME"),
                         "keep the events up to this seq, or up to this time")("yes", "do it without asking");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("to")) return Status::InvalidArgument("missing --to SEQ|TIME (tb rollback)");
  std::optional<uint64_t> seq;
  std::optional<int64_t> time;
  TB_RETURN_IF_ERROR(ParseSeqOrTime("--to", a.Str("to"), &seq, &time));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  uint64_t to = 0;
  if (seq) {
    to = *seq;
  } else {
    TB_RETURN_IF_ERROR(SeqAtTime(*store, *time, &to));
  }
  if (to >= store->head()) {
    WriteOut("nothing to roll back: the log ends at seq " + std::to_string(store->head()) + "\n");
    return Status::OK();
  }
  uint64_t n = store->head() - to;
  if (!a.Has("yes")) {
    if (!AskYesNo("tb: remove " + std::to_string(n) + " event(s) after seq " + std::to_string(to) +
                  " (a snapshot is taken first)?")) {
      return Status::InvalidArgument("rollback would remove " + std::to_string(n) + " event(s) (seq " +
                                     std::to_string(to + 1) + ".." + std::to_string(store->head()) +
                                     "); nothing was changed. Add --yes to do it");
    }
  }
  RollbackResult r;
  TB_RETURN_IF_ERROR(ctx.CheckSpaceToRewrite(*store));
  TB_RETURN_IF_ERROR(Rollback(*store, to, NowNs(), &r));
  TB_RETURN_IF_ERROR(Audit(ctx, *store, "rollback",
                           Json{{"to", a.Str("to")},
                                {"to_seq", to},
                                {"removed", r.removed},
                                {"old_head", r.old_head},
                                {"safety_snapshot", r.safety.name}}));
  WriteOut("rolled back to seq " + std::to_string(r.new_head) + ": removed " + std::to_string(r.removed) +
           " event(s) (seq " + std::to_string(r.new_head + 1) + ".." + std::to_string(r.old_head) + ")\n");
  return PrintSnapshotUndo(r.safety.name);
}

namespace {

std::string PlanText(const Context& ctx, const RetentionPlan& plan) {
  std::string s = std::to_string(plan.remove()) + " event(s)";
  if (plan.remove() > 0)
    s += " (seq " + std::to_string(plan.floor_before + 1) + ".." + std::to_string(plan.floor_after) + ")";
  s += ": " + std::to_string(plan.by_age) + " older than " + ctx.config.retention.max_age + ", " +
       std::to_string(plan.by_count) + " beyond max_events " + std::to_string(ctx.config.retention.max_events);
  return s;
}

}  // namespace

Status CmdRetentionApply(Context& ctx, const Argv& args) {
  Args a("retention apply", "retention apply [--dry-run]");
  a.opts().add_options()("dry-run", "show what would be removed; change nothing");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  RetentionPolicy p;
  TB_RETURN_IF_ERROR(RetentionPolicyOf(ctx, &p));
  if (p.max_age_ns == 0 && p.max_events == 0) {
    WriteOut("retention is off: set retention.max_age or retention.max_events (tb config show)\n");
    return Status::OK();
  }
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(a.Has("dry-run") ? ctx.OpenStoreToRead(&store) : ctx.OpenStore(&store));
  int64_t now = NowNs();
  RetentionPlan plan;
  TB_RETURN_IF_ERROR(PlanRetention(*store, p, now, &plan));
  if (a.Has("dry-run")) {
    WriteOut("would remove " + PlanText(ctx, plan) + "\n");
    return Status::OK();
  }
  TB_RETURN_IF_ERROR(ctx.CheckSpaceToRewrite(*store));
  TB_RETURN_IF_ERROR(ApplyRetention(*store, plan));
  TB_RETURN_IF_ERROR(AuditText(ctx, *store, "retention.apply", RetentionAuditDetail(plan, false), kCkptRetentionChecked,
                               std::to_string(now)));
  WriteOut("removed " + PlanText(ctx, plan) + "\n");
  return Status::OK();
}

// ---- audit -------------------------------------------------------------------------------

namespace {

// The audit entries at or after `since`, in time order: seq, time (RFC 3339
// and time_ns), user, host, action, detail.
Status ReadAuditRows(Store& store, int64_t since, std::vector<Json>* out) {
  std::vector<Json>& rows = *out;
  Status s = store.ScanLog(0, UINT64_MAX, true, nullptr, [&](const Event& ev, std::string_view) {
    if (ev.time_ns < since) return true;
    AuditEntry e;
    if (!ToAuditEntry(ev, &e)) return true;
    rows.push_back(Json{{"seq", ev.seq},
                        {"time", FormatRfc3339Millis(ev.time_ns)},
                        {"user", ToValidUtf8(ev.user)},
                        {"host", ToValidUtf8(ev.host)},
                        {"action", e.action},
                        {"detail", e.detail}});
    rows.back()["time_ns"] = ev.time_ns;
    return true;
  });
  TB_RETURN_IF_ERROR(s);
  // Entries carried over a removal (core/audit.h) follow the removal in
  // the log; in time they come before it, where they happened.
  std::stable_sort(rows.begin(), rows.end(), [](const Json& x, const Json& y) {
    return x["time_ns"].get<int64_t>() < y["time_ns"].get<int64_t>();
  });
  return Status::OK();
}

std::string AuditTable(const std::vector<Json>& rows) {
  std::string out = Pad("SEQ", 8) + Pad("TIME", 20) + Pad("USER@HOST", 24) + Pad("ACTION", 18) + "DETAILS\n";
  for (const auto& r : rows) {
    std::string details;
    if (r["detail"].is_object()) {
      for (const auto& [k, v] : r["detail"].items()) {
        details += (details.empty() ? "" : " ") + k + "=" + (v.is_string() ? v.get<std::string>() : Dump(v));
      }
    } else {
      details = Dump(r["detail"]);
    }
    out += Pad(std::to_string(r["seq"].get<uint64_t>()), 8) + Pad(FormatLocalTime(r["time_ns"].get<int64_t>()), 20) +
           Pad(r["user"].get<std::string>() + "@" + r["host"].get<std::string>(), 24) +
           Pad(r["action"].get<std::string>(), 18) + details + "\n";
  }
  return out;
}

}  // namespace

Status CmdAudit(Context& ctx, const Argv& args) {
  Args a("audit", "audit [--since T] [--format table|json|ndjson]");
  a.opts().add_options()("since", po::value<std::string>()->value_name("T"), "only actions at or after T")(
      "format", po::value<std::string>()->default_value("table")->value_name("F"), "table, json or ndjson");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::string format = a.Str("format");
  if (format != "table" && format != "json" && format != "ndjson") {
    return Status::InvalidArgument("unknown format '" + format + "' for tb audit: expected table, json or ndjson");
  }
  int64_t since = INT64_MIN;
  if (auto t = a.OptStr("since")) TB_RETURN_IF_ERROR(ParseTime(*t, NowNs(), &since).WithContext("--since"));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  std::vector<Json> rows;
  TB_RETURN_IF_ERROR(ReadAuditRows(*store, since, &rows));
  std::string out;
  if (format == "json") {
    Json j = Json::array();
    for (auto& r : rows) {
      r.erase("time_ns");
      j.push_back(r);
    }
    out = Dump(j) + "\n";
  } else if (format == "ndjson") {
    for (auto& r : rows) {
      r.erase("time_ns");
      out += Dump(r) + "\n";
    }
  } else {
    out = AuditTable(rows);
  }
  WriteOut(out);
  return Status::OK();
}

}  // namespace tb
