/// @file
/// Saved workflows: named lists of shell commands, stored
/// as WorkflowSaved / WorkflowDeleted events and read from the `workflows`
/// view (core/views/workflows_view.h).
///
/// Thread safety: functions are reentrant; one call per StoreReader at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/store_reader.h"

namespace tb {

/// A saved workflow: a named list of command lines.
struct Workflow {
  std::string name;                ///< its name (unique; `tb workflow run NAME`)
  std::vector<std::string> steps;  ///< each step one shell command line
  int64_t saved_ns = 0;            ///< when it was (last) saved
  uint64_t seq = 0;                ///< the WorkflowSaved event
  /// Field by field.
  bool operator==(const Workflow&) const = default;
};

/// All saved workflows, by name (bytewise).
Status ListWorkflows(StoreReader& reader, std::vector<Workflow>* out);
/// The workflow `name`: NotFound ("no workflow 'x'. List them with 'tb
/// workflow list'") when absent.
Status GetWorkflow(StoreReader& reader, std::string_view name, Workflow* out);

/// Steps taken from the history (`tb workflow create --from-last N` and
/// `--from-session ID`).
struct StepsQuery {
  std::string session;       ///< "" = every session
  size_t last = 0;           ///< the newest `last` commands; 0 = all of them
  bool keep_failed = false;  ///< keep commands that failed
};
/// The newest `q.last` finished commands of `q.session`, oldest first,
/// without `tb workflow` commands; of those, the ones that failed (exit
/// known and non-zero) are left out unless q.keep_failed (a workflow stops
/// at its first failing step: a typo corrected right after is no step).
Status StepsFromHistory(StoreReader& reader, const StepsQuery& q, std::vector<std::string>* steps);

/// Names are 1-64 characters of [A-Za-z0-9._-]. InvalidArgument otherwise,
/// e.g. "invalid workflow name 'a b': use 1-64 letters, digits, '.', '_' or '-'".
Status ValidateWorkflowName(std::string_view name);

}  // namespace tb
