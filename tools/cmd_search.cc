// tb search: the query language, modes, scopes and ranking of
// core/search/search.h, answered from the search index (storage/search_cache.h).
#include <cstdio>

#include "core/format.h"
#include "core/search/matcher.h"
#include "core/search/search.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/record_printer.h"
#include "tools/search_backend.h"
#include "tools/search_request.h"

namespace tb {
namespace {

// After the options in `tb search --help` (the language is
// core/search/search.h's; keep the two in step).
constexpr const char* kQueryHelp = R"(
Query (substring mode, the default; quote it for the shell):
  docker compose   every word must match, in any order (AND)
  docker | podman  either word: '|' is OR between spaces ('a|b' is one word)
  ^git             starts with git
  .tar.gz$         ends with .tar.gz
  ^make$           the whole command is make
  'ls              contains ls (an exact substring, also in fuzzy mode)
  !sudo            does not contain sudo (also !^word, !word$)
  git\ st          a literal space inside a word
  Smart case: a query in lowercase ignores case; any uppercase letter makes
  it case-sensitive. No query: every command, newest first, as tb history.

Modes (--mode; default: search.mode in the config):
  substring  the words and operators above
  fuzzy      as substring, but a plain word matches its letters in order
             (gco finds git checkout); best match first, then frecency
  prefix     the command starts with the whole query
  exact      the command is the whole query, case included
  regex      the query is an RE2 regular expression (partial match)

Examples:
  tb search docker --cwd .
  tb search '^git !push' -u --workspace
  tb search 'make | ninja' --failed --since yesterday
  tb search --mode fuzzy gco --rank frecency
  tb search --mode exact 'git status' -n 1 --format json
  tb search -i                     interactive (Ctrl-R in a shell with tb init)
)";

// The shell hook records a line as it starts, so `tb search X` typed at
// the prompt is in the history, running, before it searches: left out, as
// atuin leaves out its own running command. It is this session's newest
// record, still running, and names the subcommand and every query word
// (the hook records the line as typed, quotes included, so whole words are
// compared, not the joined query).
std::optional<SearchRequest::Self> OwnCommandLine(const Context& ctx, const std::vector<std::string>& query) {
  std::string session = ctx.Env("TERMBRAIN_SESSION");
  if (session.empty()) return std::nullopt;
  SearchRequest::Self self{session, {"search"}};
  for (const auto& arg : query) {
    size_t i = 0;
    while (i < arg.size()) {
      size_t j = arg.find_first_of(" \t", i);
      if (j == std::string::npos) j = arg.size();
      if (j > i) self.words.push_back(arg.substr(i, j - i));
      i = j + 1;
    }
  }
  return self;
}

}  // namespace

Status CmdSearch(Context& ctx, const Argv& args) {
  for (const auto& arg : args) {
    if (arg == "--") break;
    if (arg == "-i" || arg == "--interactive") return CmdSearchInteractive(ctx, args);
  }
  Args a("search",
         "search [QUERY...] [--mode M] [--rank R] [--unique] [--workspace] [filters] [--format F] | search -i [QUERY]");
  AddFilterOptions(a.opts());
  AddSearchOptions(a);
  AddFormatOption(a, "table");
  a.Positional("query", /*many=*/true);
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText() + kQueryHelp), Status::OK();
  SearchRequest req;
  TB_RETURN_IF_ERROR(SearchRequestFromArgs(ctx, a, &req));
  req.exclude_self = OwnCommandLine(ctx, a.Strs("query"));
  OutputFormat format;
  TB_RETURN_IF_ERROR(ParseOutputFormat(a.Str("format"), &format).WithContext("--format"));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStoreToRead(&store));
  SearchResult res;
  TB_RETURN_IF_ERROR(SearchWithIndex(*store, req, &res).WithContext("tb search"));
  if (res.deadline_exceeded) {
    std::fprintf(stderr,
                 "tb: warning: search stopped at its deadline (search.deadline_ms = %lld); results are partial\n",
                 static_cast<long long>(ctx.config.search.deadline_ms));
  }
  // `docker|make` is one word (a glued `|` is a shell pipe people search
  // for, as in fzf, whose syntax atuin and we follow); reading it as OR
  // only when the literal finds nothing would make the meaning of a query
  // depend on the data. So the literal stays, and when it finds nothing a
  // hint on stderr (stdout stays exact for scripts) shows the spaced form.
  if (res.hits.empty() && (req.mode == SearchMode::kSubstring || req.mode == SearchMode::kFuzzy)) {
    std::string spaced = SpacedOrQuery(req.query);
    if (!spaced.empty()) {
      std::fprintf(stderr, "tb: hint: no match for '%s'; '|' means OR only between spaces: tb search '%s'\n",
                   req.query.c_str(), spaced.c_str());
    }
  }
  RecordPrinter out(ctx, format);
  for (const auto& h : res.hits)
    if (!out.Add(h.record)) return Status::OK();
  out.Finish();
  return Status::OK();
}

}  // namespace tb
