#include "bench/dev_cycles.h"

#include <cctype>
#include <utility>

namespace tb::bench {
namespace {

struct KindCommands {
  std::string_view build, test;
};

// Build and test commands per CycleKind.
constexpr KindCommands kCommands[] = {{"go build ./...", "go test ./..."},
                                      {"cargo build", "cargo test"},
                                      {"npm run build", "npm test"},
                                      {"ruff check .", "pytest"},
                                      {"cmake --build build -j8", "ctest --test-dir build"},
                                      {"terraform validate", "terraform plan"}};

// Habitual slips: a word and how this user mistypes it.
constexpr std::pair<std::string_view, std::string_view> kHabits[] = {
    {"git", "gti"},    {"build", "biuld"}, {"status", "stauts"}, {"commit", "comit"}, {"test", "tset"},
    {"cargo", "carg"}, {"push", "psuh"},   {"npm", "nmp"},       {"pytest", "pyest"}, {"make", "maek"}};

constexpr std::string_view kMessages[] = {"fix", "wip", "tests", "refactor", "cleanup", "docs"};

// The exit of a mistyped command whose word `w` (0-based) was mistyped.
int32_t TypoExit(std::string_view text, size_t w) {
  if (w == 0) return 127;  // command not found
  if (text.starts_with("cargo ")) return 101;
  if (text.starts_with("go ") || text.starts_with("make")) return 2;
  return 1;
}

// [begin, end) of every blank-separated word.
std::vector<std::pair<size_t, size_t>> Words(std::string_view text) {
  std::vector<std::pair<size_t, size_t>> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t b = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > b) words.emplace_back(b, i);
  }
  return words;
}

}  // namespace

void PlanCycle(Rng& rng, CycleKind kind, const std::function<std::string()>& file, std::vector<PlannedCommand>* out) {
  const KindCommands& k = kCommands[static_cast<size_t>(kind)];
  auto edit = [&] { out->push_back({"vim " + file(), 0}); };
  edit();
  for (int round = 0; round < 3; ++round) {
    bool build_ok = !rng.Chance(0.2);
    out->push_back({std::string(k.build), build_ok ? 0 : 1});
    if (!build_ok) {
      edit();
      continue;
    }
    bool test_ok = !rng.Chance(0.25);
    out->push_back({std::string(k.test), test_ok ? 0 : 1});
    if (test_ok) break;
    edit();
  }
  if (!rng.Chance(0.7)) return;
  out->push_back({rng.Chance(0.5) ? "git add ." : "git add " + file(), 0});
  out->push_back({"git commit -m \"" + std::string(kMessages[rng.Below(std::size(kMessages))]) + "\"", 0});
  if (rng.Chance(0.3)) out->push_back({"git push", 0});
}

bool Typo(Rng& rng, std::string_view text, PlannedCommand* out) {
  auto words = Words(text);
  if (rng.Chance(0.7)) {
    for (size_t w = 0; w < words.size() && w < 2; ++w) {
      std::string_view word = text.substr(words[w].first, words[w].second - words[w].first);
      for (const auto& [right, wrong] : kHabits) {
        if (word != right) continue;
        out->text = std::string(text.substr(0, words[w].first)) + std::string(wrong) +
                    std::string(text.substr(words[w].second));
        out->exit_code = TypoExit(text, w);
        return true;
      }
    }
  }
  // Two adjacent letters of the first or second word swapped.
  std::vector<size_t> spots;  // index of the first letter of a swappable pair
  for (size_t w = 0; w < words.size() && w < 2; ++w) {
    for (size_t i = words[w].first; i + 1 < words[w].second; ++i) {
      if (std::isalpha(static_cast<unsigned char>(text[i])) && std::isalpha(static_cast<unsigned char>(text[i + 1])) &&
          text[i] != text[i + 1]) {
        spots.push_back(i);
      }
    }
  }
  if (spots.empty()) return false;
  size_t i = spots[rng.Below(spots.size())];
  out->text = std::string(text);
  std::swap(out->text[i], out->text[i + 1]);
  out->exit_code = TypoExit(text, i < words[0].second ? 0 : 1);
  return true;
}

}  // namespace tb::bench
