#include "sync/syncer.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <unordered_set>
#include <vector>

#include "core/views/ids_view.h"
#include "sync/sync_message.h"

namespace tb {
namespace {

constexpr size_t kPublishBatch = 4096;
constexpr int kFetchBatch = 4096;

// Checkpoint `key` as decimal numbers separated by single spaces: how many
// it holds in *count (0 when it was never set; at most `max`).
Status ReadNumbers(Store& store, std::string_view key, size_t max, uint64_t* out, size_t* count) {
  *count = 0;
  std::string v;
  Status s = store.GetCheckpoint(key, &v);
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  const char* p = v.data();
  const char* end = v.data() + v.size();
  while (*count < max) {
    auto r = std::from_chars(p, end, out[*count]);
    if (r.ec != std::errc()) break;
    ++*count;
    p = r.ptr;
    if (p == end) return Status::OK();
    if (*p++ != ' ') break;
  }
  return Status::Corruption("damaged sync cursor in the store (checkpoint " + std::string(key) + ")");
}

// The outbox cursor (syncer.h).
struct Outbox {
  uint64_t seq = 0;
  uint64_t epoch = 0;  // 0: never set
  uint64_t purge_below = 0;
};

Status ReadOutbox(Store& store, Outbox* out) {
  uint64_t v[3] = {0, 0, 0};
  size_t n = 0;
  TB_RETURN_IF_ERROR(ReadNumbers(store, kCkptSyncPublished, 3, v, &n));
  if (n == 2) return Status::Corruption("damaged sync cursor in the store (checkpoint sync/published)");
  *out = Outbox{v[0], n == 1 ? 1 : v[1], v[2]};
  return Status::OK();
}

Status WriteOutbox(Store& store, const Outbox& o) {
  return store.AppendWithCheckpoint(
      {}, true, kCkptSyncPublished,
      std::to_string(o.seq) + " " + std::to_string(o.epoch) + " " + std::to_string(o.purge_below));
}

// The inbox cursor's value: the stream seq and the log head it was
// committed with. A head below that head means the log lost events since
// (a rollback, a restore): what they were is read again from the start,
// and what the store still holds is skipped by id.
std::string ConsumedValue(uint64_t stream_seq, uint64_t head) {
  return std::to_string(stream_seq) + " " + std::to_string(head);
}

Status ReadConsumed(Store& store, uint64_t* out) {
  uint64_t v[2] = {0, 0};
  size_t n = 0;
  TB_RETURN_IF_ERROR(ReadNumbers(store, kCkptSyncConsumed, 2, v, &n));
  if (n == 1) return Status::Corruption("damaged sync cursor in the store (checkpoint sync/consumed)");
  *out = store.head() < v[1] ? 0 : v[0];
  return Status::OK();
}

bool Publishes(const Event& ev) { return ev.origin_host.empty() && SyncCarries(ev.kind); }

int64_t UnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The span of one published batch, the root of its trace.
void PublishSpan(const SpanSink& spans, const SyncIdentity& self, const TraceContext& ctx, int64_t start_ns,
                 size_t events, const Status& s) {
  if (!spans) return;
  Span span;
  span.name = "sync.publish";
  span.kind = Span::Kind::kProducer;
  span.context = ctx;
  span.start_ns = start_ns;
  span.end_ns = UnixNs();
  span.counts = {{"tb.events", static_cast<int64_t>(events)}};
  span.strings = {{"tb.host", self.host_id}};
  if (!s.ok()) span.error = s.message();
  spans(span);
}

// The publish spans the messages of one fetched batch came from, with how
// many messages each sent and from which host.
class ApplySpans {
 public:
  ApplySpans(const SpanSink& spans, const std::string& host_id) : spans_(spans), host_id_(host_id) {}

  void Start() {
    parents_.clear();
    start_ns_ = spans_ ? UnixNs() : 0;
  }

