// tb workflow create|list|show|run|delete|suggest: named command lists
// stored as WorkflowSaved / WorkflowDeleted events (core/analytics/workflows.h).
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/analytics/outcomes.h"
#include "core/analytics/patterns.h"
#include "core/analytics/suggest.h"
#include "core/analytics/workflows.h"
#include "core/history_query.h"
#include "core/record_policy.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/search_request.h"

namespace tb {
namespace {

using Json = nlohmann::ordered_json;

Status NeedName(const Args& a, std::string* name) {
  if (!a.Has("name"))
    return Status::InvalidArgument("missing NAME (tb " + a.cmd() + "). Run 'tb help " + a.cmd() + "'");
  *name = a.Str("name");
  return ValidateWorkflowName(*name).WithContext("tb " + a.cmd());
}

Status AppendEvent(Context& ctx, Event ev) {
  ev.time_ns = ev.time_ns != 0 ? ev.time_ns : NowNs();
  ev.host = HostName();
  ev.user = ctx.UserName();
  if (ev.session.empty()) ev.session = ctx.Env("TERMBRAIN_SESSION");
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  return store->Append(std::span<Event>(&ev, 1), /*sync=*/true);
}

// The saved workflow `name` (NotFound when there is none); the store is
// closed on return.
Status LoadWorkflow(Context& ctx, const std::string& name, Workflow* w) {
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStoreToRead(&store));
  return GetWorkflow(store->reader(), name, w);
}

Status StepsFromHistory(Context& ctx, const StepsQuery& q, std::vector<std::string>* steps) {
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStoreToRead(&store));
  return StepsFromHistory(store->reader(), q, steps);
}

