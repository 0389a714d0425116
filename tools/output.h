// Small text helpers shared by the admin commands' table output.
#pragma once

#include <cstdint>
#include <string>

namespace tb {

// "512 B", "1.5 KiB", "12.3 MiB", "1.25 GiB".
std::string HumanBytes(uint64_t bytes);

}  // namespace tb
