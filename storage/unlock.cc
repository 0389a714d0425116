#include "storage/unlock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/wrapped_key.h"
#include "storage/data_dir.h"
#include "storage/spool.h"
#include "storage/spool_trust.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxUnlockedBytes = 256;

std::string Unsafe(const std::string& path, const std::string& why) {
  return "unsafe unlocked key (" + path + "): " + why + ". Nothing was read; run 'tb lock' and 'tb unlock' again";
}

// Opens the unlocked key at `path` and its two directories as ours alone:
// *file stays invalid when any of them does not exist.
Status OpenUnlocked(const std::string& path, Fd* file) {
  const fs::path p(path);
  const fs::path dir = p.parent_path();
  Fd base, unlocked;
  Status s = OpenTrusted(AT_FDCWD, dir.parent_path().string(), SpoolObject::kDirectory, &base);
  if (!s.ok()) return Status::IOError(Unsafe(dir.parent_path().string(), s.message()));
  if (base.valid()) s = OpenTrusted(base.get(), dir.filename().string(), SpoolObject::kDirectory, &unlocked);
  if (!s.ok()) return Status::IOError(Unsafe(dir.string(), s.message()));
  if (unlocked.valid()) s = OpenTrusted(unlocked.get(), p.filename().string(), SpoolObject::kFile, file);
  if (!s.ok()) return Status::IOError(Unsafe(path, s.message()));
  struct stat st {};
  if (file->valid() && ::fstat(file->get(), &st) == 0 && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::IOError(Unsafe(path, std::string("it is accessible to group or others (mode ") + mode + ")"));
  }
  return Status::OK();
}

}  // namespace

Status UnlockedKeyPath(const std::string& runtime_dir, const std::string& data_dir, std::string* out) {
  if (runtime_dir.empty() || runtime_dir[0] != '/') {
    return Status::InvalidArgument(
        "no runtime dir for the unlocked key: XDG_RUNTIME_DIR is not set to an absolute path (it is set at login, "
        "in memory). Log in with a session that sets it");
  }
  *out = SpoolDirFor(runtime_dir + "/termbrain/unlocked", data_dir) + ".key";
  return Status::OK();
}

Status SaveUnlockedKey(const std::string& path, const DataKey& key) {
  TB_RETURN_IF_ERROR(PreparePrivateDir(fs::path(path).parent_path().string(), "runtime directory",
                                       ". Check XDG_RUNTIME_DIR", ". Remove it, or check XDG_RUNTIME_DIR"));
  std::string text = HexOf(std::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()));
  text += '\n';
  Status s = WriteFileAtomically(path, text, 0600);
  WipeSecret(&text);
  return s;
}

Status ReadUnlockedKey(const std::string& path, DataKey* out) {
  Fd fd;
  TB_RETURN_IF_ERROR(OpenUnlocked(path, &fd));
  if (!fd.valid()) return Status::NotFound("no unlocked key at " + path);
  std::string text(kMaxUnlockedBytes, '\0');
  const ssize_t n = ::read(fd.get(), text.data(), text.size());
  if (n < 0) return Status::IOError("cannot read the unlocked key " + path + ": " + std::strerror(errno));
  text.resize(static_cast<size_t>(n));
  Status s = ParseKeyText(text, path, out);
  WipeSecret(&text);
  return s;
}

Status RemoveUnlockedKey(const std::string& path, bool* removed) {
  *removed = ::unlink(path.c_str()) == 0;
  if (!*removed && errno != ENOENT) {
    return Status::IOError("cannot remove the unlocked key " + path + ": " + std::strerror(errno));
  }
  return Status::OK();
}

Status LockedError(const std::string& data_dir, const std::string& why) {
  return Status::Locked("the store " + data_dir + " is locked (" + why + "). Run 'tb unlock'");
}

Status LoadDataKey(const Config& config, const std::string& data_dir, const std::string& runtime_dir,
                   std::optional<DataKey>* out) {
  out->reset();
  if (config.storage.encryption != "passphrase") return DataKeyFromConfig(config, data_dir, out);
  const std::string wrapped_path = WrappedKeyPath(data_dir);
  WrappedKey wrapped;
  Status s = ReadWrappedKeyFile(wrapped_path, &wrapped);
  if (s.IsNotFound()) {
    bool exists = false;
    StoreIdentity identity;
    if (InspectDataDir(data_dir, &exists, &identity).ok() && exists) {
      return Status::Locked("the store " + data_dir + " is under a passphrase but its wrapped key " + wrapped_path +
                            " is missing. Put back the key.wrapped that came with the store (a backup or copy of "
                            "the data dir holds it)");
    }
    return LockedError(data_dir, "storage.encryption is \"passphrase\" and no passphrase is set");
  }
  TB_RETURN_IF_ERROR(s);
  std::string path;
  TB_RETURN_IF_ERROR(UnlockedKeyPath(runtime_dir, data_dir, &path));
  DataKey key;
  s = ReadUnlockedKey(path, &key);
  if (s.IsNotFound()) return LockedError(data_dir, "its key is wrapped by a passphrase");
  TB_RETURN_IF_ERROR(s);
  if (KeyId(key) != wrapped.key_id) {
    return LockedError(data_dir, "the unlocked key is not the one " + wrapped_path + " wraps");
  }
  *out = key;
  return Status::OK();
}

}  // namespace tb
