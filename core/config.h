/// @file
/// Config: TermBrain's user configuration (config.toml + TERMBRAIN_* env).
///
/// One table of key descriptors (ConfigKeys()) drives loading, validation,
/// environment overrides and `tb config show`; adding a key is one field in
/// Config plus one line in that table (core/config_keys.cc).
///
/// Precedence, lowest to highest: the defaults below, the config file, then
/// environment variables TERMBRAIN_<SECTION>_<KEY> (e.g.
/// TERMBRAIN_STORAGE_BLOCK_CACHE_MB=64, TERMBRAIN_LOG_LEVEL=debug).
///
/// Value types, in the file and in the environment:
///   integer  TOML integer; env: decimal digits with an optional '-'.
///   string   TOML string; env: the value as is.
///   boolean  TOML true/false; env: true, false, 1 or 0 (words in any case).
///   list     TOML array of strings; env: one item per line (items separated
///            by LF; empty lines are skipped, so an empty value is an empty
///            list and a single item needs no newline at all:
///            TERMBRAIN_RECORD_IGNORE_PATTERNS='^ls$'). No other escaping:
///            regular expressions keep their backslashes as typed.
///
/// Nothing here prints, exits or reads the process environment: the
/// environment is passed in (tests pass their own, tools pass `environ`).
/// Thread safety: all functions are reentrant; Config/ConfigOrigins are values.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tb {

/// The process environment as (name, value) pairs. When a name appears more
/// than once the first occurrence wins (like getenv).
using Env = std::vector<std::pair<std::string, std::string>>;

/// Converts a NULL-terminated "NAME=value" array (e.g. `environ`) into an Env.
/// Entries without '=' are skipped. `envp` may be null (empty Env).
Env EnvFromEnviron(const char* const* envp);

