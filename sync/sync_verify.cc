#include "sync/sync_verify.h"

#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_set>

#include "sync/sync_message.h"
#include "sync/syncer.h"

namespace tb {
namespace {

using IdList = std::vector<EventId>;
using Forgotten = std::unordered_set<EventId, EventIdHash>;

IdList Without(const IdList& ids, const Forgotten& forgotten) {
  IdList out;
  out.reserve(ids.size());
  for (const EventId& id : ids) {
    if (!forgotten.contains(id)) out.push_back(id);
  }
  return out;
}

uint64_t Hash(const IdList& ids) {
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  for (const EventId& id : ids) XXH3_64bits_update(st, &id, sizeof id);
  const uint64_t h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  return h;
}

std::string FirstDifference(const IdList& local, const IdList& stream) {
  const size_t n = std::min(local.size(), stream.size());
  for (size_t i = 0; i < n; ++i) {
    if (local[i] != stream[i]) {
      return "event " + std::to_string(i + 1) + " differs: " + local[i].ToString() + " here, " + stream[i].ToString() +
             " on the stream";
    }
  }
  if (local.size() > n)
    return "event " + local[n].ToString() + " (number " + std::to_string(n + 1) + ") is not on the stream";
  if (stream.size() > n) {
    return "event " + stream[n].ToString() + " (number " + std::to_string(n + 1) + ") is on the stream, not here";
  }
  return "";
}

// One host's messages on the stream.
struct HostMessages {
  std::map<uint32_t, IdList> by_epoch;  // what opened
  std::map<uint32_t, uint64_t> unread;  // messages under a key this store never held
};

}  // namespace

bool SyncVerifyReport::ok() const {
  return std::all_of(hosts.begin(), hosts.end(), [](const HostComparison& h) { return h.difference.empty(); });
}

Status VerifySync(Store& store, NatsStream& stream, SyncVerifyReport* out) {
  *out = SyncVerifyReport{};
  SyncState state;
  TB_RETURN_IF_ERROR(ReadSyncState(store, &state));
  const SyncIdentity& self = state.self;
  std::map<std::string, IdList> local;
  std::map<std::string, HostMessages> remote;
  Forgotten forgotten;
  local[self.host_id];
  TB_RETURN_IF_ERROR(store.ScanLog(1, state.head, /*strict=*/true, nullptr, [&](const Event& ev, std::string_view) {
    if (ev.kind == EventKind::kForgotten) forgotten.insert(ev.target_ids.begin(), ev.target_ids.end());
    if (!SyncCarries(ev.kind)) return true;
    const bool mine = ev.origin_host.empty();
    if (mine && ev.seq > state.published) return true;  // not published yet
    local[mine ? self.host_id : ev.origin_host].push_back(ev.id);
    return true;
  }));
  TB_RETURN_IF_ERROR(stream.ReadAll([&](const ReceivedMessage& m) -> Status {
    const std::string host = SubjectHost(self.key.account, m.subject);
    if (host != self.host_id && m.stream_seq > state.consumed) return Status::OK();  // not pulled yet
    Event ev;
    Status s = OpenMessage(self, m.subject, m.msg_id, m.data, m.stream_seq, &ev);
    if (s.IsNotFound()) {
      remote[host].unread[SealedEpoch(m.data)]++;
      return Status::OK();
    }
    TB_RETURN_IF_ERROR(s);
    if (ev.kind == EventKind::kForgotten) forgotten.insert(ev.target_ids.begin(), ev.target_ids.end());
    IdList& ids = remote[host].by_epoch[SealedEpoch(m.data)];
    if (SyncCarries(ev.kind)) ids.push_back(ev.id);
    return Status::OK();
  }));
  for (const auto& [host, ids] : remote) local[host];
  for (const auto& [host, ids] : local) {
    HostComparison c;
    c.host_id = host;
    c.self = host == self.host_id;
    const HostMessages& on_stream = remote[host];
    const IdList newest = on_stream.by_epoch.empty() ? IdList{} : on_stream.by_epoch.rbegin()->second;
    const IdList here = Without(ids, forgotten), there = Without(newest, forgotten);
    c.local = here.size();
    c.stream = there.size();
    c.local_hash = Hash(here);
    c.stream_hash = Hash(there);
    std::set<uint32_t> epochs;
    for (const auto& [epoch, list] : on_stream.by_epoch) epochs.insert(epoch);
    for (const auto& [epoch, n] : on_stream.unread) epochs.insert(epoch);
    c.epochs.assign(epochs.begin(), epochs.end());
    const uint32_t readable = on_stream.by_epoch.empty() ? 0 : on_stream.by_epoch.rbegin()->first;
    if (!on_stream.unread.empty() && on_stream.unread.rbegin()->first > readable) {
      const auto& [epoch, n] = *on_stream.unread.rbegin();
      c.difference = std::to_string(n) + " message(s) sealed with retired key epoch " + std::to_string(epoch) +
                     ", which this store never held: that host has not taken the current key yet";
    } else {
      c.difference = FirstDifference(here, there);
    }
    if (c.self) {
      out->hosts.insert(out->hosts.begin(), c);
    } else {
      out->hosts.push_back(c);
    }
  }
  return Status::OK();
}

Status VerifySync(Store& store, const NatsOptions& options, SyncVerifyReport* out) {
  SyncIdentity self;
  std::unique_ptr<NatsStream> stream;
  TB_RETURN_IF_ERROR(ConnectSync(store, options, &self, &stream));
  return VerifySync(store, *stream, out);
}

}  // namespace tb
