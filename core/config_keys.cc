// The table of configuration keys (core/config.h, ConfigKeys()): one line
// per key with its type, range or allowed values, check and doc. Loading,
// validation, environment overrides and `tb config show` all read it.
#include <iterator>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/data_key.h"
#include "core/duration.h"
#include "core/record_policy.h"
#include "core/secrets.h"
#include "core/theme.h"

namespace tb {
namespace {

constexpr std::string_view kEncryptionModes[] = {"off", "keyfile", "passphrase"};
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
constexpr std::string_view kSearchModes[] = {"substring", "prefix", "fuzzy", "regex", "exact"};
constexpr std::string_view kSearchRanks[] = {"recent", "frecency"};
constexpr std::string_view kSearchScopes[] = {"global", "host", "session", "directory", "workspace"};

// sync.server: empty (sync off) or URLs of the NATS scheme.
std::string SyncServerProblem(std::string_view urls) {
  size_t start = 0;
  while (!urls.empty() && start <= urls.size()) {
    size_t end = urls.find(',', start);
    std::string_view url = urls.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const bool scheme = url.starts_with("nats://") || url.starts_with("tls://");
    const size_t host = url.find("://");
    if (!scheme || host + 3 >= url.size())
      return "is not a NATS URL list: expected nats://HOST:PORT or tls://HOST:PORT";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return "";
}

// telemetry.endpoint: empty (never sends) or an http(s) URL with a host.
std::string TelemetryEndpointProblem(std::string_view url) {
  if (url.empty()) return "";
  for (std::string_view scheme : {"http://", "https://"}) {
    if (!url.starts_with(scheme)) continue;
    const std::string_view host = url.substr(scheme.size(), url.find('/', scheme.size()) - scheme.size());
    if (!host.empty() && host.front() != ':' && host.find_first_of(" \t@?#") == std::string_view::npos) return "";
  }
  return "is not an http:// or https:// URL with a host";
}

// sync.otlp_endpoint: empty (no export) or an http(s) base URL, to which
// tb appends /v1/traces.
std::string OtlpEndpointProblem(std::string_view url) {
  if (url.ends_with("/")) return "ends with '/': give the base URL, tb appends /v1/traces";
  return TelemetryEndpointProblem(url);
}

std::string AbsolutePathProblem(std::string_view path) {
  return path.empty() || path.front() == '/' ? "" : "is not an absolute path";
}

// One line per key. The macros stringify the field names so the key name and
// the Config member can never disagree.
#define TB_INT_KEY(sec, key, lo, hi, doc_text)                                                           \
  ConfigKey {                                                                                            \
    .section = #sec, .name = #key, .type = ConfigKey::Type::kInt, .min = lo, .max = hi, .doc = doc_text, \
    .int_field = [](Config& c) -> int& { return c.sec.key; }                                             \
  }
#define TB_STRING_KEY(sec, key, allowed_values, doc_text)                                                        \
  ConfigKey {                                                                                                    \
    .section = #sec, .name = #key, .type = ConfigKey::Type::kString, .allowed = allowed_values, .doc = doc_text, \
    .string_field = [](Config& c) -> std::string& { return c.sec.key; }                                          \
  }
#define TB_CHECKED_STRING_KEY(sec, key, check, doc_text)                                     \
  ConfigKey {                                                                                \
    .section = #sec, .name = #key, .type = ConfigKey::Type::kString, .doc = doc_text,        \
    .string_field = [](Config& c) -> std::string& { return c.sec.key; }, .check_item = check \
  }
#define TB_BOOL_KEY(sec, key, doc_text)                                             \
  ConfigKey {                                                                       \
    .section = #sec, .name = #key, .type = ConfigKey::Type::kBool, .doc = doc_text, \
    .bool_field = [](Config& c) -> bool& { return c.sec.key; }                      \
  }
#define TB_LIST_KEY(sec, key, check, doc_text)                                                          \
  ConfigKey {                                                                                           \
    .section = #sec, .name = #key, .type = ConfigKey::Type::kStringList, .doc = doc_text,               \
    .list_field = [](Config& c) -> std::vector<std::string>& { return c.sec.key; }, .check_item = check \
  }

const ConfigKey kKeys[] = {
    TB_INT_KEY(storage, block_cache_mb, 1, 65536, "RocksDB block cache size, MiB"),
    TB_INT_KEY(storage, write_buffer_mb, 1, 4096, "RocksDB write buffer (memtable) size, MiB"),
    TB_INT_KEY(storage, lock_wait_ms, 0, 600000, "how long a write waits for a store held by another process, ms"),
    TB_INT_KEY(storage, reserve_mb, 0, 1048576,
               "free space a write needs on the data dir's file system before it starts, MiB "
               "(0 = no check)"),
    TB_STRING_KEY(storage, encryption, kEncryptionModes,
                  "encryption at rest of the data dir: off, keyfile (the key in storage.key_file), or passphrase "
                  "(the key wrapped in DIR/key.wrapped; tb unlock)"),
    TB_CHECKED_STRING_KEY(storage, key_file, KeyFileProblem,
                          "the data key of storage.encryption = keyfile: an absolute path outside the data dir, "
                          "mode 0600 (tb key generate PATH)"),
    TB_INT_KEY(storage, kdf_ops, 1, 64,
               "storage.encryption = passphrase: Argon2id passes when a passphrase is set (tb unlock, tb key "
               "passphrase, tb rekey --passphrase)"),
    TB_INT_KEY(storage, kdf_memory_mb, 1, 4096,
               "storage.encryption = passphrase: Argon2id memory when a passphrase is set, MiB"),
    TB_INT_KEY(record, max_command_bytes, 256, 16777216, "longer commands are truncated when recorded, bytes"),
    TB_BOOL_KEY(record, ignore_space, "commands that start with a space are not recorded"),
    TB_LIST_KEY(record, ignore_patterns, IgnorePatternProblem,
                "RE2 patterns; a command that matches one is not recorded"),
    TB_LIST_KEY(record, ignore_dirs, IgnoreDirProblem,
                "RE2 patterns; commands started in a matching directory are not recorded"),
    TB_LIST_KEY(secrets, disable, SecretRuleNameProblem, "built-in secret rules to turn off (docs/security.md)"),
    TB_LIST_KEY(secrets, extra, ExtraSecretRuleProblem, "extra secret rules, \"name=REGEX\" (RE2, matched on bytes)"),
    TB_STRING_KEY(log, level, kLogLevels, "level of the JSON-lines file log"),
    TB_STRING_KEY(log, file, {}, "log file path; empty = <data dir>/logs/tb.log.jsonl"),
    TB_INT_KEY(log, max_file_kb, 16, 1048576, "size cap of one log file, KiB"),
    TB_INT_KEY(log, max_files, 1, 100, "log files kept, including the current one"),
    TB_STRING_KEY(backup, dir, {}, "backup directory; empty = <data dir>/backups"),
    TB_CHECKED_STRING_KEY(backup, interval, DurationProblem,
                          "automatic backup when the last is older (e.g. 1d, 12h); 0 = off"),
    TB_CHECKED_STRING_KEY(retention, max_age, DurationProblem, "remove events older than this (e.g. 365d); 0 = off"),
    TB_INT_KEY(retention, max_events, 0, 2147483647, "keep at most this many events; 0 = off"),
    TB_INT_KEY(search, inline_height, 0, 1000, "interactive search: lines drawn under the prompt; 0 = full screen"),
    TB_BOOL_KEY(search, enter_runs, "interactive search: Enter runs the chosen command at once"),
    TB_BOOL_KEY(search, up_arrow, "tb init also binds the Up arrow to the interactive search"),
    TB_INT_KEY(search, deadline_ms, 0, 600000, "a search stops after this long, ms; 0 = no deadline"),
    TB_STRING_KEY(search, mode, kSearchModes, "default search mode"),
    TB_STRING_KEY(search, rank, kSearchRanks, "default ranking: recent or frecency"),
    TB_STRING_KEY(search, scope, kSearchScopes, "interactive search: the scope it opens with"),
    TB_STRING_KEY(ui, theme, ThemeNames(), "colour theme: default, light, dark, high-contrast or none"),
    TB_CHECKED_STRING_KEY(ui, color_failure, StyleProblem,
                          "style of failing exit codes and the interactive search's errors; empty = the theme's"),
    TB_CHECKED_STRING_KEY(ui, color_match, StyleProblem,
                          "style of the characters a search matched (interactive search); empty = the theme's"),
    TB_CHECKED_STRING_KEY(ui, color_dim, StyleProblem,
                          "style of the interactive search's status line; empty = the theme's"),
    TB_CHECKED_STRING_KEY(ui, color_selected, StyleProblem,
                          "style of the interactive search's selected row; empty = the theme's"),
    TB_CHECKED_STRING_KEY(ui, color_heat, HeatStylesProblem,
                          "stats heat map: one style, or four comma-separated from low to high; empty = the theme's"),
    TB_BOOL_KEY(daemon, autostart, "the shell integration starts tb daemon when none runs (no systemd unit)"),
    TB_INT_KEY(daemon, compact_min_events, 0, 2147483647,
               "the daemon compacts the store after this many new events (at most daily); 0 = never"),
    TB_INT_KEY(daemon, spool_max_mb, 1, 1048576,
               "shells warn when more than this many MiB of frames wait in the spool (nothing is dropped)"),
    TB_INT_KEY(daemon, linger_ms, 0, 3600000,
               "the daemon keeps the store open this long after a drain, ms (other writers get it at once)"),
    TB_INT_KEY(daemon, memory_mb, 32, 65536,
               "the daemon's memory cap, MiB: caches get a sixteenth each; the systemd unit enforces it"),
    TB_INT_KEY(daemon, tcp_port, 0, 65535, "health/metrics endpoint also on 127.0.0.1:PORT; 0 = Unix socket only"),
    TB_INT_KEY(daemon, max_connections, 1, 1024, "endpoint: connections served at once; more get 503"),
    TB_INT_KEY(daemon, rate_per_second, 1, 100000, "endpoint: requests per second per client; more get 429"),
    TB_INT_KEY(daemon, rate_burst, 1, 100000, "endpoint: requests a client may make at once"),
    TB_CHECKED_STRING_KEY(sync, server, SyncServerProblem,
                          "the NATS server(s) of sync: nats://HOST:PORT or tls://HOST:PORT, comma-separated"),
    TB_CHECKED_STRING_KEY(sync, creds_file, AbsolutePathProblem,
                          "NATS credentials file (user JWT and nkey seed) for the sync server; empty = none"),
    TB_CHECKED_STRING_KEY(sync, ca_file, AbsolutePathProblem,
                          "CA certificate that signed the sync server's TLS certificate; empty = none"),
    TB_INT_KEY(sync, replicas, 1, 5, "copies of the sync stream when tb creates it (3 on a 3-node cluster)"),
    TB_INT_KEY(sync, timeout_ms, 100, 600000, "sync: connect, request and acknowledgement timeout, ms"),
    TB_INT_KEY(sync, publish_rate, 0, 1000000,
               "sync: events published per second at most, after a burst of as many; 0 = no limit"),
    TB_INT_KEY(sync, max_in_flight, 1, 65536, "sync: published events awaiting the stream's acknowledgement at once"),
    TB_CHECKED_STRING_KEY(sync, otlp_endpoint, OtlpEndpointProblem,
                          "OTLP/HTTP collector the sync spans are exported to (http(s)://HOST:PORT; tb posts to "
                          "/v1/traces under it); empty = spans only in the log"),
    TB_CHECKED_STRING_KEY(telemetry, endpoint, TelemetryEndpointProblem,
                          "where tb telemetry send POSTs the counts (http:// or https:// URL); empty = never sends"),
};

#undef TB_INT_KEY
#undef TB_STRING_KEY
#undef TB_CHECKED_STRING_KEY
#undef TB_BOOL_KEY
#undef TB_LIST_KEY

}  // namespace

std::span<const ConfigKey> ConfigKeys() { return kKeys; }

}  // namespace tb
