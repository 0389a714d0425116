#include "sync/sync_identity.h"

#include <charconv>

#include "core/data_key.h"

namespace tb {
namespace {

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RandomBytes(raw.data(), raw.size());
  return HexOf(raw);
}

bool ParseHex(std::string_view hex, unsigned char* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  for (size_t i = 0; i < n; ++i) {
    unsigned v = 0;
    auto r = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != hex.data() + 2 * i + 2) return false;
    out[i] = static_cast<unsigned char>(v);
  }
  return true;
}

}  // namespace

bool IsSyncId(std::string_view text) {
  if (text.size() != 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string FormatSyncKey(const SyncKey& key) {
  std::string raw(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
  return "1 " + key.account + " " + std::to_string(key.epoch) + " " + HexOf(raw) + "\n";
}

bool ParseSyncKey(std::string_view text, SyncKey* out) {
  if (!text.starts_with("1 ") || !text.ends_with("\n")) return false;
  text = text.substr(2, text.size() - 3);
  size_t a = text.find(' ');
  size_t b = a == std::string_view::npos ? a : text.find(' ', a + 1);
  if (b == std::string_view::npos) return false;
  SyncKey k;
  k.account = std::string(text.substr(0, a));
  std::string_view epoch = text.substr(a + 1, b - a - 1);
  auto r = std::from_chars(epoch.data(), epoch.data() + epoch.size(), k.epoch);
  if (!IsSyncId(k.account) || r.ec != std::errc() || r.ptr != epoch.data() + epoch.size() || k.epoch == 0 ||
      !ParseHex(text.substr(b + 1), k.bytes.data(), k.bytes.size())) {
    return false;
  }
  *out = k;
  return true;
}

Status LoadSyncIdentity(Store& store, SyncIdentity* out) {
  std::string host, key;
  Status s = store.GetCheckpoint(kCkptSyncKey, &key);
  if (s.IsNotFound()) {
    return Status::NotFound(
        "sync is not set up for this store. Run tb sync init on your first machine, then tb sync key export there "
        "and tb sync key import FILE on the others");
  }
  TB_RETURN_IF_ERROR(s);
  TB_RETURN_IF_ERROR(store.GetCheckpoint(kCkptSyncHost, &host));
  if (!ParseSyncKey(key, &out->key)) return Status::Corruption("damaged sync key in the store (checkpoint sync/key)");
  if (!IsSyncId(host)) return Status::Corruption("damaged sync host id in the store (checkpoint sync/host)");
  out->host_id = host;
  return Status::OK();
}

Status SetUpSync(Store& store, const SyncKey* key, SyncIdentity* out) {
  std::string existing;
  Status s = store.GetCheckpoint(kCkptSyncKey, &existing);
  if (s.ok()) {
    return Status::InvalidArgument(
        "this store already has a sync key (tb sync status shows it); one store syncs "
        "one history");
  }
  if (!s.IsNotFound()) return s;
  SyncIdentity id;
  s = store.GetCheckpoint(kCkptSyncHost, &id.host_id);
  if (s.IsNotFound()) {
    id.host_id = RandomHex(16);
    TB_RETURN_IF_ERROR(store.AppendWithCheckpoint({}, true, kCkptSyncHost, id.host_id));
  } else {
    TB_RETURN_IF_ERROR(s);
    if (!IsSyncId(id.host_id)) return Status::Corruption("damaged sync host id in the store (checkpoint sync/host)");
  }
  if (key != nullptr) {
    id.key = *key;
  } else {
    id.key.account = RandomHex(16);
    id.key.epoch = 1;
    RandomBytes(id.key.bytes.data(), id.key.bytes.size());
  }
  TB_RETURN_IF_ERROR(store.AppendWithCheckpoint({}, true, kCkptSyncKey, FormatSyncKey(id.key)));
  *out = id;
  return Status::OK();
}

}  // namespace tb
