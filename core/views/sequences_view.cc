#include "core/views/sequences_view.h"

#include <map>
#include <set>
#include <vector>

#include "core/analytics/learning.h"
#include "core/analytics/session_window.h"

namespace tb {

void SequencesView::Apply(const ViewInput& in, ViewWriter& out) const {
  if (in.completion == nullptr) return;
  thread_local std::vector<SequenceOp> ops;
  SequenceOps(*in.completion, &ops);
  for (const SequenceOp& op : ops) out.Merge(op.key, op.operand);
}

bool SequencesView::FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                              std::string* out) const {
  return MergeCounterLists(existing, operands, out);
}

Status SequencesView::ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const {
  std::vector<OwnedCompletion> subtract, add;
  TB_RETURN_IF_ERROR(RecomputeForRemoval(in, lookup, &subtract, &add));
  // key -> counter name -> change.
  std::map<std::string, std::map<std::string, int64_t>> delta;
  std::vector<SequenceOp> ops;
  auto learn = [&](const OwnedCompletion& c, int64_t sign) {
    SequenceOps(c.Get(), &ops);
    for (const SequenceOp& op : ops) {
      CounterReader r(op.operand);
      std::string_view name;
      uint64_t count;
      auto& d = delta[op.key];
      while (r.Next(&name, &count)) d[std::string(name)] += sign * static_cast<int64_t>(count);
    }
  };
  for (const auto& c : subtract) learn(c, -1);
  for (const auto& c : add) learn(c, +1);
  for (auto& [key, d] : delta) {
    std::erase_if(d, [](const auto& e) { return e.second == 0; });
    if (d.empty()) continue;
    std::string v;
    Status s = lookup.Get("sequences", key, &v);
    if (s.IsNotFound()) {
      v.clear();
    } else if (!s.ok()) {
      return s;
    }
    std::string next;
    if (!AdjustCounterList(v, d, &next)) return Status::Corruption("view sequences: malformed counters");
    if (next.empty()) {
      out.Delete(key);
    } else {
      out.Put(key, next);
    }
  }
  return Status::OK();
}

void FixesView::Apply(const ViewInput& in, ViewWriter& out) const {
  if (in.completion == nullptr) return;
  std::string key, value;
  if (FixOf(*in.completion, &key, &value)) out.Put(key, value);
}

Status FixesView::ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const {
  std::vector<OwnedCompletion> subtract, add;
  TB_RETURN_IF_ERROR(RecomputeForRemoval(in, lookup, &subtract, &add));
  std::string key, value;
  std::map<std::string, std::string> puts;
  std::set<std::string> deletes;
  for (const auto& c : subtract) {
    if (FixOf(c.Get(), &key, &value)) deletes.insert(key);
  }
  for (const auto& c : add) {
    if (FixOf(c.Get(), &key, &value)) puts[key] = value;
  }
  for (const auto& k : deletes) {
    if (!puts.count(k)) out.Delete(k);
  }
  for (const auto& [k, v] : puts) out.Put(k, v);
  return Status::OK();
}

}  // namespace tb
