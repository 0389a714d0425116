// `tb sync verify`: does this store hold what the stream holds? For every
// host of the account it compares, in order, the ids of that host's events
// in the local log with those of its messages on the stream, and names the
// first difference.
//
// Compared: this host's events up to the outbox cursor (later ones are not
// published yet); other hosts' events from the stream up to the inbox
// cursor (later ones are not pulled yet). Records named by a forget (on
// either side) are left out of both: the store purged them, the stream
// keeps their ciphertext. The kinds sync does not carry are not compared.
// A host's messages under its newest key epoch on the stream are compared
// (after a key rotation the older ones are purged once the host published
// everything again); messages under a retired key this store never held
// cannot be read, and are a difference.
// Thread safety: one thread; the store may be read-only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/store.h"
#include "sync/nats_stream.h"
#include "sync/sync_identity.h"

namespace tb {

struct HostComparison {
  std::string host_id;
  bool self = false;
  uint64_t local = 0;       // events compared in the local log
  uint64_t stream = 0;      // ... and on the stream
  uint64_t local_hash = 0;  // XXH3-64 over the ids in order
  uint64_t stream_hash = 0;
  std::vector<uint32_t> epochs;  // the key epochs of its messages on the stream, ascending
  std::string difference;        // "" when they agree
};

struct SyncVerifyReport {
  std::vector<HostComparison> hosts;  // this host first, then by host id
  bool ok() const;
};

Status VerifySync(Store& store, NatsStream& stream, SyncVerifyReport* out);
// Connects with `options`, then VerifySync.
Status VerifySync(Store& store, const NatsOptions& options, SyncVerifyReport* out);

}  // namespace tb
