// tb export [--format ndjson|json|csv|markdown] [-o FILE] [filters]
#include "core/export.h"
#include "core/history_query.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace tb {

Status CmdExport(Context& ctx, const Argv& args) {
  Args a("export", "export [--format ndjson|json|csv|markdown] [-o FILE] [filters]");
  AddFilterOptions(a.opts());
  a.opts().add_options()("format", po::value<std::string>()->default_value("ndjson")->value_name("F"),
                         "ndjson, json, csv or markdown")("output,o", po::value<std::string>()->value_name("FILE"),
                                                          "write to FILE atomically (default: stdout)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  HistoryFilter f;
  TB_RETURN_IF_ERROR(FilterFromArgs(a, NowNs(), &f));
  ExportFormat format;
  TB_RETURN_IF_ERROR(ParseExportFormat(a.Str("format"), &format).WithContext("--format"));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  AtomicFile file;
  bool to_file = a.Has("output");
  if (to_file) TB_RETURN_IF_ERROR(file.Open(a.Str("output")));
  ExportFormatter fmt(format);
  std::string buf;
  fmt.Begin(&buf);
  Status werr;
  bool open = true;
  auto flush = [&]() {
    if (to_file) {
      werr = file.Write(buf);
    } else {
      open = WriteOut(buf);
    }
    buf.clear();
    return werr.ok() && open;
  };
  TB_RETURN_IF_ERROR(QueryHistory(store->reader(), f, [&](const HistoryRecord& r) {
    fmt.Add(r, &buf);
    if (buf.size() > (256 << 10)) return flush();
    return true;
  }));
  TB_RETURN_IF_ERROR(werr);
  if (!open) return Status::OK();
  fmt.End(&buf);
  flush();
  TB_RETURN_IF_ERROR(werr);
  if (to_file) return file.Commit();
  return Status::OK();
}

}  // namespace tb
