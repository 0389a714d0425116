// The subcommand table: name, one-line summary, handler.
#include "tools/commands.h"

namespace tb {

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = {
      {"record", "record one complete command", CmdRecord},
      {"history", "list recorded commands, newest first", CmdHistory},
      {"search", "find commands containing a text, newest first", CmdSearch},
      {"status", "show the store: location, size, events, lock holder", CmdStatus},
      {"views", "list the views with version, progress and entries", CmdViews},
      {"views verify", "check every view against a fresh replay of the log", CmdViewsVerify},
      {"rebuild", "rebuild views from the log (--view NAME for one)", CmdRebuild},
      {"log verify", "verify every event: payloads, sequence, unique ids", CmdLogVerify},
      {"log dump", "print raw events as ndjson (--from SEQ --to SEQ)", CmdLogDump},
      {"config show", "print the effective configuration and where it came from", CmdConfigShow},
      {"config check", "validate the configuration file and environment", CmdConfigCheck},
      {"init", "print the shell integration: eval \"$(tb init bash|zsh)\", tb init fish | source", CmdInit},
      {"install", "add the integration line to your shell's rc file (--shell S, --yes)", CmdInstall},
      {"uninstall", "remove the integration line from your shell's rc file", CmdUninstall},
      {"off", "pause recording in the current shell (shell integration)", CmdOffOn},
      {"on", "resume recording in the current shell (shell integration)", CmdOffOn},
  };
  return kCommands;
}

}  // namespace tb
