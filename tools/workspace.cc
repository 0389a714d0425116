#include "tools/workspace.h"

#include <filesystem>

namespace tb {

std::optional<std::string> FindWorkspace(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::path(dir).lexically_normal();
  for (;;) {
    if (std::filesystem::exists(p / ".git", ec)) {
      std::string s = p.string();
      while (s.size() > 1 && s.back() == '/') s.pop_back();
      return s;
    }
    if (!p.has_parent_path() || p.parent_path() == p) return std::nullopt;
    p = p.parent_path();
  }
}

}  // namespace tb
