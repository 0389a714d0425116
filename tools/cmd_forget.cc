// tb forget ID... | tb forget --match QUERY [--dry-run] [--yes] [--purge-backups]
// tb forget --purge-backups [--dry-run] [--yes]
//
// Parses, asks and prints; what is forgotten, which backups and snapshots
// still hold forgotten commands and their deletion are the Forgetter's
// (storage/forgetter.h). A forget interrupted during the purge is finished
// by the next command that opens the store; when that is the same forget
// again, it says so. --purge-backups deletes the copies and records a
// "forget.purge_backups" AdminAction. Deleting is deliberate: rewriting a
// backup without the records would mean restoring, forgetting and
// re-backing it up, with more ways to lose data than to protect it.
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/format.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "storage/admin.h"
#include "storage/forgetter.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/search_backend.h"

namespace tb {
namespace {

std::string Count(const std::vector<ForgetCopy>& cs) {
  size_t b = static_cast<size_t>(std::count_if(cs.begin(), cs.end(), [](const ForgetCopy& c) { return c.backup; }));
  return std::to_string(b) + " backup(s) and " + std::to_string(cs.size() - b) + " snapshot(s)";
}

std::string Lines(const std::vector<ForgetCopy>& cs) {
  std::string out;
  for (const auto& c : cs) {
    out += c.backup ? "  backup " + std::to_string(c.id) : "  snapshot " + c.name;
    out += "  " + FormatLocalTime(c.time_ns) + (c.note.empty() ? "" : "  " + ToValidUtf8(c.note)) + "\n";
  }
  return out;
}

const char* const kNoCopies = "no backup or snapshot holds forgotten commands\n";
const char* const kHint = "rerun with --purge-backups to delete them\n";

ForgetterOptions Where(const Context& ctx) { return ForgetterOptions{ctx.data_dir, BackupDir(ctx)}; }

// Deletes the copies and audits it. Returns what to print.
Status DeleteCopies(const Context& ctx, Forgetter& f, const std::vector<ForgetCopy>& cs, std::string* out) {
  std::vector<uint32_t> ids;
  std::vector<std::string> names;
  for (const auto& c : cs) c.backup ? ids.push_back(c.id) : names.push_back(c.name);
  nlohmann::ordered_json detail{{"dir", BackupDir(ctx)}, {"backups", ids}, {"snapshots", names}};
  TB_RETURN_IF_ERROR(
      f.DeleteCopies(cs, AuditEvent(ctx, "forget.purge_backups",
                                    detail.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace))));
  *out = "deleted " + Count(cs) + " that held forgotten commands:\n" + Lines(cs);
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
  return Forgetter(**store, Where(ctx)).Forget(&ev);
}

namespace {

// The records whose purge an interrupted forget left pending (0 when none
// or no store yet). Peeked read-only: the writable open that follows
// finishes the purge before anything can be asked of it.
Status PendingPurgeRecords(Context& ctx, uint64_t* records) {
  *records = 0;
  std::unique_ptr<Store> store;
  Status s = ctx.OpenStoreToRead(&store, /*drain=*/false);
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  PendingPurge p;
  TB_RETURN_IF_ERROR(FindPendingPurge(*store, &p));
  *records = p.records;
  return Status::OK();
}

// What the command line asks for.
struct ForgetRequest {
  std::vector<std::string> ids;
  std::string match;
  bool by_match = false, purge = false, only_backups = false, dry = false, yes = false;
  bool can_ask = false;  // stderr and stdin are terminals
  // Without --yes and without a terminal to ask on, nothing will change:
  // open like a dry run, so a refusal leaves every file as it was.
  bool read_only() const { return dry || (!yes && !can_ask); }
};

Status ParseForget(const Context& ctx, const Argv& args, ForgetRequest* r, bool* help) {
  Args a("forget",
         "forget ID... | forget --match QUERY [--dry-run] [--yes] [--purge-backups] | "
         "forget --purge-backups [--dry-run] [--yes]");
  a.opts().add_options()("match", po::value<std::string>()->value_name("QUERY"),
                         "forget every command containing QUERY (case-insensitive)")(
      "dry-run", "list what would be forgotten (and the backups and snapshots holding it); change nothing")(
      "yes", "do not ask (required when stdin is not a terminal)")(
      "purge-backups",
      "also delete the backups and snapshots that still hold forgotten commands (this or earlier forgets)");
  a.Positional("id", /*many=*/true);
  TB_RETURN_IF_ERROR(a.Parse(args, help));
  if (*help) return WriteOut(a.HelpText()), Status::OK();
  if (a.Has("id")) r->ids = a.Strs("id");
  r->by_match = a.Has("match");
  if (r->by_match) r->match = a.Str("match");
  r->purge = a.Has("purge-backups");
  r->only_backups = r->ids.empty() && !r->by_match && r->purge;
  if (!r->only_backups && r->ids.empty() == !r->by_match) {
    return Status::InvalidArgument(
        "give either IDs or --match QUERY, or --purge-backups alone (tb forget). Run 'tb help forget'");
  }
  if (r->by_match && r->match.empty()) return Status::InvalidArgument("--match QUERY is empty (tb forget)");
  r->dry = a.Has("dry-run");
  r->yes = a.Has("yes");
  r->can_ask = ctx.stderr_tty && isatty(0);
  return Status::OK();
}

// --dry-run: what would be forgotten and which copies would hold it.
Status PrintDryRun(const Forgetter& f, const ForgetRequest& r, const std::vector<HistoryRecord>& found) {
  std::string out;
  if (!r.only_backups) {
    RecordFormatter fmt(OutputFormat::kTable, FormatOptions{});
    fmt.Begin(&out);
    for (const auto& rec : found) fmt.Add(rec, &out);
    fmt.End(&out);
    out += std::to_string(found.size()) + " command(s) would be forgotten (dry run: nothing changed)\n";
  }
  std::vector<uint64_t> pending;
  for (const auto& rec : found) pending.push_back(rec.seq);
  std::vector<ForgetCopy> copies;
  TB_RETURN_IF_ERROR(f.FindCopies(pending, NowNs(), &copies));
  if (!copies.empty()) {
    out += (r.purge ? "--purge-backups would delete " + Count(copies) + " that hold forgotten commands:\n"
                    : Count(copies) + " would still hold forgotten commands:\n") +
           Lines(copies) + (r.purge ? "" : kHint);
  } else if (r.purge) {
    out += kNoCopies;
  }
  WriteOut(out);
  return Status::OK();
}

// Asks before anything changes (or refuses without a terminal); *go is
// false when the user said no. `copies` is known only when nothing matched.
Status Confirm(const ForgetRequest& r, size_t found, const std::vector<ForgetCopy>& copies, bool* go) {
  *go = true;
  if (r.yes) return Status::OK();
  if (found == 0 && r.purge && !r.can_ask) {
    return Status::InvalidArgument(Count(copies) +
                                   " hold forgotten commands; add --yes to delete them (tb forget "
                                   "--purge-backups), or --dry-run to list them");
  }
  if (found > 0 && !r.can_ask) {
    return Status::InvalidArgument(
        std::to_string(found) + " command(s) match; add --yes to forget them (tb forget), or --dry-run to list them");
  }
  if (found == 0 && !r.purge) return Status::OK();
  std::string what = found == 0 ? "delete the backups and snapshots that hold forgotten commands"
                                : "forget " + std::to_string(found) + " command(s) permanently" +
                                      (r.purge ? " and delete the backups and snapshots that hold them" : "");
  std::fprintf(stderr, "tb: %s? [y/N] ", what.c_str());
  char answer[16] = {};
  *go = std::fgets(answer, sizeof answer, stdin) != nullptr && (answer[0] == 'y' || answer[0] == 'Y');
  if (!*go) WriteOut("nothing forgotten\n");
  return Status::OK();
}

// After the forget (if any): deletes the copies with --purge-backups, else
// lists them (`known`: *copies is already the list). *out is what to print.
Status FinishCopies(const Context& ctx, Forgetter& f, const ForgetRequest& r, std::vector<ForgetCopy>* copies,
                    bool known, std::string* out) {
  if (!known) TB_RETURN_IF_ERROR(f.FindCopies({}, 0, copies));
  if (r.purge) {
    std::string purged = kNoCopies;
    if (!copies->empty()) {
      WriteOut(*out);
      out->clear();
      TB_RETURN_IF_ERROR(DeleteCopies(ctx, f, *copies, &purged));
    }
    *out += purged;
  } else if (!copies->empty()) {
    *out += Count(*copies) + " still hold forgotten commands:\n" + Lines(*copies) + kHint;
  }
  return Status::OK();
}

}  // namespace

Status CmdForget(Context& ctx, const Argv& args) {
  ForgetRequest r;
  bool help = false;
  TB_RETURN_IF_ERROR(ParseForget(ctx, args, &r, &help));
  if (help) return Status::OK();
  uint64_t pending = 0;
  if (!r.read_only() && !r.only_backups) TB_RETURN_IF_ERROR(PendingPurgeRecords(ctx, &pending));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(r.read_only() ? ctx.OpenStoreToRead(&store) : ctx.OpenStore(&store));
  Forgetter f(*store, Where(ctx));
  std::vector<HistoryRecord> found;
  TB_RETURN_IF_ERROR(r.by_match ? f.ResolveMatch(r.match, &found) : f.ResolveIds(r.ids, &found));
  if (r.dry) return PrintDryRun(f, r, found);
  std::string out;
  if (found.empty() && !r.only_backups) {
    out = pending > 0 ? "finished purging " + std::to_string(pending) +
                            " command(s) forgotten by an interrupted tb forget; nothing else matched\n"
                      : "nothing to forget: 0 commands matched\n";
  }
  std::vector<ForgetCopy> copies;
  const bool known = found.empty() && r.purge;  // only copies of earlier forgets: ask about those
  if (known) {
    TB_RETURN_IF_ERROR(f.FindCopies({}, 0, &copies));
    if (copies.empty()) return WriteOut(out + kNoCopies), Status::OK();
  }
  bool go = true;
  TB_RETURN_IF_ERROR(Confirm(r, found.size(), copies, &go));
  if (!go) return Status::OK();
  if (!found.empty()) {
    std::vector<uint64_t> targets;
    for (const auto& rec : found) targets.push_back(rec.seq);
    TB_RETURN_IF_ERROR(ForgetSeqs(ctx, targets, &store));
    out = "forgot " + std::to_string(targets.size()) + " command(s); their bytes were purged from the data dir\n";
  }
  TB_RETURN_IF_ERROR(FinishCopies(ctx, f, r, &copies, known, &out));
  store.reset();  // closed before the last line is printed
  WriteOut(out);
  return Status::OK();
}

}  // namespace tb
