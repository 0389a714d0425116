#include "storage/xchacha_provider.h"

#include <rocksdb/env_encryption.h>

#include <cstring>

namespace tb {
namespace {

constexpr size_t kIdAt = kEncryptedMagic.size();
constexpr size_t kNonceAt = kIdAt + kKeyIdBytes;
constexpr size_t kUsedPrefix = kNonceAt + kStreamNonceBytes;

class XChaCha20Stream final : public rocksdb::BlockAccessCipherStream {
 public:
  XChaCha20Stream(const DataKey& key, const char* nonce) : key_(key) { std::memcpy(nonce_, nonce, sizeof nonce_); }
  size_t BlockSize() override { return 64; }
  // Whole ranges at once: the base class would call a block function per
  // 64 bytes.
  rocksdb::Status Encrypt(uint64_t offset, char* data, size_t n) override {
    XorKeystream(key_, nonce_, offset, data, n);
    return rocksdb::Status::OK();
  }
  rocksdb::Status Decrypt(uint64_t offset, char* data, size_t n) override { return Encrypt(offset, data, n); }

 protected:
  void AllocateScratch(std::string&) override {}
  rocksdb::Status EncryptBlock(uint64_t block, char* data, char*) override { return Encrypt(block * 64, data, 64); }
  rocksdb::Status DecryptBlock(uint64_t block, char* data, char*) override { return Encrypt(block * 64, data, 64); }

 private:
  const DataKey key_;
  unsigned char nonce_[kStreamNonceBytes];
};

class XChaCha20Provider final : public rocksdb::EncryptionProvider {
 public:
  explicit XChaCha20Provider(const DataKey& key) : key_(key), id_(KeyId(key)) {}
  const char* Name() const override { return "TermBrainXChaCha20"; }
  size_t GetPrefixLength() const override { return kEncryptedPrefixBytes; }
  rocksdb::Status CreateNewPrefix(const std::string&, char* prefix, size_t len) const override {
    if (len < kUsedPrefix) return rocksdb::Status::InvalidArgument("encryption prefix too short");
    std::memset(prefix, 0, len);
    std::memcpy(prefix, kEncryptedMagic.data(), kEncryptedMagic.size());
    std::memcpy(prefix + kIdAt, id_.data(), id_.size());
    RandomBytes(prefix + kNonceAt, kStreamNonceBytes);
    return rocksdb::Status::OK();
  }
  rocksdb::Status AddCipher(const std::string&, const char*, size_t, bool) override {
    return rocksdb::Status::NotSupported("the data key is fixed at construction");
  }
  rocksdb::Status CreateCipherStream(const std::string& fname, const rocksdb::EnvOptions&, rocksdb::Slice& prefix,
                                     std::unique_ptr<rocksdb::BlockAccessCipherStream>* out) override {
    const std::string_view p(prefix.data(), prefix.size());
    const std::string id = PrefixKeyId(p);
    if (id.empty()) return rocksdb::Status::InvalidArgument(fname + " is not encrypted (no TermBrain header)");
    if (id != id_) {
      return rocksdb::Status::InvalidArgument(fname + " is encrypted under another key (key id " + HexOf(id) + ")");
    }
    *out = std::make_unique<XChaCha20Stream>(key_, prefix.data() + kNonceAt);
    return rocksdb::Status::OK();
  }

 private:
  const DataKey key_;
  const std::string id_;
};

}  // namespace

std::shared_ptr<rocksdb::EncryptionProvider> NewXChaCha20Provider(const DataKey& key) {
  return std::make_shared<XChaCha20Provider>(key);
}

std::string PrefixKeyId(std::string_view prefix) {
  if (prefix.size() < kUsedPrefix || !prefix.starts_with(kEncryptedMagic)) return "";
  return std::string(prefix.substr(kIdAt, kKeyIdBytes));
}

}  // namespace tb
