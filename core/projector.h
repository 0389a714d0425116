/// @file
/// Projector: turns a batch of log events into view mutations.
///
/// It joins each CommandFinished to the CommandStarted it completes: first
/// among the starts of the same batch, then through a StartResolver (storage
/// looks the id up in the `ids` view and reads the start from the log).
/// It also hands every completion (a recorded command, or a finish joined to
/// its start) to the views with its session context (core/view.h).
/// Thread safety: one Projector per thread.
#pragma once

#include <span>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "core/session_context.h"
#include "core/status.h"
#include "core/view.h"

namespace tb {

/// Finds the start of a finish that is not in the batch being applied.
class StartResolver {
 public:
  virtual ~StartResolver() = default;
  /// Finds the started event with id `id`. NotFound when there is none.
  virtual Status FindStart(const EventId& id, uint64_t* seq, Event* start) = 0;
  /// Read access for removal events (BatchReverted, Forgotten); null when the
  /// resolver has none (removal events are then ignored).
  virtual ViewLookup* lookup() { return nullptr; }
};

/// True for the events that remove records from the views.
inline bool IsRemoval(EventKind k) { return k == EventKind::kBatchReverted || k == EventKind::kForgotten; }

/// Turns batches of events into view mutations (see the file comment).
class Projector {
 public:
  /// Applies `events` (ascending seq, each with seq set) to views[i] writing
  /// through writers[i]. views and writers have the same length.
  /// Errors come only from the resolver (NotFound is not an error: the
  /// finish is then ignored by the views).
  /// A removal event (IsRemoval) must be alone in `events` (InvalidArgument
  /// otherwise): it reads the views, which do not see the batch being built.
  /// When `skip_through` is not empty (same length as views), view v only
  /// sees events with seq > skip_through[v]: views caught up to different
  /// points replay together, and the join still sees every start.
  Status Apply(std::span<const Event> events, std::span<const View* const> views, std::span<ViewWriter* const> writers,
               StartResolver& resolver, std::span<const uint64_t> skip_through = {});

 private:
  // Starts seen in the current batch (cleared per call).
  std::unordered_map<EventId, size_t, EventIdHash> batch_starts_;
  Event resolved_;  // scratch for a start read through the resolver
  // Session context of completions (core/session_context.h).
  SessionTracker sessions_;
  Completion completion_;
  Status ApplyRemoval(const Event& ev, std::span<const View* const> views, std::span<ViewWriter* const> writers,
                      ViewLookup& lookup, std::span<const uint64_t> skip_through);
};

}  // namespace tb
