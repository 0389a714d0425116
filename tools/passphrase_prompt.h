// Reading a passphrase (passphrase mode of encryption at rest, docs/security.md
// "Passphrase"; the exported sync key, docs/sync.md). Never from argv or the
// environment, never logged.
//
// When stdin is a terminal: "PROMPT: " goes to stderr and the line is read
// with echo off (termios; restored before returning, and on SIGINT, SIGTERM,
// SIGHUP and SIGQUIT, which are then raised again). With `confirm` (a new
// passphrase) it is asked again ("PROMPT (again): ") and the two must match.
// Otherwise (a pipe, a file, a test): one line is read from stdin, byte by
// byte so that the next call reads the next line (`tb key passphrase` reads
// the current one, then the new one), with no prompt and no confirmation;
// a final newline (and a CR before it) is not part of the passphrase.
// InvalidArgument (exit 2) for an empty passphrase, one longer than
// kMaxPassphraseBytes (core/wrapped_key.h), two entries that differ, or
// stdin at its end. The caller wipes *out after use (WipeSecret,
// core/data_key.h).
// Thread safety: one caller at a time (it owns the terminal meanwhile).
#pragma once

#include <string>

#include "core/status.h"

namespace tb {

Status ReadPassphrase(const std::string& prompt, bool confirm, std::string* out);

}  // namespace tb
