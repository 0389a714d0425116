#include "core/views/commands_view.h"

#include "core/keycode.h"

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
  if (s->uses == 1 || time_ns > s->last_time_ns ||
      (time_ns == s->last_time_ns && seq >= s->last_seq)) {
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
  if (!GetVarint(&v, &s->uses) || !GetVarint(&v, &s->failures) ||
      !GetZigzag(&v, &s->last_time_ns) || !GetVarint(&v, &s->last_seq) || v.empty()) {
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

bool CommandsView::FullMerge(const std::string_view* existing,
                             std::span<const std::string_view> operands,
                             std::string* out) const {
  CommandStats s;
  if (existing != nullptr && !DecodeCommandStats(*existing, &s)) return false;
  for (std::string_view op : operands) {
    if (op.empty()) return false;
    char kind = op[0];
    op.remove_prefix(1);
    bool ok = kind == 'u' ? ApplyUse(op, &s) : kind == 'x' ? ApplyEnd(op, &s) : false;
    if (!ok) return false;
  }
  *out = EncodeCommandStats(s);
  return true;
}

}  // namespace tb
