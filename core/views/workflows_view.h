/// @file
/// The `workflows` view: one entry per saved workflow (core/analytics/workflows.h).
///
///   key   := name bytes
///   value := zigzag(saved_ns) varint(seq) varint(n) lpbytes(step){n}
/// WorkflowSaved puts, WorkflowDeleted deletes; removals of commands do not
/// touch it.
#pragma once

#include "core/analytics/workflows.h"
#include "core/view.h"

namespace tb {

/// The view's name (column family "view_workflows").
inline constexpr std::string_view kWorkflowsViewName = "workflows";

/// The value of `w` (layout above; the name is the key).
std::string EncodeWorkflow(const Workflow& w);
/// Decodes an entry (the name from `key`); false when the value is malformed.
bool DecodeWorkflow(std::string_view key, std::string_view value, Workflow* out);

/// The `workflows` view (see the file comment).
class WorkflowsView final : public View {
 public:
  std::string_view name() const override { return kWorkflowsViewName; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
};

}  // namespace tb
