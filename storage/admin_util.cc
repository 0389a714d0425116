#include "storage/admin_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace tb::admin {
namespace fs = std::filesystem;

std::string Errno(const std::string& what, const std::string& path) {
  return what + " (" + path + "): " + std::strerror(errno);
}

Status WriteIdentity(const std::string& dir, const StoreIdentity& id) {
  return WriteFileAtomically(
      dir + "/TERMBRAIN", "termbrain-store\nformat " + std::to_string(id.format) + "\nstore_id " + id.store_id + "\n");
}

namespace {

Status CopyFile(const std::string& src, const std::string& dst) {
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status::IOError(Errno("cannot read", src));
  int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    ::close(in);
    return Status::IOError(Errno("cannot create", dst));
  }
  char buf[1 << 16];
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      break;
    }
    if (n == 0) break;
    if (!WriteFully(out, std::string_view(buf, static_cast<size_t>(n)))) {
      ok = false;
      break;
    }
  }
  ok = ok && ::fsync(out) == 0;
  ::close(in);
  ::close(out);
  if (!ok) return Status::IOError(Errno("cannot copy to", dst));
  return Status::OK();
}

}  // namespace

Status SwapInDatabase(const std::string& data_dir, const std::string& incoming, const std::string& db) {
  std::error_code ec;
  if (fs::exists(db, ec)) {
    if (::renameat2(AT_FDCWD, incoming.c_str(), AT_FDCWD, db.c_str(), RENAME_EXCHANGE) != 0) {
      Status s = Status::IOError(Errno("cannot swap in the new database", db));
      fs::remove_all(incoming, ec);
      return s;
    }
  } else if (::rename(incoming.c_str(), db.c_str()) != 0) {
    return Status::IOError(Errno("cannot move the new database into place", db));
  }
  SyncDir(data_dir);
  return Status::OK();
}

Status CopyDbOffline(const std::string& src, const std::string& dst) {
  std::error_code ec;
  fs::create_directories(dst, ec);
  if (ec) return Status::IOError("cannot create " + dst + ": " + ec.message());
  ::chmod(dst.c_str(), 0700);
  for (const auto& e : fs::directory_iterator(src, ec)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (name == "LOCK" || name.starts_with("LOG")) continue;  // RocksDB's lock and info logs
    std::string from = e.path().string(), to = dst + "/" + name;
    if (name.ends_with(".sst") || name.ends_with(".blob")) {
      if (::link(from.c_str(), to.c_str()) == 0) continue;
      // Another file system: fall back to a copy.
    }
    TB_RETURN_IF_ERROR(CopyFile(from, to));
  }
  if (ec) return Status::IOError("cannot list " + src + ": " + ec.message());
  SyncDir(dst);
  return Status::OK();
}

std::string FileTime(int64_t ns) {
  time_t t = static_cast<time_t>(ns / 1'000'000'000);
  struct tm tm {};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace tb::admin
