/// @file
/// Unlocking a store whose data key is wrapped by a passphrase
/// (storage.encryption = "passphrase"; docs/security.md, "Passphrase").
///
/// Argon2id takes a good part of a second on purpose, far too slow for every
/// `tb` a shell hook or a prompt runs, so `tb unlock` unwraps the key once
/// (core/wrapped_key.h) and leaves it, like ssh-agent, in the user's runtime
/// dir, which lives in memory and is emptied at logout and reboot:
///   $XDG_RUNTIME_DIR/termbrain/unlocked/HASH.key   (HASH: of the data dir)
/// (one line of 64 hex digits, mode 0600; `tb lock` deletes it). The two
/// directories are created and checked like the spool's
/// (storage/spool_trust.h, PreparePrivateDir): ours, 0700, no symlinks,
/// every ancestor root's or ours and not writable by others unless sticky.
/// Without an absolute $XDG_RUNTIME_DIR nothing is cached (there is no other
/// place that is both per-login and memory-backed).
///
/// LoadDataKey is the one place a process learns its data key (tools/cli.cc
/// before a command, the daemon before each open of the store): "off" and
/// "keyfile" as DataKeyFromConfig (core/data_key.h); "passphrase" reads the
/// wrapped key's id and the unlocked key, and is Locked (exit 3, one line
/// saying to run `tb unlock`) when there is no unlocked key or it is not the
/// key the wrapped file names. It never asks for a passphrase.
/// Thread safety: free functions, reentrant.
#pragma once

#include <optional>
#include <string>

#include "core/config.h"
#include "core/data_key.h"
#include "core/status.h"

namespace tb {

/// Where the unlocked key of `data_dir` lives; InvalidArgument when
/// `runtime_dir` ($XDG_RUNTIME_DIR) is empty or relative.
Status UnlockedKeyPath(const std::string& runtime_dir, const std::string& data_dir, std::string* out);

/// Writes the unlocked key (its directories prepared as above).
Status SaveUnlockedKey(const std::string& path, const DataKey& key);
/// Reads it: NotFound when absent; IOError when a directory or the file is
/// not ours alone (owner, symlink, group or other permission bits).
Status ReadUnlockedKey(const std::string& path, DataKey* out);
/// Deletes it; *removed says whether there was one.
Status RemoveUnlockedKey(const std::string& path, bool* removed);

/// The process's data key for `config` (see above). `runtime_dir` is
/// $XDG_RUNTIME_DIR.
Status LoadDataKey(const Config& config, const std::string& data_dir, const std::string& runtime_dir,
                   std::optional<DataKey>* out);

/// The Locked status of `data_dir` ("the store DIR is locked ... Run 'tb unlock'").
Status LockedError(const std::string& data_dir, const std::string& why);

}  // namespace tb
