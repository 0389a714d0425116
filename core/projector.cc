#include "core/projector.h"

namespace tb {

Status Projector::Apply(std::span<const Event> events, std::span<const View* const> views,
                        std::span<ViewWriter* const> writers, StartResolver& resolver,
                        std::span<const uint64_t> skip_through) {
  batch_starts_.clear();
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& ev = events[i];
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
    for (size_t v = 0; v < views.size(); ++v) {
      if (!skip_through.empty() && ev.seq <= skip_through[v]) continue;
      views[v]->Apply(in, *writers[v]);
    }
  }
  return Status::OK();
}

}  // namespace tb
