#include "core/views/registry.h"

#include "core/views/batches_view.h"
#include "core/views/commands_view.h"
#include "core/views/field_index_view.h"
#include "core/views/history_view.h"
#include "core/views/ids_view.h"
#include "core/views/sequences_view.h"
#include "core/views/stats_view.h"
#include "core/views/workflows_view.h"

namespace tb {

std::span<const View* const> AllViews() {
  static const IdsView ids;
  static const HistoryView history;
  static const FieldIndexView by_cwd(IndexedField::kCwd);
  static const FieldIndexView by_session(IndexedField::kSession);
  static const FieldIndexView by_command(IndexedField::kCommand);
  static const CommandsView commands;
  static const BatchesView batches;
  static const StatsView stats;
  static const SequencesView sequences;
  static const FixesView fixes;
  static const WorkflowsView workflows;
  static const View* const kViews[] = {&ids,     &history, &by_cwd,    &by_session, &by_command, &commands,
                                       &batches, &stats,   &sequences, &fixes,      &workflows};
  return kViews;
}

const View* FindView(std::string_view name) {
  for (const View* v : AllViews()) {
    if (v->name() == name) return v;
  }
  return nullptr;
}

}  // namespace tb
