#include "core/data_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/config.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKeyIdContext = "termbrain key id 1";
constexpr size_t kMaxKeyFileBytes = 4096;

void InitSodium() {
  static const int ok = sodium_init();
  (void)ok;  // -1 only when no randomness source exists; randombytes_buf then aborts
}

// `p` made absolute with its symlinks resolved as far as they exist.
std::string Resolved(const std::string& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::path(p).lexically_normal().string() : r.string();
}

Status InsideDataDir(const std::string& path, const std::string& data_dir) {
  if (data_dir.empty()) return Status::OK();
  const std::string key = Resolved(path);
  std::string dir = Resolved(data_dir);
  if (!dir.ends_with('/')) dir += '/';
  if (!key.starts_with(dir)) return Status::OK();
  return Status::InvalidArgument("key file " + path + " is inside the data dir " + data_dir +
                                 ": a key kept beside the data it protects protects nothing. Keep it elsewhere");
}

std::string Octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

Status CheckOpened(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IOError("cannot read key file " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument("key file " + path + " is not a regular file");
  if (st.st_uid != ::geteuid()) {
    return Status::InvalidArgument("key file " + path + " is owned by uid " + std::to_string(st.st_uid) +
                                   ", not by you (uid " + std::to_string(::geteuid()) + ")");
  }
  if ((st.st_mode & 077) != 0) {
    return Status::InvalidArgument("key file " + path + " is accessible to group or others (mode " + Octal(st.st_mode) +
                                   "). Run 'chmod 600 " + path + "'");
  }
  return Status::OK();
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HexOf(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string KeyId(const DataKey& key) {
  unsigned char h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(kKeyIdContext.data()), kKeyIdContext.size(),
                     key.bytes.data(), key.bytes.size());
  return std::string(reinterpret_cast<const char*>(h), kKeyIdBytes);
}

std::string KeyIdHex(const DataKey& key) { return HexOf(KeyId(key)); }

Status ParseKeyText(std::string_view text, const std::string& path, DataKey* out) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  bool hex = text.size() == 2 * kDataKeyBytes;
  for (size_t i = 0; hex && i < text.size(); ++i) hex = HexDigit(text[i]) >= 0;
  if (!hex) {
    return Status::InvalidArgument("key file " + path + " does not hold a key: expected one line of " +
                                   std::to_string(2 * kDataKeyBytes) + " hex digits (" + std::to_string(kDataKeyBytes) +
                                   " bytes), as 'tb key generate' writes");
  }
  for (size_t i = 0; i < kDataKeyBytes; ++i) {
    out->bytes[i] = static_cast<unsigned char>(HexDigit(text[2 * i]) << 4 | HexDigit(text[2 * i + 1]));
  }
  return Status::OK();
}

Status ReadKeyFile(const std::string& path, const std::string& data_dir, DataKey* out) {
  if (path.empty() || path[0] != '/') {
    return Status::InvalidArgument("storage.key_file must be an absolute path, not '" + path + "'");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    return Status::Incompatible("key file " + path +
                                " does not exist (storage.key_file): the store cannot be read without its key");
  }
  if (fd < 0) return Status::IOError("cannot read key file " + path + ": " + std::strerror(errno));
  Status s = CheckOpened(fd, path);
  std::string text(kMaxKeyFileBytes, '\0');
  ssize_t n = s.ok() ? ::read(fd, text.data(), text.size()) : 0;
  if (s.ok() && n < 0) s = Status::IOError("cannot read key file " + path + ": " + std::strerror(errno));
  ::close(fd);
  TB_RETURN_IF_ERROR(s);
  TB_RETURN_IF_ERROR(InsideDataDir(path, data_dir));
  text.resize(static_cast<size_t>(n));
  Status parsed = ParseKeyText(text, path, out);
  sodium_memzero(text.data(), text.size());
  return parsed;
}

Status GenerateKeyFile(const std::string& path, const std::string& data_dir, DataKey* out) {
  if (path.empty() || path[0] != '/') {
    return Status::InvalidArgument("the key file path must be absolute, not '" + path + "'");
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    return Status::InvalidArgument("key file " + path + " already exists: tb never overwrites a key");
  }
  TB_RETURN_IF_ERROR(InsideDataDir(path, data_dir));
  RandomBytes(out->bytes.data(), out->bytes.size());
  std::string text = HexOf(std::string_view(reinterpret_cast<const char*>(out->bytes.data()), out->bytes.size()));
  text += '\n';
  Status s = WriteFileAtomically(path, text, 0600);
  sodium_memzero(text.data(), text.size());
  return s;
}

std::string KeyFileProblem(std::string_view path) {
  return path.empty() || path[0] == '/' ? "" : "is not an absolute path";
}

Status DataKeyFromConfig(const Config& config, const std::string& data_dir, std::optional<DataKey>* out) {
  out->reset();
  if (config.storage.encryption == "passphrase") {
    return Status::InvalidArgument("storage.encryption = \"passphrase\" is unlocked by storage/unlock.h, not here");
  }
  if (config.storage.encryption != "keyfile") return Status::OK();
  if (config.storage.key_file.empty()) {
    return Status::InvalidArgument(
        "storage.encryption = \"keyfile\" needs storage.key_file, the absolute path of the key "
        "(create one with 'tb key generate PATH')");
  }
  DataKey key;
  TB_RETURN_IF_ERROR(ReadKeyFile(config.storage.key_file, data_dir, &key));
  *out = key;
  return Status::OK();
}

void RandomBytes(void* out, size_t n) {
  InitSodium();
  randombytes_buf(out, n);
}

void WipeSecret(std::string* s) {
  if (!s->empty()) sodium_memzero(s->data(), s->size());
  s->clear();
}

void XorKeystream(const DataKey& key, const unsigned char* nonce, uint64_t offset, char* data, size_t n) {
  auto* p = reinterpret_cast<unsigned char*>(data);
  const uint64_t skip = offset % 64;
  uint64_t block = offset / 64;
  if (skip != 0 && n > 0) {
    // The partial first block: XOR a whole block's keystream, use its tail.
    unsigned char buf[64] = {};
    const size_t take = std::min<size_t>(n, 64 - skip);
    std::memcpy(buf + skip, p, take);
    crypto_stream_xchacha20_xor_ic(buf, buf, sizeof buf, nonce, block, key.bytes.data());
    std::memcpy(p, buf + skip, take);
    sodium_memzero(buf, sizeof buf);
    p += take;
    n -= take;
    ++block;
  }
  if (n > 0) crypto_stream_xchacha20_xor_ic(p, p, n, nonce, block, key.bytes.data());
}

}  // namespace tb
