#include "core/analytics/session_window.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/analytics/templates.h"
#include "core/views/field_index_view.h"
#include "core/views/history_view.h"

namespace tb {
namespace {

struct Item {
  SessionTracker::Entry e;
  Event event;
  bool removed = false;
  bool complete = false;
};

using RemovedBySeq = std::unordered_map<uint64_t, const RemovedRecord*>;

Status LoadItem(ViewLookup& lookup, int64_t time_ns, uint64_t seq, const RemovedBySeq& removed, Item* out) {
  out->e = SessionTracker::Entry{};
  out->e.seq = seq;
  out->e.time_ns = time_ns;
  if (auto it = removed.find(seq); it != removed.end()) {
    out->removed = true;
    out->event = *it->second->event;
    out->e.exit_code = it->second->exit_code;
  } else {
    out->removed = false;
    TB_RETURN_IF_ERROR(lookup.GetEvent(seq, &out->event));
    HistoryState h;
    Status s = GetHistoryState(lookup, time_ns, seq, &h);
    if (s.ok()) {
      out->e.exit_code = h.exit_code;
    } else if (!s.IsNotFound()) {
      return s;
    }
  }
  out->complete = out->event.kind == EventKind::kRecorded || out->e.exit_code.has_value();
  out->e.command = out->event.command;
  out->e.cwd = out->event.cwd;
  out->e.tmpl = CommandTemplate(out->e.command);
  return Status::OK();
}

OwnedCompletion Make(const Item& it, std::vector<SessionTracker::Entry> context) {
  OwnedCompletion c;
  c.record = it.event;
  c.seq = it.e.seq;
  c.exit_code = it.e.exit_code;
  c.tmpl = it.e.tmpl;
  c.entries = std::move(context);
  return c;
}

// The session's present records around the removed ones: for each removed
// record, kSessionContext kept records before it and after it.
Status CollectRange(ViewLookup& lookup, const std::string& session, const std::vector<const RemovedRecord*>& recs,
                    const RemovedBySeq& removed, std::vector<std::vector<Item>>* ranges) {
  std::unique_ptr<FieldIndexCursor> c = NewFieldIndexCursor(lookup, IndexedField::kSession, session);
  if (c == nullptr) return Status::OK();
  std::vector<std::pair<Posting, Posting>> spans;  // [first, last]
  for (const RemovedRecord* r : recs) {
    const Posting at{r->event->time_ns, r->seq};
    Posting first = at, last = at;
    size_t kept = 0;
    for (c->Seek(at), c->Prev(); c->Valid() && kept < kSessionContext; c->Prev()) {
      if (!removed.count(c->posting().seq)) ++kept;
      first = c->posting();
    }
    kept = 0;
    for (c->Seek(at), c->Next(); c->Valid() && kept < kSessionContext; c->Next()) {
      if (!removed.count(c->posting().seq)) ++kept;
      last = c->posting();
    }
    TB_RETURN_IF_ERROR(c->status());
    if (!spans.empty() && first <= spans.back().second) {
      spans.back().second = std::max(spans.back().second, last);
    } else {
      spans.emplace_back(first, last);
    }
  }
  for (const auto& [first, last] : spans) {
    ranges->emplace_back();
    for (c->Seek(first); c->Valid() && c->posting() <= last; c->Next()) {
      Item it;
      TB_RETURN_IF_ERROR(LoadItem(lookup, c->posting().time_ns, c->posting().seq, removed, &it));
      ranges->back().push_back(std::move(it));
    }
    TB_RETURN_IF_ERROR(c->status());
  }
  return Status::OK();
}

}  // namespace

Completion OwnedCompletion::Get() const {
  Completion c;
  c.record = &record;
  c.seq = seq;
  c.exit_code = exit_code;
  c.tmpl = tmpl;
  c.before = before;
  return c;
}

Status RecomputeForRemoval(const RemovalInput& in, ViewLookup& lookup, std::vector<OwnedCompletion>* subtract,
                           std::vector<OwnedCompletion>* add) {
  subtract->clear();
  add->clear();
  RemovedBySeq removed;
  std::map<std::string, std::vector<const RemovedRecord*>> by_session;
  for (const RemovedRecord& r : in.records) {
    removed[r.seq] = &r;
    if (!r.event->session.empty()) {
      by_session[r.event->session].push_back(&r);
    } else if (r.event->kind == EventKind::kRecorded || r.exit_code) {
      Item it;
      it.event = *r.event;
      it.e.seq = r.seq;
      it.e.exit_code = r.exit_code;
      it.e.tmpl = CommandTemplate(r.event->command);
      subtract->push_back(Make(it, {}));
    }
  }
  for (auto& [session, recs] : by_session) {
    std::sort(recs.begin(), recs.end(), [](const RemovedRecord* a, const RemovedRecord* b) {
      return std::pair(a->event->time_ns, a->seq) < std::pair(b->event->time_ns, b->seq);
    });
    std::vector<std::vector<Item>> ranges;
    TB_RETURN_IF_ERROR(CollectRange(lookup, session, recs, removed, &ranges));
    for (const std::vector<Item>& items : ranges) {
      for (size_t j = 0; j < items.size(); ++j) {
        const Item& it = items[j];
        size_t from = j > kSessionContext ? j - kSessionContext : 0;
        bool affected = it.removed;
        for (size_t i = from; i < j; ++i) affected = affected || items[i].removed;
        if (!affected || !it.complete) continue;
        std::vector<SessionTracker::Entry> old_ctx;
        for (size_t i = from; i < j; ++i) old_ctx.push_back(items[i].e);
        subtract->push_back(Make(it, std::move(old_ctx)));
        if (it.removed) continue;
        std::vector<SessionTracker::Entry> new_ctx;
        for (size_t i = j; i > 0 && new_ctx.size() < kSessionContext; --i) {
          if (!items[i - 1].removed) new_ctx.insert(new_ctx.begin(), items[i - 1].e);
        }
        add->push_back(Make(it, std::move(new_ctx)));
      }
    }
  }
  for (auto* list : {subtract, add}) {
    for (OwnedCompletion& c : *list) {
      for (const auto& e : c.entries) {
        c.before.push_back(SessionEntry{e.seq, e.time_ns, e.exit_code, e.command, e.tmpl, e.cwd});
      }
    }
  }
  return Status::OK();
}

}  // namespace tb
