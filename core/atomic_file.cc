#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace tb {
namespace {

constexpr size_t kBufferBytes = 1u << 20;

}  // namespace

bool WriteFully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {  // no progress and no error: report it rather than spin
      errno = EIO;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void SyncDir(const std::string& dir) {
  int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

Status AtomicFile::Fail() {
  int err = errno;
  std::string msg =
      "cannot write " + path_ + ": " + std::strerror(err) + ". Check the directory exists and is writable";
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
  tmp_.clear();
  return err == ENOSPC ? Status::NoSpace(std::move(msg)) : Status::IOError(std::move(msg));
}

Status AtomicFile::Open(const std::string& path, mode_t mode) {
  path_ = path;
  mode_ = mode;
  std::string tmpl = path + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  fd_ = ::mkostemp(name.data(), O_CLOEXEC);  // 0600
  if (fd_ < 0) return Fail();
  tmp_.assign(name.data());
  return Status::OK();
}

Status AtomicFile::Flush() {
  if (fd_ < 0) return Status::IOError("cannot write " + path_ + ": not open");
  if (!WriteFully(fd_, buf_)) return Fail();
  buf_.clear();
  return Status::OK();
}

Status AtomicFile::Write(std::string_view data) {
  bytes_ += data.size();
  if (buf_.size() + data.size() > kBufferBytes) TB_RETURN_IF_ERROR(Flush());
  if (data.size() < kBufferBytes) {
    buf_.append(data);
    return Status::OK();
  }
  if (fd_ < 0) return Status::IOError("cannot write " + path_ + ": not open");
  return WriteFully(fd_, data) ? Status::OK() : Fail();
}

Status AtomicFile::Commit() {
  TB_RETURN_IF_ERROR(Flush());
  if (mode_ != 0600 && ::fchmod(fd_, mode_) != 0) return Fail();
  if (::fsync(fd_) != 0) return Fail();
  if (::close(std::exchange(fd_, -1)) != 0) return Fail();
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) return Fail();
  tmp_.clear();
  SyncDir(std::filesystem::path(path_).parent_path().string());
  return Status::OK();
}

Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode) {
  AtomicFile f;
  TB_RETURN_IF_ERROR(f.Open(path, mode));
  TB_RETURN_IF_ERROR(f.Write(data));
  return f.Commit();
}

Status WriteFileAtomically(const std::string& path, const std::function<void(const ContentSink&)>& produce) {
  AtomicFile f;
  TB_RETURN_IF_ERROR(f.Open(path));
  Status s;
  produce([&](const char* p, size_t n) {
    if (s.ok()) s = f.Write(std::string_view(p, n));
  });
  TB_RETURN_IF_ERROR(s);
  return f.Commit();
}

}  // namespace tb
