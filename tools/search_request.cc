#include "tools/search_request.h"

#include "tools/commands.h"
#include "tools/workspace.h"

namespace tb {

void AddSearchOptions(Args& a) {
  a.opts().add_options()("mode", po::value<std::string>()->value_name("M"),
                         "substring (default), prefix, fuzzy, regex or exact")(
      "rank", po::value<std::string>()->value_name("R"), "recent (default: newest first) or frecency")(
      "unique,u", "one row per command text: its most recent use")(
      "workspace", "only commands run in the git work tree of the current directory (and below)");
  std::vector<std::string> modes, ranks;
  for (std::string_view m : SearchModeNames()) modes.emplace_back(m);
  for (std::string_view r : RankModeNames()) ranks.emplace_back(r);
  a.Choices("mode", std::move(modes));
  a.Choices("rank", std::move(ranks));
}

Status ResolveCurrentFilters(const Context& ctx, HistoryFilter* f) {
  if (f->session == "current") {
    std::string s = ctx.Env("TERMBRAIN_SESSION");
    if (s.empty())
      return Status::InvalidArgument(
          "--session current: this shell has no TermBrain session (TERMBRAIN_SESSION is not set). "
          "Run it in a shell with the integration (tb init), or give the session id");
    f->session = s;
  }
  if (f->host == "current") f->host = HostName();
  if (f->host == "all") f->host.reset();  // every machine's (the default; sync brings the others')
  return Status::OK();
}

Status SearchRequestFromArgs(Context& ctx, const Args& a, SearchRequest* req) {
  req->now_ns = NowNs();
  TB_RETURN_IF_ERROR(FilterFromArgs(a, req->now_ns, &req->filter));
  TB_RETURN_IF_ERROR(ResolveCurrentFilters(ctx, &req->filter));
  // Defaults from the configuration (validated when it was loaded).
  (void)ParseSearchMode(ctx.config.search.mode, &req->mode);
  (void)ParseRankMode(ctx.config.search.rank, &req->rank);
  if (auto m = a.OptStr("mode")) TB_RETURN_IF_ERROR(ParseSearchMode(*m, &req->mode).WithContext("--mode"));
  if (auto r = a.OptStr("rank")) TB_RETURN_IF_ERROR(ParseRankMode(*r, &req->rank).WithContext("--rank"));
  req->unique = a.Has("unique");
  req->current_cwd = CurrentDir(ctx);
  if (auto ws = FindWorkspace(req->current_cwd)) req->current_workspace = *ws;
  if (a.Has("workspace")) {
    if (req->current_workspace.empty())
      return Status::InvalidArgument("--workspace: " + req->current_cwd +
                                     " is not inside a git work tree. Run it from a repository, or use --cwd DIR");
    req->under_dir = req->current_workspace;
  }
  for (const auto& w : a.Strs("query")) req->query += (req->query.empty() ? "" : " ") + w;
  if (req->query.size() > kMaxQueryBytes) {
    return Status::InvalidArgument("the query is " + std::to_string(req->query.size()) + " bytes long; at most " +
                                   std::to_string(kMaxQueryBytes) + " are taken");
  }
  req->deadline_mono_ns = SearchDeadline(ctx.config.search.deadline_ms);
  return Status::OK();
}

}  // namespace tb
