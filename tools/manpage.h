// The manual pages: tb(1), the overview (every command with its summary,
// the global options, exit codes, files), and one page per command group,
// tb-GROUP(1) (groups as `tb help` lists them: a command's first word), with
// each command's synopsis, options and the values they take. Written from
// DescribeCommands (tools/command_docs.h) by `tb help --man NAME`, which
// the package build runs (cmake/packaged_file.cmake).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/command_docs.h"

namespace tb {

// "tb", then "tb-" + each group in the order of the table.
std::vector<std::string> ManPageNames(const std::vector<CommandDoc>& docs);

// Page `name` (one of ManPageNames) in man(7) roff for tb `version`; ""
// for another name.
std::string ManPage(const std::string& name, const std::vector<CommandDoc>& docs, std::string_view version);

// `text` as roff text: backslashes, minus signs and a leading '.' or '''
// escaped.
std::string RoffText(std::string_view text);

}  // namespace tb