  void Add(const ReceivedMessage& m, const std::string& origin_host) {
    TraceContext parent;
    if (!spans_ || !ParseTraceparent(m.traceparent, &parent)) return;
    Parent& p = parents_[parent.span_id];
    p.context = std::move(parent);
    p.origin_host = origin_host;
    p.events++;
  }

  // Once the batch is committed: one "sync.apply" span per publish span.
  void End() {
    if (!spans_) return;
    const int64_t end_ns = UnixNs();
    for (auto& [id, p] : parents_) {
      Span span;
      span.name = "sync.apply";
      span.kind = Span::Kind::kConsumer;
      span.context = TraceContext{p.context.trace_id, NewSpanId()};
      span.parent_span_id = id;
      span.start_ns = start_ns_;
      span.end_ns = end_ns;
      span.counts = {{"tb.events", p.events}};
      span.strings = {{"tb.host", host_id_}, {"tb.origin_host", p.origin_host}};
      spans_(span);
    }
  }

 private:
  struct Parent {
    TraceContext context;
    std::string origin_host;
    int64_t events = 0;
  };
  const SpanSink& spans_;
  const std::string& host_id_;
  std::map<std::string, Parent> parents_;
  int64_t start_ns_ = 0;
};

// The local seqs of the records a received forget names.
Status LocalTargets(Store& store, const Event& forget, std::vector<uint64_t>* seqs) {
  seqs->clear();
  for (const EventId& id : forget.target_ids) {
    uint64_t seq = 0;
    Status s = LookupId(store.reader(), id, &seq);
    if (s.IsNotFound()) continue;  // never received, or forgotten already
    TB_RETURN_IF_ERROR(s);
    seqs->push_back(seq);
  }
  return Status::OK();
}

// Appends received events in the stream's order, the inbox cursor with them.
class Inbox {
 public:
  Inbox(Store& store, SyncCounts* counts) : store_(store), counts_(counts) {}

  Status Add(Event ev, uint64_t stream_seq) {
    uint64_t seq = 0;
    Status s = LookupId(store_.reader(), ev.id, &seq);
    if (s.ok() || ids_.contains(ev.id)) {
      counts_->duplicates++;
      last_ = stream_seq;
      return Status::OK();
    }
    if (!s.IsNotFound()) return s;
    ev.seq = 0;
    if (ev.kind == EventKind::kRecorded) ev.batch = 0;  // the origin's import batch
    if (ev.kind == EventKind::kForgotten) return Forget(std::move(ev), stream_seq);
    ids_.insert(ev.id);
    pending_.push_back(std::move(ev));
    last_ = stream_seq;
    return Status::OK();
  }

  // A message that adds nothing here (this host's own, a kind sync does
  // not carry): the cursor moves past it.
  void Skip(uint64_t stream_seq) { last_ = stream_seq; }

  // Commits what is pending with the cursor.
  Status Flush() {
    if (last_ <= committed_) return Status::OK();
    const uint64_t head = store_.head() + pending_.size();
    TB_RETURN_IF_ERROR(store_.AppendWithCheckpoint(pending_, true, kCkptSyncConsumed, ConsumedValue(last_, head)));
    counts_->received += pending_.size();
    pending_.clear();
    ids_.clear();
    committed_ = last_;
    return Status::OK();
  }

 private:
  // A forget reads the views, so it goes alone, after what precedes it.
  Status Forget(Event ev, uint64_t stream_seq) {
    TB_RETURN_IF_ERROR(Flush());
    TB_RETURN_IF_ERROR(LocalTargets(store_, ev, &ev.targets));
    if (ev.targets.empty()) {
      TB_RETURN_IF_ERROR(store_.Append(std::span<Event>(&ev, 1), true));
    } else {
      TB_RETURN_IF_ERROR(store_.AppendForgotten(&ev));
    }
    counts_->received++;
    counts_->forgotten += ev.targets.size();
    // Not atomic with the forget: a crash in between receives the forget
    // again, and it is then a duplicate by id.
    last_ = committed_ = stream_seq;
    return store_.AppendWithCheckpoint({}, true, kCkptSyncConsumed, ConsumedValue(stream_seq, store_.head()));
  }

