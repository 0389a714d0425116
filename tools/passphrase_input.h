// Reading a passphrase (storage.encryption = "passphrase"; docs/security.md,
// "Passphrase"). Never from argv or the environment, never logged.
//
// When stdin is a terminal: the prompt goes to stderr and the line is read
// from the terminal with echo off (termios; restored before returning, and
// on SIGINT, SIGTERM, SIGHUP and SIGQUIT, which are then raised again).
// With `confirm` (a new passphrase) it is asked a second time and the two
// must match. Otherwise (a pipe, a file, a test): one line is read from
// stdin, byte by byte so that the next call reads the next line, with no
// prompt and no confirmation; a final newline (and a CR before it) is not
// part of the passphrase.
// An empty passphrase is refused (InvalidArgument, exit 2), as is stdin at
// its end.
// The caller wipes *out after use (WipeSecret, core/data_key.h).
// Thread safety: one caller at a time (it owns the terminal meanwhile).
#pragma once

#include <string>

#include "core/status.h"

namespace tb {

Status ReadPassphrase(const std::string& prompt, bool confirm, std::string* out);

}  // namespace tb
