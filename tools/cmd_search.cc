// tb search: the query language, modes, scopes and ranking of
// core/search/search.h, answered from the search index (storage/search_cache.h).
#include <unistd.h>

#include <cstdio>

#include "core/format.h"
#include "core/search/search.h"
#include "core/timefmt.h"
#include "storage/search_cache.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/search_backend.h"
#include "tools/search_request.h"

namespace tb {
namespace {

Status PrintHits(Context& ctx, const SearchResult& res, OutputFormat format) {
  RecordFormatter fmt(format, TerminalFormatOptions(ctx));
  std::string buf;
  fmt.Begin(&buf);
  for (const auto& h : res.hits) {
    fmt.Add(h.record, &buf);
    if (buf.size() > (256 << 10)) {
      if (!WriteOut(buf)) return Status::OK();  // the reader went away (e.g. `| head`)
      buf.clear();
    }
  }
  fmt.End(&buf);
  WriteOut(buf);
  return Status::OK();
}

}  // namespace

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
  TB_RETURN_IF_ERROR(SearchWithIndex(ctx, *store, req, &res).WithContext("tb search"));
  if (res.deadline_exceeded) {
    std::fprintf(stderr, "tb: warning: search stopped at its deadline (search.deadline_ms = %lld); results are partial\n",
                 static_cast<long long>(ctx.config.search.deadline_ms));
  }
  return PrintHits(ctx, res, format);
}

}  // namespace tb