/// The effective configuration. Member initializers are the defaults; the
/// allowed ranges and docs live in ConfigKeys() (and `tb config show`).
struct Config {
  /// The [storage] section: the store's RocksDB tuning and encryption at rest.
  struct Storage {
    int block_cache_mb = 32;   ///< RocksDB block cache, MiB
    int write_buffer_mb = 16;  ///< RocksDB write buffer (memtable), MiB
    int lock_wait_ms = 2000;   ///< how long a write waits for a store held by another process
    /// Free space a write needs to find on the data dir's file system before
    /// it starts (bigger writes add their own estimate); 0 = no check.
    int reserve_mb = 8;
    /// Encryption at rest (docs/security.md, "Encryption at rest"): "off",
    /// "keyfile" (the data key is read from key_file: core/data_key.h) or
    /// "passphrase" (the data key is wrapped in DIR/key.wrapped:
    /// core/wrapped_key.h, and unlocked by `tb unlock`).
    std::string encryption = "off";
    std::string key_file;  ///< absolute path, outside the data dir, mode 0600
    ///@{
    /// Argon2id cost of a passphrase set from now on (core/wrapped_key.h,
    /// KdfLimits); a wrapped key keeps the cost it was made with.
    int kdf_ops = 4;
    int kdf_memory_mb = 96;
    ///@}
  } storage;  ///< [storage]
  /// The [record] section: what is recorded and how much of it.
  struct Record {
    int max_command_bytes = 65536;  ///< longer commands are truncated on record
    bool ignore_space = true;       ///< commands starting with a space are not recorded
    ///@{
    /// RE2 patterns (partial match, UTF-8): a command, or a command started in
    /// a directory, that matches one is not recorded (core/record_policy.h).
    std::vector<std::string> ignore_patterns;
    std::vector<std::string> ignore_dirs;
    ///@}
  } record;  ///< [record]
  /// The [secrets] section: the masking rules applied before a command is stored.
  struct Secrets {
    std::vector<std::string> disable;  ///< built-in rule names turned off (core/secrets.h)
    std::vector<std::string> extra;    ///< "name=REGEX" rules added to the built-in ones
  } secrets;                           ///< [secrets]
  /// The [log] section: tb's own JSON-lines log file.
  struct Log {
    std::string level = "warn";  ///< file log level: trace|debug|info|warn|error|off
    std::string file;            ///< "" = DIR/logs/tb.log.jsonl (DIR: the data dir)
    int max_file_kb = 1024;      ///< size cap of one log file
    int max_files = 3;           ///< files kept, including the current one
  } log;                         ///< [log]
  /// The [backup] section: where backups go and how often automatic ones are taken.
  struct Backup {
    std::string dir;             ///< "" = DIR/backups (DIR: the data dir)
    std::string interval = "0";  ///< automatic backups: a duration (core/duration.h); "0" = off
  } backup;                      ///< [backup]
  /// The [retention] section: how much history is kept (both 0: all of it).
  struct Retention {
    std::string max_age = "0";  ///< events older than this are removed (a duration); "0" = off
    int max_events = 0;         ///< keep at most this many events; 0 = off
  } retention;                  ///< [retention]
  /// The [search] section: defaults of `tb search` and of the interactive UI.
  struct Search {
    int inline_height = 12;          ///< interactive UI: lines under the prompt; 0 = full screen
    bool enter_runs = false;         ///< interactive UI: Enter runs the command at once
    bool up_arrow = false;           ///< tb init also binds the Up arrow to the UI
    int deadline_ms = 2000;          ///< a search stops after this long; 0 = no deadline
    std::string mode = "substring";  ///< substring|prefix|fuzzy|regex|exact
    std::string rank = "recent";     ///< recent|frecency
    std::string scope = "global";    ///< interactive UI: global|host|session|directory|workspace
  } search;                          ///< [search]
  /// The [ui] section. Colours (core/theme.h; docs/configuration.md): a
  /// built-in theme and per-element styles that override it ("" = the
  /// theme's).
  struct Ui {
    std::string theme = "default";  ///< default|light|dark|high-contrast|none
    std::string color_failure;      ///< failing exit codes, the TUI's errors
    std::string color_match;        ///< matched characters in the TUI
    std::string color_dim;          ///< the TUI's status line
    std::string color_selected;     ///< the TUI's selected row
    std::string color_heat;         ///< stats heat map: one style, or four comma-separated (low to high)
  } ui;                             ///< [ui]
  /// The daemon (tools/daemon.h) and its health and metrics endpoint
  /// (tools/endpoint.h): always on the Unix socket beside the spool
  /// directory, and on 127.0.0.1:tcp_port when tcp_port is not 0.
  struct Daemon {
    /// The shell integration starts `tb daemon --detach` at shell start when
    /// none runs and no systemd user unit is installed (tb install).
    bool autostart = true;
    /// The daemon compacts the store when this many events were appended
    /// since its last compaction (at most daily); 0 = never.
    int compact_min_events = 100000;
    /// Frames waiting in the spool (memory) beyond this many MiB make the
    /// shells warn even while the store is only held by another process
    /// (storage/spool_warning.h). Nothing is ever dropped at this size.
    int spool_max_mb = 64;
    /// The daemon keeps the store open this long after a drain, so the next
    /// command skips the writable open (40-250 ms); any other writer still
    /// gets the store at once. An idle daemon (past it) holds nothing.
    int linger_ms = 60000;
    /// The daemon's memory cap: its block cache and write buffers get a
    /// sixteenth each (capped at storage.*), and the systemd unit throttles
    /// it above this (MemoryHigh) and stops it at twice this (MemoryMax).
    int memory_mb = 128;
    int tcp_port = 0;          ///< also serve on 127.0.0.1:PORT; 0 = the Unix socket only
    int max_connections = 8;   ///< connections served at once; more are answered 503 and closed
    int rate_per_second = 20;  ///< requests per second per client (token bucket refill)
    int rate_burst = 40;       ///< requests a client may make at once (bucket size)
  } daemon;                    ///< [daemon]
  /// Sync over NATS JetStream (sync/syncer.h; docs/sync.md).
  struct Sync {
    std::string server;        ///< nats://HOST:PORT or tls://HOST:PORT, comma-separated for a cluster
    std::string creds_file;    ///< NATS credentials (JWT + nkey seed); "" = none
    std::string ca_file;       ///< CA certificate that signed the server's TLS certificate; "" = none
    int replicas = 1;          ///< copies of the stream when tb creates it (3 on a 3-node cluster)
    int timeout_ms = 5000;     ///< connect, request and acknowledgement timeout
    int publish_rate = 0;      ///< events published per second at most (after a burst of as many); 0 = no limit
    int max_in_flight = 4096;  ///< published events awaiting the stream's acknowledgement at once
    /// OTLP/HTTP collector (http(s)://HOST:PORT[/PATH]) the sync spans go
    /// to (sync/trace.h); "" = none.
    std::string otlp_endpoint;
  } sync;  ///< [sync]
  /// The [telemetry] section: opt-in telemetry (docs/telemetry.md). Whether
  /// it is on is not config: tb never writes this file, so `tb telemetry
  /// enable` keeps that in the state dir (tools/telemetry.h).
  struct Telemetry {
    /// Where `tb telemetry send` POSTs the counts: http://HOST[:PORT][/PATH]
    /// or https://...; "" = nowhere (send refuses).
    std::string endpoint;
  } telemetry;  ///< [telemetry]
};

/// Describes one configuration key. Exactly one of int_field / string_field /
/// bool_field / list_field is set, matching `type`. Descriptors are static and
/// immutable.
struct ConfigKey {
  /// The value's type, and which of the *_field accessors is set.
  enum class Type { kInt, kString, kBool, kStringList };

