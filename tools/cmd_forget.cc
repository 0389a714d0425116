// tb forget ID... | tb forget --match QUERY [--dry-run] [--yes] [--purge-backups]
// tb forget --purge-backups [--dry-run] [--yes]
//
// Appends one Forgotten event (seqs only: never the text or the query), so
// every view drops the records, then purges their log entries and compacts
// everything, and reopens the store (a fresh MANIFEST), so the bytes are
// gone from every file of the data dir (Store::AppendForgotten). A forget
// interrupted during the purge is finished by the next command that opens
// the store; when that is the same forget again, it says so.
//
// Backups and snapshots are copies taken earlier: they keep the bytes. A
// copy taken at head H (log floor L) holds a record forgotten at seq S by
// the Forgotten event at seq F when L < S <= H and the copy predates the
// forget: H < F, or it is older than the event (seqs are reused after a
// restore or rollback, so a copy of a discarded branch can have H >= F).
// Both tests err on the side of listing a copy. Every forget (and every dry run) lists
// those copies, for this forget and every earlier one; --purge-backups
// deletes them (BackupEngine delete + garbage collection, snapshot
// directories removed) and records a "forget.purge_backups" AdminAction.
// Deleting is deliberate: rewriting a backup without the records would mean
// restoring, forgetting and re-backing it up, with more ways to lose data
// than to protect it.
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/format.h"
#include "core/history_query.h"
#include "core/keycode.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "core/views/ids_view.h"
#include "storage/admin.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/search_backend.h"

