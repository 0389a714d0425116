#include "core/changelog.h"

#include <charconv>

namespace tb {
namespace {

constexpr std::string_view kHeading = "## ";

// The next dotted part of `v` as a number (0 when it is not one), and
// `v` after it and its dot.
uint64_t NextPart(std::string_view* v) {
  const size_t dot = v->find('.');
  std::string_view part = v->substr(0, dot);
  v->remove_prefix(dot == std::string_view::npos ? v->size() : dot + 1);
  uint64_t n = 0;
  auto r = std::from_chars(part.data(), part.data() + part.size(), n);
  return r.ec == std::errc() && r.ptr == part.data() + part.size() ? n : 0;
}

}  // namespace

std::vector<ChangeSection> ParseChangelog(std::string_view markdown) {
  std::vector<ChangeSection> out;
  while (!markdown.empty()) {
    const size_t end = markdown.find('\n');
    std::string_view line = markdown.substr(0, end);
    markdown.remove_prefix(end == std::string_view::npos ? markdown.size() : end + 1);
    if (line.starts_with(kHeading)) {
      std::string_view title = line.substr(kHeading.size());
      out.push_back({std::string(title.substr(0, title.find(' '))), ""});
    }
    if (!out.empty()) out.back().text.append(line).push_back('\n');
  }
  for (ChangeSection& s : out) {
    while (s.text.ends_with("\n\n")) s.text.pop_back();
  }
  return out;
}

int CompareVersions(std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    const uint64_t x = NextPart(&a), y = NextPart(&b);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

std::string ChangesBetween(std::string_view markdown, std::string_view since, std::string_view current) {
  std::string out;
  for (const ChangeSection& s : ParseChangelog(markdown)) {
    if (CompareVersions(s.version, since) <= 0 || CompareVersions(s.version, current) > 0) continue;
    if (!out.empty()) out += "\n";
    out += s.text;
  }
  return out;
}

}  // namespace tb
