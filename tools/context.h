// Context: what every subcommand gets: effective config, data dir, the
// parsed global flags, output helpers and a way to open the store.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "storage/spool.h"
#include "storage/store.h"

namespace tb {

// How a command uses the store: kNone opens none through the context (it
// has none, or works on files beside it: backups, replays, salvage); kRead
// only reads; kWrite may write.
enum class StoreUse { kNone, kRead, kWrite };

// What the driver sets up around a command (ninja's Tool::When): the row of
// the command table says it, and Context::OpenStore follows it. A store
// opened read-only neither drains nor runs maintenance.
struct Lifecycle {
  StoreUse store = StoreUse::kRead;
  // A writable open first drains the shell hooks' spool (storage/spool.h).
  bool drains_spool = true;
  // A writable open then runs scheduled retention and backups
  // (RunAutoMaintenance). Off for the commands that are themselves
  // administrative operations on the store or that compare it as it is.
  bool runs_maintenance = true;
  // A config that does not load stops the command before it runs. Off for
  // `tb doctor`, which reports it (Context::config_error) with the defaults
  // in effect.
  bool needs_valid_config = true;
  // The data key (storage.encryption, storage.key_file: core/data_key.h) is
  // read before the command runs and becomes the process's
  // (storage/at_rest.h); a key that cannot be read stops the command. Off
  // for the commands that never read the data dir's files.
  bool loads_key = true;
  // The command frees disk space (deletes backups or snapshots): its
  // writable open skips the storage.reserve_mb check, so it works on a
  // full disk, where it is needed most. It writes nothing but its audit
  // entry, after the deletion (no drain, no maintenance).
  bool frees_space = false;
};

struct Context {
  std::string data_dir;
  std::string config_path;
  bool config_explicit = false;
  Config config;
  ConfigOrigins origins;
  std::string config_error;  // LoadConfig's message when it failed (Lifecycle::needs_valid_config off)
  std::vector<std::pair<std::string, std::string>> env;
  std::string command_name;  // e.g. "history", for messages and the lock holder
  std::string command_line;  // "tb import bash FILE" as typed (shell-quoted), to say what to rerun
  Lifecycle lifecycle;       // the command's row of the table
  bool stdout_tty = false;
  bool stderr_tty = false;

  // Opens the store as the command's row says (lifecycle.store):
  //  - kRead: read-only (kReadPreferred), or writable (kAuto) when the spool
  //    holds frames, so a query right after a command shows it;
  //  - kWrite: writable (kReadWrite: waits storage.lock_wait_ms, then Busy);
  //  - kNone: InvalidArgument (the table says this command opens no store).
  // Free space (storage/disk_space.h): a writable open first needs
  // storage.reserve_mb free on the data dir's file system; below it
  // kReadWrite fails with NoSpace ("disk full: ...") and kAuto opens
  // read-only (with a warning when spooled commands must wait); not for a
  // row that frees space.
  // The file log starts once the store is open: never before, so nothing is
  // written into a directory that turns out not to be a TermBrain store.
  // A writable store then drains the spool and runs maintenance as
  // `lifecycle` says. `bulk`: StoreOptions::bulk (a large import).
  // With a daemon running (tools/daemon_client.h), a kRead open that finds
  // frames in the spool first waits up to 250 ms for the daemon to drain
  // them (and stays read-only if it did), and maintenance is left to it.
  Status OpenStore(std::unique_ptr<Store>* out, bool bulk = false);
  // Opens the store to read, for the part of a command that only reads (a
  // dry run, a preview, a list) whatever its row allows: as kRead above;
  // `drain` false opens strictly read-only (kReadOnly), never draining.
  // InvalidArgument for a kNone row too.
  Status OpenStoreToRead(std::unique_ptr<Store>* out, bool drain = true);
  // Drains the spool into a writable store (storage/spool.h) with the
  // record policy; what it did goes to *report when not null.
  Status DrainSpoolInto(Store& store, DrainReport* report = nullptr) const;
  // NoSpace ("disk full: ...", naming command_line to rerun) unless the file
  // system holding `path` (the data dir when empty) has storage.reserve_mb
  // plus `extra_bytes` free. OK when storage.reserve_mb is 0.
  Status CheckSpace(uint64_t extra_bytes, const std::string& path = "") const;
  // CheckSpace for a write that may rewrite the whole database (view
  // rebuild, full compaction, a backup's copy): extra = the database size.
  Status CheckSpaceToRewrite(Store& store, const std::string& path = "") const;
  // True when the spool directory holds any file (frames to drain).
  bool SpoolPending() const;
  // Value of environment variable `name` ("" when unset).
  std::string Env(const std::string& name) const;
  // The user running tb (passwd entry, else $USER).
  std::string UserName() const;
  // Where shell hooks spool frames for this data dir (storage/spool.h):
  // $TERMBRAIN_SPOOL_DIR, else $XDG_RUNTIME_DIR/termbrain, else
  // /dev/shm/termbrain-<uid> (memory-backed), else <data dir>/spool; then
  // a per-data-dir subdirectory.
  std::string SpoolDir() const;

 private:
  Status OpenStoreAs(StoreOptions::Access access, std::unique_ptr<Store>* out, bool bulk);
};

// Reads the data key the config asks for (storage/unlock.h, LoadDataKey,
// with $XDG_RUNTIME_DIR) and makes it the process's (storage/at_rest.h,
// SetProcessDataKey). On an error the process's key is left as it was.
Status LoadProcessDataKey(const Context& ctx);

// Where `tb unlock` caches the key of ctx.data_dir (storage/unlock.h).
Status UnlockedKeyPathOf(const Context& ctx, std::string* out);

// tb's state directory: $XDG_STATE_HOME/termbrain (an absolute
// XDG_STATE_HOME only), else $HOME/.local/state/termbrain; "" when neither is
// set. Holds small per-user files that are not history: the version last run
// (tools/update_notice.h), the telemetry counts (tools/telemetry.h).
std::string StateDir(const Context& ctx);

// This machine's host name ("" when unknown).
std::string HostName();

// The directory the user is in: $PWD when it names the current directory
// (the shell's logical path keeps symlinks as typed), else the physical
// current directory ("" when unknown).
std::string CurrentDir(const Context& ctx);

// Writes `data` to stdout; false when stdout is closed (EPIPE) or full.
bool WriteOut(const std::string& data);
// Bytes passed to WriteOut so far in this process.
uint64_t StdoutBytes();

// A subcommand: receives its own arguments (after the subcommand name).
using CommandFn = Status (*)(Context& ctx, const std::vector<std::string>& args);

// Where the values of a command's operand come from, for shell completion
// (tools/completions.h): the command that lists them, run with
// `--format json`, and the key of each listed entry that holds one.
struct OperandSource {
  const char* command = nullptr;  // "workflow list"; null: no listed values
  const char* key = nullptr;      // "name"
};

struct CommandSpec {
  const char* name;     // "history", "log verify" ...
  const char* summary;  // one line for `tb help`
  CommandFn run;
  Lifecycle lifecycle = {};
  OperandSource operand_values = {};
};

// The table, defined in commands.cc.
const std::vector<CommandSpec>& Commands();

}  // namespace tb
