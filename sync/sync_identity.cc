#include "sync/sync_identity.h"

#include <charconv>
#include <cstdint>

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

// The checkpoint text of `id`'s keys.
std::string FormatKeyring(const SyncIdentity& id) {
  std::string text = FormatSyncKey(id.key);
  for (const SyncKey& k : id.retired) text += FormatSyncKey(k);
  return text;
}

// The keys of the checkpoint text: false when a line is malformed, or the
// accounts differ, or the epochs do not fall.
bool ParseKeyring(std::string_view text, SyncIdentity* out) {
  std::vector<SyncKey> keys;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return false;
    SyncKey k;
    if (!ParseSyncKey(text.substr(0, end + 1), &k)) return false;
    if (!keys.empty() && (k.account != keys[0].account || k.epoch >= keys.back().epoch)) return false;
    keys.push_back(k);
    text.remove_prefix(end + 1);
  }
  if (keys.empty()) return false;
  out->key = keys[0];
  out->retired.assign(keys.begin() + 1, keys.end());
  return true;
}

Status SaveKeyring(Store& store, const SyncIdentity& id) {
  return store.AppendWithCheckpoint({}, true, kCkptSyncKey, FormatKeyring(id));
}

std::string Epoch(uint32_t epoch) { return "key epoch " + std::to_string(epoch); }

}  // namespace

const SyncKey* SyncIdentity::KeyOf(uint32_t epoch) const {
  if (key.epoch == epoch) return &key;
  for (const SyncKey& k : retired) {
    if (k.epoch == epoch) return &k;
  }
  return nullptr;
}

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
  if (!ParseKeyring(key, out)) return Status::Corruption("damaged sync key in the store (checkpoint sync/key)");
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
  TB_RETURN_IF_ERROR(SaveKeyring(store, id));
  *out = id;
  return Status::OK();
}

Status RotateSyncKey(Store& store, SyncIdentity* out) {
  SyncIdentity id;
  TB_RETURN_IF_ERROR(LoadSyncIdentity(store, &id));
  if (id.key.epoch == UINT32_MAX) return Status::InvalidArgument("the sync key is at its last epoch");
  id.retired.insert(id.retired.begin(), id.key);
  id.key.epoch++;
  RandomBytes(id.key.bytes.data(), id.key.bytes.size());
  TB_RETURN_IF_ERROR(SaveKeyring(store, id));
  *out = id;
  return Status::OK();
}

Status TakeSyncKey(Store& store, const SyncKey& key, SyncIdentity* out, KeyTaken* taken) {
  SyncIdentity id;
  Status s = LoadSyncIdentity(store, &id);
  if (s.IsNotFound()) {
    *taken = KeyTaken::kSetUp;
    return SetUpSync(store, &key, out);
  }
  TB_RETURN_IF_ERROR(s);
  *taken = KeyTaken::kHeld;
  if (key.account != id.key.account) {
    return Status::InvalidArgument("the key is of account " + key.account + ", this store syncs account " +
                                   id.key.account + "; one store syncs one history");
  }
  const SyncKey* held = id.KeyOf(key.epoch);
  if (held != nullptr && *held == key) {
    if (key.epoch < id.key.epoch) {
      return Status::InvalidArgument("the key is the retired " + Epoch(key.epoch) + "; this store holds " +
                                     Epoch(id.key.epoch) + ". Export the current key on the machine that rotated it");
    }
    *out = id;
    return Status::OK();
  }
  if (key.epoch <= id.key.epoch) {
    return Status::InvalidArgument("the key's " + Epoch(key.epoch) + " is not newer than this store's " +
                                   Epoch(id.key.epoch) + " and its bytes differ: it is not this account's key");
  }
  id.retired.insert(id.retired.begin(), id.key);
  id.key = key;
  TB_RETURN_IF_ERROR(SaveKeyring(store, id));
  *out = id;
  *taken = KeyTaken::kAdopted;
  return Status::OK();
}

}  // namespace tb
