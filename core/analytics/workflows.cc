#include "core/analytics/workflows.h"

#include <algorithm>

#include "core/history_query.h"
#include "core/views/workflows_view.h"

namespace tb {

Status ValidateWorkflowName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    bool allowed =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!allowed) ok = false;
  }
  if (ok) return Status::OK();
  return Status::InvalidArgument("invalid workflow name '" + std::string(name.substr(0, 80)) +
                                 "': use 1-64 letters, digits, '.', '_' or '-'");
}

Status ListWorkflows(StoreReader& reader, std::vector<Workflow>* out) {
  out->clear();
  std::unique_ptr<KvCursor> c = reader.NewViewCursor(kWorkflowsViewName);
  if (c == nullptr) return Status::OK();
  for (c->SeekToFirst(); c->Valid(); c->Next()) {
    Workflow w;
    if (!DecodeWorkflow(c->key(), c->value(), &w)) return Status::Corruption("view workflows: malformed entry");
    out->push_back(std::move(w));
  }
  return c->status();
}

Status GetWorkflow(StoreReader& reader, std::string_view name, Workflow* out) {
  std::string v;
  Status s = reader.GetViewValue(kWorkflowsViewName, name, &v);
  if (s.IsNotFound()) {
    return Status::NotFound("no workflow '" + std::string(name) + "'. List them with 'tb workflow list'");
  }
  TB_RETURN_IF_ERROR(s);
  if (!DecodeWorkflow(name, v, out)) return Status::Corruption("view workflows: malformed entry");
  return Status::OK();
}

Status StepsFromHistory(StoreReader& reader, const StepsQuery& q, std::vector<std::string>* steps) {
  steps->clear();
  HistoryFilter f;
  if (!q.session.empty()) f.session = q.session;
  size_t seen = 0;
  TB_RETURN_IF_ERROR(QueryHistory(reader, f, [&](const HistoryRecord& r) {
    if (r.running || r.command.starts_with("tb workflow")) return true;
    ++seen;
    if (q.keep_failed || !r.exit_code || *r.exit_code == 0) steps->push_back(r.command);
    return q.last == 0 || seen < q.last;
  }));
  std::reverse(steps->begin(), steps->end());
  return Status::OK();
}

}  // namespace tb
