#include "tools/plugins.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace tb {
namespace {

constexpr std::string_view kPrefix = "tb-";

// The directories of a $PATH value, in order ("" is the current directory,
// which tb does not search: a plugin must be installed, not lying around).
std::vector<std::string> PathDirs(std::string_view path_env) {
  std::vector<std::string> dirs;
  while (!path_env.empty()) {
    const size_t colon = path_env.find(':');
    std::string_view dir = path_env.substr(0, colon);
    if (!dir.empty() && dir.front() == '/') dirs.emplace_back(dir);
    if (colon == std::string_view::npos) break;
    path_env.remove_prefix(colon + 1);
  }
  return dirs;
}

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

bool IsPluginName(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z') return false;
  return name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

std::vector<Plugin> FindPlugins(std::string_view path_env, const std::vector<std::string>& builtin) {
  std::vector<Plugin> out;
  for (const std::string& dir : PathDirs(path_env)) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      const std::string file = e.path().filename().string();
      if (!file.starts_with(kPrefix)) continue;
      Plugin p{file.substr(kPrefix.size()), e.path().string()};
      auto same = [&](const Plugin& q) { return q.name == p.name; };
      if (!IsPluginName(p.name) || std::find(builtin.begin(), builtin.end(), p.name) != builtin.end() ||
          std::any_of(out.begin(), out.end(), same) || !IsExecutableFile(p.path)) {
        continue;
      }
      out.push_back(std::move(p));
    }
  }
  std::sort(out.begin(), out.end(), [](const Plugin& a, const Plugin& b) { return a.name < b.name; });
  return out;
}

std::optional<Plugin> FindPlugin(std::string_view path_env, const std::string& name,
                                 const std::vector<std::string>& builtin) {
  if (!IsPluginName(name) || std::find(builtin.begin(), builtin.end(), name) != builtin.end()) return std::nullopt;
  for (const std::string& dir : PathDirs(path_env)) {
    Plugin p{name, dir + "/" + std::string(kPrefix) + name};
    if (IsExecutableFile(p.path)) return p;
  }
  return std::nullopt;
}

std::string FormatArgument(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size()) return args[i + 1];
    if (args[i].starts_with("--format=")) return args[i].substr(9);
  }
  return "";
}

Status ExecPlugin(const Plugin& plugin, const std::vector<std::string>& args,
                  const std::vector<std::pair<std::string, std::string>>& env) {
  std::vector<std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view var(*e);
    const std::string_view name = var.substr(0, var.find('='));
    auto replaced = [&](const auto& kv) { return kv.first == name; };
    if (std::none_of(env.begin(), env.end(), replaced)) vars.emplace_back(var);
  }
  for (const auto& [name, value] : env) vars.push_back(name + "=" + value);
  std::vector<char*> envp, argv;
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  std::string arg0 = std::string(kPrefix) + plugin.name;
  std::vector<std::string> copies(args);
  argv.push_back(arg0.data());
  for (std::string& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execve(plugin.path.c_str(), argv.data(), envp.data());
  return Status::IOError("cannot run the plugin " + plugin.path + ": " + std::strerror(errno));
}

}  // namespace tb
