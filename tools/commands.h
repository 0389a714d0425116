// Subcommand handlers (one file per group: cmd_*.cc). Each parses its own
// arguments with tools/args.h and returns a Status; only cli.cc turns a
// Status into a message and an exit code. A handler declares and parses its
// options before it does anything else: DescribeCommands
// (tools/command_docs.h) runs every handler with no arguments up to that
// parse, for the completion and the manual pages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/wrapped_key.h"
#include "tools/context.h"

namespace tb {

using Argv = std::vector<std::string>;

Status CmdRecord(Context& ctx, const Argv& args);
Status CmdKeyGenerate(Context& ctx, const Argv& args);    // cmd_key.cc
Status CmdSyncInit(Context& ctx, const Argv& args);       // cmd_sync.cc
Status CmdSyncKeyExport(Context& ctx, const Argv& args);  // cmd_sync.cc
Status CmdSyncKeyImport(Context& ctx, const Argv& args);  // cmd_sync.cc
Status CmdSyncKeyRotate(Context& ctx, const Argv& args);  // cmd_sync.cc
Status CmdSyncNow(Context& ctx, const Argv& args);        // cmd_sync.cc
Status CmdSyncStatus(Context& ctx, const Argv& args);     // cmd_sync.cc
Status CmdSyncVerify(Context& ctx, const Argv& args);     // cmd_sync.cc
Status CmdRekey(Context& ctx, const Argv& args);          // cmd_key.cc
// Passphrase mode (cmd_unlock.cc).
Status CmdUnlock(Context& ctx, const Argv& args);
Status CmdLock(Context& ctx, const Argv& args);
Status CmdKeyPassphrase(Context& ctx, const Argv& args);
// The Argon2id cost storage.kdf_ops and storage.kdf_memory_mb ask for.
KdfLimits ConfiguredKdfLimits(const Context& ctx);
Status CmdImport(Context& ctx, const Argv& args);  // cmd_import.cc
// tb import --list (table or json) and --undo BATCH (cmd_import_batches.cc).
Status ImportList(Context& ctx, bool json);
Status ImportUndo(Context& ctx, const std::string& batch);
Status CmdExport(Context& ctx, const Argv& args);  // cmd_export.cc
Status CmdForget(Context& ctx, const Argv& args);  // cmd_forget.cc
Status CmdHistory(Context& ctx, const Argv& args);
Status CmdSearch(Context& ctx, const Argv& args);
// tb search -i/--interactive: the interactive UI (cmd_search_ui.cc); `args`
// are the search arguments as given (-i included).
Status CmdSearchInteractive(Context& ctx, const Argv& args);
Status CmdStatus(Context& ctx, const Argv& args);
// Observability: tb metrics (cmd_metrics.cc), tb doctor (cmd_doctor.cc).
Status CmdMetrics(Context& ctx, const Argv& args);
Status CmdDoctor(Context& ctx, const Argv& args);
Status CmdViews(Context& ctx, const Argv& args);
Status CmdViewsVerify(Context& ctx, const Argv& args);
Status CmdRebuild(Context& ctx, const Argv& args);
Status CmdLogVerify(Context& ctx, const Argv& args);
Status CmdLogDump(Context& ctx, const Argv& args);
Status CmdLogSalvage(Context& ctx, const Argv& args);
Status CmdConfigShow(Context& ctx, const Argv& args);
Status CmdConfigCheck(Context& ctx, const Argv& args);
// Analytics: tb stats (cmd_stats.cc), tb context (cmd_context.cc).
Status CmdStats(Context& ctx, const Argv& args);
Status CmdContext(Context& ctx, const Argv& args);
// Shell integration (cmd_init.cc, cmd_install.cc).
Status CmdInit(Context& ctx, const Argv& args);
Status CmdOffOn(Context& ctx, const Argv& args);  // outside the integration: an error
Status CmdInstall(Context& ctx, const Argv& args);
// tb completions bash|zsh|fish (cmd_completions.cc; tools/completions.h).
Status CmdCompletions(Context& ctx, const Argv& args);
// The background service (cmd_daemon.cc).
Status CmdDaemon(Context& ctx, const Argv& args);
Status CmdDrain(Context& ctx, const Argv& args);
Status CmdUninstall(Context& ctx, const Argv& args);
// The rc file `tb install` edits for `shell` (bash, zsh or fish; HOME set):
// ~/.bashrc, ${ZDOTDIR:-~}/.zshrc, ${XDG_CONFIG_HOME:-~/.config}/fish/config.fish.
std::string RcFileFor(const Context& ctx, const std::string& shell);
// The marker that ends the line `tb install` adds to an rc file.
inline constexpr std::string_view kInstallMarker = "# termbrain";

// Backups, snapshots, log export and replay, rollback, retention, audit
// (cmd_backup.cc).
Status CmdBackupCreate(Context& ctx, const Argv& args);
Status CmdBackupList(Context& ctx, const Argv& args);
Status CmdBackupVerify(Context& ctx, const Argv& args);
Status CmdBackupRestore(Context& ctx, const Argv& args);
Status CmdBackupPrune(Context& ctx, const Argv& args);
Status CmdSnapshotCreate(Context& ctx, const Argv& args);
Status CmdSnapshotList(Context& ctx, const Argv& args);
Status CmdSnapshotDelete(Context& ctx, const Argv& args);
Status CmdSnapshotRestore(Context& ctx, const Argv& args);
Status CmdLogExport(Context& ctx, const Argv& args);
Status CmdReplay(Context& ctx, const Argv& args);
Status CmdRollback(Context& ctx, const Argv& args);
Status CmdRetentionApply(Context& ctx, const Argv& args);
Status CmdAudit(Context& ctx, const Argv& args);
// The backup directory: backup.dir (a relative one under the data dir),
// else DATA_DIR/backups.
std::string BackupDir(const Context& ctx);
// The AdminAction event (the audit trail) of an administrative command:
// `action` (e.g. "backup.create") and its JSON `detail`, now, this host,
// user and $TERMBRAIN_SESSION.
Event AuditEvent(const Context& ctx, const std::string& action, std::string detail);

// What the history has learned (cmd_brain.cc) and workflows (cmd_workflow.cc).
Status CmdPatterns(Context& ctx, const Argv& args);
Status CmdFixes(Context& ctx, const Argv& args);
Status CmdSuggest(Context& ctx, const Argv& args);
Status CmdWorkflowCreate(Context& ctx, const Argv& args);
Status CmdWorkflowList(Context& ctx, const Argv& args);
Status CmdWorkflowShow(Context& ctx, const Argv& args);
Status CmdWorkflowRun(Context& ctx, const Argv& args);
Status CmdWorkflowDelete(Context& ctx, const Argv& args);
Status CmdWorkflowSuggest(Context& ctx, const Argv& args);

// Opt-in usage counts (cmd_telemetry.cc; docs/telemetry.md).
Status CmdTelemetryEnable(Context& ctx, const Argv& args);
Status CmdTelemetryDisable(Context& ctx, const Argv& args);
Status CmdTelemetryShow(Context& ctx, const Argv& args);
Status CmdTelemetrySend(Context& ctx, const Argv& args);

// Current UTC time in ns (tools/ is where the real clock is read).
int64_t NowNs();

}  // namespace tb
