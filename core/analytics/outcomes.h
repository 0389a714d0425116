/// @file
/// What the brain learns from exit statuses: which commands mostly fail, and
/// which command fixes them. Suggestions (core/analytics/suggest.h), the
/// conventions and frequent sequences of `tb context`
/// (core/analytics/context_brief.h) and workflows saved from the history
/// (core/analytics/workflows.h) leave failing commands out.
///
/// The rule, for a template (core/analytics/templates.h) or a group of
/// commands: of its `uses` (completions, exit known or not), `failures`
/// ended with a known non-zero exit. It is *failing* when
///     4 * failures >= 3 * uses           (at least 3 uses in 4 failed)
/// and its failures are at least kMinFailures or a fix was learned for it
/// (core/analytics/fixes.h): a command that failed once and succeeded never
/// is not yet a habit, unless the user was seen correcting it. A command
/// that often fails for good reasons (a test suite while it is red, a grep
/// that matches nothing) stays below 3 in 4 over its history.
///
/// Thread safety: functions are reentrant; a source is used from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/analytics/patterns.h"
#include "core/status.h"

namespace tb {

/// The failures a template needs (without a learned fix) to be failing.
inline constexpr uint64_t kMinFailures = 2;

/// The rule above; `fixed`: a fix was learned.
bool MostlyFails(uint64_t uses, uint64_t failures, bool fixed = false);

/// What the outcomes of a template say about it.
struct TemplateOutcome {
  uint64_t uses = 0;      ///< completions (read only when the rule needs them)
  uint64_t failures = 0;  ///< completions with a known non-zero exit
  std::string fix;        ///< template of the most learned fix ("" = none; ties: bytewise first)
  bool failing = false;   ///< MostlyFails(uses, failures, !fix.empty())
};

/// The outcome of `tmpl` from the `sequences` counters (core/analytics/learning.h,
/// 'x' and 'u' keys). `known_uses` is a lower bound of its completions the
/// caller already has (e.g. a level count): when it settles the rule, the
/// completions are not read and out->uses is that bound.
Status ReadOutcome(CounterSource& src, std::string_view tmpl, uint64_t known_uses, TemplateOutcome* out);

/// Removes from *patterns (order kept) those with a failing template: a
/// sequence through a command that mostly fails is no advice.
Status DropFailingPatterns(CounterSource& src, std::vector<Pattern>* patterns);

}  // namespace tb
