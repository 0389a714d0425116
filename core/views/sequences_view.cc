#include "core/views/sequences_view.h"

#include <map>
#include <set>
#include <vector>

#include "core/analytics/learning.h"
#include "core/analytics/session_window.h"
#include "core/keycode.h"

namespace tb {
namespace {

constexpr char kOne[] = {1};

}  // namespace

void SequencesView::Apply(const ViewInput& in, ViewWriter& out) const {
  if (in.completion == nullptr) return;
  thread_local std::vector<std::string> keys;
  SequenceKeys(*in.completion, &keys);
  for (const std::string& k : keys) out.Merge(k, std::string_view(kOne, 1));
}

bool SequencesView::FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                              std::string* out) const {
  uint64_t total = 0;
  if (existing != nullptr) {
    std::string_view v = *existing;
    if (!GetVarint(&v, &total) || !v.empty()) return false;
  }
  for (std::string_view op : operands) {
    uint64_t d;
    if (!GetVarint(&op, &d) || !op.empty()) return false;
    total += d;
  }
  out->clear();
  PutVarint(out, total);
  return true;
}

Status SequencesView::ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const {
  std::vector<OwnedCompletion> subtract, add;
  TB_RETURN_IF_ERROR(RecomputeForRemoval(in, lookup, &subtract, &add));
  std::map<std::string, int64_t> delta;
  std::vector<std::string> keys;
  for (const auto& c : subtract) {
    SequenceKeys(c.Get(), &keys);
    for (auto& k : keys) delta[k]--;
  }
  for (const auto& c : add) {
    SequenceKeys(c.Get(), &keys);
    for (auto& k : keys) delta[k]++;
  }
  for (const auto& [key, d] : delta) {
    if (d == 0) continue;
    std::string v;
    uint64_t count = 0;
    Status s = lookup.Get("sequences", key, &v);
    if (s.ok()) {
      std::string_view sv = v;
      if (!GetVarint(&sv, &count) || !sv.empty()) return Status::Corruption("view sequences: malformed counter");
    } else if (!s.IsNotFound()) {
      return s;
    }
    int64_t next = static_cast<int64_t>(count) + d;
    if (next <= 0) {
      out.Delete(key);
    } else {
      std::string nv;
      PutVarint(&nv, static_cast<uint64_t>(next));
      out.Put(key, nv);
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
