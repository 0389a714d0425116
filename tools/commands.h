// Subcommand handlers (one file per group: cmd_*.cc). Each parses its own
// arguments with tools/args.h and returns a Status; only cli.cc turns a
// Status into a message and an exit code.
#pragma once

#include <string>
#include <vector>

#include "tools/context.h"

namespace tb {

using Argv = std::vector<std::string>;

Status CmdRecord(Context& ctx, const Argv& args);
Status CmdHistory(Context& ctx, const Argv& args);
Status CmdSearch(Context& ctx, const Argv& args);
Status CmdStatus(Context& ctx, const Argv& args);
Status CmdViews(Context& ctx, const Argv& args);
Status CmdViewsVerify(Context& ctx, const Argv& args);
Status CmdRebuild(Context& ctx, const Argv& args);
Status CmdLogVerify(Context& ctx, const Argv& args);
Status CmdLogDump(Context& ctx, const Argv& args);
Status CmdConfigShow(Context& ctx, const Argv& args);
Status CmdConfigCheck(Context& ctx, const Argv& args);
// Shell integration (cmd_init.cc, cmd_install.cc).
Status CmdInit(Context& ctx, const Argv& args);
Status CmdOffOn(Context& ctx, const Argv& args);  // outside the integration: an error
Status CmdInstall(Context& ctx, const Argv& args);
Status CmdUninstall(Context& ctx, const Argv& args);

// Current UTC time in ns (tools/ is where the real clock is read).
int64_t NowNs();

}  // namespace tb
