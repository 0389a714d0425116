#include "storage/at_rest.h"

#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include <rocksdb/env.h>
#include <rocksdb/env_encryption.h>
#include <rocksdb/file_system.h>

#include "storage/table_grace.h"
#include "storage/xchacha_provider.h"

namespace tb {
namespace {

std::optional<DataKey>& ProcessKey() {
  static std::optional<DataKey> key;
  return key;
}

// The first bytes of `path` ("" when it cannot be read).
std::string ReadHead(const std::string& path, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string buf(n, '\0');
  ssize_t got = ::read(fd, buf.data(), n);
  ::close(fd);
  buf.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return buf;
}

}  // namespace

void SetProcessDataKey(std::optional<DataKey> key) { ProcessKey() = key; }

const DataKey* ProcessDataKey() { return ProcessKey() ? &*ProcessKey() : nullptr; }

rocksdb::Env* DataEnv(const DataKey* key) {
  if (key == nullptr) return TableGraceEnv();
  static std::mutex mu;
  static auto* envs = new std::map<std::string, rocksdb::Env*>();
  std::lock_guard<std::mutex> lock(mu);
  rocksdb::Env*& env = (*envs)[KeyId(*key)];
  if (env == nullptr) {
    auto fs = rocksdb::NewEncryptedFS(TableGraceEnv()->GetFileSystem(), NewXChaCha20Provider(*key));
    env = rocksdb::NewCompositeEnv(fs).release();
  }
  return env;
}

std::string DbKeyId(const std::string& db_dir) {
  return PrefixKeyId(ReadHead(db_dir + "/CURRENT", kEncryptedPrefixBytes));
}

Status CheckDbKey(const std::string& db_dir, const DataKey* key) {
  const std::string current = db_dir + "/CURRENT";
  if (::access(current.c_str(), F_OK) != 0) return Status::OK();  // no database yet
  const std::string id = DbKeyId(db_dir);
  if (key == nullptr && !id.empty()) {
    // A passphrase store keeps its wrapped key beside the database.
    const bool wrapped = ::access((db_dir + "/../key.wrapped").c_str(), F_OK) == 0;
    return Status::Incompatible("the store " + db_dir + " is encrypted (key id " + HexOf(id) +
                                ") but storage.encryption is off: set " +
                                (wrapped ? "storage.encryption = \"passphrase\" and run 'tb unlock'"
                                         : "storage.encryption = \"keyfile\" and storage.key_file to its key file"));
  }
  if (key != nullptr && id.empty()) {
    return Status::Incompatible("the store " + db_dir +
                                " is not encrypted but storage.encryption is on: encrypt it with encryption off "
                                "first ('tb rekey --new-key-file PATH'), then turn encryption on");
  }
  if (key != nullptr && id != KeyId(*key)) {
    // After the swap of an interrupted rekey, the old database waits beside
    // the new one (storage/rekey.h), and a passphrase store's new wrapped
    // key may still be DIR/key.wrapped.new.
    const bool rekeyed = ::access((db_dir + "/../rekey.new").c_str(), F_OK) == 0;
    const bool passphrase = ::access((db_dir + "/../key.wrapped").c_str(), F_OK) == 0;
    const bool wrapped = ::access((db_dir + "/../key.wrapped.new").c_str(), F_OK) == 0;
    const std::string fix = wrapped   ? " (an interrupted 'tb rekey' left it under its new key: run 'tb unlock' with "
                                        "the new passphrase)"
                            : rekeyed ? " (an interrupted 'tb rekey' left it under its new key: point "
                                        "storage.key_file at that key)"
                                      : "";
    return Status::Incompatible("wrong key for " + db_dir + ": the store is encrypted under key id " + HexOf(id) +
                                (passphrase ? ", the unlocked key has key id " : ", storage.key_file holds key id ") +
                                KeyIdHex(*key) + fix + ". Nothing was changed");
  }
  return Status::OK();
}

}  // namespace tb
