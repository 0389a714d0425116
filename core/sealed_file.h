// Sealed files: files tb writes itself into the data dir (the search index,
// DIR/search.idx) encrypted and authenticated under the data key when
// encryption at rest is on (docs/formats.md, "Sealed file").
//
// Layout: "TBSEAL1\n" (8 bytes), the key id (16 bytes, core/data_key.h),
// the header of a libsodium secretstream (XChaCha20-Poly1305, 24 bytes),
// then the content in chunks of up to 1 MiB, each followed by its 17-byte
// tag; the last chunk's tag is TAG_FINAL, so a truncated, reordered or
// altered file fails to open.
//
// Errors are one line: Incompatible for a file that is not sealed or was
// sealed under another key (exit 3), Corruption for a damaged one.
// Thread safety: reentrant.
#pragma once

#include <string>
#include <string_view>

#include "core/atomic_file.h"
#include "core/data_key.h"
#include "core/status.h"

namespace tb {

inline constexpr std::string_view kSealMagic = "TBSEAL1\n";

// Writes `plain` sealed under `key` through `sink`.
void SealTo(const DataKey& key, std::string_view plain, const ContentSink& sink);
// True when `bytes` starts like a sealed file.
bool LooksSealed(std::string_view bytes);
// Opens sealed `bytes` (the file `name`, for messages) into *plain.
Status Unseal(const DataKey& key, std::string_view bytes, const std::string& name, std::string* plain);

}  // namespace tb
