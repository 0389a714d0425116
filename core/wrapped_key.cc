#include "core/wrapped_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/atomic_file.h"

namespace tb {
namespace {

constexpr std::string_view kMagic = "TBWRAPK\n";
constexpr size_t kSaltBytes = crypto_pwhash_SALTBYTES;                        // 16
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr size_t kSealedBytes = kDataKeyBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kHeaderBytes = 88;  // the additional data
constexpr size_t kBodyBytes = kHeaderBytes + kSealedBytes;
static_assert(kBodyBytes + crypto_generichash_BYTES == kWrappedKeyBytes);
static_assert(kSaltBytes == 16 && kNonceBytes == 24);

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetLe(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(in[at + i]);
  return v;
}

std::string Checksum(std::string_view body) {
  unsigned char h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(body.data()), body.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(h), sizeof h);
}

std::string Header(const WrappedKey& w) {
  std::string h(kMagic);
  PutLe(&h, kWrappedKeyFormat, 4);
  PutLe(&h, kKdfArgon2id, 4);
  PutLe(&h, w.limits.ops, 8);
  PutLe(&h, w.limits.memory_bytes, 8);
  return h + w.salt + w.key_id + w.nonce;
}

// The Argon2id key of (passphrase, salt) at `limits`, into `out` (32 bytes).
Status DeriveKey(std::string_view passphrase, const WrappedKey& w, unsigned char* out) {
  static const int init = sodium_init();  // picks the fastest Argon2 implementation
  (void)init;
  if (crypto_pwhash(out, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(w.salt.data()), w.limits.ops,
                    static_cast<size_t>(w.limits.memory_bytes), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::IOError("cannot derive the key from the passphrase: Argon2id needs " +
                           std::to_string(w.limits.memory_bytes >> 20) + " MiB of memory, which it did not get");
  }
  return Status::OK();
}

bool LimitsOk(const KdfLimits& l) {
  return l.ops >= crypto_pwhash_OPSLIMIT_MIN && l.ops <= kMaxKdfOps && l.memory_bytes >= crypto_pwhash_MEMLIMIT_MIN &&
         l.memory_bytes <= kMaxKdfMemoryBytes;
}

}  // namespace

std::string WrappedKeyPath(const std::string& data_dir) { return data_dir + "/key.wrapped"; }

std::string EncodeWrappedKey(const WrappedKey& w) {
  std::string body = Header(w) + w.sealed;
  return body + Checksum(body);
}

Status DecodeWrappedKey(std::string_view bytes, const std::string& path, WrappedKey* out) {
  if (!bytes.starts_with(kMagic)) {
    return Status::Incompatible("not a wrapped key file (" + path + "): it does not start with the magic bytes");
  }
  if (bytes.size() != kWrappedKeyBytes || Checksum(bytes.substr(0, kBodyBytes)) != bytes.substr(kBodyBytes)) {
    return Status::Corruption("the wrapped key file " + path +
                              " is damaged (size or checksum). Restore it from a copy of the data dir");
  }
  if (GetLe(bytes, 8, 4) != kWrappedKeyFormat || GetLe(bytes, 12, 4) != kKdfArgon2id) {
    return Status::Incompatible("the wrapped key file " + path + " has format " + std::to_string(GetLe(bytes, 8, 4)) +
                                " and KDF " + std::to_string(GetLe(bytes, 12, 4)) +
                                "; this tb reads format 1 with KDF 1 (Argon2id). Use a newer tb");
  }
  out->limits = KdfLimits{GetLe(bytes, 16, 8), GetLe(bytes, 24, 8)};
  if (!LimitsOk(out->limits)) {
    return Status::Corruption("the wrapped key file " + path + " asks for Argon2id limits out of range (ops " +
                              std::to_string(out->limits.ops) + ", " + std::to_string(out->limits.memory_bytes) +
                              " bytes)");
  }
  out->salt = std::string(bytes.substr(32, kSaltBytes));
  out->key_id = std::string(bytes.substr(48, kKeyIdBytes));
  out->nonce = std::string(bytes.substr(64, kNonceBytes));
  out->sealed = std::string(bytes.substr(kHeaderBytes, kSealedBytes));
  return Status::OK();
}

Status CheckPassphrase(std::string_view passphrase) {
  if (passphrase.empty()) return Status::InvalidArgument("empty passphrase refused");
  if (passphrase.size() > kMaxPassphraseBytes) {
    return Status::InvalidArgument("passphrase refused: longer than " + std::to_string(kMaxPassphraseBytes) + " bytes");
  }
  return Status::OK();
}

Status WrapDataKey(const DataKey& key, std::string_view passphrase, const KdfLimits& limits, WrappedKey* out) {
  TB_RETURN_IF_ERROR(CheckPassphrase(passphrase));
  out->limits = limits;
  out->salt.assign(kSaltBytes, '\0');
  out->nonce.assign(kNonceBytes, '\0');
  RandomBytes(out->salt.data(), kSaltBytes);
  RandomBytes(out->nonce.data(), kNonceBytes);
  out->key_id = KeyId(key);
  unsigned char wrapping[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  TB_RETURN_IF_ERROR(DeriveKey(passphrase, *out, wrapping));
  const std::string ad = Header(*out);
  out->sealed.assign(kSealedBytes, '\0');
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(out->sealed.data()), nullptr,
                                             key.bytes.data(), key.bytes.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
                                             reinterpret_cast<const unsigned char*>(out->nonce.data()), wrapping);
  sodium_memzero(wrapping, sizeof wrapping);
  return Status::OK();
}

Status UnwrapDataKey(const WrappedKey& w, std::string_view passphrase, const std::string& path, DataKey* out) {
  TB_RETURN_IF_ERROR(CheckPassphrase(passphrase));
  unsigned char wrapping[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  TB_RETURN_IF_ERROR(DeriveKey(passphrase, w, wrapping));
  const std::string ad = Header(w);
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      out->bytes.data(), nullptr, nullptr, reinterpret_cast<const unsigned char*>(w.sealed.data()), w.sealed.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
      reinterpret_cast<const unsigned char*>(w.nonce.data()), wrapping);
  sodium_memzero(wrapping, sizeof wrapping);
  if (rc != 0) return Status::Incompatible("wrong passphrase for " + path + ". Nothing was changed");
  if (KeyId(*out) != w.key_id) {
    sodium_memzero(out->bytes.data(), out->bytes.size());
    return Status::Corruption("the wrapped key file " + path + " gives a key whose id is not the one it names");
  }
  return Status::OK();
}

Status ReadWrappedKeyFile(const std::string& path, WrappedKey* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0 && errno == ENOENT) return Status::NotFound("no wrapped key file at " + path);
  if (fd < 0 && errno == ELOOP) return Status::IOError("cannot use the wrapped key file " + path + ": it is a symlink");
  if (fd < 0) return Status::IOError("cannot read the wrapped key file " + path + ": " + std::strerror(errno));
  struct stat st {};
  std::string bytes(kWrappedKeyBytes + 1, '\0');
  ssize_t n = -1;
  std::string why;
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    why = "it is not a regular file";
  } else if (st.st_uid != ::geteuid()) {
    why = "it is owned by uid " + std::to_string(st.st_uid) + ", not by you";
  } else if ((n = ::read(fd, bytes.data(), bytes.size())) < 0) {
    why = std::strerror(errno);
  }
  ::close(fd);
  if (!why.empty()) return Status::IOError("cannot use the wrapped key file " + path + ": " + why);
  bytes.resize(static_cast<size_t>(n));
  return DecodeWrappedKey(bytes, path, out);
}

Status WriteWrappedKeyFile(const std::string& path, const WrappedKey& w) {
  return WriteFileAtomically(path, EncodeWrappedKey(w), 0600);
}

}  // namespace tb
