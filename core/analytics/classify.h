/// @file
/// Classifier: groups a command for statistics and gives it a category, from
/// the rule table data/categories.toml (embedded at build time).
///
/// Grouping (Group): the first simple command of the line (up to an unquoted
/// | ; & ( ) < > or newline) is split into words (quotes and backslashes
/// removed as the shell would); leading NAME=VALUE words and the listed
/// prefixes (sudo, time, env, nohup ...; with their options, option values
/// and operands) are skipped; the next word is the tool (a path other than
/// ./X is cut to its basename). For a multi-command tool the first following
/// word that is not an option (nor the value of one of its listed options)
/// and looks like a name ([A-Za-z0-9][A-Za-z0-9._:-]*) is its subcommand:
///   "sudo -u root git -C /x commit -m y"  -> "git commit"
///   "env CC=clang make -j8 all"           -> "make all"
///   "LANG=C ls -la | grep x"              -> "ls"
/// A line of only prefixes/assignments groups as its first word ("sudo");
/// a blank line as "".
///
/// Category(group): the category listing the group itself, else the one
/// listing its tool (the group's first word), else "other".
///
/// Thread safety: immutable after Parse(); Default() is built once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tb {

/// The categories, in display order; "other" last.
std::span<const std::string_view> CategoryNames();

/// Parsed grouping and category rules (see the file comment).
class Classifier {
 public:
  /// The rules of the embedded data/categories.toml. Never fails at run time
  /// (a test parses the embedded file); on a broken build it groups by tool
  /// and classifies everything as "other".
  static const Classifier& Default();
  /// Parses rules. InvalidArgument (one line, naming the key) on a TOML
  /// syntax error, a wrong type, an unknown category or an entry listed
  /// twice under [categories].
  static Status Parse(std::string_view toml_text, std::unique_ptr<Classifier>* out);

  /// The group of `command` ("git commit", "make all", ...; "" for a blank line).
  std::string Group(std::string_view command) const;
  /// A static string from CategoryNames().
  std::string_view Category(std::string_view group) const;
  /// Hash of the [grouping] rules (what the stats view's keys depend on).
  uint64_t GroupingFingerprint() const;

 private:
  std::set<std::string, std::less<>> prefixes_;
  std::set<std::string, std::less<>> option_values_;  // "sudo -u"
  std::set<std::string, std::less<>> operand_prefixes_;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> multi_;  // tool -> value options
  std::map<std::string, size_t, std::less<>> category_of_;                        // entry -> index in CategoryNames()
};

}  // namespace tb
