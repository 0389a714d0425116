// Development cycles and typos for the benchmark history's `workflows` mode
// (bench/history_gen.h, GenOptions::workflows): the sequential structure a
// real developer's history has and the uniform generator lacks.
//
// A cycle, in the project's root directory: edit a file -> build -> test
// -> (git add -> git commit -m "..." -> sometimes git push). A build fails
// 1 time in 5 and a test 1 time in 4; a failure sends the user back to the
// editor and the build (at most 3 rounds). A typo is one of a few habitual
// slips (`gti`, `biuld`, `stauts`...: the same ones again and again, as
// muscle memory makes them) or else two adjacent letters swapped; it fails
// (127 when the command name is mistyped, the tool's usage exit otherwise)
// and the intended command follows it.
//
// Deterministic: everything is drawn from the Rng passed in.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/history_gen.h"

namespace tb::bench {

struct PlannedCommand {
  std::string text;
  int32_t exit_code = 0;
};

// Project kinds, in history_gen.cc's order.
enum class CycleKind { kGo, kRust, kNode, kPython, kCpp, kInfra };

// Appends one cycle to *out; `file` draws a file of the project (relative).
void PlanCycle(Rng& rng, CycleKind kind, const std::function<std::string()>& file, std::vector<PlannedCommand>* out);

// A mistyped `text` (exit code set); false when it has no word of 2+
// letters to mistype.
bool Typo(Rng& rng, std::string_view text, PlannedCommand* out);

}  // namespace tb::bench
