/// @file
/// The operations of passphrase mode on a data dir (storage.encryption =
/// "passphrase"; docs/security.md, "Passphrase"): unlocking (the first time,
/// setting the passphrase of a new store) and changing the passphrase. The
/// caller reads the passphrases (tools/passphrase_prompt.h); nothing here
/// prompts, prints or logs them.
///
/// Unlock:
///  - DIR/key.wrapped exists: it must wrap the key the store is under (the
///    key id in its clear header against the one in DB/CURRENT's, before the
///    passphrase is tried); when it does not but DIR/key.wrapped.new does (a
///    `tb rekey --passphrase` killed between its swap and its rename,
///    storage/rekey.h), that one is renamed into place and used. The
///    passphrase unwraps it (wrong: Incompatible, exit 3, nothing written)
///    and the key is saved where storage/unlock.h caches it.
///  - no DIR/key.wrapped and no store yet: a new random data key is wrapped
///    under the passphrase with `limits` and written to DIR/key.wrapped (the
///    data dir created 0700 first), then cached. The store is created,
///    encrypted, by the first command that writes.
///  - no DIR/key.wrapped but a store: Incompatible (it is under a key file
///    or plaintext: `tb rekey --passphrase` converts it).
/// ChangePassphrase re-wraps the same data key under a new passphrase and a
/// new salt, with `limits`, replacing DIR/key.wrapped atomically; a wrong
/// current passphrase changes nothing. The unlocked key stays valid.
/// Thread safety: free functions; no Store of DIR needs to be closed (the
/// store's files are not touched).
#pragma once

#include <string>

#include "core/data_key.h"
#include "core/status.h"
#include "core/wrapped_key.h"

namespace tb {

/// What Unlock needs: the data dir, where to cache the key, the passphrase.
struct UnlockRequest {
  std::string data_dir;    ///< the data dir (DIR)
  std::string cache_path;  ///< UnlockedKeyPath (storage/unlock.h)
  std::string passphrase;  ///< as typed (a secret: the caller wipes it)
  KdfLimits limits;        ///< for a new passphrase
};

/// What Unlock did.
struct UnlockResult {
  bool created = false;    ///< a passphrase was set for a new store
  std::string key_id_hex;  ///< the unlocked data key's id, hex (core/data_key.h)
};

/// True when DIR/key.wrapped exists (a passphrase is set).
bool HasWrappedKey(const std::string& data_dir);

/// Unlocks the store of request.data_dir (or sets the passphrase of a new
/// one), as "Unlock" above says, and caches the key.
Status Unlock(const UnlockRequest& request, UnlockResult* out);

/// Re-wraps the data key of `data_dir` from passphrase `current` to `next`
/// with `limits` (see above). Incompatible for a wrong `current`.
Status ChangePassphrase(const std::string& data_dir, const std::string& current, const std::string& next,
                        const KdfLimits& limits);

/// Copies DIR/key.wrapped of `from_dir` into `to_dir` (a backup restored
/// into a new data dir is under the same key, so it takes the same wrapped
/// key and opens with the same passphrase). OK when `from_dir` has none.
Status CopyWrappedKey(const std::string& from_dir, const std::string& to_dir);

}  // namespace tb