  Store& store_;
  SyncCounts* counts_;
  std::vector<Event> pending_;
  std::unordered_set<EventId, EventIdHash> ids_;
  uint64_t last_ = 0;
  uint64_t committed_ = 0;
};

}  // namespace

bool SyncCarries(EventKind kind) {
  switch (kind) {
    case EventKind::kStarted:
    case EventKind::kFinished:
    case EventKind::kRecorded:
    case EventKind::kForgotten:
    case EventKind::kWorkflowSaved:
    case EventKind::kWorkflowDeleted: return true;
    default: return false;
  }
}

Status PublishOutbox(Store& store, const SyncIdentity& self, NatsStream& stream, SyncCounts* counts,
                     const SpanSink& spans) {
  Outbox o;
  TB_RETURN_IF_ERROR(ReadOutbox(store, &o));
  if (o.epoch != self.key.epoch) {
    // A new key: everything again under it. Whatever this host sealed
    // under an older one is on the stream by now, at or below its last
    // seq (the store is this process's, and the new key is committed).
    // That bound is written before anything is sealed with the new key, so
    // the purge never reaches a message of the new one.
    uint64_t last = 0;
    if (o.epoch != 0) TB_RETURN_IF_ERROR(stream.LastSeq(&last));
    o = Outbox{0, self.key.epoch, last == 0 ? 0 : last + 1};
    TB_RETURN_IF_ERROR(WriteOutbox(store, o));
  }
  uint64_t& cursor = o.seq;
  const uint64_t head = store.head();
  // A rollback or a restore moved the head back: what follows it now is new.
  if (cursor > head) cursor = head;
  std::vector<SealedEvent> batch;
  while (cursor < head) {
    batch.clear();
    uint64_t last = cursor;
    const TraceContext trace = NewTrace();
    const std::string traceparent = FormatTraceparent(trace);
    TB_RETURN_IF_ERROR(
        store.ScanLog(cursor + 1, head, /*strict=*/true, nullptr, [&](const Event& ev, std::string_view) {
          last = ev.seq;
          if (Publishes(ev)) {
            batch.emplace_back();
            SealEvent(self, ev, &batch.back());
            batch.back().traceparent = traceparent;
          }
          return batch.size() < kPublishBatch;
        }));
    if (last == cursor) last = head;  // nothing left but gaps
    const int64_t start_ns = UnixNs();
    Status published = stream.Publish(batch);
    if (!batch.empty()) PublishSpan(spans, self, trace, start_ns, batch.size(), published);
    TB_RETURN_IF_ERROR(published);
    cursor = last;
    TB_RETURN_IF_ERROR(WriteOutbox(store, o));
    counts->published += batch.size();
  }
  if (o.purge_below == 0) return Status::OK();
  TB_RETURN_IF_ERROR(stream.PurgeHost(self.host_id, o.purge_below));
  o.purge_below = 0;
  counts->purged = true;
  return WriteOutbox(store, o);
}

Status PullInbox(Store& store, const SyncIdentity& self, NatsStream& stream, SyncCounts* counts,
                 const SpanSink& spans) {
  uint64_t consumed = 0;
  TB_RETURN_IF_ERROR(ReadConsumed(store, &consumed));
  TB_RETURN_IF_ERROR(stream.OpenConsumer(self.host_id, consumed));
  Inbox inbox(store, counts);
  ApplySpans applied(spans, self.host_id);
  std::vector<ReceivedMessage> msgs;
  for (;;) {
    TB_RETURN_IF_ERROR(stream.Fetch(kFetchBatch, &msgs));
    if (msgs.empty()) break;
    applied.Start();
    for (const ReceivedMessage& m : msgs) {
      if (m.stream_seq <= consumed) continue;  // in the store already
      const std::string origin = SubjectHost(self.key.account, m.subject);
      if (origin == self.host_id) {
        inbox.Skip(m.stream_seq);
        continue;
      }
      applied.Add(m, origin);
      Event ev;
      Status s = OpenMessage(self, m.subject, m.msg_id, m.data, m.stream_seq, &ev);
      if (s.IsNotFound()) {
        counts->skipped++;
        inbox.Skip(m.stream_seq);
        continue;
      }
      if (!s.ok()) {
        // What came before it is kept; it and what follows are not
        // acknowledged, so the next pull reads them again.
        TB_RETURN_IF_ERROR(inbox.Flush());
        return s;
      }
      if (!SyncCarries(ev.kind)) {
        inbox.Skip(m.stream_seq);
        continue;
      }
      TB_RETURN_IF_ERROR(inbox.Add(std::move(ev), m.stream_seq));
    }
    TB_RETURN_IF_ERROR(inbox.Flush());
    TB_RETURN_IF_ERROR(stream.AckFetched());
    applied.End();
  }
  return Status::OK();
}

Status ReadSyncState(Store& store, SyncState* out) {
  *out = SyncState{};
  TB_RETURN_IF_ERROR(LoadSyncIdentity(store, &out->self));
  Outbox o;
  TB_RETURN_IF_ERROR(ReadOutbox(store, &o));
  const bool current = o.epoch == out->self.key.epoch;
  out->published = current ? o.seq : 0;
  out->purge_pending = current ? o.purge_below != 0 : o.epoch != 0;
  TB_RETURN_IF_ERROR(ReadConsumed(store, &out->consumed));
  out->head = store.head();
  if (out->published >= out->head) return Status::OK();
  return store.ScanLog(out->published + 1, out->head, /*strict=*/false, nullptr,
                       [&](const Event& ev, std::string_view) {
                         if (Publishes(ev)) out->unpublished++;
                         return true;
                       });
}

Status ConnectSync(Store& store, const NatsOptions& options, SyncIdentity* self, std::unique_ptr<NatsStream>* out) {
  TB_RETURN_IF_ERROR(LoadSyncIdentity(store, self));
  if (options.url.empty()) {
    return Status::InvalidArgument(
        "sync.server is not set. Set it in the config file ([sync] server = "
        "\"nats://HOST:4222\") or TERMBRAIN_SYNC_SERVER");
  }
  return NatsStream::Connect(options, self->key.account, out);
}

Status SyncOnce(Store& store, const NatsOptions& options, SyncCounts* counts, const SpanSink& spans) {
  *counts = SyncCounts{};
  SyncIdentity self;
  std::unique_ptr<NatsStream> stream;
  TB_RETURN_IF_ERROR(ConnectSync(store, options, &self, &stream));
  TB_RETURN_IF_ERROR(PublishOutbox(store, self, *stream, counts, spans));
  return PullInbox(store, self, *stream, counts, spans);
}

Status RotateAndRepublish(Store& store, const NatsOptions& options, SyncRotation* out) {
  *out = SyncRotation{};
  TB_RETURN_IF_ERROR(RotateSyncKey(store, &out->self));
  out->asked = !options.url.empty();
  if (out->asked) out->sync = SyncOnce(store, options, &out->counts);
  return Status::OK();
}

Status ReadSyncStatus(Store& store, const NatsOptions& options, SyncStatus* out) {
  *out = SyncStatus{};
  TB_RETURN_IF_ERROR(ReadSyncState(store, &out->local));
  out->asked = !options.url.empty();
  if (!out->asked) return Status::OK();
  std::unique_ptr<NatsStream> stream;
  out->server = NatsStream::Connect(options, out->local.self.key.account, &stream);
  if (out->server.ok()) out->server = stream->Figures(out->local.self.host_id, &out->stream);
  return Status::OK();
}

}  // namespace tb
