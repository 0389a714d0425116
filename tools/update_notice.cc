#include "tools/update_notice.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "changelog_md.h"
#include "core/atomic_file.h"
#include "core/changelog.h"

namespace tb {

std::string_view ChangelogText() { return embedded::k_changelog_md; }

std::string LastVersionPath(const Context& ctx) {
  const std::string dir = StateDir(ctx);
  return dir.empty() ? "" : dir + "/last-version";
}

std::string TakeUpdateNotice(const Context& ctx, std::string_view current) {
  const std::string path = LastVersionPath(ctx);
  if (path.empty()) return "";
  std::string last;
  std::ifstream in(path);
  const bool known = in && std::getline(in, last) && !last.empty();
  if (known && last == current) return "";
  const std::string dir = std::filesystem::path(path).parent_path().string();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0700);
  if (!WriteFileAtomically(path, std::string(current) + "\n").ok()) return "";
  if (!known || CompareVersions(last, current) >= 0) return "";
  const std::string changes = ChangesBetween(ChangelogText(), last, current);
  if (changes.empty()) return "";
  return "tb was updated from " + last + " to " + std::string(current) + ". What changed:\n\n" + changes +
         "\n(tb version --changes shows it again)\n";
}

bool RunByTheShell(std::string_view command) {
  for (std::string_view quiet : {"record", "drain", "daemon", "init", "completions", "off", "on"}) {
    if (command == quiet) return true;
  }
  return false;
}

}  // namespace tb
