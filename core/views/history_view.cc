#include "core/views/history_view.h"

#include "core/keycode.h"

namespace tb {

std::string HistoryKey(int64_t time_ns, uint64_t seq) {
  std::string k;
  k.reserve(16);
  PutI64Key(&k, time_ns);
  PutU64BE(&k, seq);
  return k;
}

std::string HistoryTimePrefix(int64_t time_ns) {
  std::string k;
  PutI64Key(&k, time_ns);
  return k;
}

std::unique_ptr<KvCursor> NewHistoryCursor(StoreReader& reader) { return reader.NewViewCursor(kHistoryViewName); }

bool ParseHistoryKey(std::string_view key, int64_t* time_ns, uint64_t* seq) {
  return key.size() == 16 && GetI64Key(&key, time_ns) && GetU64BE(&key, seq);
}

std::string EncodeHistoryState(const HistoryState& s) {
  std::string v;
  uint8_t flags = (s.exit_code ? 1 : 0) | (s.duration_ns ? 2 : 0) | (s.running ? 4 : 0);
  v.push_back(static_cast<char>(flags));
  if (s.exit_code) PutZigzag(&v, *s.exit_code);
  if (s.duration_ns) PutZigzag(&v, *s.duration_ns);
  return v;
}

bool DecodeHistoryState(std::string_view v, HistoryState* s) {
  if (v.empty()) return false;
  uint8_t flags = static_cast<uint8_t>(v[0]);
  if (flags & ~7u) return false;
  v.remove_prefix(1);
  *s = HistoryState{};
  s->running = (flags & 4) != 0;
  int64_t x;
  if (flags & 1) {
    if (!GetZigzag(&v, &x) || x < INT32_MIN || x > INT32_MAX) return false;
    s->exit_code = static_cast<int32_t>(x);
  }
  if (flags & 2) {
    if (!GetZigzag(&v, &x)) return false;
    s->duration_ns = x;
  }
  return v.empty();
}

Status GetHistoryState(ViewLookup& lookup, int64_t time_ns, uint64_t seq, HistoryState* state) {
  std::string v;
  TB_RETURN_IF_ERROR(lookup.Get(kHistoryViewName, HistoryKey(time_ns, seq), &v));
  if (!DecodeHistoryState(v, state)) return Status::Corruption("view history: malformed entry");
  return Status::OK();
}

void HistoryView::Apply(const ViewInput& in, ViewWriter& out) const {
  const Event& ev = *in.event;
  HistoryState st;
  switch (ev.kind) {
    case EventKind::kStarted:
      st.running = true;
      out.Put(HistoryKey(ev.time_ns, in.seq), EncodeHistoryState(st));
      return;
    case EventKind::kRecorded:
      st.exit_code = ev.exit_code;
      st.duration_ns = ev.duration_ns;
      out.Put(HistoryKey(ev.time_ns, in.seq), EncodeHistoryState(st));
      return;
    case EventKind::kFinished:
      if (in.start == nullptr) return;  // start unknown: nothing to complete
      st.exit_code = ev.exit_code;
      st.duration_ns = ev.duration_ns;
      out.Put(HistoryKey(in.start->time_ns, in.start_seq), EncodeHistoryState(st));
      return;
    default: return;  // not a command
  }
}

Status HistoryView::ApplyRemoval(const RemovalInput& in, ViewLookup&, ViewWriter& out) const {
  for (const RemovedRecord& r : in.records) out.Delete(HistoryKey(r.event->time_ns, r.seq));
  return Status::OK();
}

}  // namespace tb
