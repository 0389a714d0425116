// The subcommand table: name, one-line summary, handler and lifecycle
// (what the driver sets up around the handler; tools/context.h).
#include "tools/commands.h"

namespace tb {
namespace {

// Rows of the table (tools/context.h, Lifecycle): the default reads.
constexpr Lifecycle kReads{};
constexpr Lifecycle kWrites{.store = StoreUse::kWrite};
// Administrative operations on the store (and `views verify`, which
// compares the views as they are) do not also run scheduled maintenance.
constexpr Lifecycle kAdmin{.store = StoreUse::kWrite, .drains_spool = true, .runs_maintenance = false};
constexpr Lifecycle kAdminReads{.store = StoreUse::kRead, .drains_spool = true, .runs_maintenance = false};
// Deletes backups or snapshots: works on a full disk (Lifecycle::frees_space).
constexpr Lifecycle kFrees{
    .store = StoreUse::kWrite, .drains_spool = false, .runs_maintenance = false, .frees_space = true};
// Commands that open no store through the context.
constexpr Lifecycle kNoStore{.store = StoreUse::kNone};
// ... and read nothing of the data dir's files either: no data key needed.
constexpr Lifecycle kNoData{.store = StoreUse::kNone, .loads_key = false};
// tb doctor reports a config that does not load, and a data key it cannot
// have, instead of stopping at them (it loads the key itself); it reads the
// store strictly read-only.
constexpr Lifecycle kDiagnoses{.store = StoreUse::kRead,
                               .drains_spool = false,
                               .runs_maintenance = false,
                               .needs_valid_config = false,
                               .loads_key = false};
// tb drain drains itself (to count what it moved); tb daemon opens the
// store itself, per cycle (tools/daemon_cycle.h).
// tb daemon also reads the data key itself, before each open of the store
// (a passphrase store may be unlocked after the daemon started).
constexpr Lifecycle kDaemon{.store = StoreUse::kNone, .loads_key = false};
constexpr Lifecycle kDrain{.store = StoreUse::kWrite, .drains_spool = false, .runs_maintenance = false};

// The operands shell completion offers from a listing (tools/completions.h).
constexpr OperandSource kBackupIds{.command = "backup list", .key = "id"};
constexpr OperandSource kSnapshotNames{.command = "snapshot list", .key = "name"};
constexpr OperandSource kWorkflowNames{.command = "workflow list", .key = "name"};

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = {
      {"record", "record one complete command", CmdRecord, kWrites},
      {"history", "list recorded commands, newest first", CmdHistory},
      {"search", "find commands (words, ^pre suf$ !not a | b; --mode, --rank, -u; -i interactive; tb search --help)",
       CmdSearch, kWrites},
      {"import", "import history: bash, zsh, fish, atuin, histdb, ndjson, auto; --list, --undo BATCH", CmdImport,
       kWrites},
      {"export", "export history: --format ndjson|json|csv|markdown, -o FILE, filters", CmdExport},
      {"forget", "forget commands for good: tb forget ID... | --match QUERY [--dry-run] [--yes]", CmdForget, kWrites},
      {"stats", "summarise the history: top commands, failures, durations, busiest hours (--period, --top)", CmdStats},
      {"context", "write a markdown brief of this project's commands for an AI assistant (TOPIC, --for, -o)",
       CmdContext},
      {"status", "show the store: location, size, events, lock holder", CmdStatus},
      {"metrics", "print Prometheus metrics: from the daemon when it runs, else from the store (--local)", CmdMetrics},
      {"doctor", "check the install, hooks, spool, daemon, store, disk, clock, config and backups (--format json)",
       CmdDoctor, kDiagnoses},
      {"views", "list the views with version, progress and entries", CmdViews},
      {"views verify", "check every view against a fresh replay of the log", CmdViewsVerify, kAdmin},
      {"rebuild", "rebuild views from the log (--view NAME for one)", CmdRebuild, kWrites},
      {"log verify", "verify every event: payloads, sequence, unique ids", CmdLogVerify},
      {"log dump", "print raw events as ndjson (--from SEQ --to SEQ)", CmdLogDump},
      {"log export", "write the log to a portable checksummed file (-o FILE [--from SEQ --to SEQ])", CmdLogExport,
       kAdminReads},
      {"log salvage", "rebuild a damaged store from every readable event; say what was lost", CmdLogSalvage, kNoStore},
      {"key generate", "write a new random data key file for encryption at rest (PATH; mode 0600)", CmdKeyGenerate,
       kNoData},
      {"key passphrase", "change the passphrase of a store in passphrase mode (the data key stays the same)",
       CmdKeyPassphrase, kNoData},
      {"rekey",
       "rewrite the store under a new data key (--new-key-file PATH | --passphrase) or in plaintext (--decrypt)",
       CmdRekey, kNoStore},
      {"unlock", "ask the passphrase once and keep the store's key in the runtime dir until logout (passphrase mode)",
       CmdUnlock, kNoData},
      {"lock", "forget the unlocked key of the store (passphrase mode)", CmdLock, kNoData},
      {"replay", "build a new store from a log export or a data dir (--into NEWDIR [--until SEQ|TIME])", CmdReplay,
       kNoStore},
      {"backup create", "back up the store (incremental; --note TEXT)", CmdBackupCreate, kAdmin},
      {"backup list", "list backups with time, head seq, size and note", CmdBackupList, kNoStore},
      {"backup verify", "check every file of a backup against its checksum (ID|latest)", CmdBackupVerify, kNoStore,
       kBackupIds},
      {"backup restore", "restore a backup over the store or into --to DIR (ID|latest)", CmdBackupRestore, kAdmin,
       kBackupIds},
      {"backup prune", "delete all but the newest --keep N backups", CmdBackupPrune, kFrees},
      {"snapshot create", "take an instant snapshot of the store (hard links) [NAME]", CmdSnapshotCreate, kAdmin},
      {"snapshot list", "list snapshots", CmdSnapshotList, kNoStore},
      {"snapshot delete", "delete a snapshot", CmdSnapshotDelete, kFrees, kSnapshotNames},
      {"snapshot restore", "put a snapshot back in place of the store (undo of restore/rollback)", CmdSnapshotRestore,
       kAdmin, kSnapshotNames},
      {"rollback", "remove the events after --to SEQ|TIME (takes a snapshot first)", CmdRollback, kAdmin},
      {"retention apply", "remove events beyond retention.max_age / max_events (--dry-run)", CmdRetentionApply, kAdmin},
      {"audit", "list administrative actions: backups, restores, rollbacks, imports...", CmdAudit},
      {"config show", "print the effective configuration and where it came from", CmdConfigShow, kNoData},
      {"config check", "validate the configuration file and environment", CmdConfigCheck, kNoData},
      {"init", "print the shell integration: eval \"$(tb init bash|zsh)\", tb init fish | source", CmdInit, kNoData},
      {"install", "add the integration line to your shell's rc file (--shell S, --yes)", CmdInstall, kNoData},
      {"uninstall", "remove the integration line from your shell's rc file", CmdUninstall, kNoData},
      {"daemon", "drain the spool as commands finish and run scheduled maintenance (--detach)", CmdDaemon, kDaemon},
      {"drain", "move the commands the shells have spooled into the store now", CmdDrain, kDrain},
      {"completions", "print shell completion: tb completions bash|zsh|fish (tb init includes it)", CmdCompletions,
       kNoData},
      {"off", "pause recording in the current shell (shell integration)", CmdOffOn, kNoData},
      {"on", "resume recording in the current shell (shell integration)", CmdOffOn, kNoData},
      {"sync init", "create the sync key of your machines' shared history (then tb sync key export)", CmdSyncInit,
       kWrites},
      {"sync key export", "print the sync key wrapped with a passphrase, for tb sync key import elsewhere",
       CmdSyncKeyExport},
      {"sync key import", "take the sync key tb sync key export wrote (FILE) on another machine", CmdSyncKeyImport,
       kWrites},
      {"sync key rotate", "replace the sync key with a new epoch; publish this host's history again under it",
       CmdSyncKeyRotate, kWrites},
      {"sync now", "publish this machine's new commands and pull the others' (sync.server)", CmdSyncNow, kWrites},
      {"sync status", "show the sync cursors, what is left to publish and to pull (--format json)", CmdSyncStatus},
      {"sync verify", "compare every host's events in this store with the stream; name the first difference",
       CmdSyncVerify},
      {"patterns", "frequent command sequences with support and confidence (--min-support N, filters)", CmdPatterns},
      {"fixes", "learned fixes: X failed -> fixed by Y (tb fixes [QUERY])", CmdFixes},
      {"suggest", "likely next commands for this session and directory (-n N)", CmdSuggest},
      {"workflow create", "save a workflow: NAME (--from-last N | --from-session ID | -- CMD...)", CmdWorkflowCreate,
       kWrites},
      {"workflow list", "list saved workflows", CmdWorkflowList},
      {"workflow show", "show a workflow's steps (NAME)", CmdWorkflowShow, kReads, kWorkflowNames},
      {"workflow run",
       "run a workflow's steps in $SHELL here, stopping at the first failure (NAME [--dry-run] [--yes])",
       CmdWorkflowRun, kWrites, kWorkflowNames},
      {"workflow delete", "delete a workflow (NAME)", CmdWorkflowDelete, kWrites, kWorkflowNames},
      {"workflow suggest", "propose workflows from frequent command sequences", CmdWorkflowSuggest},
      {"telemetry enable", "start counting which tb commands run, how long and how they fail (opt-in, anonymous)",
       CmdTelemetryEnable, kNoData},
      {"telemetry disable", "stop counting and delete the counts", CmdTelemetryDisable, kNoData},
      {"telemetry show", "print the telemetry setting, the endpoint and the exact document send posts (--format json)",
       CmdTelemetryShow, kNoData},
      {"telemetry send", "post the counts to telemetry.endpoint; on success counting starts again", CmdTelemetrySend,
       kNoData},
  };
  return kCommands;
}

}  // namespace tb
