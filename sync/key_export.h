// The sync key as it moves between the user's machines (`tb sync key
// export` / `import`): wrapped with a passphrase, one line of text.
//
//   line    := "tbsynckey1:" base64(blob) "\n"
//   blob    := salt[16] u64be(opslimit) u64be(memlimit) nonce[24] sealed
//   sealed  := XChaCha20-Poly1305(Argon2id(passphrase, salt, opslimit,
//              memlimit) -> 32 bytes, nonce, FormatSyncKey(key),
//              associated data = "tbsynckey1:" salt u64be(opslimit) u64be(memlimit))
//
// Export uses libsodium's "moderate" Argon2id limits (about a second and
// 256 MiB); import accepts at most the "sensitive" ones, so a crafted line
// cannot make it run for minutes or exhaust memory.
// Thread safety: functions are reentrant.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "sync/sync_identity.h"

namespace tb {

// The line for `key` under `passphrase` (not empty).
std::string ExportSyncKey(const SyncKey& key, std::string_view passphrase);
// Its inverse. InvalidArgument for text that is not such a line;
// Incompatible when the passphrase does not open it.
Status ImportSyncKey(std::string_view line, std::string_view passphrase, SyncKey* out);

}  // namespace tb
