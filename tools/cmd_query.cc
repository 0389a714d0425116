// tb history: filtered listings in every output format.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "core/format.h"
#include "core/history_query.h"
#include "core/timefmt.h"
#include "storage/admin.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/record_printer.h"
#include "tools/search_request.h"

namespace tb {
namespace {

// Removes a temporary directory when it goes out of scope.
struct TempDirGuard {
  std::string path;
  ~TempDirGuard() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

// `tb history --as-of T`: the store as it was at T, rebuilt by a replay of
// the log prefix up to T into a temporary store (the live one is only read).
Status OpenAsOf(Context& ctx, int64_t as_of_ns, TempDirGuard* tmp, std::unique_ptr<Store>* out) {
  std::string base = ctx.Env("TMPDIR").empty() ? "/tmp" : ctx.Env("TMPDIR");
  std::string tmpl = base + "/tb-as-of-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return Status::IOError("cannot create a temporary directory in " + base);
  tmp->path = buf.data();
  ReplayOptions o;
  o.from_data_dir = ctx.data_dir;
  o.until_time_ns = as_of_ns;
  o.into = tmp->path + "/store";
  o.store.block_cache_bytes = static_cast<uint64_t>(ctx.config.storage.block_cache_mb) << 20;
  o.store.write_buffer_bytes = static_cast<uint64_t>(ctx.config.storage.write_buffer_mb) << 20;
  ReplayStats st;
  TB_RETURN_IF_ERROR(Replay(o, &st).WithContext("--as-of"));
  StoreOptions so = o.store;
  so.data_dir = o.into;
  so.access = StoreOptions::Access::kReadWrite;
  return Store::Open(so, out);
}

// Runs the query and streams the records to stdout in `format`.
Status Print(Context& ctx, const HistoryFilter& f, OutputFormat format, std::optional<int64_t> as_of = {}) {
  std::unique_ptr<Store> store;
  TempDirGuard tmp;
  if (as_of) {
    TB_RETURN_IF_ERROR(OpenAsOf(ctx, *as_of, &tmp, &store));
  } else {
    TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  }
  RecordPrinter out(ctx, format);
  TB_RETURN_IF_ERROR(QueryHistory(store->reader(), f, [&](const HistoryRecord& r) { return out.Add(r); }));
  out.Finish();
  return Status::OK();
}

}  // namespace

Status CmdHistory(Context& ctx, const Argv& args) {
  Args a("history", "history [filters] [--as-of T] [--format F]");
  AddFilterOptions(a.opts());
  AddFormatOption(a, "table");
  a.opts().add_options()("as-of", po::value<std::string>()->value_name("T"),
                         "the history as it was at time T (replays the log up to T; the store is not changed)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  HistoryFilter f;
  TB_RETURN_IF_ERROR(FilterFromArgs(a, NowNs(), &f));
  TB_RETURN_IF_ERROR(ResolveCurrentFilters(ctx, &f));
  OutputFormat format;
  TB_RETURN_IF_ERROR(ParseOutputFormat(a.Str("format"), &format).WithContext("--format"));
  std::optional<int64_t> as_of;
  if (auto t = a.OptStr("as-of")) {
    int64_t ns;
    TB_RETURN_IF_ERROR(ParseTime(*t, NowNs(), &ns).WithContext("--as-of"));
    as_of = ns;
  }
  return Print(ctx, f, format, as_of);
}

}  // namespace tb
