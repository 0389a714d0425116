#include "core/views/workflows_view.h"

#include "core/keycode.h"

namespace tb {

std::string EncodeWorkflow(const Workflow& w) {
  std::string v;
  PutZigzag(&v, w.saved_ns);
  PutVarint(&v, w.seq);
  PutVarint(&v, w.steps.size());
  for (const auto& s : w.steps) PutLengthPrefixed(&v, s);
  return v;
}

bool DecodeWorkflow(std::string_view key, std::string_view v, Workflow* out) {
  *out = Workflow{};
  out->name = std::string(key);
  uint64_t n;
  if (!GetZigzag(&v, &out->saved_ns) || !GetVarint(&v, &out->seq) || !GetVarint(&v, &n) || n > v.size()) {
    return false;
  }
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!GetLengthPrefixed(&v, &s)) return false;
    out->steps.emplace_back(s);
  }
  return v.empty();
}

void WorkflowsView::Apply(const ViewInput& in, ViewWriter& out) const {
  const Event& ev = *in.event;
  if (ev.kind == EventKind::kWorkflowSaved) {
    Workflow w;
    w.name = ev.name;
    w.steps = ev.steps;
    w.saved_ns = ev.time_ns;
    w.seq = in.seq;
    out.Put(ev.name, EncodeWorkflow(w));
  } else if (ev.kind == EventKind::kWorkflowDeleted) {
    out.Delete(ev.name);
  }
}

}  // namespace tb
