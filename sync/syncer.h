// Syncer: moves events between this store and the account's stream
// (docs/sync.md). Publishing sends the events this store originated, in
// log order, after the outbox cursor; pulling appends the other hosts'
// events this store does not hold yet (by event id), exactly once.
//
// Cursors (store checkpoints, decimal):
//   "sync/published"  "<log seq> <key epoch> <purge below>": the last log
//                     seq the outbox has dealt with under the current key
//                     (every event this store originated up to it is
//                     acknowledged by the stream), the epoch of that key,
//                     and 0 or the stream seq below which this host's
//                     messages are sealed with a key it replaced. Advanced
//                     only after the acks, so a crash in between publishes
//                     again, and the stream (by message id) or the
//                     receivers (by event id) drop the copy. A cursor of an
//                     older epoch than the current key (the key was rotated
//                     or imported since) starts the outbox over: everything
//                     is published again under the new key, and then this
//                     host's older messages are purged from the stream.
//                     (A cursor of one number is one of key epoch 1.)
//   "sync/consumed"   "<stream seq> <log head>": the last stream seq whose
//                     events are in this store, committed in the same write
//                     as those events, with the log's head after it. A head
//                     that is lower now (a rollback, a restore) starts the
//                     inbox over from the first message: what the store
//                     still holds is skipped by id, what it lost comes back.
//
// What travels: commands (started, finished, recorded), workflows (saved,
// deleted) and forgets (by the forgotten records' ids). Imports' and
// backups' bookkeeping (import completed, batch reverted, administrative
// actions) stays local. A received record keeps its id, times, host, user,
// session and shell; it belongs to no import batch here. A received forget
// forgets (and purges) the records with those ids.
// Thread safety: one thread; the store must be writable for Publish/Pull.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "storage/store.h"
#include "sync/nats_stream.h"
#include "sync/sync_identity.h"
#include "sync/trace.h"

namespace tb {

inline constexpr std::string_view kCkptSyncPublished = "sync/published";
inline constexpr std::string_view kCkptSyncConsumed = "sync/consumed";

struct SyncCounts {
  uint64_t published = 0;   // events this store sent
  uint64_t received = 0;    // events appended from other hosts
  uint64_t duplicates = 0;  // received events this store already held
  uint64_t forgotten = 0;   // records forgotten by received forgets
  uint64_t skipped = 0;     // messages under a retired key this store never held
  bool purged = false;      // this host's messages under a replaced key were purged
};

// True for the kinds of events sync carries.
bool SyncCarries(EventKind kind);

// Publishes what the outbox cursor has not dealt with yet. Every message
// carries the trace context of its batch; each batch published is a
// "sync.publish" span for `spans` (sync/trace.h).
Status PublishOutbox(Store& store, const SyncIdentity& self, NatsStream& stream, SyncCounts* counts,
                     const SpanSink& spans = {});
// Appends every message the stream holds for this host that the store has
// not consumed yet. A message that does not open with the sync key (or a
// newer key epoch: the key was rotated elsewhere) stops the pull with its
// error (Incompatible); nothing after it is consumed. A message under a
// retired key this store never held is skipped (counts->skipped): its
// host publishes it again under the current key once it takes that key.
// Each committed batch gives `spans` one "sync.apply" span per publish span
// its messages came from.
Status PullInbox(Store& store, const SyncIdentity& self, NatsStream& stream, SyncCounts* counts,
                 const SpanSink& spans = {});

struct SyncState {
  SyncIdentity self;
  uint64_t head = 0;
  uint64_t published = 0;      // the outbox cursor (0 while a new key's republish has not started)
  uint64_t unpublished = 0;    // events after it that sync carries
  bool purge_pending = false;  // this host's messages under a replaced key are still on the stream
  uint64_t consumed = 0;       // the inbox cursor
};

// The local side of `tb sync status` (read-only stores are fine).
Status ReadSyncState(Store& store, SyncState* out);

// Loads the store's identity and connects to its account's stream;
// InvalidArgument when options.url is empty (sync.server not set).
Status ConnectSync(Store& store, const NatsOptions& options, SyncIdentity* self, std::unique_ptr<NatsStream>* out);

// `tb sync now`: connects, publishes the outbox, then pulls the inbox.
Status SyncOnce(Store& store, const NatsOptions& options, SyncCounts* counts, const SpanSink& spans = {});

struct SyncRotation {
  SyncIdentity self;   // with the new key
  bool asked = false;  // a server is configured: the republish was tried
  Status sync;         // how it went (the rotation stands either way)
  SyncCounts counts;
};

// `tb sync key rotate`: RotateSyncKey, then, when options.url is set, a
// SyncOnce that publishes this host's history again under the new key and
// purges its older messages. A failure of that sync is reported in
// out->sync: the next sync finishes the job.
Status RotateAndRepublish(Store& store, const NatsOptions& options, SyncRotation* out);

struct SyncStatus {
  SyncState local;
  bool asked = false;    // a server is configured
  Status server;         // how reaching it went
  StreamFigures stream;  // when it was reached
};

// `tb sync status`: the local state and, when options.url is set, the
// stream's figures. A server that cannot be reached is reported in
// out->server, not returned.
Status ReadSyncStatus(Store& store, const NatsOptions& options, SyncStatus* out);

}  // namespace tb
