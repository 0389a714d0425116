// tb search -i [QUERY...]: the interactive search (tools/tui/), as the
// shell bindings of `tb init` run it on Ctrl-R (docs/shell-integration.md,
// "Interactive search").
//
// Protocol (stdout is only the result; the UI draws on /dev/tty):
//   accepted   the command, then "\n"; with --action-line a first line
//              "run" (Enter with search.enter_runs) or "edit" (Enter
//              otherwise, Tab, Alt-1..9) comes before it; exit 0
//   cancelled  nothing on stdout, exit 0 (Esc, Ctrl-C, Ctrl-G); a signal
//              (SIGINT, SIGTERM...) restores the terminal, then kills tb
//              with that signal
//   error      "tb: error: ..." on stderr, exit 1 (no terminal, store
//              busy...) or 2 (bad option)
#include <signal.h>

#include "core/search/search.h"
#include "core/theme.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/search_backend.h"
#include "tools/search_request.h"
#include "tools/tui/backend.h"
#include "tools/workspace.h"

namespace tb {
namespace {

void AddOptions(Args& a) {
  a.opts().add_options()("interactive,i", "interactive search (this command)")(
      "shell-line", po::value<std::string>()->value_name("TEXT"),
      "the shell's current command line: the initial query unless QUERY is given")(
      "cwd", po::value<std::string>()->value_name("DIR"),
      "the current directory, for the directory and workspace scopes (default: $PWD)")(
      "scope", po::value<std::string>()->value_name("S"),
      "initial scope: global, host, session, directory or workspace (default: search.scope)")(
      "mode", po::value<std::string>()->value_name("M"),
      "initial mode: substring, prefix, fuzzy, regex or exact (default: search.mode)")(
      "rank", po::value<std::string>()->value_name("R"), "recent or frecency (default: search.rank)")(
      "height", po::value<std::string>()->value_name("N"),
      "lines under the prompt, 0 = full screen (default: search.inline_height)")(
      "action-line", "print 'run' or 'edit' on a line before the command (for shell bindings)");
  a.Positional("query", /*many=*/true);
}

Status FillOptions(const Context& ctx, const Args& a, InteractiveOptions* o) {
  const Config::Search& cfg = ctx.config.search;
  for (const auto& w : a.Strs("query")) o->query += (o->query.empty() ? "" : " ") + w;
  if (o->query.empty()) o->query = a.OptStr("shell-line").value_or("");
  TB_RETURN_IF_ERROR(ParseSearchScope(a.OptStr("scope").value_or(cfg.scope), &o->scope).WithContext("--scope"));
  TB_RETURN_IF_ERROR(ParseSearchMode(a.OptStr("mode").value_or(cfg.mode), &o->mode).WithContext("--mode"));
  TB_RETURN_IF_ERROR(ParseRankMode(a.OptStr("rank").value_or(cfg.rank), &o->rank).WithContext("--rank"));
  std::optional<int64_t> height;
  TB_RETURN_IF_ERROR(a.Int("height", 0, 1000, &height));
  o->inline_height = height ? static_cast<int>(*height) : cfg.inline_height;
  o->cwd = a.OptStr("cwd").value_or(CurrentDir(ctx));
  o->workspace = FindWorkspace(o->cwd).value_or("");
  o->host = HostName();
  o->session = ctx.Env("TERMBRAIN_SESSION");
  o->home = ctx.Env("HOME");
  o->enter_runs = cfg.enter_runs;
  o->deadline_ms = cfg.deadline_ms;
  o->term = ctx.Env("TERM");
  // The UI draws on the terminal it opens, never through a pipe.
  o->palette =
      ColorWanted(ctx.Env("NO_COLOR"), o->term, /*is_terminal=*/true) ? ResolvePalette(ctx.config.ui) : PlainPalette();
  return Status::OK();
}

}  // namespace

Status CmdSearchInteractive(Context& ctx, const Argv& args) {
  Args a("search -i", "search -i [QUERY...] [--shell-line TEXT] [--cwd DIR] [--scope S] [--mode M]");
  AddOptions(a);
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  InteractiveOptions o;
  TB_RETURN_IF_ERROR(FillOptions(ctx, a, &o));
  InteractiveOutcome outcome;
  {
    std::unique_ptr<IndexBackend> backend;
    TB_RETURN_IF_ERROR(IndexBackend::Open(ctx, &backend));  // drains the spool; holds no lock
    TB_RETURN_IF_ERROR(RunInteractive(o, *backend, &outcome));
  }
  if (outcome.signal != 0) {
    // The terminal is restored and the store closed: die as the signal asked.
    ::signal(outcome.signal, SIG_DFL);
    ::raise(outcome.signal);
    return Status::OK();
  }
  if (outcome.action == InteractiveOutcome::Action::kCancel) return Status::OK();
  std::string out;
  if (a.Has("action-line")) out = outcome.action == InteractiveOutcome::Action::kRun ? "run\n" : "edit\n";
  out += outcome.command + "\n";
  if (!WriteOut(out)) return Status::IOError("cannot write to standard output");
  return Status::OK();
}

}  // namespace tb
