#include "core/views/commands_view.h"

#include <algorithm>
#include <map>
#include <vector>

#include "core/keycode.h"
#include "core/views/field_index_view.h"
#include "core/views/history_view.h"

namespace tb {
namespace {

bool GetExit(std::string_view* in, int32_t* exit) {
  int64_t x;
  if (!GetZigzag(in, &x) || x < INT32_MIN || x > INT32_MAX) return false;
  *exit = static_cast<int32_t>(x);
  return true;
}

bool ApplyUse(std::string_view op, CommandStats* s) {
  int64_t time_ns;
  uint64_t seq;
  if (!GetZigzag(&op, &time_ns) || !GetVarint(&op, &seq) || op.empty()) return false;
  bool has_exit = op[0] != 0;
  op.remove_prefix(1);
  std::optional<int32_t> exit;
  if (has_exit) {
    int32_t e;
    if (!GetExit(&op, &e)) return false;
    exit = e;
  }
  if (!op.empty()) return false;
  s->uses++;
  if (exit && *exit != 0) s->failures++;
  if (s->uses == 1 || time_ns > s->last_time_ns || (time_ns == s->last_time_ns && seq >= s->last_seq)) {
    s->last_time_ns = time_ns;
    s->last_seq = seq;
    s->last_exit = exit;
  }
  return true;
}

bool ApplyEnd(std::string_view op, CommandStats* s) {
  uint64_t seq;
  int32_t exit;
  if (!GetVarint(&op, &seq) || !GetExit(&op, &exit) || !op.empty()) return false;
  if (exit != 0) s->failures++;
  if (seq == s->last_seq) s->last_exit = exit;
  return true;
}

// A folded batch ('a'): the counts and last use of its uses, and the ends
// that did not end its own last use.
struct Folded {
  CommandStats s;
  std::vector<std::pair<uint64_t, int32_t>> ends;  // (start seq, exit)
};

// Makes `use` the last use of `s` when it is not older (or the first one).
void TakeLast(CommandStats* s, const CommandStats& use) {
  if (s->uses == 0 || use.last_time_ns > s->last_time_ns ||
      (use.last_time_ns == s->last_time_ns && use.last_seq >= s->last_seq)) {
    s->last_time_ns = use.last_time_ns;
    s->last_seq = use.last_seq;
    s->last_exit = use.last_exit;
  }
}

bool DecodeFolded(std::string_view op, Folded* f) {
  *f = Folded{};
  if (!GetVarint(&op, &f->s.uses) || !GetVarint(&op, &f->s.failures)) return false;
  if (f->s.uses > 0) {
    if (!GetZigzag(&op, &f->s.last_time_ns) || !GetVarint(&op, &f->s.last_seq) || op.empty()) return false;
    bool has_exit = op[0] != 0;
    op.remove_prefix(1);
    if (has_exit) {
      int32_t e;
      if (!GetExit(&op, &e)) return false;
      f->s.last_exit = e;
    }
  }
  uint64_t n = 0;
  if (!GetVarint(&op, &n) || n > op.size()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t seq;
    int32_t exit;
    if (!GetVarint(&op, &seq) || !GetExit(&op, &exit)) return false;
    f->ends.emplace_back(seq, exit);
  }
  return op.empty();
}

// Applies a folded batch to `s`: its ends to the last use from before it,
// then its counts and last use.
bool ApplyFolded(std::string_view op, CommandStats* s) {
  Folded f;
  if (!DecodeFolded(op, &f)) return false;
  for (const auto& [seq, exit] : f.ends) {
    if (seq == s->last_seq) s->last_exit = exit;  // as ApplyEnd
  }
  s->failures += f.s.failures;
  if (f.s.uses > 0) {
    TakeLast(s, f.s);
    s->uses += f.s.uses;
  }
  return true;
}

}  // namespace

std::string EncodeCommandStats(const CommandStats& s) {
  std::string v;
  PutVarint(&v, s.uses);
  PutVarint(&v, s.failures);
  PutZigzag(&v, s.last_time_ns);
  PutVarint(&v, s.last_seq);
  v.push_back(s.last_exit ? 1 : 0);
  if (s.last_exit) PutZigzag(&v, *s.last_exit);
  return v;
}

bool DecodeCommandStats(std::string_view v, CommandStats* s) {
  *s = CommandStats{};
  if (!GetVarint(&v, &s->uses) || !GetVarint(&v, &s->failures) || !GetZigzag(&v, &s->last_time_ns) ||
      !GetVarint(&v, &s->last_seq) || v.empty()) {
    return false;
  }
  bool has_exit = v[0] != 0;
  v.remove_prefix(1);
  if (has_exit) {
    int32_t e;
    if (!GetExit(&v, &e)) return false;
    s->last_exit = e;
  }
  return v.empty();
}

void CommandsView::Apply(const ViewInput& in, ViewWriter& out) const {
  const Event& ev = *in.event;
  std::string op;
  if (ev.kind == EventKind::kFinished) {
    if (in.start == nullptr) return;
    op.push_back('x');
    PutVarint(&op, in.start_seq);
    PutZigzag(&op, ev.exit_code.value_or(0));
    out.Merge(in.start->command, op);
    return;
  }
  if (!IsCommand(ev.kind)) return;
  op.push_back('u');
  PutZigzag(&op, ev.time_ns);
  PutVarint(&op, in.seq);
  op.push_back(ev.exit_code ? 1 : 0);
  if (ev.exit_code) PutZigzag(&op, *ev.exit_code);
  out.Merge(ev.command, op);
}

bool CommandsView::FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                             std::string* out) const {
  CommandStats s;
  if (existing != nullptr && !DecodeCommandStats(*existing, &s)) return false;
  for (std::string_view op : operands) {
    if (op.empty()) return false;
    char kind = op[0];
    op.remove_prefix(1);
    bool ok = kind == 'u'   ? ApplyUse(op, &s)
              : kind == 'x' ? ApplyEnd(op, &s)
              : kind == 'a' ? ApplyFolded(op, &s)
                            : false;
    if (!ok) return false;
  }
  *out = EncodeCommandStats(s);
  return true;
}

