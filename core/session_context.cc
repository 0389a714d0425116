#include "core/session_context.h"

#include <algorithm>
#include <functional>

#include "core/analytics/templates.h"
#include "core/views/field_index_view.h"
#include "core/views/history_view.h"

namespace tb {

Status ReadSessionBackward(ViewLookup& lookup, const std::string& session, const Posting* before, size_t max,
                           const std::function<bool(uint64_t seq)>& accept, std::vector<SessionTracker::Entry>* out) {
  out->clear();
  std::unique_ptr<FieldIndexCursor> c = NewFieldIndexCursor(lookup, IndexedField::kSession, session);
  if (c == nullptr) return Status::OK();
  if (before != nullptr) {
    c->SeekForPrev(*before);
    if (c->Valid() && c->posting() == *before) c->Prev();
  } else {
    c->SeekToLast();
  }
  for (; c->Valid() && out->size() < max; c->Prev()) {
    const auto [time_ns, seq] = c->posting();
    if (!accept(seq)) continue;
    Event ev;
    Status s = lookup.GetEvent(seq, &ev);
    if (s.IsNotFound()) continue;
    TB_RETURN_IF_ERROR(s);
    SessionTracker::Entry e;
    e.seq = seq;
    e.time_ns = time_ns;
    HistoryState h;
    s = GetHistoryState(lookup, time_ns, seq, &h);
    if (s.ok()) {
      e.exit_code = h.exit_code;
    } else if (!s.IsNotFound()) {
      return s;
    }
    e.command = std::move(ev.command);
    e.cwd = std::move(ev.cwd);
    e.tmpl = CommandTemplate(e.command);
    out->push_back(std::move(e));
  }
  return c->status();
}

void SessionTracker::BeginBatch() {
  batch_.clear();
  batch_index_.clear();
  batch_exits_.clear();
  view_tail_.clear();
}

void SessionTracker::OnRecord(const Event& ev, uint64_t seq) {
  if (ev.session.empty()) return;
  Entry e;
  e.seq = seq;
  e.time_ns = ev.time_ns;
  if (ev.kind == EventKind::kRecorded) e.exit_code = ev.exit_code;
  e.command = ev.command;
  e.cwd = ev.cwd;
  e.tmpl = CommandTemplate(ev.command);
  auto& list = batch_[ev.session];
  auto it = list.insert_or_assign(Key{ev.time_ns, seq}, std::move(e)).first;
  batch_index_[seq] = &it->second;
}

void SessionTracker::OnFinish(uint64_t start_seq, const Event& start, int32_t exit) {
  if (start.session.empty()) return;
  auto it = batch_index_.find(start_seq);
  if (it != batch_index_.end()) {
    it->second->exit_code = exit;
  } else {
    batch_exits_[start_seq] = exit;
  }
}

Status SessionTracker::LoadBefore(ViewLookup& lookup, const std::string& session, const Posting* before,
                                  uint64_t event_seq, std::vector<Entry>* out) {
  auto accept = [&](uint64_t seq) { return seq < event_seq && batch_index_.count(seq) == 0; };
  // One more than needed: the record completing is often the newest one.
  return ReadSessionBackward(lookup, session, before, kSessionContext + 1, accept, out);
}

Status SessionTracker::Complete(const Event& record, uint64_t seq, std::optional<int32_t> exit, uint64_t event_seq,
                                ViewLookup* lookup, Completion* out) {
  merged_.clear();
  context_.clear();
  auto self = batch_index_.find(seq);
  tmpl_ = self != batch_index_.end() ? self->second->tmpl : CommandTemplate(record.command);
  const Key key{record.time_ns, seq};
  if (!record.session.empty()) {
    if (lookup != nullptr) {
      auto tail = view_tail_.find(record.session);
      if (tail == view_tail_.end()) {
        std::vector<Entry> loaded;
        TB_RETURN_IF_ERROR(LoadBefore(*lookup, record.session, nullptr, event_seq, &loaded));
        tail = view_tail_.emplace(record.session, std::move(loaded)).first;
      }
      // The cached tail is the answer unless this record sorts before its
      // newest entry (an out-of-order record): then it gets its own lookup.
      const std::vector<Entry>* from = &tail->second;
      for (const Entry& e : tail->second) {
        if (e.seq != seq && (!(Key{e.time_ns, e.seq} < key) || e.seq >= event_seq)) {
          const Posting at{record.time_ns, seq};
          TB_RETURN_IF_ERROR(LoadBefore(*lookup, record.session, &at, event_seq, &loaded_));
          from = &loaded_;
          break;
        }
      }
      for (const Entry& e : *from) {
        if (e.seq == seq) continue;
        auto x = batch_exits_.find(e.seq);
        merged_.emplace_back(&e, x != batch_exits_.end() ? std::optional<int32_t>(x->second) : e.exit_code);
      }
    }
    if (auto b = batch_.find(record.session); b != batch_.end()) {
      auto it = b->second.lower_bound(key);
      for (size_t n = 0; n < kSessionContext && it != b->second.begin(); ++n) {
        --it;
        merged_.emplace_back(&it->second, it->second.exit_code);
      }
    }
    std::sort(merged_.begin(), merged_.end(), [](const auto& a, const auto& b) {
      return Key{a.first->time_ns, a.first->seq} < Key{b.first->time_ns, b.first->seq};
    });
    size_t first = merged_.size() > kSessionContext ? merged_.size() - kSessionContext : 0;
    for (size_t i = first; i < merged_.size(); ++i) {
      const Entry& e = *merged_[i].first;
      context_.push_back(SessionEntry{e.seq, e.time_ns, merged_[i].second, e.command, e.tmpl, e.cwd});
    }
  }
  out->record = &record;
  out->seq = seq;
  out->exit_code = exit;
  out->tmpl = tmpl_;
  out->before = context_;
  return Status::OK();
}

}  // namespace tb
