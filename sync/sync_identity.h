// SyncIdentity: who this store is to sync (its host id) and the sync key it
// shares with the user's other machines (docs/sync.md).
//
// Both live in the store's meta family as checkpoints (so they are
// encrypted at rest when the store is, and carried by backups):
//
//   ckpt "sync/host" := 32 lowercase hex digits   (16 random bytes)
//   ckpt "sync/key"  := "1 " account " " epoch " " key "\n"
//       account := 32 lowercase hex digits (16 random bytes, chosen by
//                  `tb sync init`; the same on every machine of the user)
//       epoch   := decimal, >= 1 (the key's generation)
//       key     := 64 lowercase hex digits (the 32-byte XChaCha20-Poly1305 key)
//
// The host id is opaque (never the host name): it names this store's
// subject on the stream and the messages it publishes. It is created once,
// with the first key, and never changes.
// Thread safety: functions are reentrant; the Store is used by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/store.h"

namespace tb {

inline constexpr std::string_view kCkptSyncHost = "sync/host";
inline constexpr std::string_view kCkptSyncKey = "sync/key";
inline constexpr size_t kSyncKeyBytes = 32;

struct SyncKey {
  std::string account;  // 32 hex digits
  uint32_t epoch = 0;
  std::array<unsigned char, kSyncKeyBytes> bytes{};
  bool operator==(const SyncKey&) const = default;
};

struct SyncIdentity {
  std::string host_id;  // 32 hex digits
  SyncKey key;
};

// The checkpoint text of `key`, and its parse (false when malformed).
std::string FormatSyncKey(const SyncKey& key);
bool ParseSyncKey(std::string_view text, SyncKey* out);
// True for 32 lowercase hex digits.
bool IsSyncId(std::string_view text);

// The identity stored in `store`. NotFound (with what to run) when sync was
// never set up; Corruption when a stored value is malformed.
Status LoadSyncIdentity(Store& store, SyncIdentity* out);

// Stores `key` (a new random one when `key` is null: `tb sync init`) and,
// when the store has none yet, a new random host id (written first: a
// crash in between leaves the id, which the next set-up keeps).
// InvalidArgument when the store already holds a sync key: one store syncs
// one history.
Status SetUpSync(Store& store, const SyncKey* key, SyncIdentity* out);

}  // namespace tb
