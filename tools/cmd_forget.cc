// tb forget ID... | tb forget --match QUERY [--dry-run] [--yes]
//
// Appends one Forgotten event (seqs only: never the text or the query), so
// every view drops the records, then purges their log entries and compacts
// everything, and reopens the store (a fresh MANIFEST), so the bytes are
// gone from every file of the data dir.
#include <cstdio>

#include "core/format.h"
#include "core/history_query.h"
#include "core/keycode.h"
#include "core/views/ids_view.h"
#include "tools/args.h"
#include "tools/commands.h"

namespace tb {

Status CmdForget(Context& ctx, const Argv& args) {
  Args a("forget", "forget ID... | forget --match QUERY [--dry-run] [--yes]");
  a.opts().add_options()
      ("match", po::value<std::string>()->value_name("QUERY"), "forget every command containing QUERY (case-insensitive)")
      ("dry-run", "list what would be forgotten; change nothing")
      ("yes", "do not ask (required when stdin is not a terminal)");
  a.Positional("id", /*many=*/true);
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::vector<std::string> ids = a.Has("id") ? a.Strs("id") : std::vector<std::string>{};
  if (ids.empty() == !a.Has("match")) {
    return Status::InvalidArgument("give either IDs or --match QUERY (tb forget). Run 'tb help forget'");
  }
  if (a.Has("match") && a.Str("match").empty()) return Status::InvalidArgument("--match QUERY is empty (tb forget)");
  bool dry = a.Has("dry-run");
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(dry ? StoreOptions::Access::kReadPreferred : StoreOptions::Access::kReadWrite, &store));
  std::vector<HistoryRecord> found;
  if (a.Has("match")) {
    HistoryFilter f;
    f.text = a.Str("match");
    TB_RETURN_IF_ERROR(QueryHistory(store->reader(), f, [&](const HistoryRecord& r) {
      HistoryRecord light = r;
      found.push_back(std::move(light));
      return true;
    }));
  } else {
    for (const std::string& text : ids) {
      EventId id;
      if (!EventId::Parse(text, &id)) return Status::InvalidArgument("invalid id '" + text + "' (tb forget): expected <16 hex>-<number>");
      std::string v;
      Status s = store->reader().GetViewValue("ids", IdKey(id), &v);
      if (s.IsNotFound()) return Status::NotFound("no command with id " + text + " (tb forget)");
      TB_RETURN_IF_ERROR(s);
      std::string_view sv = v;
      uint64_t seq = 0;
      if (!GetVarint(&sv, &seq)) return Status::Corruption("view ids: malformed entry for " + text);
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
  if (dry) {
    RecordFormatter fmt(OutputFormat::kTable, FormatOptions{});
    std::string out;
    fmt.Begin(&out);
    for (const auto& r : found) fmt.Add(r, &out);
    fmt.End(&out);
    out += std::to_string(found.size()) + " command(s) would be forgotten (dry run: nothing changed)\n";
    WriteOut(out);
    return Status::OK();
  }
  if (found.empty()) {
    WriteOut("nothing to forget: 0 commands matched\n");
    return Status::OK();
  }
  if (!a.Has("yes")) {
    if (!ctx.stderr_tty || !isatty(0)) {
      return Status::InvalidArgument(std::to_string(found.size()) +
                                     " command(s) match; add --yes to forget them (tb forget), or --dry-run to list them");
    }
    std::fprintf(stderr, "tb: forget %zu command(s) permanently? [y/N] ", found.size());
    char answer[16] = {};
    if (std::fgets(answer, sizeof answer, stdin) == nullptr || (answer[0] != 'y' && answer[0] != 'Y')) {
      WriteOut("nothing forgotten\n");
      return Status::OK();
    }
  }
  Event ev;
  ev.kind = EventKind::kForgotten;
  ev.time_ns = NowNs();
  ev.host = HostName();
  ev.user = ctx.UserName();
  for (const auto& r : found) ev.targets.push_back(r.seq);
  std::vector<uint64_t> targets = ev.targets;
  found.clear();
  TB_RETURN_IF_ERROR(store->Append(std::span<Event>(&ev, 1), true));
  TB_RETURN_IF_ERROR(store->PurgeLogEntries(targets));
  // Reopening writes a fresh MANIFEST (the old one can hold SST boundary
  // keys, i.e. command text) and deletes the old one.
  store.reset();
  TB_RETURN_IF_ERROR(ctx.OpenStore(StoreOptions::Access::kReadWrite, &store));
  store.reset();
  WriteOut("forgot " + std::to_string(targets.size()) + " command(s); their bytes were purged from the data dir\n");
  return Status::OK();
}

}  // namespace tb
