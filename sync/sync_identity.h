// SyncIdentity: who this store is to sync (its host id) and the sync key it
// shares with the user's other machines (docs/sync.md).
//
// Both live in the store's meta family as checkpoints (so they are
// encrypted at rest when the store is, and carried by backups):
//
//   ckpt "sync/host" := 32 lowercase hex digits   (16 random bytes)
//   ckpt "sync/key"  := line line*    (the current key, then the retired
//                                      ones, newest first)
//       line    := "1 " account " " epoch " " key "\n"
//       account := 32 lowercase hex digits (16 random bytes, chosen by
//                  `tb sync init`; the same on every machine of the user)
//       epoch   := decimal, >= 1 (the key's generation; each line's lower
//                  than the one before it)
//       key     := 64 lowercase hex digits (the 32-byte XChaCha20-Poly1305 key)
//
// Key rotation (`tb sync key rotate` on one machine, `tb sync key import`
// of the new key on the others) makes a new current key one epoch up and
// keeps the old one as retired: this host publishes under the current key
// only, and opens what other hosts published under a retired one until
// they take the new key too.
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
#include <vector>

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
  std::string host_id;           // 32 hex digits
  SyncKey key;                   // the current key: seals what this host publishes
  std::vector<SyncKey> retired;  // earlier epochs, newest first

  // The key of `epoch` (the current or a retired one); null when this
  // store does not hold it.
  const SyncKey* KeyOf(uint32_t epoch) const;
};

// One line of the checkpoint, and its parse (false when malformed).
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

// `tb sync key rotate`: a new random current key, one epoch above the
// current one, which becomes retired. NotFound as LoadSyncIdentity.
Status RotateSyncKey(Store& store, SyncIdentity* out);

enum class KeyTaken {
  kSetUp,    // the store had no sync key: SetUpSync(key)
  kAdopted,  // a newer epoch of its account's key: the current one retired
  kHeld,     // the store holds that key already: nothing changed
};

// `tb sync key import`: sets sync up with `key`, or, on a store that syncs
// already, makes `key` (of the same account) the current key when its
// epoch is newer and retires the current one. InvalidArgument, saying
// which, for another account's key, an older or retired epoch, or the
// current epoch with other bytes.
Status TakeSyncKey(Store& store, const SyncKey& key, SyncIdentity* out, KeyTaken* taken);

}  // namespace tb
