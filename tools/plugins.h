// Plugins: git-style external subcommands (docs/plugins.md). An executable
// file `tb-NAME` in a directory of $PATH runs as `tb NAME ARGS...` when NAME
// is no command of tb's own: built-in commands always win, and the first
// directory of $PATH that holds tb-NAME wins among plugins.
//
// tb execs the plugin (it replaces tb: signals, the terminal and the exit
// status are the plugin's) with ARGS as given and, in its environment:
//   TB_BIN       the path of this tb, to call it back (e.g. --format json)
//   TB_DATA_DIR  the data dir tb would use (--data-dir, TERMBRAIN_DATA_DIR,
//                the config file, the default)
//   TB_CONFIG    the config file tb reads (it may not exist)
//   TB_FORMAT    the value of a --format option among ARGS ("" when none)
//
// NAME: a lower-case letter, then lower-case letters, digits and '-'.
// Thread safety: functions are reentrant.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tb {

struct Plugin {
  std::string name;  // "hello" for tb-hello
  std::string path;  // where it was found
};

// True when `name` may name a plugin.
bool IsPluginName(std::string_view name);

// The plugins on `path_env` (a $PATH value), by name, each once (the first
// directory that holds it), leaving out the names in `builtin`.
std::vector<Plugin> FindPlugins(std::string_view path_env, const std::vector<std::string>& builtin);

// The plugin `name` on `path_env`, if any and `name` is not in `builtin`.
std::optional<Plugin> FindPlugin(std::string_view path_env, const std::string& name,
                                 const std::vector<std::string>& builtin);

// The value of the first "--format VALUE" or "--format=VALUE" of `args`.
std::string FormatArgument(const std::vector<std::string>& args);

// Execs `plugin` with `args` and the current environment plus `env`
// (replacing variables of the same name). Returns only when the exec
// failed: IOError naming the plugin.
Status ExecPlugin(const Plugin& plugin, const std::vector<std::string>& args,
                  const std::vector<std::pair<std::string, std::string>>& env);

}  // namespace tb
