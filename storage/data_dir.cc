#include "storage/data_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "core/atomic_file.h"

namespace tb {
namespace fs = std::filesystem;

namespace {

constexpr const char* kMagic = "termbrain-store";

std::string Errno(const std::string& what, const std::string& path) {
  return what + " (" + path + "): " + std::strerror(errno);
}

bool IsHex32(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status ParseIdentity(const std::string& path, StoreIdentity* id) {
  std::ifstream in(path);
  if (!in) return Status::IOError(Errno("cannot read identity file", path));
  std::string magic, key;
  if (!std::getline(in, magic) || magic != kMagic) {
    return Status::Incompatible("not a TermBrain store (" + path + "): the identity file does not start with '" +
                                kMagic + "'. Point --data-dir at a TermBrain data directory");
  }
  const Status damaged = Status::Corruption("damaged identity file (" + path +
                                            "): expected 'format N' and 'store_id HEX'. Restore it "
                                            "from a backup");
  if (!(in >> key >> id->format) || key != "format") return damaged;
  // Judge the version before the rest: a newer format may lay out the
  // remaining lines differently, and that is "upgrade tb", not "damaged".
  if (id->format > kStoreFormatVersion) {
    return Status::Incompatible("store format " + std::to_string(id->format) + " is newer than this tb supports (" +
                                std::to_string(kStoreFormatVersion) + ") (" + path +
                                "). Upgrade tb; the store was left untouched");
  }
  if (!(in >> key >> id->store_id) || key != "store_id" || !IsHex32(id->store_id)) return damaged;
  if (id->format < 1) {
    return Status::Corruption("damaged identity file (" + path + "): format " + std::to_string(id->format) +
                              " does not exist");
  }
  return Status::OK();
}

std::string RandomHex32() {
  std::random_device rd;
  std::string s;
  static const char* kHex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) s.push_back(kHex[rd() & 15]);
  return s;
}

// The first line of a file ("" when unreadable).
std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// What a data dir may hold before its TERMBRAIN file exists: the lock a
// creator takes first (empty for the instant between creating and writing
// it, else naming a tb: "pid N (tb ...)"), the daemon's lock, the temp file of an identity
// write that was interrupted, the spool the shell hooks fall back to, and
// the wrapped key `tb unlock` writes before the store exists (storage/passphrase.h).
// Anything else (a lock file of another program included) is not ours.
bool IsCreationLeftover(const std::string& dir, const std::string& name) {
  if (name == "lock") {
    std::string line = FirstLine(dir + "/lock");
    return line.empty() || (line.starts_with("pid ") && line.find(" (tb ") != std::string::npos);
  }
  // A daemon started before the first command (storage/daemon_lock.h).
  if (name == "daemon.lock") {
    std::string line = FirstLine(dir + "/daemon.lock");
    return line.empty() || (line.starts_with("pid ") && line.find(" since ") != std::string::npos);
  }
  // The identity's temp file (core/atomic_file.h names it <path>.tmp-XXXXXX;
  // older tb versions wrote TERMBRAIN.tmp).
  if (name == "TERMBRAIN.tmp" || name.starts_with("TERMBRAIN.tmp-")) return true;
  if (name == "key.wrapped" || name.starts_with("key.wrapped.tmp-")) return true;
  return name == "spool" && fs::is_directory(dir + "/spool");
}

}  // namespace

Status InspectDataDir(const std::string& dir, bool* exists, StoreIdentity* identity, bool own_lock) {
  std::error_code ec;
  auto st = fs::status(dir, ec);
  if (ec || !fs::exists(st)) {
    *exists = false;
    return Status::OK();
  }
  if (!fs::is_directory(st)) {
    return Status::Incompatible("not a TermBrain store (" + dir +
                                "): it is a file, not a directory. Choose another --data-dir");
  }
  std::string id_path = dir + "/TERMBRAIN";
  if (fs::exists(id_path, ec)) {
    *exists = true;
    return ParseIdentity(id_path, identity);
  }
  bool only_leftovers = true;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!(own_lock && name == "lock") && !IsCreationLeftover(dir, name)) only_leftovers = false;
  }
  if (ec) return Status::IOError("cannot list data dir (" + dir + "): " + ec.message());
  if (only_leftovers) {
    *exists = false;
    return Status::OK();
  }
  bool rocks = fs::exists(dir + "/CURRENT", ec) || fs::exists(dir + "/db/CURRENT", ec);
  return Status::Incompatible(std::string("not a TermBrain store (") + dir + "): " +
                              (rocks ? "it holds a RocksDB database of another program"
                                     : "the directory has files but no TERMBRAIN identity file") +
                              ". Nothing was changed; choose an empty or TermBrain --data-dir");
}

Status MakeDataDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create data dir (" + dir + "): " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return Status::OK();
}

Status CreateDataDir(const std::string& dir, StoreIdentity* identity) {
  TB_RETURN_IF_ERROR(MakeDataDir(dir));
  identity->format = kStoreFormatVersion;
  if (identity->store_id.empty()) identity->store_id = RandomHex32();
  std::ostringstream out;
  out << kMagic << "\nformat " << identity->format << "\nstore_id " << identity->store_id << "\n";
  return WriteFileAtomically(dir + "/TERMBRAIN", out.str());
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last fd releases the flock
}

Status DirLock::Acquire(const std::string& dir, const std::string& holder, int wait_ms) {
  std::string path = dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError(Errno("cannot open lock file", path));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      Status s = Status::IOError(Errno("cannot lock", path));
      ::close(fd);
      return s;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      std::string who = ReadLockHolder(dir);
      return Status::Busy("the store is in use by " + (who.empty() ? "another process" : who) + " (" + dir +
                          "); gave up after " + std::to_string(wait_ms) +
                          " ms. Retry when it has finished, or raise storage.lock_wait_ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string line = holder + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, line.data(), line.size(), 0) < 0) {
    // The holder text is informational only; the lock itself is held.
  }
  fd_ = fd;
  return Status::OK();
}

std::string ReadLockHolder(const std::string& dir) {
  std::string path = dir + "/lock";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  std::string text;
  if (locked) {
    char buf[512];
    ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    if (n > 0) text.assign(buf, static_cast<size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) text = "another process";
  }
  ::close(fd);
  return text;
}

uint64_t DirectorySize(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

}  // namespace tb
