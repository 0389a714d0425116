#include "sync/key_export.h"

#include <sodium.h>

#include "core/base64.h"
#include "core/keycode.h"

namespace tb {
namespace {

constexpr std::string_view kPrefix = "tbsynckey1:";
constexpr size_t kSalt = crypto_pwhash_SALTBYTES;
constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kHeader = kSalt + 8 + 8 + kNonce;

bool DeriveKey(std::string_view passphrase, const unsigned char* salt, uint64_t ops, uint64_t mem, unsigned char* key) {
  return crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, passphrase.data(), passphrase.size(), salt,
                       ops, static_cast<size_t>(mem), crypto_pwhash_ALG_ARGON2ID13) == 0;
}

std::string AssociatedData(std::string_view blob) {
  return std::string(kPrefix) + std::string(blob.substr(0, kSalt + 16));
}

}  // namespace

std::string ExportSyncKey(const SyncKey& key, std::string_view passphrase) {
  static const int init = sodium_init();
  (void)init;  // -1 only without a randomness source; randombytes_buf then aborts
  std::string blob(kSalt, '\0');
  randombytes_buf(blob.data(), kSalt);
  PutU64BE(&blob, crypto_pwhash_OPSLIMIT_MODERATE);
  PutU64BE(&blob, crypto_pwhash_MEMLIMIT_MODERATE);
  std::string nonce(kNonce, '\0');
  randombytes_buf(nonce.data(), kNonce);
  blob += nonce;
  unsigned char wrap[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  const auto* salt = reinterpret_cast<const unsigned char*>(blob.data());
  // Fails only when out of memory for Argon2id's 256 MiB.
  if (!DeriveKey(passphrase, salt, crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE, wrap)) return "";
  const std::string plain = FormatSyncKey(key);
  const std::string ad = AssociatedData(blob);
  size_t at = blob.size();
  blob.resize(at + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(blob.data() + at), &n,
                                             reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
                                             reinterpret_cast<const unsigned char*>(nonce.data()), wrap);
  sodium_memzero(wrap, sizeof wrap);
  blob.resize(at + n);
  return std::string(kPrefix) + Base64Encode(blob) + "\n";
}

Status ImportSyncKey(std::string_view line, std::string_view passphrase, SyncKey* out) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  std::string blob;
  if (!line.starts_with(kPrefix) || !Base64Decode(line.substr(kPrefix.size()), &blob) ||
      blob.size() < kHeader + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return Status::InvalidArgument(
        "not an exported sync key (a line that starts with tbsynckey1:, as tb sync key "
        "export prints it)");
  }
  std::string_view limits(blob.data() + kSalt, 16);
  uint64_t ops = 0, mem = 0;
  if (!GetU64BE(&limits, &ops) || !GetU64BE(&limits, &mem) || ops < crypto_pwhash_OPSLIMIT_MIN ||
      ops > crypto_pwhash_OPSLIMIT_SENSITIVE || mem < crypto_pwhash_MEMLIMIT_MIN ||
      mem > crypto_pwhash_MEMLIMIT_SENSITIVE) {
    return Status::InvalidArgument("the exported sync key asks for Argon2id limits outside what tb accepts");
  }
  unsigned char wrap[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  if (!DeriveKey(passphrase, reinterpret_cast<const unsigned char*>(blob.data()), ops, mem, wrap)) {
    return Status::IOError("not enough memory to derive the key from the passphrase (Argon2id)");
  }
  const std::string ad = AssociatedData(blob);
  std::string plain(blob.size() - kHeader - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long n = 0;
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &n, nullptr,
      reinterpret_cast<const unsigned char*>(blob.data() + kHeader), blob.size() - kHeader,
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
      reinterpret_cast<const unsigned char*>(blob.data() + kSalt + 16), wrap);
  sodium_memzero(wrap, sizeof wrap);
  if (rc != 0) return Status::Incompatible("the passphrase does not open this sync key");
  plain.resize(n);
  if (!ParseSyncKey(plain, out)) return Status::InvalidArgument("the exported sync key holds no valid key");
  return Status::OK();
}

}  // namespace tb
