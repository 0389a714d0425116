#include "core/analytics/project.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace tb {
namespace {

namespace fs = std::filesystem;

// Marker file -> project type, in the order types are listed.
constexpr std::pair<const char*, const char*> kMarkers[] = {
    {"CMakeLists.txt", "C/C++ (CMake)"},
    {"meson.build", "C/C++ (Meson)"},
    {"Cargo.toml", "Rust (Cargo)"},
    {"go.mod", "Go (modules)"},
    {"package.json", "JavaScript/TypeScript (npm)"},
    {"deno.json", "JavaScript/TypeScript (Deno)"},
    {"pyproject.toml", "Python (pyproject)"},
    {"setup.py", "Python (setup.py)"},
    {"requirements.txt", "Python (requirements.txt)"},
    {"pom.xml", "Java (Maven)"},
    {"build.gradle", "JVM (Gradle)"},
    {"build.gradle.kts", "JVM (Gradle, Kotlin DSL)"},
    {"Gemfile", "Ruby (Bundler)"},
    {"composer.json", "PHP (Composer)"},
    {"mix.exs", "Elixir (Mix)"},
    {"Package.swift", "Swift (SwiftPM)"},
    {"flake.nix", "Nix (flake)"},
    {"Makefile", "Make"},
    {"Dockerfile", "Docker"},
    {"docker-compose.yml", "Docker Compose"},
    {"compose.yaml", "Docker Compose"},
    {"terraform.tf", "Terraform"},
    {"main.tf", "Terraform"},
};

constexpr size_t kMaxFileBytes = 1 << 20;

bool ReadSmallFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::string s(kMaxFileBytes, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<size_t>(in.gcount()));
  *out = std::move(s);
  return true;
}

std::string TrimLine(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

// The git dir of the repository enclosing `dir` ("" when none): a .git
// directory, or a .git file "gitdir: PATH" (worktrees, submodules).
fs::path FindGitDir(const fs::path& dir, fs::path* root) {
  std::error_code ec;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    fs::path g = p / ".git";
    if (fs::is_directory(g, ec)) {
      *root = p;
      return g;
    }
    std::string content;
    if (fs::is_regular_file(g, ec) && ReadSmallFile(g, &content)) {
      content = TrimLine(content);
      if (content.starts_with("gitdir:")) {
        fs::path target = TrimLine(content.substr(7));
        *root = p;
        return target.is_absolute() ? target : p / target;
      }
    }
    if (p == p.parent_path()) break;
  }
  return {};
}

std::string Branch(const fs::path& git_dir) {
  std::string head;
  if (!ReadSmallFile(git_dir / "HEAD", &head)) return "";
  head = TrimLine(head);
  constexpr std::string_view kRef = "ref: refs/heads/";
  if (head.starts_with(kRef)) return head.substr(kRef.size());
  if (head.starts_with("ref: ")) return head.substr(5);
  if (head.size() >= 7) return "(detached at " + head.substr(0, 7) + ")";
  return "";
}

// url of [remote "origin"], else of the first remote. A worktree's config
// lives in the common dir ("commondir" file).
std::string Remote(const fs::path& git_dir) {
  fs::path config_dir = git_dir;
  std::string common;
  if (ReadSmallFile(git_dir / "commondir", &common)) {
    fs::path c = TrimLine(common);
    config_dir = c.is_absolute() ? c : git_dir / c;
  }
  std::string config;
  if (!ReadSmallFile(config_dir / "config", &config)) return "";
  std::istringstream in(config);
  std::string line, section, first, origin;
  while (std::getline(in, line)) {
    line = TrimLine(line);
    if (line.starts_with("[")) {
      section = line;
      continue;
    }
    if (!section.starts_with("[remote ")) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos || TrimLine(line.substr(0, eq)) != "url") continue;
    std::string url = TrimLine(line.substr(eq + 1));
    if (first.empty()) first = url;
    if (section == "[remote \"origin\"]" && origin.empty()) origin = url;
  }
  return StripUrlCredentials(origin.empty() ? first : origin);
}

}  // namespace

std::string StripUrlCredentials(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t start = scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  size_t at = url.rfind('@', end);
  if (at == std::string::npos || at < start) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

ProjectInfo DetectProject(const std::string& dir) {
  ProjectInfo info;
  info.dir = dir;
  std::error_code ec;
  for (const auto& [file, type] : kMarkers) {
    if (!fs::exists(fs::path(dir) / file, ec)) continue;
    bool seen = false;
    for (const std::string& t : info.types) seen = seen || t == type;
    if (!seen) info.types.emplace_back(type);
  }
  fs::path root;
  fs::path git_dir = FindGitDir(fs::path(dir), &root);
  if (!git_dir.empty()) {
    info.git_root = root.string();
    info.branch = Branch(git_dir);
    info.remote = Remote(git_dir);
  }
  return info;
}

}  // namespace tb