// Runs one step with `shell -c step` in the current directory.
int RunStep(const std::string& shell, const std::string& step) {
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    ::execl(shell.c_str(), shell.c_str(), "-c", step.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// Records a step like `tb record` would.
Status RecordStep(Context& ctx, const std::string& step, const std::string& cwd, const std::string& shell,
                  int64_t start_ns, int64_t duration_ns, int exit) {
  Event ev;
  ev.kind = EventKind::kRecorded;
  ev.command = step;
  ev.cwd = cwd;
  ev.exit_code = exit;
  ev.duration_ns = duration_ns;
  ev.time_ns = start_ns;
  ev.shell = std::filesystem::path(shell).filename().string();
  std::unique_ptr<RecordPolicy> policy;
  TB_RETURN_IF_ERROR(RecordPolicy::Create(ctx.config, &policy));
  policy->Prepare(&ev);
  return AppendEvent(ctx, std::move(ev));
}

// Single-quoted for a POSIX shell unless it needs no quoting.
std::string ShellQuote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./=:@,+%") ==
                        std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string StepsText(const Workflow& w) {
  std::string out;
  for (size_t i = 0; i < w.steps.size(); ++i) {
    out += std::to_string(i + 1) + "  " + EscapeForTerminal(w.steps[i]) + "\n";
  }
  return out;
}

}  // namespace

Status CmdWorkflowCreate(Context& ctx, const Argv& all) {
  Args a("workflow create",
         "workflow create NAME (--from-last N | --from-session ID | -- CMD...) [--keep-failed] [--force]");
  a.Positional("name");
  a.opts().add_options()(
      "from-last", po::value<std::string>()->value_name("N"),
      "the last N commands of this session ($TERMBRAIN_SESSION; else of the history), failed ones skipped")(
      "from-session", po::value<std::string>()->value_name("ID"), "every command of session ID, failed ones skipped")(
      "keep-failed", "keep the commands that failed (non-zero exit) as steps too")(
      "force", "replace a workflow of the same name");
  // Everything after "--" is a step, one argument each.
  auto dash = std::find(all.begin(), all.end(), "--");
  Argv args(all.begin(), dash);
  std::vector<std::string> steps(dash == all.end() ? all.end() : dash + 1, all.end());
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::string name;
  TB_RETURN_IF_ERROR(NeedName(a, &name));
  int sources = (a.Has("from-last") ? 1 : 0) + (a.Has("from-session") ? 1 : 0) + (dash != all.end() ? 1 : 0);
  if (sources != 1) {
    return Status::InvalidArgument(
        "give exactly one of --from-last N, --from-session ID or -- CMD... (tb workflow create)");
  }
  StepsQuery q;
  q.keep_failed = a.Has("keep-failed");
  if (a.Has("from-last")) {
    std::optional<int64_t> n;
    TB_RETURN_IF_ERROR(a.Int("from-last", 1, 1000, &n));
    q.session = ctx.Env("TERMBRAIN_SESSION");
    q.last = static_cast<size_t>(*n);
    TB_RETURN_IF_ERROR(StepsFromHistory(ctx, q, &steps));
  } else if (a.Has("from-session")) {
    if (a.Str("from-session").empty()) return Status::InvalidArgument("--from-session is empty (tb workflow create)");
    q.session = a.Str("from-session");
    TB_RETURN_IF_ERROR(StepsFromHistory(ctx, q, &steps));
  }
  std::erase_if(steps, [](const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; });
  if (steps.empty()) return Status::InvalidArgument("workflow '" + name + "' would have no steps (tb workflow create)");
  if (!a.Has("force")) {
    Workflow w;
    Status s = LoadWorkflow(ctx, name, &w);
    if (s.ok()) {
      return Status::InvalidArgument("workflow '" + name + "' exists. Use --force to replace it");
    }
    if (!s.IsNotFound()) return s;
  }
  Event ev;
  ev.kind = EventKind::kWorkflowSaved;
  ev.name = name;
  ev.steps = steps;
  TB_RETURN_IF_ERROR(AppendEvent(ctx, std::move(ev)));
  return WriteOut("saved workflow '" + name + "' (" + std::to_string(steps.size()) + " step" +
                  (steps.size() == 1 ? "" : "s") + ")\n"),
         Status::OK();
}

Status CmdWorkflowList(Context& ctx, const Argv& args) {
  Args a("workflow list", "workflow list [--format table|json]");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  std::vector<Workflow> list;
  TB_RETURN_IF_ERROR(ListWorkflows(store->reader(), &list));
  if (json) {
    Json j = Json::array();
    for (const auto& w : list) {
      Json steps = Json::array();
      for (const auto& s : w.steps) steps.push_back(ToValidUtf8(s));
      j.push_back({{"name", w.name}, {"steps", steps}, {"saved_at", FormatRfc3339Millis(w.saved_ns)}});
    }
    return WriteOut(JsonText(j)), Status::OK();
  }
  if (list.empty()) return WriteOut("no workflows yet: tb workflow create NAME -- CMD...\n"), Status::OK();
  std::string out = "NAME                  STEPS  SAVED\n";
  for (const auto& w : list) {
    std::string name = w.name;
    if (name.size() < 20) name.resize(20, ' ');
    std::string steps = std::to_string(w.steps.size());
    out += name + "  " + std::string(steps.size() < 5 ? 5 - steps.size() : 0, ' ') + steps + "  " +
           FormatLocalTime(w.saved_ns) + "\n";
  }
  return WriteOut(out), Status::OK();
}

Status CmdWorkflowShow(Context& ctx, const Argv& args) {
  Args a("workflow show", "workflow show NAME [--format table|json]");
  a.Positional("name");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::string name;
  TB_RETURN_IF_ERROR(NeedName(a, &name));
  Workflow w;
  TB_RETURN_IF_ERROR(LoadWorkflow(ctx, name, &w));
  if (json) {
    Json steps = Json::array();
    for (const auto& s : w.steps) steps.push_back(ToValidUtf8(s));
    return WriteOut(JsonText({{"name", w.name}, {"steps", steps}, {"saved_at", FormatRfc3339Millis(w.saved_ns)}})),
           Status::OK();
  }
  return WriteOut("workflow " + w.name + " (" + std::to_string(w.steps.size()) + " steps, saved " +
                  FormatLocalTime(w.saved_ns) + ")\n" + StepsText(w)),
         Status::OK();
}

Status CmdWorkflowRun(Context& ctx, const Argv& args) {
  Args a("workflow run", "workflow run NAME [--dry-run] [--yes]");
  a.Positional("name");
  a.opts().add_options()("dry-run", "print the steps without running them")("yes,y", "run without asking");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::string name;
  TB_RETURN_IF_ERROR(NeedName(a, &name));
  Workflow w;
  TB_RETURN_IF_ERROR(LoadWorkflow(ctx, name, &w));  // closed: the steps may run tb themselves
  if (a.Has("dry-run")) return WriteOut(StepsText(w)), Status::OK();
  std::string cwd = CurrentDir(ctx);
  if (!a.Has("yes")) {
    if (!ctx.stderr_tty || !::isatty(STDIN_FILENO)) {
      return Status::InvalidArgument("add --yes to run workflow '" + name +
                                     "' without a terminal (tb workflow run), or --dry-run to see its steps");
    }
    std::fprintf(stderr, "%s", StepsText(w).c_str());
    std::fprintf(stderr, "tb: run these %zu step(s) in %s? [y/N] ", w.steps.size(), cwd.c_str());
    char answer[16] = {};
    if (std::fgets(answer, sizeof answer, stdin) == nullptr || (answer[0] != 'y' && answer[0] != 'Y')) {
      return WriteOut("nothing run\n"), Status::OK();
    }
  }
  std::string shell = ctx.Env("SHELL").empty() ? "/bin/sh" : ctx.Env("SHELL");
  for (size_t i = 0; i < w.steps.size(); ++i) {
    std::fprintf(stderr, "tb: [%zu/%zu] %s\n", i + 1, w.steps.size(), EscapeForTerminal(w.steps[i]).c_str());
    int64_t start = NowNs();
    auto t0 = std::chrono::steady_clock::now();
    int exit = RunStep(shell, w.steps[i]);
    int64_t dur = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    TB_RETURN_IF_ERROR(RecordStep(ctx, w.steps[i], cwd, shell, start, dur, exit));
    if (exit != 0) {
      return Status::IOError("workflow '" + name + "' stopped at step " + std::to_string(i + 1) + " of " +
                             std::to_string(w.steps.size()) + " (exit " + std::to_string(exit) +
                             "): " + EscapeForTerminal(w.steps[i]));
    }
  }
  return Status::OK();
}

Status CmdWorkflowDelete(Context& ctx, const Argv& args) {
  Args a("workflow delete", "workflow delete NAME");
  a.Positional("name");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::string name;
  TB_RETURN_IF_ERROR(NeedName(a, &name));
  Workflow w;
  TB_RETURN_IF_ERROR(LoadWorkflow(ctx, name, &w));  // NotFound: nothing to delete
  Event ev;
  ev.kind = EventKind::kWorkflowDeleted;
  ev.name = name;
  TB_RETURN_IF_ERROR(AppendEvent(ctx, std::move(ev)));
  return WriteOut("deleted workflow '" + name + "'\n"), Status::OK();
}

Status CmdWorkflowSuggest(Context& ctx, const Argv& args) {
  Args a("workflow suggest", "workflow suggest [--min-support N] [-n N] [--format table|json]");
  a.opts().add_options()("min-support", po::value<std::string>()->value_name("N"),
                         "only sequences seen at least N times (default 3)")(
      "limit,n", po::value<std::string>()->value_name("N"), "at most N proposals (default 5)");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  PatternQuery q;
  q.min_support = 3;
  q.min_confidence = 0.5;
  q.limit = 0;
  std::optional<int64_t> v;
  TB_RETURN_IF_ERROR(a.Int("min-support", 1, INT64_MAX, &v));
  if (v) q.min_support = static_cast<uint64_t>(*v);
  size_t limit = 5;
  TB_RETURN_IF_ERROR(a.Int("limit", 1, 1000, &v));
  if (v) limit = static_cast<size_t>(*v);
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  std::vector<Pattern> patterns;
  auto src = ViewCounters(store->reader());
  TB_RETURN_IF_ERROR(ListPatterns(*src, q, &patterns));
  TB_RETURN_IF_ERROR(DropFailingPatterns(*src, &patterns));
  // Longest first among the frequent ones; a pattern inside an already
  // proposed one adds nothing.
  std::stable_sort(patterns.begin(), patterns.end(),
                   [](const Pattern& x, const Pattern& y) { return x.templates.size() > y.templates.size(); });
  std::vector<Pattern> chosen;
  for (const auto& p : patterns) {
    bool inside = false;
    for (const auto& c : chosen) {
      inside |= std::search(c.templates.begin(), c.templates.end(), p.templates.begin(), p.templates.end()) !=
                c.templates.end();
    }
    if (!inside && chosen.size() < limit) chosen.push_back(p);
  }
  std::vector<std::string> tmpls;
  for (const auto& p : chosen) tmpls.insert(tmpls.end(), p.templates.begin(), p.templates.end());
  std::map<std::string, std::string> concrete;
  TB_RETURN_IF_ERROR(InstantiateTemplates(store->reader(), "", tmpls, &concrete));
  Json j = Json::array();
  std::string out;
  for (const auto& p : chosen) {
    std::vector<std::string> steps;
    for (const auto& t : p.templates) steps.push_back(concrete.count(t) ? concrete[t] : t);
    std::string cmdline = "tb workflow create NAME --";
    for (const auto& s : steps) cmdline += " " + ShellQuote(s);
    Json js = Json::array();
    for (const auto& s : steps) js.push_back(ToValidUtf8(s));
    j.push_back({{"pattern", ToValidUtf8(JoinPattern(p.templates))}, {"support", p.support}, {"steps", js}});
    out += JoinPattern(p.templates) + "  (" + std::to_string(p.support) + " times)\n  " + EscapeForTerminal(cmdline) +
           "\n";
  }
  if (json) return WriteOut(JsonText(j)), Status::OK();
  if (chosen.empty()) out = "no frequent sequences yet (support >= " + std::to_string(q.min_support) + ")\n";
  return WriteOut(out), Status::OK();
}

}  // namespace tb
