/// @file
/// Command templates: a command with the arguments that vary between runs
/// abstracted, so `git commit -m "fix a"` and `git commit -m 'b'` count as
/// one pattern. Pure functions, no state.
///
/// Rules (applied per shell word; words split on unquoted blanks, quotes and
/// backslash escapes respected):
///  - the first word of the command and of each pipeline/list segment (after
///    | || && ; &) is kept verbatim, as are `VAR=` assignments' names
///    (`VAR=<val>` after classifying the value);
///  - operators (| || && ; & > >> < 2> 2>&1 ...) are kept;
///  - flags (a word of 2+ bytes starting with '-', -9 included) are kept; `--flag=VALUE` keeps
///    `--flag=` and classifies VALUE;
///  - any other word is classified: a word with a quote -> \<str\>; a URL
///    (contains "://", or user\@host:path) -> \<url\>; a number (digits with an
///    optional sign, '.', ':' or trailing unit letters like 10s, 5m) -> \<num\>;
///    7-64 hex digits with at least one digit and one letter -> \<hash\>; a
///    path (contains '/', starts with '~' or '.', or has a file extension
///    such as main.c) -> \<path\>; anything else is kept;
///  - a run of equal placeholders collapses into one (`rm a b.txt c/d` ->
///    `rm a <path>`);
///  - words are joined with one space; the result is never empty for a
///    non-blank command (a blank command gives "").
#pragma once

#include <string>
#include <string_view>

namespace tb {

/// The template of `command` under the rules above ("" for a blank command).
std::string CommandTemplate(std::string_view command);

/// The tool and subcommand (first two words, the second only when it is
/// not a flag/placeholder), e.g. "git commit" for `git commit -m x`.
std::string CommandHead(std::string_view command);

}  // namespace tb
