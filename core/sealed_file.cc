#include "core/sealed_file.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace tb {
namespace {

constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kIdAt = kSealMagic.size();
constexpr size_t kNonceAt = kIdAt + kKeyIdBytes;
constexpr size_t kSizeAt = kNonceAt + kStreamNonceBytes;

size_t Blocks(size_t size) { return (size + kSealBlockBytes - 1) / kSealBlockBytes; }

void BlockNonce(const char* header, size_t b, unsigned char* nonce) {
  std::memcpy(nonce, header + kNonceAt, kStreamNonceBytes);
  for (size_t i = 0; i < 8; ++i) nonce[kStreamNonceBytes - 8 + i] ^= static_cast<unsigned char>(b >> (8 * i));
}

uint64_t ReadU64(const char* p) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

}  // namespace

void SealTo(const DataKey& key, std::string_view plain, const ContentSink& sink) {
  char header[kSealHeaderBytes] = {};
  std::memcpy(header, kSealMagic.data(), kSealMagic.size());
  const std::string id = KeyId(key);
  std::memcpy(header + kIdAt, id.data(), id.size());
  RandomBytes(header + kNonceAt, kStreamNonceBytes);
  for (size_t i = 0; i < 8; ++i)
    header[kSizeAt + i] = static_cast<char>(static_cast<uint64_t>(plain.size()) >> (8 * i));
  sink(header, sizeof header);
  std::string tags(Blocks(plain.size()) * kTag, '\0');
  std::vector<unsigned char> out(kSealBlockBytes);
  unsigned char nonce[kStreamNonceBytes];
  for (size_t b = 0; b * kSealBlockBytes < plain.size(); ++b) {
    const size_t n = std::min(kSealBlockBytes, plain.size() - b * kSealBlockBytes);
    BlockNonce(header, b, nonce);
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
        out.data(), reinterpret_cast<unsigned char*>(tags.data() + b * kTag), nullptr,
        reinterpret_cast<const unsigned char*>(plain.data() + b * kSealBlockBytes), n,
        reinterpret_cast<const unsigned char*>(header), sizeof header, nullptr, nonce, key.bytes.data());
    sink(reinterpret_cast<const char*>(out.data()), n);
  }
  sink(tags.data(), tags.size());
}

bool LooksSealed(std::string_view bytes) { return bytes.starts_with(kSealMagic); }

Status SealedFile::Open(const DataKey& key, char* file, size_t size, const std::string& name,
                        std::unique_ptr<SealedFile>* out) {
  const std::string_view bytes(file, size);
  if (!LooksSealed(bytes)) return Status::Incompatible(name + " is not sealed (written with encryption off)");
  if (size < kSealHeaderBytes) return Status::Corruption(name + " is damaged: its header is cut short");
  const std::string_view id = bytes.substr(kIdAt, kKeyIdBytes);
  if (id != KeyId(key)) {
    return Status::Incompatible(name + " is sealed under another key (key id " + HexOf(id) + ", not " + KeyIdHex(key) +
                                ")");
  }
  const uint64_t content = ReadU64(file + kSizeAt);
  if (content > size || size - kSealHeaderBytes != content + Blocks(content) * kTag) {
    return Status::Corruption(name + " is damaged: its size does not match its header");
  }
  std::unique_ptr<SealedFile> f(new SealedFile());
  f->key_ = key;
  f->header_ = file;
  f->content_ = file + kSealHeaderBytes;
  f->size_ = content;
  f->tags_ = reinterpret_cast<const unsigned char*>(file + kSealHeaderBytes + content);
  f->name_ = name;
  f->state_.assign(Blocks(content), 0);
  *out = std::move(f);
  return Status::OK();
}

bool SealedFile::OpenBlock(size_t b) const {
  if (state_[b] == 0) {
    const size_t n = std::min(kSealBlockBytes, size_ - b * kSealBlockBytes);
    unsigned char nonce[kStreamNonceBytes];
    BlockNonce(header_, b, nonce);
    auto* p = reinterpret_cast<unsigned char*>(content_ + b * kSealBlockBytes);
    // Into a copy first: a block that fails leaves no half-decrypted bytes.
    unsigned char buf[kSealBlockBytes];
    const bool ok = crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
                        buf, nullptr, p, n, tags_ + b * kTag, reinterpret_cast<const unsigned char*>(header_),
                        kSealHeaderBytes, nonce, key_.bytes.data()) == 0;
    if (ok) std::memcpy(p, buf, n);
    state_[b] = ok ? 1 : 2;
  }
  return state_[b] == 1;
}

bool SealedFile::OpenRange(size_t off, size_t len) const {
  if (off > size_ || len > size_ - off) return false;
  if (len == 0) return true;
  bool ok = true;
  for (size_t b = off / kSealBlockBytes, last = (off + len - 1) / kSealBlockBytes; b <= last; ++b) {
    ok = OpenBlock(b) && ok;
  }
  return ok;
}

Status SealedFile::OpenAll() const {
  for (size_t b = 0; b < state_.size(); ++b) {
    if (!OpenBlock(b)) {
      return Status::Corruption(name_ + " is damaged: block " + std::to_string(b) + " fails authentication");
    }
  }
  return Status::OK();
}

}  // namespace tb
