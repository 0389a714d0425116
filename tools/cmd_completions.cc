// tb completions bash|zsh|fish: the completion script (tools/completions.h).
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/completions.h"

namespace tb {

Status CmdCompletions(Context& /*ctx*/, const Argv& args) {
  Args a("completions", "completions bash|zsh|fish");
  a.Positional("shell");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) {
    WriteOut(a.HelpText() +
             "\nPrints the completion of tb's commands, flags and values for the shell:\n"
             "  bash:  source <(tb completions bash)\n"
             "  zsh:   source <(tb completions zsh)      (after compinit)\n"
             "  fish:  tb completions fish | source\n"
             "'tb init' includes it; the Debian package installs it for each shell.\n");
    return Status::OK();
  }
  const std::string shell = a.Str("shell");
  std::string script = shell.empty() ? "" : CompletionScript(shell, DescribeCommands());
  if (script.empty()) {
    return Status::InvalidArgument(
        (shell.empty() ? std::string("missing shell name") : "unknown shell '" + shell + "'") +
        " (tb completions): expected bash, zsh or fish. Run 'tb help completions'");
  }
  if (!WriteOut(script)) return Status::IOError("cannot write to standard output");
  return Status::OK();
}

}  // namespace tb
