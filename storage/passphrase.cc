#include "storage/passphrase.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/atomic_file.h"
#include "storage/at_rest.h"
#include "storage/data_dir.h"
#include "storage/rekey.h"
#include "storage/unlock.h"

namespace tb {
namespace {

// Reads DIR/key.wrapped, or finishes an interrupted rekey's rename of
// DIR/key.wrapped.new when that one wraps the store's key.
Status ReadStoreWrappedKey(const std::string& data_dir, WrappedKey* out) {
  const std::string path = WrappedKeyPath(data_dir);
  TB_RETURN_IF_ERROR(ReadWrappedKeyFile(path, out));
  const std::string store_id = DbKeyId(data_dir + "/db");
  if (store_id.empty() || store_id == out->key_id) return Status::OK();
  WrappedKey next;
  const std::string next_path = NewWrappedKeyPath(data_dir);
  if (ReadWrappedKeyFile(next_path, &next).ok() && next.key_id == store_id) {
    if (::rename(next_path.c_str(), path.c_str()) != 0) {
      return Status::IOError("cannot rename " + next_path + " to " + path + ": " + std::strerror(errno));
    }
    SyncDir(data_dir);
    *out = next;
    return Status::OK();
  }
  return Status::Incompatible("the wrapped key " + path + " (key id " + HexOf(out->key_id) +
                              ") is not the key of the store " + data_dir + " (key id " + HexOf(store_id) +
                              "). Nothing was changed; put back the key.wrapped that came with the store");
}

Status SetFirstPassphrase(const UnlockRequest& r, UnlockResult* out) {
  bool exists = false;
  StoreIdentity identity;
  TB_RETURN_IF_ERROR(InspectDataDir(r.data_dir, &exists, &identity));
  if (exists) {
    return Status::Incompatible("the store " + r.data_dir + " has no wrapped key (" + WrappedKeyPath(r.data_dir) +
                                "). If it was under a passphrase, put back the key.wrapped that came with it; if "
                                "not, convert it with 'tb rekey --passphrase' run with its current storage.encryption");
  }
  DataKey key;
  RandomBytes(key.bytes.data(), key.bytes.size());
  WrappedKey w;
  TB_RETURN_IF_ERROR(WrapDataKey(key, r.passphrase, r.limits, &w));
  TB_RETURN_IF_ERROR(MakeDataDir(r.data_dir));
  TB_RETURN_IF_ERROR(WriteWrappedKeyFile(WrappedKeyPath(r.data_dir), w));
  out->created = true;
  out->key_id_hex = KeyIdHex(key);
  return SaveUnlockedKey(r.cache_path, key);
}

}  // namespace

bool HasWrappedKey(const std::string& data_dir) { return ::access(WrappedKeyPath(data_dir).c_str(), F_OK) == 0; }

Status Unlock(const UnlockRequest& r, UnlockResult* out) {
  *out = UnlockResult{};
  WrappedKey w;
  Status s = ReadStoreWrappedKey(r.data_dir, &w);
  if (s.IsNotFound()) return SetFirstPassphrase(r, out);
  TB_RETURN_IF_ERROR(s);
  DataKey key;
  TB_RETURN_IF_ERROR(UnwrapDataKey(w, r.passphrase, WrappedKeyPath(r.data_dir), &key));
  out->key_id_hex = KeyIdHex(key);
  return SaveUnlockedKey(r.cache_path, key);
}

Status ChangePassphrase(const std::string& data_dir, const std::string& current, const std::string& next,
                        const KdfLimits& limits) {
  WrappedKey w;
  TB_RETURN_IF_ERROR(ReadStoreWrappedKey(data_dir, &w));
  DataKey key;
  TB_RETURN_IF_ERROR(UnwrapDataKey(w, current, WrappedKeyPath(data_dir), &key));
  WrappedKey rewrapped;
  TB_RETURN_IF_ERROR(WrapDataKey(key, next, limits, &rewrapped));
  return WriteWrappedKeyFile(WrappedKeyPath(data_dir), rewrapped);
}

Status CopyWrappedKey(const std::string& from_dir, const std::string& to_dir) {
  WrappedKey w;
  Status s = ReadWrappedKeyFile(WrappedKeyPath(from_dir), &w);
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  return WriteWrappedKeyFile(WrappedKeyPath(to_dir), w);
}

}  // namespace tb
