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

inline constexpr std::string_view kWorkflowsViewName = "workflows";

std::string EncodeWorkflow(const Workflow& w);
bool DecodeWorkflow(std::string_view key, std::string_view value, Workflow* out);

class WorkflowsView final : public View {
 public:
  std::string_view name() const override { return kWorkflowsViewName; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
};

}  // namespace tb
