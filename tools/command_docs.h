// What each command declares about itself, read from the command table
// (tools/commands.cc) and from each handler's own parser (Args, run as a
// description: tools/args.h, DescribeScope). Shell completion
// (tools/completions.h) and the manual pages (tools/manpage.h) are written
// from it, so neither keeps a copy of a command, flag or value.
#pragma once

#include <string>
#include <vector>

#include "tools/args.h"
#include "tools/context.h"

namespace tb {

struct CommandDoc {
  std::string name;     // "history", "sync key export"
  std::string summary;  // the line of `tb help`
  ArgsInfo args;        // usage, options, operands; only --help when the handler has no parser
  // Fixed values of the first operand: the lower-case alternatives the
  // synopsis gives it ("init bash|zsh|fish", "backup verify ID|latest").
  std::vector<std::string> operand_choices;
  OperandSource operand_values;  // listed values of the operand (tools/context.h)
};

// Every command of the table, in its order. An option without declared
// choices takes them from the synopsis when it spells them out
// ("--for claude|cursor|copilot|generic"). Runs no handler beyond its parse.
std::vector<CommandDoc> DescribeCommands();

// A global option (before the command; tools/cli.cc parses them).
struct GlobalOption {
  const char* names;        // "--data-dir", "-h, --help"
  const char* value_name;   // "DIR"; "" for a switch
  const char* description;  // as `tb help` says it
};
const std::vector<GlobalOption>& GlobalOptions();

// The first word of a command name: its group ("sync" for "sync key
// export"); each group has one manual page.
std::string GroupOf(const std::string& name);
// The groups in the order of the table, each once.
std::vector<std::string> Groups(const std::vector<CommandDoc>& docs);

}  // namespace tb
