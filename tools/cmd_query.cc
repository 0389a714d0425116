// tb history / tb search: filtered listings in every output format.
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/format.h"
#include "core/history_query.h"
#include "tools/args.h"
#include "tools/commands.h"

namespace tb {
namespace {

FormatOptions TerminalOptions(const Context& ctx) {
  FormatOptions o;
  o.home_dir = ctx.Env("HOME");
  if (ctx.stdout_tty) {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) o.terminal_width = ws.ws_col;
    o.color = ctx.Env("NO_COLOR").empty() && ctx.Env("TERM") != "dumb";
  }
  return o;
}

// Runs the query and streams the records to stdout in `format`.
Status Print(Context& ctx, const HistoryFilter& f, OutputFormat format) {
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(StoreOptions::Access::kReadPreferred, &store));
  RecordFormatter fmt(format, TerminalOptions(ctx));
  std::string buf;
  fmt.Begin(&buf);
  bool open = true;
  Status s = QueryHistory(store->reader(), f, [&](const HistoryRecord& r) {
    fmt.Add(r, &buf);
    if (buf.size() > (256 << 10)) {
      open = WriteOut(buf);
      buf.clear();
    }
    return open;  // the reader went away (e.g. `| head`): stop quietly
  });
  TB_RETURN_IF_ERROR(s);
  if (!open) return Status::OK();
  fmt.End(&buf);
  WriteOut(buf);
  return Status::OK();
}

Status Run(Context& ctx, const Argv& args, bool search) {
  Args a(search ? "search" : "history",
         search ? "search QUERY... [filters] [--format F]" : "history [filters] [--format F]");
  AddFilterOptions(a.opts());
  AddFormatOption(a.opts(), "table");
  if (search) a.Positional("query", /*many=*/true);
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  HistoryFilter f;
  TB_RETURN_IF_ERROR(FilterFromArgs(a, NowNs(), &f));
  OutputFormat format;
  TB_RETURN_IF_ERROR(ParseOutputFormat(a.Str("format"), &format).WithContext("--format"));
  if (search) {
    std::string q;
    for (const auto& w : a.Strs("query")) q += (q.empty() ? "" : " ") + w;
    if (q.empty()) return Status::InvalidArgument("missing QUERY (tb search). Run 'tb help search'");
    f.text = q;
  }
  return Print(ctx, f, format);
}

}  // namespace

Status CmdHistory(Context& ctx, const Argv& args) { return Run(ctx, args, false); }
Status CmdSearch(Context& ctx, const Argv& args) { return Run(ctx, args, true); }

}  // namespace tb
