#include "tools/cli.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <thread>

#include "core/config.h"
#include "core/data_key.h"
#include "core/profile.h"
#include "storage/at_rest.h"
#include "storage/data_dir.h"
#include "storage/disk_space.h"
#include "tools/command_docs.h"
#include "tools/context.h"
#include "tools/logging.h"
#include "tools/manpage.h"
#include "tools/plugins.h"
#include "tools/profile_report.h"
#include "tools/telemetry.h"
#include "tools/update_notice.h"

extern char** environ;

namespace tb {
namespace {

constexpr const char* kVersion = TB_VERSION;

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> FirstWords();

std::string HelpText() {
  std::string out = "tb " + std::string(kVersion) +
                    " - TermBrain, your terminal command memory\n\n"
                    "usage: tb [--data-dir DIR] [--config FILE] COMMAND [ARGS...]\n\ncommands:\n";
  size_t width = 0;  // the longest name and a space
  for (const auto& c : Commands()) width = std::max(width, std::string_view(c.name).size() + 1);
  for (const auto& c : Commands()) {
    std::string name = c.name;
    name.resize(width, ' ');
    out += "  " + name + c.summary + "\n";
  }
  out += "\nglobal options (before COMMAND):\n";
  for (const GlobalOption& g : GlobalOptions()) {
    std::string names = g.names;
    if (*g.value_name != '\0') names += std::string(" ") + g.value_name;
    names.resize(std::max<size_t>(names.size() + 1, 17), ' ');
    out += "  " + names + g.description + "\n";
  }
  const char* path = std::getenv("PATH");
  const std::vector<Plugin> plugins = FindPlugins(path != nullptr ? path : "", FirstWords());
  if (!plugins.empty()) {
    out += "\nplugins (tb-NAME on PATH; docs/plugins.md):\n";
    for (const Plugin& p : plugins) {
      std::string name = p.name;
      name.resize(std::max(width, name.size() + 1), ' ');
      out += "  " + name + p.path + "\n";
    }
  }
  out += "\nexit codes: 0 ok, 1 error, 2 usage, 3 data corruption or foreign store, 4 store busy\n";
  return out;
}

// Finds the command named by args (one to three words, the longest name
// first); *used = words consumed.
const CommandSpec* FindCommand(const std::vector<std::string>& args, size_t* used) {
  for (size_t n = std::min<size_t>(args.size(), 3); n >= 1; --n) {
    std::string name = args[0];
    for (size_t i = 1; i < n; ++i) name += " " + args[i];
    for (const auto& c : Commands()) {
      if (name == c.name) {
        *used = n;
        return &c;
      }
    }
  }
  return nullptr;
}

// "'tb log verify' or 'tb log dump'": the commands whose first word is
// `first` ("" when there are none).
std::string CommandsStartingWith(const std::string& first) {
  std::vector<std::string> names;
  for (const auto& c : Commands()) {
    std::string name = c.name;
    if (name.substr(0, name.find(' ')) == first) names.push_back("'tb " + name + "'");
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// "usage: tb backup SUBCOMMAND ..." and the group's commands with their
// summaries: the help of a word that only starts two-word commands.
std::string GroupHelpText(const std::string& group) {
  std::vector<const CommandSpec*> members;
  size_t width = 0;
  for (const auto& c : Commands()) {
    std::string_view name = c.name;
    if (!name.starts_with(group + " ")) continue;
    members.push_back(&c);
    width = std::max(width, name.size() + 1);
  }
  std::string out = "usage: tb " + group + " SUBCOMMAND [ARGS...]\n\ncommands:\n";
  for (const CommandSpec* c : members) {
    std::string name = c->name;
    name.resize(width, ' ');
    out += "  " + name + c->summary + "\n";
  }
  return out + "\n'tb help " + group + " SUBCOMMAND' for a command's options\n";
}

// What a first word can be: the commands' first words (each once), and the
// words Dispatch() answers itself.
std::vector<std::string> FirstWords() {
  std::vector<std::string> out;
  for (const auto& c : Commands()) {
    std::string first = std::string(c.name).substr(0, std::string(c.name).find(' '));
    if (std::find(out.begin(), out.end(), first) == out.end()) out.push_back(first);
  }
  out.push_back("help");
  out.push_back("version");
  return out;
}

// `args` named no command. Words like "log" only start two-word commands,
// so they get the list of those rather than "did you mean 'tb log'".
Status UnknownCommand(const std::vector<std::string>& args) {
  const std::string& word = args[0];
  const std::string kHelp = " Run 'tb help' for the list of commands";
  std::string group = CommandsStartingWith(word);
  if (!group.empty()) {
    if (args.size() < 2 || args[1].starts_with("-")) {
      return Status::InvalidArgument("'tb " + word + "' needs a subcommand: " + group + "." + kHelp);
    }
    std::string typed = word + " " + args[1];
    std::string best;
    size_t best_d = 3;
    for (const auto& c : Commands()) {
      std::string name = c.name;
      if (!name.starts_with(word + " ")) continue;
      size_t d = EditDistance(typed, name);
      if (d < best_d) {
        best_d = d;
        best = "'tb " + name + "'";
      }
    }
    if (best.empty()) {
      return Status::InvalidArgument("unknown command '" + typed + "': expected " + group + "." + kHelp);
    }
    return Status::InvalidArgument("unknown command '" + typed + "'. Did you mean " + best + "?" + kHelp);
  }
  // A prefix of exactly one command ("hist") is the surest guess; else the
  // closest name within two edits.
  const std::vector<std::string> words = FirstWords();
  std::string best;
  for (const auto& w : words) {
    if (word.empty() || !w.starts_with(word)) continue;
    if (!best.empty()) {
      best.clear();  // a prefix of several
      break;
    }
    best = w;
  }
  size_t best_d = best.empty() ? 3 : 0;
  for (const auto& w : words) {
    size_t d = EditDistance(word, w);
    if (d < best_d) {
      best_d = d;
      best = w;
    }
  }
  std::string msg = "unknown command '" + word + "'.";
  if (!best.empty()) {
    // A command of that name, else the group it starts ("tb log verify or ...").
    bool single = best == "help" || best == "version";
    for (const auto& c : Commands()) single |= best == c.name;
    msg += " Did you mean " + (single ? "'tb " + best + "'" : CommandsStartingWith(best)) + "?";
  }
  return Status::InvalidArgument(msg + kHelp);
}

// `tb ARGS...` as a shell would take it back: words with characters other
// than these are single-quoted.
std::string ShellLine(const std::vector<std::string>& args) {
  std::string out = "tb";
  for (const std::string& a : args) {
    out += ' ';
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789_./=:,+@%-") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

// A write that ran out of space part way (RocksDB's NoSpace, after the
// free-space check passed) is reported like the check's own refusal: one
// line saying how much is free and what to rerun. RocksDB's detail goes to
// the debug log.
Status ExplainNoSpace(const Context& ctx, const Status& s) {
  if (s.code() != Status::Code::kNoSpace || s.message().starts_with("disk full:")) return s;
  spdlog::debug("no space: {}", s.message());
  DiskSpace space;
  if (!FreeSpaceOf(ctx.data_dir, &space).ok()) space.mount = ctx.data_dir;
  return Status::NoSpace(DiskFullMessage(space, 0, "", ctx.command_line));
}

// tb help --man [NAME]: the names of the manual pages, one a line, or page
// NAME in roff (tools/manpage.h; the package build writes them with it).
Status WriteManPage(const std::vector<std::string>& args) {
  const std::vector<CommandDoc> docs = DescribeCommands();
  if (args.size() == 1) {
    std::string out;
    for (const std::string& name : ManPageNames(docs)) out += name + "\n";
    return WriteOut(out), Status::OK();
  }
  if (args.size() > 2) return Status::InvalidArgument("too many arguments (tb help --man NAME). Run 'tb help'");
  std::string page = ManPage(args[1], docs, kVersion);
  if (page.empty()) {
    return Status::InvalidArgument("no manual page '" + args[1] + "': 'tb help --man' lists them");
  }
  return WriteOut(page), Status::OK();
}

struct Globals {
  std::string data_dir;
  std::string config;
  bool help = false;
  bool version = false;
  bool profile = false;
};

// Consumes global flags before the subcommand.
Status ParseGlobals(std::vector<std::string>* args, Globals* g) {
  size_t i = 0;
  auto value = [&](const std::string& flag, std::string* out) -> Status {
    const std::string& a = (*args)[i];
    if (a.size() > flag.size() && a[flag.size()] == '=') {
      *out = a.substr(flag.size() + 1);
    } else if (i + 1 < args->size()) {
      *out = (*args)[++i];
    } else {
      return Status::InvalidArgument("option " + flag + " needs a value. Run 'tb help'");
    }
    if (out->empty()) return Status::InvalidArgument("option " + flag + " needs a non-empty value");
    return Status::OK();
  };
  for (; i < args->size(); ++i) {
    const std::string& a = (*args)[i];
    if (a == "--data-dir" || a.starts_with("--data-dir=")) {
      TB_RETURN_IF_ERROR(value("--data-dir", &g->data_dir));
    } else if (a == "--config" || a.starts_with("--config=")) {
      TB_RETURN_IF_ERROR(value("--config", &g->config));
    } else if (a == "--profile") {
      g->profile = true;
    } else if (a == "--help" || a == "-h") {
      g->help = true;
    } else if (a == "--version" || a == "-V" || a == "-v") {
      g->version = true;
    } else if (a.starts_with("-")) {
      return Status::InvalidArgument("unknown global option '" + a + "'. Run 'tb help'");
    } else {
      break;
    }
  }
  args->erase(args->begin(), args->begin() + static_cast<long>(i));
  return Status::OK();
}

// The data dir, absolute. A relative --data-dir is taken from the current
// directory, as any path on a command line. A relative $TERMBRAIN_DATA_DIR
// is refused: set once in a profile, it would make a new, empty store in
// whatever directory tb runs from. A relative $XDG_DATA_HOME is ignored, as
// the XDG base directory spec says (DefaultDataDir in core/config.h).
Status ResolveDataDir(const Globals& g, Context* ctx) {
  std::string dir = g.data_dir;
  if (dir.empty()) {
    std::string env = ctx->Env("TERMBRAIN_DATA_DIR");
    if (!env.empty() && env[0] != '/') {
      return Status::InvalidArgument("relative data directory (TERMBRAIN_DATA_DIR=" + env +
                                     "): it would name a different store in every directory. Make it an "
                                     "absolute path, or pass --data-dir DIR");
    }
    dir = DefaultDataDir(ctx->env);
    if (dir.empty()) {
      return Status::InvalidArgument(
          "no data directory: HOME is not set. Pass --data-dir DIR or set TERMBRAIN_DATA_DIR");
    }
  }
  if (dir[0] != '/') {
    std::string cwd = CurrentDir(*ctx);
    if (cwd.empty()) {
      return Status::InvalidArgument("relative data directory (--data-dir " + dir +
                                     "): the current directory is unknown. Pass an absolute path");
    }
    dir = (std::filesystem::path(cwd) / dir).lexically_normal().string();
  }
  ctx->data_dir = dir;
  return Status::OK();
}

Status PrepareContext(const Globals& g, Context* ctx) {
  ctx->env = EnvFromEnviron(environ);
  ctx->stdout_tty = ::isatty(STDOUT_FILENO);
  ctx->stderr_tty = ::isatty(STDERR_FILENO);
  ConfigSource src = DefaultConfigPath(ctx->env);
  if (!g.config.empty()) src = ConfigSource{g.config, true};
  ctx->config_path = src.path;
  ctx->config_explicit = src.explicit_path;
  Status config = LoadConfig(src.path, src.explicit_path, ctx->env, &ctx->config, &ctx->origins);
  if (!config.ok() && ctx->lifecycle.needs_valid_config) return config;
  ctx->config_error = config.message();
  TB_RETURN_IF_ERROR(ResolveDataDir(g, ctx));
  while (ctx->data_dir.size() > 1 && ctx->data_dir.back() == '/') ctx->data_dir.pop_back();
  if (!ctx->lifecycle.loads_key) return Status::OK();
  return LoadProcessDataKey(*ctx);
}

// A read-only store reads table files lazily while the writer may compact
// and delete them: a read can then find its file gone. The store is fine,
// only the moment was bad, so a command that failed that way before it
// printed anything runs again from the start (bounded, with backoff). It
// wrote nothing: the store it had open was read-only.
Status RunRetryingVanishedFiles(const CommandSpec& cmd, Context& ctx, const std::vector<std::string>& args) {
  for (int attempt = 0, delay_ms = 5;; ++attempt, delay_ms *= 2) {
    const uint64_t printed = StdoutBytes();
    Status s = cmd.run(ctx, args);
    if (attempt == 5 || !IsVanishedFileError(s) || StdoutBytes() != printed) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  }
}

// `args` named no command of tb's own: the plugin tb-<first word> on PATH
// runs in tb's place (tools/plugins.h), or the error says what was meant.
Status RunPluginOr(const Globals& g, const std::vector<std::string>& args) {
  const char* path = std::getenv("PATH");
  std::optional<Plugin> plugin = FindPlugin(path != nullptr ? path : "", args[0], FirstWords());
  if (!plugin) return UnknownCommand(args);
  Context ctx;
  ctx.command_name = args[0];
  ctx.lifecycle = Lifecycle{.store = StoreUse::kNone, .loads_key = false};
  TB_RETURN_IF_ERROR(PrepareContext(g, &ctx));
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  const std::vector<std::string> plugin_args(args.begin() + 1, args.end());
  return ExecPlugin(*plugin, plugin_args,
                    {{"TB_BIN", self},
                     {"TB_DATA_DIR", ctx.data_dir},
                     {"TB_CONFIG", ctx.config_path},
                     {"TB_FORMAT", FormatArgument(plugin_args)}});
}

Status Dispatch(std::vector<std::string> args, int* exit_code) {
  const auto started = std::chrono::steady_clock::now();
  const std::string line = ShellLine(args);
  Globals g;
  TB_RETURN_IF_ERROR(ParseGlobals(&args, &g));
  const char* profile_env = std::getenv("TERMBRAIN_PROFILE");
  if (g.profile || ProfileRequested(profile_env ? profile_env : "")) StartProfile(ProcessAgeNs());
  const std::string version =
      "tb " + std::string(kVersion) + " (store format " + std::to_string(kStoreFormatVersion) + ")\n";
  if (g.version) return WriteOut(version), Status::OK();
  if (args.empty()) {
    WriteOut(HelpText());
    if (!g.help) *exit_code = 2;
    return Status::OK();
  }
  if (args[0] == "help") {
    args.erase(args.begin());
    if (args.empty() || args[0] == "help") {
      WriteOut(HelpText());
      return Status::OK();
    }
    if (args[0] == "--man") return WriteManPage(args);
    args.push_back("--help");
  }
  if (args[0] == "version") {  // as --version; --changes: the embedded changelog
    if (args.size() == 1) return WriteOut(version), Status::OK();
    if (args.size() == 2 && args[1] == "--changes") return WriteOut(std::string(ChangelogText())), Status::OK();
    if (args.size() == 2 && (args[1] == "--help" || args[1] == "-h")) {
      return WriteOut(version +
                      "\nusage: tb version [--changes]\n\n  --changes  what changed, version by version "
                      "(the changelog tb carries)\n"),
             Status::OK();
    }
    return Status::InvalidArgument("usage: tb version [--changes]");
  }
  size_t used = 0;
  const CommandSpec* cmd = FindCommand(args, &used);
  if (cmd == nullptr && args.size() == 2 && (args[1] == "--help" || args[1] == "-h") &&
      !CommandsStartingWith(args[0]).empty()) {
    WriteOut(GroupHelpText(args[0]));  // tb help backup, tb backup --help
    return Status::OK();
  }
  if (cmd == nullptr) return RunPluginOr(g, args);
  args.erase(args.begin(), args.begin() + static_cast<long>(used));
  Context ctx;
  ctx.command_name = cmd->name;
  ctx.lifecycle = cmd->lifecycle;
  // Help never needs the data key (nor a store).
  if (std::find_if(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; }) !=
      args.end()) {
    ctx.lifecycle.loads_key = false;
  }
  ctx.command_line = line;
  {
    ScopedPhase phase("config");
    TB_RETURN_IF_ERROR(PrepareContext(g, &ctx));
  }
  if (ctx.stdout_tty && ctx.stderr_tty && !RunByTheShell(cmd->name)) {
    const std::string notice = TakeUpdateNotice(ctx, kVersion);
    if (!notice.empty()) std::fputs(notice.c_str(), stderr);
  }
  ScopedPhase phase("query");  // becomes "render" at the first byte of output (WriteOut)
  Status s = ExplainNoSpace(ctx, RunRetryingVanishedFiles(*cmd, ctx, args));
  // Opt-in usage counts (tools/telemetry.h): off, one failed open(2).
  CountRun(TelemetryPath(ctx), cmd->name,
           std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count(),
           s.code());
  return s;
}

}  // namespace

int RunMain(int argc, char** argv) {
  ::umask(077);  // data dirs 0700, files 0600 (RocksDB's files included)
  // A reader that goes away (`tb history | head`) must not kill tb midway:
  // writes then fail with EPIPE, which WriteOut() reports and the listing
  // commands treat as "stop quietly", closing the store normally.
  std::signal(SIGPIPE, SIG_IGN);
  // Messages logged before a store is open (e.g. the truncation warning of
  // `tb record`) must reach stderr as "tb: warning: ...", not spdlog's
  // default logger, which writes to stdout in its own format. The file log
  // is added by Context::OpenStore.
  {
    Config stderr_only;
    stderr_only.log.level = "off";
    (void)SetupLogging(stderr_only, "", false);
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  int exit_code = 0;
  Status s;
  try {
    s = Dispatch(std::move(args), &exit_code);
  } catch (const std::exception& e) {
    s = Status::IOError(std::string("unexpected failure: ") + e.what());
  }
  ShutdownLogging();
  if (!s.ok()) std::fprintf(stderr, "tb: error: %s\n", s.message().c_str());
  std::fputs(FinishProfile().c_str(), stderr);  // "" unless --profile
  if (!s.ok()) return s.ExitCode();
  return exit_code;
}

}  // namespace tb
