// Shell completion for tb: the script `tb completions bash|zsh|fish` prints
// (and `tb init` appends to the integration; the package installs it).
// Written at run time from DescribeCommands (tools/command_docs.h): the
// subcommands of every depth, each command's flags, the values of flags and
// operands that take a fixed list (--format, --mode ...), and listed
// operand values (workflow names, backup ids, snapshot names) that the
// script asks tb for while completing: `tb LISTING --format json`, the
// listing a row of tools/commands.cc names (OperandSource).
//
// Each script is a set of `case` tables (the data) and one function that
// walks the words before the cursor: global options, `help`, then the
// longest command path; then it offers a flag's values after a flag that
// takes one (files when the values are free), flags after "-", else the
// next words of the path and the command's operand values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/command_docs.h"

namespace tb {

// The shells tb completes, in the order `tb completions` names them.
inline constexpr std::string_view kCompletionShells[] = {"bash", "zsh", "fish"};

// The script for `shell` (one of kCompletionShells) over `docs`; "" for
// another shell.
std::string CompletionScript(std::string_view shell, const std::vector<CommandDoc>& docs);

}  // namespace tb
