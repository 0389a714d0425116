// tb search: the query language, modes, scopes and ranking of
// core/search/search.h, answered from the search index (storage/search_cache.h).
#include <cstdio>

#include "core/format.h"
#include "core/search/search.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/record_printer.h"
#include "tools/search_backend.h"
#include "tools/search_request.h"

namespace tb {

Status CmdSearch(Context& ctx, const Argv& args) {
  for (const auto& arg : args) {
    if (arg == "--") break;
    if (arg == "-i" || arg == "--interactive") return CmdSearchInteractive(ctx, args);
  }
  Args a("search", "search QUERY... [--mode M] [--rank R] [--unique] [--workspace] [filters] [--format F] | search -i [QUERY]");
  AddFilterOptions(a.opts());
  AddSearchOptions(a.opts());
  AddFormatOption(a.opts(), "table");
  a.Positional("query", /*many=*/true);
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  SearchRequest req;
  TB_RETURN_IF_ERROR(SearchRequestFromArgs(ctx, a, &req));
  if (req.query.empty()) return Status::InvalidArgument("missing QUERY (tb search). Run 'tb help search'");
  OutputFormat format;
  TB_RETURN_IF_ERROR(ParseOutputFormat(a.Str("format"), &format).WithContext("--format"));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(StoreOptions::Access::kReadPreferred, &store));
  SearchResult res;
  TB_RETURN_IF_ERROR(SearchWithIndex(*store, req, &res).WithContext("tb search"));
  if (res.deadline_exceeded) {
    std::fprintf(stderr, "tb: warning: search stopped at its deadline (search.deadline_ms = %lld); results are partial\n",
                 static_cast<long long>(ctx.config.search.deadline_ms));
  }
  RecordPrinter out(ctx, format);
  for (const auto& h : res.hits)
    if (!out.Add(h.record)) return Status::OK();
  out.Finish();
  return Status::OK();
}

}  // namespace tb
