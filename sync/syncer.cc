#include "sync/syncer.h"

#include <charconv>
#include <unordered_set>
#include <vector>

#include "core/views/ids_view.h"
#include "sync/sync_message.h"

namespace tb {
namespace {

constexpr size_t kPublishBatch = 4096;
constexpr int kFetchBatch = 4096;

Status ReadCursor(Store& store, std::string_view key, uint64_t* out) {
  std::string v;
  Status s = store.GetCheckpoint(key, &v);
  *out = 0;
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  auto r = std::from_chars(v.data(), v.data() + v.size(), *out);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size()) {
    return Status::Corruption("damaged sync cursor in the store (checkpoint " + std::string(key) + ")");
  }
  return Status::OK();
}

// The inbox cursor's value: the stream seq and the log head it was
// committed with. A head below that head means the log lost events since
// (a rollback, a restore): what they were is read again from the start,
// and what the store still holds is skipped by id.
std::string ConsumedValue(uint64_t stream_seq, uint64_t head) {
  return std::to_string(stream_seq) + " " + std::to_string(head);
}

Status ReadConsumed(Store& store, uint64_t* out) {
  std::string v;
  Status s = store.GetCheckpoint(kCkptSyncConsumed, &v);
  *out = 0;
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  uint64_t seq = 0, head = 0;
  const char* end = v.data() + v.size();
  auto a = std::from_chars(v.data(), end, seq);
  auto b = a.ec == std::errc() && a.ptr != end && *a.ptr == ' ' ? std::from_chars(a.ptr + 1, end, head) : a;
  if (a.ec != std::errc() || b.ec != std::errc() || b.ptr != end || b.ptr == a.ptr) {
    return Status::Corruption("damaged sync cursor in the store (checkpoint " + std::string(kCkptSyncConsumed) + ")");
  }
  *out = store.head() < head ? 0 : seq;
  return Status::OK();
}

bool Publishes(const Event& ev) { return ev.origin_host.empty() && SyncCarries(ev.kind); }

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

Status PublishOutbox(Store& store, const SyncIdentity& self, NatsStream& stream, SyncCounts* counts) {
  uint64_t cursor = 0;
  TB_RETURN_IF_ERROR(ReadCursor(store, kCkptSyncPublished, &cursor));
  const uint64_t head = store.head();
  // A rollback or a restore moved the head back: what follows it now is new.
  if (cursor > head) cursor = head;
  std::vector<SealedEvent> batch;
  while (cursor < head) {
    batch.clear();
    uint64_t last = cursor;
    TB_RETURN_IF_ERROR(
        store.ScanLog(cursor + 1, head, /*strict=*/true, nullptr, [&](const Event& ev, std::string_view) {
          last = ev.seq;
          if (Publishes(ev)) {
            batch.emplace_back();
            SealEvent(self, ev, &batch.back());
          }
          return batch.size() < kPublishBatch;
        }));
    if (last == cursor) last = head;  // nothing left but gaps
    TB_RETURN_IF_ERROR(stream.Publish(batch));
    TB_RETURN_IF_ERROR(store.AppendWithCheckpoint({}, true, kCkptSyncPublished, std::to_string(last)));
    counts->published += batch.size();
    cursor = last;
  }
  return Status::OK();
}

Status PullInbox(Store& store, const SyncIdentity& self, NatsStream& stream, SyncCounts* counts) {
  uint64_t consumed = 0;
  TB_RETURN_IF_ERROR(ReadConsumed(store, &consumed));
  TB_RETURN_IF_ERROR(stream.OpenConsumer(self.host_id, consumed));
  Inbox inbox(store, counts);
  std::vector<ReceivedMessage> msgs;
  for (;;) {
    TB_RETURN_IF_ERROR(stream.Fetch(kFetchBatch, &msgs));
    if (msgs.empty()) break;
    for (const ReceivedMessage& m : msgs) {
      if (m.stream_seq <= consumed) continue;  // in the store already
      if (SubjectHost(self.key.account, m.subject) == self.host_id) {
        inbox.Skip(m.stream_seq);
        continue;
      }
      Event ev;
      Status s = OpenEvent(self.key, m.subject, m.msg_id, m.data, m.stream_seq, &ev);
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
  }
  return Status::OK();
}

Status ReadSyncState(Store& store, SyncState* out) {
  *out = SyncState{};
  TB_RETURN_IF_ERROR(LoadSyncIdentity(store, &out->self));
  TB_RETURN_IF_ERROR(ReadCursor(store, kCkptSyncPublished, &out->published));
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

Status SyncOnce(Store& store, const NatsOptions& options, SyncCounts* counts) {
  *counts = SyncCounts{};
  SyncIdentity self;
  std::unique_ptr<NatsStream> stream;
  TB_RETURN_IF_ERROR(ConnectSync(store, options, &self, &stream));
  TB_RETURN_IF_ERROR(PublishOutbox(store, self, *stream, counts));
  return PullInbox(store, self, *stream, counts);
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
