#include "core/sealed_file.h"

#include <sodium.h>

#include <algorithm>
#include <vector>

namespace tb {
namespace {

constexpr size_t kChunk = 1 << 20;
constexpr size_t kHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kTag = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kPrefix = 8 + kKeyIdBytes + kHeader;

}  // namespace

void SealTo(const DataKey& key, std::string_view plain, const ContentSink& sink) {
  crypto_secretstream_xchacha20poly1305_state st;
  unsigned char header[kHeader];
  crypto_secretstream_xchacha20poly1305_init_push(&st, header, key.bytes.data());
  std::string head(kSealMagic);
  head += KeyId(key);
  head.append(reinterpret_cast<const char*>(header), kHeader);
  sink(head.data(), head.size());
  std::vector<unsigned char> out(kChunk + kTag);
  size_t pos = 0;
  do {
    const size_t n = std::min(kChunk, plain.size() - pos);
    const bool last = pos + n == plain.size();
    unsigned long long len = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &st, out.data(), &len, reinterpret_cast<const unsigned char*>(plain.data() + pos), n, nullptr, 0,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    sink(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(len));
    pos += n;
  } while (pos < plain.size());
}

bool LooksSealed(std::string_view bytes) { return bytes.starts_with(kSealMagic); }

Status Unseal(const DataKey& key, std::string_view bytes, const std::string& name, std::string* plain) {
  if (!LooksSealed(bytes)) return Status::Incompatible(name + " is not sealed (written with encryption off)");
  if (bytes.size() < kPrefix) return Status::Corruption(name + " is damaged: its header is cut short");
  if (bytes.substr(kSealMagic.size(), kKeyIdBytes) != KeyId(key)) {
    return Status::Incompatible(name + " is sealed under another key (key id " +
                                HexOf(bytes.substr(kSealMagic.size(), kKeyIdBytes)) + ", not " + KeyIdHex(key) + ")");
  }
  crypto_secretstream_xchacha20poly1305_state st;
  const auto* header = reinterpret_cast<const unsigned char*>(bytes.data() + 8 + kKeyIdBytes);
  if (crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key.bytes.data()) != 0) {
    return Status::Corruption(name + " is damaged: bad stream header");
  }
  plain->clear();
  size_t pos = kPrefix;
  unsigned char tag = 0;
  std::vector<unsigned char> out(kChunk);
  while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    const size_t n = std::min(kChunk + kTag, bytes.size() - pos);
    unsigned long long len = 0;
    if (n < kTag || crypto_secretstream_xchacha20poly1305_pull(
                        &st, out.data(), &len, &tag, reinterpret_cast<const unsigned char*>(bytes.data() + pos), n,
                        nullptr, 0) != 0) {
      return Status::Corruption(name + " is damaged: chunk at offset " + std::to_string(pos) + " fails authentication");
    }
    plain->append(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(len));
    pos += n;
  }
  if (pos != bytes.size()) return Status::Corruption(name + " is damaged: bytes after its final chunk");
  return Status::OK();
}

}  // namespace tb
