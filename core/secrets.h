/// @file
/// SecretMasker: replaces spans of a command that look like credentials with a
/// marker naming the rule that found them, before anything reaches disk.
///
///   curl -H 'Authorization: Bearer abcd1234efgh5678'  ->
///   curl -H 'Authorization: Bearer ‹bearer-token›'
///
/// The marker is U+2039 + rule name + U+203A ("‹aws-access-key›"); everything
/// around a secret is kept, so the command stays readable and re-runnable once
/// the secret is typed again. The rules are heuristics (docs/security.md lists
/// them, with what they do not catch).
///
/// Rules: the built-in ones (BuiltinSecretRules(), minus config
/// secrets.disable) and the config's secrets.extra ("name=REGEX"). An extra
/// rule masks its first capture group that took part in the match, or the
/// whole match when it has no group (or none took part).
///
/// Bytes, not text: every pattern is compiled in RE2's Latin-1 mode, so a
/// command is matched byte by byte and invalid UTF-8 (or NUL) anywhere in it
/// neither stops a match nor is altered; `.` matches one byte, and non-ASCII
/// characters in an extra rule match as their UTF-8 byte sequences (fine for
/// literals, not for character classes). Markers are valid UTF-8.
///
/// Not masked: a value that starts with '$' (a shell expansion like $TOKEN,
/// ${TOKEN} or $(pass show x)) unless it is inside single quotes, and empty
/// values. When spans found by different rules overlap they become one marker
/// named after the longest of them; between spans of equal length, after the
/// rule that comes first: extra rules (in config order), then the built-in
/// table order (specific token formats before contextual rules).
///
/// Thread safety: a SecretMasker is immutable after Create(); Mask() may be
/// called from any number of threads at once.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace tb {

/// A built-in rule, for docs, tests and error messages.
struct SecretRuleInfo {
  std::string_view name;     ///< "aws-access-key": the marker and secrets.disable name
  std::string_view matches;  ///< one line: what it looks for
};

/// The built-in rules, in precedence order.
std::span<const SecretRuleInfo> BuiltinSecretRules();

/// "‹name›"
std::string SecretMarker(std::string_view rule_name);

/// Config checks for one list item (see ConfigKey::check_item): "" when
/// acceptable, else the end of a sentence about the quoted item.
/// secrets.disable: must name a built-in rule.
std::string SecretRuleNameProblem(std::string_view name);
/// secrets.extra: "name=REGEX", name of [a-z0-9-] starting with a letter or
/// digit and not a built-in rule's name, REGEX a valid RE2 pattern (Latin-1).
std::string ExtraSecretRuleProblem(std::string_view spec);

/// Replaces what looks like a secret in a command line by a marker naming
/// the rule that found it (the rules in the file comment).
class SecretMasker {
 public:
  /// Builds the masker from config.secrets (disable, extra). InvalidArgument
  /// when a name or pattern is invalid; LoadConfig() already rejects those, so
  /// this only fails for a Config built by hand.
  static Status Create(const Config& config, std::unique_ptr<SecretMasker>* out);

  ~SecretMasker();
  SecretMasker(const SecretMasker&) = delete;
  SecretMasker& operator=(const SecretMasker&) = delete;

  /// Replaces every secret span in *text by its rule's marker; returns how
  /// many markers were written (0: *text is untouched, byte for byte).
  /// Cost: one pass of a combined DFA (RE2::Set) over the text; only the rules
  /// that matched are run again to find their spans.
  size_t Mask(std::string* text) const;

  /// Names of the active rules in precedence order (extras first).
  std::vector<std::string> RuleNames() const;

 private:
  struct Impl;
  explicit SecretMasker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb
