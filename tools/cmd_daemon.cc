// tb daemon (tools/daemon_process.h) and tb drain.
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/daemon_process.h"

namespace tb {

Status CmdDaemon(Context& ctx, const Argv& args) {
  Args a("daemon", "daemon [--detach]");
  a.opts().add_options()("detach", "run in the background, detached from the terminal (for the shell integration)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) {
    WriteOut(a.HelpText() +
             "\nMoves the shells' commands from the spool into the store as they finish, and runs\n"
             "the scheduled backups, retention and compaction. One per data dir; a second one\n"
             "exits with status 4. SIGTERM or SIGINT drains everything and exits. Log:\n"
             "<data dir>/logs/daemon.log.jsonl. See docs/operations.md.\n");
    return Status::OK();
  }
  return RunDaemonProcess(ctx, a.Has("detach"));
}

Status CmdDrain(Context& ctx, const Argv& args) {
  Args a("drain", "drain");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) {
    WriteOut(a.HelpText() +
             "\nMoves the commands the shells have spooled into the store now (any tb that writes\n"
             "the store does it too). The shell integration runs it when a shell exits and no\n"
             "daemon runs, so a logout or a reboot loses nothing.\n");
    return Status::OK();
  }
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  DrainReport report;
  TB_RETURN_IF_ERROR(ctx.DrainSpoolInto(*store, &report));
  WriteOut("drained " + std::to_string(report.events) + " event(s) from " + std::to_string(report.files) +
           " spool file(s)\n");
  return Status::OK();
}

}  // namespace tb