bool CommandsView::PartialMerge(std::span<const std::string_view> operands, std::string* out) const {
  Folded f;
  for (std::string_view op : operands) {
    if (op.empty()) return false;
    char kind = op[0];
    op.remove_prefix(1);
    if (kind == 'u') {
      if (!ApplyUse(op, &f.s)) return false;
    } else if (kind == 'x') {
      uint64_t seq;
      int32_t exit;
      if (!GetVarint(&op, &seq) || !GetExit(&op, &exit) || !op.empty()) return false;
      if (exit != 0) f.s.failures++;
      if (seq == f.s.last_seq) {
        f.s.last_exit = exit;
      } else {
        f.ends.emplace_back(seq, exit);  // may end the last use from before the batch
      }
    } else {
      return false;  // only a batch's own operands are folded
    }
  }
  out->assign(1, 'a');
  PutVarint(out, f.s.uses);
  PutVarint(out, f.s.failures);
  if (f.s.uses > 0) {
    PutZigzag(out, f.s.last_time_ns);
    PutVarint(out, f.s.last_seq);
    out->push_back(f.s.last_exit ? 1 : 0);
    if (f.s.last_exit) PutZigzag(out, *f.s.last_exit);
  }
  PutVarint(out, f.ends.size());
  for (const auto& [seq, exit] : f.ends) {
    PutVarint(out, seq);
    PutZigzag(out, exit);
  }
  return true;
}

Status CommandsView::ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const {
  // Group by command: one read and one write per command text.
  std::map<std::string_view, std::vector<const RemovedRecord*>> by_command;
  for (const RemovedRecord& r : in.records) by_command[r.event->command].push_back(&r);
  for (const auto& [command, recs] : by_command) {
    std::string v;
    Status s = lookup.Get("commands", command, &v);
    if (s.IsNotFound()) continue;  // nothing counted (cannot happen for a present record)
    TB_RETURN_IF_ERROR(s);
    CommandStats st;
    if (!DecodeCommandStats(v, &st)) return Status::Corruption("view commands: malformed entry");
    bool last_removed = false;
    for (const RemovedRecord* r : recs) {
      if (st.uses > 0) st.uses--;
      if (r->exit_code && *r->exit_code != 0 && st.failures > 0) st.failures--;
      if (r->seq == st.last_seq) last_removed = true;
    }
    if (st.uses == 0) {
      out.Delete(command);
      continue;
    }
    if (last_removed) {
      // The newest remaining use: by_command lists (time, seq) ascending,
      // the order FullMerge uses to pick the last use.
      std::unique_ptr<FieldIndexCursor> c = NewFieldIndexCursor(lookup, IndexedField::kCommand, command);
      if (c == nullptr) return Status::Corruption("view by_command is missing");
      bool found = false;
      for (c->SeekToLast(); c->Valid(); c->Prev()) {
        const auto [time_ns, seq] = c->posting();
        // A named copy: clang before 16 cannot capture a structured binding.
        const uint64_t posting_seq = seq;
        if (std::any_of(recs.begin(), recs.end(), [&](const RemovedRecord* r) { return r->seq == posting_seq; })) {
          continue;
        }
        st.last_time_ns = time_ns;
        st.last_seq = seq;
        st.last_exit.reset();
        HistoryState h;
        Status hs = GetHistoryState(lookup, time_ns, seq, &h);
        if (hs.ok()) {
          st.last_exit = h.exit_code;
        } else if (!hs.IsNotFound()) {
          return hs;
        }
        found = true;
        break;
      }
      TB_RETURN_IF_ERROR(c->status());
      if (!found) {
        out.Delete(command);
        continue;
      }
    }
    out.Put(command, EncodeCommandStats(st));
  }
  return Status::OK();
}

}  // namespace tb
