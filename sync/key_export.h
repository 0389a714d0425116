// The sync key as it moves between the user's machines (`tb sync key
// export` / `import`): one line of text, the key wrapped with a passphrase
// exactly as a passphrase-mode store wraps its data key (core/wrapped_key.h:
// Argon2id at the default cost, 4 passes over 96 MiB, then
// XChaCha20-Poly1305; the cost travels in the wrapped bytes).
//
//   line := "tbsynckey1:" base64(account[16] u32be(epoch) wrapped[168]) "\n"
//
// The account and epoch are in the clear (the account names the stream's
// subjects anyway); only the key is secret.
// Thread safety: functions are reentrant.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "sync/sync_identity.h"

namespace tb {

// The line for `key` under `passphrase`. InvalidArgument for an empty or
// over-long passphrase; IOError when Argon2id cannot get its memory.
Status ExportSyncKey(const SyncKey& key, std::string_view passphrase, std::string* line);
// Its inverse; `path` (where the line came from) names it in messages.
// InvalidArgument for text that is not such a line; Incompatible when the
// passphrase does not open it; Corruption for damaged wrapped bytes.
Status ImportSyncKey(std::string_view line, std::string_view passphrase, const std::string& path, SyncKey* out);

}  // namespace tb
