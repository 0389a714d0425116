/// @file
/// Command length limits (record.max_command_bytes).
#pragma once

#include <string>

namespace tb {

/// Cuts *command to at most `max_bytes` bytes without splitting a UTF-8
/// sequence (invalid bytes count as single characters). Returns true when
/// it cut anything.
bool TruncateCommand(std::string* command, size_t max_bytes);

}  // namespace tb
