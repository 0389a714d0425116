/// @file
/// The markdown brief of `tb context`: what an AI
/// assistant should know about the project in a directory, from the history.
///
/// Sections, in this order (later ones are the first to go when the brief
/// is cut to its size bound):
///   # <title for the target>            one line of provenance under it
///   ## Project                          directory, types, git branch, remote
///   ## Recent commands[ for "TOPIC"]    TOPIC: newest distinct commands
///                                       containing it (any directory, with
///                                       their directory); else the newest
///                                       distinct commands run here
///   ## Conventions                      per category (build, test, package
///                                       manager, container, kubernetes,
///                                       cloud, database): the most used
///                                       groups here, each with its most
///                                       recent successful command; groups
///                                       that mostly fail here are left out
///                                       (core/analytics/outcomes.h)
///   ## Recent failures                  newest distinct failed commands here
///   ## Learned fixes                    most often learned fixes (core/analytics/fixes.h),
///                                       those mentioning TOPIC when given
///   ## Workflows                        saved workflows (core/analytics/workflows.h),
///                                       then frequent sequences (core/analytics/patterns.h,
///                                       support >= 2) without a failing
///                                       template
/// Empty sections are left out. Every command is shown in a `code span`
/// (backticks in it lengthen the fence) on one line (control characters
/// escaped).
/// Thread safety: reentrant; one call per StoreReader at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/analytics/fixes.h"
#include "core/analytics/patterns.h"
#include "core/analytics/project.h"
#include "core/analytics/workflows.h"
#include "core/record.h"
#include "core/secrets.h"
#include "core/status.h"
#include "core/store_reader.h"

namespace tb {

/// The assistant the brief is written for: it only changes the title.
enum class ContextTarget { kClaude, kCursor, kCopilot, kGeneric };
/// "claude", "cursor", "copilot", "generic"; InvalidArgument otherwise.
Status ParseContextTarget(std::string_view text, ContextTarget* out);

/// What `tb context` asks for.
struct ContextOptions {
  std::string cwd;  ///< the project directory (absolute)
  /// nullopt: recent commands of cwd; else recent commands containing it (any
  /// directory) and the fixes that mention it.
  std::optional<std::string> topic;
  ContextTarget target = ContextTarget::kGeneric;  ///< who the title addresses
  size_t recent = 15;                              ///< commands in "Recent commands"
  size_t failures = 5;                             ///< commands in "Recent failures"
  size_t per_category = 3;                         ///< groups per category in "Conventions"
  size_t scan_limit = 5000;                        ///< records of cwd examined for conventions/failures
  size_t learned = 5;                              ///< fixes, saved workflows and sequences shown (each)
};

/// One command group of a category in "Conventions".
struct ConventionRow {
  std::string category;  ///< the category (build, test, ...; core/analytics/classify.h)
  std::string group;     ///< the command group (e.g. "make", "cargo test")
  std::string example;   ///< most recent successful command of the group (else most recent)
  uint64_t uses = 0;     ///< uses of the group in cwd (among the records scanned)
};

/// What the brief shows; gathered from the store, or built by hand in tests.
struct ContextData {
  ProjectInfo project;                     ///< "Project" (core/analytics/project.h)
  std::vector<HistoryRecord> recent;       ///< newest first, distinct texts
  std::vector<ConventionRow> conventions;  ///< by category, most used first
  std::vector<HistoryRecord> failures;     ///< newest first, distinct texts
  std::vector<FixEntry> fixes;             ///< most often learned first
  std::vector<Workflow> workflows;         ///< saved
  std::vector<Pattern> patterns;           ///< frequent sequences
};

/// Fills everything but data->project from the store.
Status GatherContext(StoreReader& reader, const ContextOptions& o, ContextData* data);

/// The brief, secrets masked with `masker` (may be null: no masking), cut
/// after the last whole line that fits in `max_bytes` (0 = no bound).
std::string RenderContext(const ContextData& d, const ContextOptions& o, const SecretMasker* masker, size_t max_bytes);

}  // namespace tb