namespace tb {
namespace {

// One Forgotten event: its seq and its targets (sorted).
struct ForgetMark {
  uint64_t seq = 0;
  int64_t time_ns = 0;
  std::vector<uint64_t> targets;
};

// A backup or snapshot that still holds forgotten records.
struct Holder {
  bool backup = false;
  uint32_t id = 0;    // backups
  std::string name;   // snapshots
  int64_t time_ns = 0;
  std::string note;   // backup note, snapshot reason
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

// The backups (of this store) and snapshots holding records forgotten by
// the Forgotten events in the log, plus `pending` (a dry run's forget, not
// appended; may be null).
Status FindHolders(const Context& ctx, Store& store, const ForgetMark* pending, std::vector<Holder>* out) {
  out->clear();
  std::vector<BackupEntry> backups;
  TB_RETURN_IF_ERROR(ListBackups(BackupDir(ctx), &backups));
  std::erase_if(backups, [&](const BackupEntry& b) { return b.meta.store_id != store.store_id(); });
  std::vector<SnapshotEntry> snaps;
  TB_RETURN_IF_ERROR(ListSnapshots(ctx.data_dir, &snaps));
  if (backups.empty() && snaps.empty()) return Status::OK();
  // A snapshot whose head cannot be read is counted as holding everything:
  // listing one copy too many is the safe direction.
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
  if (min_head != UINT64_MAX) {
    TB_RETURN_IF_ERROR(store.ScanLog(min_head + 1, UINT64_MAX, true, nullptr, [&](const Event& ev, std::string_view) {
      if (ev.kind == EventKind::kForgotten && !ev.targets.empty()) {
        forgets.push_back(ForgetMark{ev.seq, ev.time_ns, ev.targets});
        std::sort(forgets.back().targets.begin(), forgets.back().targets.end());
      }
      return true;
    }));
  }
  if (pending != nullptr && !pending->targets.empty()) forgets.push_back(*pending);
  for (const auto& b : backups) {
    if (Holds(b.meta.head, b.meta.floor, b.meta.time_ns, forgets)) {
      out->push_back(Holder{true, b.id, "", b.meta.time_ns, b.meta.note});
    }
  }
  for (size_t i = 0; i < snaps.size(); ++i) {
    if (!snap_heads[i] || Holds(*snap_heads[i], 0, snaps[i].time_ns, forgets)) {
      out->push_back(Holder{false, 0, snaps[i].name, snaps[i].time_ns, snaps[i].reason});
    }
  }
  return Status::OK();
}

std::string Count(const std::vector<Holder>& hs) {
  size_t b = static_cast<size_t>(std::count_if(hs.begin(), hs.end(), [](const Holder& h) { return h.backup; }));
  return std::to_string(b) + " backup(s) and " + std::to_string(hs.size() - b) + " snapshot(s)";
}

std::string Lines(const std::vector<Holder>& hs) {
  std::string out;
  for (const auto& h : hs) {
    out += h.backup ? "  backup " + std::to_string(h.id) : "  snapshot " + h.name;
    out += "  " + FormatLocalTime(h.time_ns) + (h.note.empty() ? "" : "  " + ToValidUtf8(h.note)) + "\n";
  }
  return out;
}

// Deletes the holders and audits it. Returns what to print.
Status PurgeHolders(const Context& ctx, Store& store, const std::vector<Holder>& hs, std::string* out) {
  std::vector<uint32_t> ids;
  std::vector<std::string> names;
  for (const auto& h : hs) h.backup ? ids.push_back(h.id) : names.push_back(h.name);
  TB_RETURN_IF_ERROR(DeleteBackups(BackupDir(ctx), ids));
  for (const auto& n : names) TB_RETURN_IF_ERROR(DeleteSnapshot(ctx.data_dir, n));
  nlohmann::ordered_json detail{{"dir", BackupDir(ctx)}, {"backups", ids}, {"snapshots", names}};
  Event ev = AuditEvent(ctx, "forget.purge_backups",
                        detail.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  TB_RETURN_IF_ERROR(store.Append(std::span<Event>(&ev, 1), true));
  *out = "deleted " + Count(hs) + " that held forgotten commands:\n" + Lines(hs);
  return Status::OK();
}

}  // namespace

Status ForgetSeqs(Context& ctx, const std::vector<uint64_t>& targets, std::unique_ptr<Store>* store) {
  Event ev;
  ev.kind = EventKind::kForgotten;
  ev.time_ns = NowNs();
  ev.host = HostName();
  ev.user = ctx.UserName();
  ev.targets = targets;
  // The purge compacts everything: check before the event is appended.
  TB_RETURN_IF_ERROR(ctx.CheckSpaceToRewrite(**store));
  return (*store)->AppendForgotten(&ev);
}

namespace {

// The records whose purge an interrupted forget left pending (0 when none
// or no store yet). Peeked read-only: the writable open that follows
// finishes the purge before anything can be asked of it.
Status PendingPurgeRecords(Context& ctx, uint64_t* records) {
  *records = 0;
  std::unique_ptr<Store> store;
  Status s = ctx.OpenStore(StoreOptions::Access::kReadOnly, &store);
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  PendingPurge p;
  TB_RETURN_IF_ERROR(FindPendingPurge(*store, &p));
  *records = p.records;
  return Status::OK();
}

}  // namespace

Status CmdForget(Context& ctx, const Argv& args) {
  Args a("forget",
         "forget ID... | forget --match QUERY [--dry-run] [--yes] [--purge-backups] | "
         "forget --purge-backups [--dry-run] [--yes]");
  a.opts().add_options()
      ("match", po::value<std::string>()->value_name("QUERY"), "forget every command containing QUERY (case-insensitive)")
      ("dry-run", "list what would be forgotten (and the backups and snapshots holding it); change nothing")
      ("yes", "do not ask (required when stdin is not a terminal)")
      ("purge-backups", "also delete the backups and snapshots that still hold forgotten commands (this or earlier forgets)");
  a.Positional("id", /*many=*/true);
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::vector<std::string> ids = a.Has("id") ? a.Strs("id") : std::vector<std::string>{};
  const bool purge = a.Has("purge-backups");
  const bool only_backups = ids.empty() && !a.Has("match") && purge;
  if (!only_backups && ids.empty() == !a.Has("match")) {
    return Status::InvalidArgument("give either IDs or --match QUERY, or --purge-backups alone (tb forget). Run 'tb help forget'");
  }
  if (a.Has("match") && a.Str("match").empty()) return Status::InvalidArgument("--match QUERY is empty (tb forget)");
  const bool dry = a.Has("dry-run");
  const bool yes = a.Has("yes");
  const bool can_ask = ctx.stderr_tty && isatty(0);
  // Without --yes and without a terminal to ask on, nothing will change:
  // open like a dry run, so a refusal leaves every file as it was.
  const bool read_only = dry || (!yes && !can_ask);
  uint64_t pending = 0;
  if (!read_only && !only_backups) TB_RETURN_IF_ERROR(PendingPurgeRecords(ctx, &pending));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(
      ctx.OpenStore(read_only ? StoreOptions::Access::kReadPreferred : StoreOptions::Access::kReadWrite, &store));
  std::vector<HistoryRecord> found;
  if (a.Has("match")) {
    HistoryFilter f;
    f.text = a.Str("match");
    TB_RETURN_IF_ERROR(QueryHistory(store->reader(), f, [&](const HistoryRecord& r) {
      found.push_back(r);
      return true;
    }));
  } else {
    for (const std::string& text : ids) {
      EventId id;
      if (!EventId::Parse(text, &id)) return Status::InvalidArgument("invalid id '" + text + "' (tb forget): expected <16 hex>-<number>");
      uint64_t seq = 0;
      Status s = LookupId(store->reader(), id, &seq);
      if (s.IsNotFound()) return Status::NotFound("no command with id " + text + " (tb forget)");
      TB_RETURN_IF_ERROR(s);
      HistoryRecord r;
      Event ev;
      TB_RETURN_IF_ERROR(store->reader().GetEvent(seq, &ev));
      if (!IsCommand(ev.kind)) return Status::InvalidArgument("id " + text + " is not a command (tb forget)");
      r.id = ev.id;
      r.seq = seq;
      r.command = ev.command;
      r.cwd = ev.cwd;
      r.started_at_ns = ev.time_ns;
      found.push_back(std::move(r));
    }
  }
  const std::string hint = "rerun with --purge-backups to delete them\n";
  if (dry) {
    std::string out;
    if (!only_backups) {
      RecordFormatter fmt(OutputFormat::kTable, FormatOptions{});
      fmt.Begin(&out);
      for (const auto& r : found) fmt.Add(r, &out);
      fmt.End(&out);
      out += std::to_string(found.size()) + " command(s) would be forgotten (dry run: nothing changed)\n";
    }
    ForgetMark pending{store->head() + 1, NowNs(), {}};
    for (const auto& r : found) pending.targets.push_back(r.seq);
    std::sort(pending.targets.begin(), pending.targets.end());
    std::vector<Holder> holders;
    TB_RETURN_IF_ERROR(FindHolders(ctx, *store, &pending, &holders));
    if (!holders.empty()) {
      out += (purge ? "--purge-backups would delete " + Count(holders) + " that hold forgotten commands:\n"
                    : Count(holders) + " would still hold forgotten commands:\n") +
             Lines(holders) + (purge ? "" : hint);
    } else if (purge) {
      out += "no backup or snapshot holds forgotten commands\n";
    }
    WriteOut(out);
    return Status::OK();
  }
  std::string out;
  if (found.empty() && !only_backups) {
    out = pending > 0 ? "finished purging " + std::to_string(pending) +
                            " command(s) forgotten by an interrupted tb forget; nothing else matched\n"
                      : "nothing to forget: 0 commands matched\n";
  }
  std::vector<Holder> holders;
  bool holders_found = false;  // FindHolders ran on the store as it is now
  if (found.empty() && purge) {
    // Only copies of earlier forgets to delete: ask about those.
    TB_RETURN_IF_ERROR(FindHolders(ctx, *store, nullptr, &holders));
    holders_found = true;
    if (holders.empty()) {
      WriteOut(out + "no backup or snapshot holds forgotten commands\n");
      return Status::OK();
    }
    if (!yes && !can_ask) {
      return Status::InvalidArgument(Count(holders) + " hold forgotten commands; add --yes to delete them (tb forget "
                                     "--purge-backups), or --dry-run to list them");
    }
  }
  if (!yes && !found.empty() && !can_ask) {
    return Status::InvalidArgument(std::to_string(found.size()) +
                                   " command(s) match; add --yes to forget them (tb forget), or --dry-run to list them");
  }
  if (!yes && (!found.empty() || purge)) {
    std::string what = found.empty() ? "delete the backups and snapshots that hold forgotten commands"
                                     : "forget " + std::to_string(found.size()) + " command(s) permanently" +
                                           (purge ? " and delete the backups and snapshots that hold them" : "");
    std::fprintf(stderr, "tb: %s? [y/N] ", what.c_str());
    char answer[16] = {};
    if (std::fgets(answer, sizeof answer, stdin) == nullptr || (answer[0] != 'y' && answer[0] != 'Y')) {
      WriteOut("nothing forgotten\n");
      return Status::OK();
    }
  }
  if (!found.empty()) {
    std::vector<uint64_t> targets;
    for (const auto& r : found) targets.push_back(r.seq);
    found.clear();
    TB_RETURN_IF_ERROR(ForgetSeqs(ctx, targets, &store));
    out = "forgot " + std::to_string(targets.size()) + " command(s); their bytes were purged from the data dir\n";
  }
  if (!holders_found) TB_RETURN_IF_ERROR(FindHolders(ctx, *store, nullptr, &holders));
  if (purge) {
    std::string purged = "no backup or snapshot holds forgotten commands\n";
    if (!holders.empty()) {
      WriteOut(out);
      out.clear();
      TB_RETURN_IF_ERROR(PurgeHolders(ctx, *store, holders, &purged));
    }
    out += purged;
  } else if (!holders.empty()) {
    out += Count(holders) + " still hold forgotten commands:\n" + Lines(holders) + hint;
  }
  store.reset();
  WriteOut(out);
  return Status::OK();
}

}  // namespace tb
