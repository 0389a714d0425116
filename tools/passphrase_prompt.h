// Reading a passphrase: from the terminal with echo off when stdin is one
// (asked twice when `confirm`: a new passphrase), else the first line of
// stdin (scripts: `tb ... < file`). Never from argv or the environment.
#pragma once

#include <string>

#include "core/status.h"

namespace tb {

// InvalidArgument for an empty passphrase, two entries that differ, or
// stdin at its end; the prompt goes to stderr.
Status ReadPassphrase(const std::string& prompt, bool confirm, std::string* out);

}  // namespace tb