  std::string_view section = {};  ///< "storage"
  std::string_view name = {};     ///< "block_cache_mb"
  Type type = Type::kInt;         ///< the value's type
  ///@{
  /// kInt: the inclusive range of accepted values.
  int64_t min = 0;
  int64_t max = 0;
  ///@}
  /// kString: allowed values (matched case-insensitively, stored lowercase);
  /// empty = any string.
  std::span<const std::string_view> allowed = {};
  std::string_view doc = {};  ///< one line, for `tb config show` / docs
  ///@{
  /// The key's member of a Config, for reading and setting it: the one that
  /// matches `type` is set, the others are null.
  int& (*int_field)(Config&) = nullptr;
  std::string& (*string_field)(Config&) = nullptr;
  bool& (*bool_field)(Config&) = nullptr;
  std::vector<std::string>& (*list_field)(Config&) = nullptr;
  ///@}
  /// kStringList: checks one item; kString: checks the value (after
  /// `allowed`). Returns "" when it is acceptable, else the
  /// end of a sentence that starts with the quoted item ("is not a valid RE2
  /// pattern: missing ): ("). Null = any string.
  std::string (*check_item)(std::string_view item) = nullptr;

  /// "storage.block_cache_mb"
  std::string DottedName() const;
  /// "TERMBRAIN_STORAGE_BLOCK_CACHE_MB"
  std::string EnvName() const;
};

/// All keys, grouped by section in display order.
std::span<const ConfigKey> ConfigKeys();

/// Section names in display order ("storage", "record", "secrets", "log").
std::vector<std::string_view> ConfigSections();

/// Where each effective value came from, keyed by dotted name
/// ("storage.block_cache_mb"): "default", "FILE:LINE" or "env TERMBRAIN_X".
struct ConfigOrigins {
  std::map<std::string, std::string, std::less<>> by_key;  ///< dotted name -> origin

  /// The origin of `dotted_key`; "default" when none was recorded.
  const std::string& Of(std::string_view dotted_key) const;
};

/// Which config file to read, and whether the user named it explicitly
/// (--config or $TERMBRAIN_CONFIG), in which case it must exist.
struct ConfigSource {
  std::string path;            ///< the file; "" when no default location is usable
  bool explicit_path = false;  ///< named by the user: a missing file is an error
};

/// $TERMBRAIN_CONFIG (explicit), else $XDG_CONFIG_HOME/termbrain/config.toml,
/// else $HOME/.config/termbrain/config.toml. Empty or relative
/// XDG_CONFIG_HOME is ignored (XDG spec). Returns an empty path when neither
/// HOME nor XDG_CONFIG_HOME is usable (LoadConfig then uses the defaults).
/// The --config flag is applied by the caller before this.
ConfigSource DefaultConfigPath(const Env& env);

/// $TERMBRAIN_DATA_DIR, else $XDG_DATA_HOME/termbrain, else
/// $HOME/.local/share/termbrain. Empty values count as unset; a relative
/// XDG_DATA_HOME is ignored. Returns "" when none is usable: the caller must
/// report that (ask for --data-dir). The --data-dir flag is applied by the
/// caller before this.
std::string DefaultDataDir(const Env& env);

/// Loads defaults, then `path` (TOML), then `TERMBRAIN_SECTION_KEY` from
/// `env`. On success fills *out and *origins (every key gets an origin). On
/// error leaves them unchanged and returns:
///  - InvalidArgument: explicit path missing or empty, path is a directory,
///    TOML syntax error (file, line, column, toml++'s description), unknown
///    section/key, wrong type, out-of-range or not-allowed value (file, line,
///    key), a list item that its key rejects -- an invalid RE2 pattern, an
///    unknown secret rule name... (file, line of the item, key[index], the
///    reason), unknown or invalid `TERMBRAIN_SECTION_*` variable;
///  - IOError: the file exists but cannot be read.
/// A missing file at a non-explicit (default) path is not an error.
/// Env names whose part after TERMBRAIN_ does not start with a known
/// "SECTION_" (`TERMBRAIN_DATA_DIR`, `TERMBRAIN_CONFIG`, `TERMBRAIN_SESSION`...)
/// are not config and are ignored. Messages are one line, without "tb: error: ".
/// `origins` may be null.
Status LoadConfig(const std::string& path, bool path_is_explicit, const Env& env, Config* out, ConfigOrigins* origins);

/// Renders `cfg` for `tb config show`.
/// Text: TOML grouped by section, origins as trailing comments, sections
/// separated by a blank line:
///   [storage]
///   block_cache_mb = 32  # default
///   ...
///   ignore_space = true  # default
///   ignore_patterns = ["^ls$", "^cd "]  # /home/u/.config/termbrain/config.toml:4
/// JSON (one line + "\n"):
///   {"storage":{"block_cache_mb":{"value":32,"source":"default"},...},...}
///   booleans are JSON booleans, lists are arrays of strings.
/// Strings are escaped; invalid UTF-8 becomes U+FFFD.
std::string RenderConfig(const Config& cfg, const ConfigOrigins& origins, bool json);

}  // namespace tb
