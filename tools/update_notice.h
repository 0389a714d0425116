// Update notices (CHANGELOG.md, embedded at build time; core/changelog.h).
// No network is assumed: after an upgrade, the first `tb` run at a terminal
// prints once what changed since the version run before, and
// `tb version --changes` prints the whole changelog again.
//
// The version last run is kept in STATE/termbrain/last-version (one line;
// STATE = $XDG_STATE_HOME, else ~/.local/state; the directory 0700, the
// file 0600):
//  - no file (the first run ever): it is written; nothing to print;
//  - an older version: the changelog's sections newer than it are returned,
//    and the file is rewritten, so they are printed once;
//  - the same or a newer version (a downgrade): rewritten when it differs;
//    nothing to print.
// A file that cannot be read or written costs nothing but the notice.
// Thread safety: functions are reentrant.
#pragma once

#include <string>
#include <string_view>

#include "tools/context.h"

namespace tb {

// The embedded CHANGELOG.md.
std::string_view ChangelogText();

// STATE/termbrain/last-version for `ctx`'s environment ("" when neither
// XDG_STATE_HOME nor HOME is set).
std::string LastVersionPath(const Context& ctx);

// The notice to print for running `current` now ("" for none), as above.
std::string TakeUpdateNotice(const Context& ctx, std::string_view current);

// True for the commands a shell runs by itself (record, drain, init, the
// daemon, ...): they never print a notice, even at a terminal.
bool RunByTheShell(std::string_view command);

}  // namespace tb
