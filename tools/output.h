// Small output helpers shared by the commands: table text, JSON text and
// questions; files are written with core/atomic_file.h, included here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/status.h"

namespace tb {

// "512 B", "1.5 KiB", "12.3 MiB", "1.25 GiB".
std::string HumanBytes(uint64_t bytes);

// `--format json` output: indented by 2, invalid UTF-8 replaced, a final newline.
std::string JsonText(const nlohmann::ordered_json& j);

// Asks `question` on stderr ("<question> [y/N] ") and reads one line from
// stdin: true for "y", "Y", "yes" or "Yes". False without asking when stdin
// is not a terminal (a script must pass --yes), and at end of input.
bool AskYesNo(const std::string& question);

}  // namespace tb
