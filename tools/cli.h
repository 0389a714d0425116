// The `tb` command line: global flags, the subcommand table, help,
// did-you-mean, and the one place where exceptions from libraries are
// caught and every Status becomes an exit code (0 ok, 1 error, 2 usage,
// 3 data corruption / incompatible store, 4 busy).
#pragma once

#include <string>
#include <vector>

namespace tb {

// Runs `tb` with argv; returns the process exit code. Prints to
// stdout/stderr (tools/ is the only layer that talks to the terminal).
int RunMain(int argc, char** argv);

}  // namespace tb
