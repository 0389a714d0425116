#include "core/views/sequences_view.h"

#include <map>
#include <set>
#include <vector>

#include "core/analytics/learning.h"
#include "core/analytics/session_window.h"
#include "core/keycode.h"

namespace tb {

void SequencesView::Apply(const ViewInput& in, ViewWriter& out) const {
  if (in.completion == nullptr) return;
  thread_local std::vector<SequenceOp> ops;
  SequenceOps(*in.completion, &ops);
  for (const SequenceOp& op : ops) out.Merge(op.key, op.operand);
}

namespace {

// Version 1 of the view held a bare varint per key (one counter per
// n-gram). Until the migration drops that family (on open, when the stored
// version differs), RocksDB may still compact or read version-1 entries
// with this merge operator, and a failed merge in a compaction stops every
// write of the store, the migration's included. So a bare varint reads as
// the counter list {"": count} (what a 'd' key holds in version 2). A
// counter list is never a bare varint: one of at most 10 bytes has a name
// shorter than 10 bytes, so its first byte, the name's length, is a whole
// varint followed by more bytes.
bool LegacyCount(std::string_view v, std::string* list) {
  uint64_t count;
  if (v.empty() || v.size() > 10 || !GetVarint(&v, &count) || !v.empty()) return false;
  list->clear();
  if (count > 0) PutCounter(list, kCountName, count);
  return true;
}

}  // namespace

bool SequencesView::FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                              std::string* out) const {
  std::string legacy_existing;
  std::string_view ex;
  if (existing != nullptr) {
    ex = LegacyCount(*existing, &legacy_existing) ? std::string_view(legacy_existing) : *existing;
  }
  std::vector<std::string> legacy;
  legacy.reserve(operands.size());  // the views below point into it
  std::vector<std::string_view> ops(operands.begin(), operands.end());
  for (std::string_view& op : ops) {
    std::string list;
    if (LegacyCount(op, &list)) op = legacy.emplace_back(std::move(list));
  }
  return MergeCounterLists(existing != nullptr ? &ex : nullptr, ops, out);
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
    Status s = lookup.Get(kSequencesViewName, key, &v);
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
