#include "sync/key_export.h"

#include <cstring>

#include "core/base64.h"
#include "core/wrapped_key.h"

namespace tb {
namespace {

constexpr std::string_view kPrefix = "tbsynckey1:";
constexpr size_t kAccountBytes = 16;

Status NotAnExport() {
  return Status::InvalidArgument(
      "not an exported sync key (a line that starts with tbsynckey1:, as tb sync key export prints it)");
}

}  // namespace

Status ExportSyncKey(const SyncKey& key, std::string_view passphrase, std::string* line) {
  TB_RETURN_IF_ERROR(CheckPassphrase(passphrase));
  DataKey secret;
  std::memcpy(secret.bytes.data(), key.bytes.data(), secret.bytes.size());
  WrappedKey w;
  TB_RETURN_IF_ERROR(WrapDataKey(secret, passphrase, KdfLimits{}, &w));
  std::string blob;
  for (size_t i = 0; i < kAccountBytes; ++i) {
    blob.push_back(static_cast<char>(std::stoi(key.account.substr(2 * i, 2), nullptr, 16)));
  }
  for (int shift = 24; shift >= 0; shift -= 8) blob.push_back(static_cast<char>((key.epoch >> shift) & 0xff));
  blob += EncodeWrappedKey(w);
  *line = std::string(kPrefix) + Base64Encode(blob) + "\n";
  return Status::OK();
}

Status ImportSyncKey(std::string_view line, std::string_view passphrase, const std::string& path, SyncKey* out) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  std::string blob;
  if (!line.starts_with(kPrefix) || !Base64Decode(line.substr(kPrefix.size()), &blob) ||
      blob.size() != kAccountBytes + 4 + kWrappedKeyBytes) {
    return NotAnExport();
  }
  SyncKey k;
  k.account = HexOf(blob.substr(0, kAccountBytes));
  for (size_t i = 0; i < 4; ++i) k.epoch = (k.epoch << 8) | static_cast<unsigned char>(blob[kAccountBytes + i]);
  if (k.epoch == 0) return NotAnExport();
  WrappedKey w;
  TB_RETURN_IF_ERROR(DecodeWrappedKey(std::string_view(blob).substr(kAccountBytes + 4), path, &w));
  TB_RETURN_IF_ERROR(CheckPassphrase(passphrase));
  DataKey secret;
  TB_RETURN_IF_ERROR(UnwrapDataKey(w, passphrase, path, &secret));
  std::memcpy(k.bytes.data(), secret.bytes.data(), k.bytes.size());
  *out = k;
  return Status::OK();
}

}  // namespace tb
