#include "core/projector.h"

#include <algorithm>

#include "core/keycode.h"
#include "core/views/batches_view.h"
#include "core/views/history_view.h"

namespace tb {
namespace {

// The seq of batch `batch`'s first revert, 0 when it was never reverted.
Status RevertSeq(ViewLookup& lookup, uint64_t batch, uint64_t* seq) {
  std::string v;
  Status s = lookup.Get(kBatchesViewName, BatchRevertKey(batch), &v);
  *seq = 0;
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  std::string_view sv = v;
  if (!GetU64BE(&sv, seq)) return Status::Corruption("view batches: malformed revert entry");
  return Status::OK();
}

}  // namespace

// Expands a removal event into the records it removes that are still
// present at this point of the log, then lets every view drop them. What
// "present" means is decided from the log and the `batches` and `history`
// views only, so an append and a replay see the same thing:
//  - a record purged from the log (forgotten earlier) is absent;
//  - a record of a batch whose first revert precedes this event is absent;
//  - a started record without a `history` entry was removed already.
Status Projector::ApplyRemoval(const Event& ev, std::span<const View* const> views,
                               std::span<ViewWriter* const> writers, ViewLookup& lookup,
                               std::span<const uint64_t> skip_through) {
  std::vector<uint64_t> seqs;
  if (ev.kind == EventKind::kBatchReverted) {
    uint64_t first = 0;
    TB_RETURN_IF_ERROR(RevertSeq(lookup, ev.batch, &first));
    if (first != 0 && first < ev.seq) return Status::OK();  // reverted already: nothing to do
    std::unique_ptr<KvCursor> c = lookup.Cursor(kBatchesViewName);
    if (c == nullptr) return Status::OK();
    TB_RETURN_IF_ERROR(ForEachBatchMember(*c, ev.batch, false, [&](uint64_t seq) {
      seqs.push_back(seq);
      return true;
    }));
  } else {
    seqs = ev.targets;
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  }
  std::vector<Event> events;
  std::vector<RemovedRecord> records;
  events.reserve(seqs.size());
  records.reserve(seqs.size());
  for (uint64_t seq : seqs) {
    if (seq >= ev.seq) continue;  // only the past can be removed
    Event rec;
    Status s = lookup.GetEvent(seq, &rec);
    if (s.IsNotFound()) continue;
    TB_RETURN_IF_ERROR(s);
    if (!IsCommand(rec.kind)) continue;
    if (ev.kind == EventKind::kForgotten && rec.kind == EventKind::kRecorded && rec.batch != 0) {
      uint64_t reverted = 0;
      TB_RETURN_IF_ERROR(RevertSeq(lookup, rec.batch, &reverted));
      if (reverted != 0 && reverted < ev.seq) continue;
    }
    RemovedRecord r;
    r.seq = seq;
    if (rec.kind == EventKind::kStarted) {
      HistoryState st;
      s = GetHistoryState(lookup, rec.time_ns, seq, &st);
      if (s.IsNotFound()) continue;
      TB_RETURN_IF_ERROR(s);
      r.exit_code = st.exit_code;
    } else {
      r.exit_code = rec.exit_code;
    }
    events.push_back(std::move(rec));
    records.push_back(r);
  }
  for (size_t i = 0; i < records.size(); ++i) records[i].event = &events[i];
  RemovalInput in;
  in.seq = ev.seq;
  in.event = &ev;
  in.records = records;
  for (size_t v = 0; v < views.size(); ++v) {
    if (!skip_through.empty() && ev.seq <= skip_through[v]) continue;
    TB_RETURN_IF_ERROR(views[v]->ApplyRemoval(in, lookup, *writers[v]));
  }
  return Status::OK();
}

Status Projector::Apply(std::span<const Event> events, std::span<const View* const> views,
                        std::span<ViewWriter* const> writers, StartResolver& resolver,
                        std::span<const uint64_t> skip_through) {
  batch_starts_.clear();
  sessions_.BeginBatch();
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& ev = events[i];
    if (IsRemoval(ev.kind)) {
      if (events.size() != 1) {
        return Status::InvalidArgument("a removal event must be appended alone");
      }
      ViewLookup* lookup = resolver.lookup();
      if (lookup == nullptr) return Status::OK();
      return ApplyRemoval(ev, views, writers, *lookup, skip_through);
    }
    ViewInput in;
    in.seq = ev.seq;
    in.event = &ev;
    if (ev.kind == EventKind::kStarted) {
      batch_starts_[ev.id] = i;
    } else if (ev.kind == EventKind::kFinished) {
      auto it = batch_starts_.find(ev.start);
      if (it != batch_starts_.end()) {
        in.start = &events[it->second];
        in.start_seq = in.start->seq;
      } else {
        uint64_t seq = 0;
        Status s = resolver.FindStart(ev.start, &seq, &resolved_);
        if (s.ok()) {
          in.start = &resolved_;
          in.start_seq = seq;
        } else if (!s.IsNotFound()) {
          return s;
        }
      }
    }
    if (ev.kind == EventKind::kRecorded) {
      TB_RETURN_IF_ERROR(sessions_.Complete(ev, ev.seq, ev.exit_code, ev.seq, resolver.lookup(), &completion_));
      in.completion = &completion_;
    } else if (ev.kind == EventKind::kFinished && in.start != nullptr) {
      TB_RETURN_IF_ERROR(
          sessions_.Complete(*in.start, in.start_seq, ev.exit_code, ev.seq, resolver.lookup(), &completion_));
      in.completion = &completion_;
    }
    for (size_t v = 0; v < views.size(); ++v) {
      if (!skip_through.empty() && ev.seq <= skip_through[v]) continue;
      views[v]->Apply(in, *writers[v]);
    }
    if (IsCommand(ev.kind)) {
      sessions_.OnRecord(ev, ev.seq);
    } else if (ev.kind == EventKind::kFinished && in.start != nullptr) {
      sessions_.OnFinish(in.start_seq, *in.start, ev.exit_code.value_or(0));
    }
  }
  return Status::OK();
}

}  // namespace tb
