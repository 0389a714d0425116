#include "storage/ack_head.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/crc32c.h"
#include "core/keycode.h"

namespace tb {
namespace {

constexpr char kMagic[8] = {'T', 'B', 'H', 'E', 'A', 'D', '0', '1'};
constexpr size_t kSize = 28;

std::string Encode(uint64_t head) {
  std::string s(kMagic, sizeof kMagic);
  PutU64BE(&s, head);
  PutU64BE(&s, 0);
  uint32_t crc = Crc32c(s);
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return s;
}

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " (" + path + "): " + std::strerror(errno);
}

}  // namespace

AckHeadFile::~AckHeadFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status AckHeadFile::Read(const std::string& db_path, bool* present, uint64_t* head) {
  *present = false;
  *head = 0;
  const std::string path = PathFor(db_path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Status::OK();
    return Status::IOError(ErrnoText("cannot read the acknowledged head", path));
  }
  char buf[kSize + 1];
  ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  ::close(fd);
  if (n < 0) return Status::IOError(ErrnoText("cannot read the acknowledged head", path));
  std::string_view v(buf, static_cast<size_t>(n));
  if (v.size() != kSize || std::memcmp(buf, kMagic, sizeof kMagic) != 0) {
    return Status::Corruption("damaged acknowledged-head record (" + path + "): bad size or magic");
  }
  std::string_view h = v.substr(sizeof kMagic);
  uint64_t value = 0;
  GetU64BE(&h, &value);
  if (Encode(value) != v) {
    return Status::Corruption("damaged acknowledged-head record (" + path + "): checksum mismatch");
  }
  *present = true;
  *head = value;
  return Status::OK();
}

Status AckHeadFile::OpenForWrite(const std::string& db_path) {
  if (fd_ >= 0) ::close(fd_);
  path_ = PathFor(db_path);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) return Status::IOError(ErrnoText("cannot open the acknowledged head", path_));
  return Status::OK();
}

Status AckHeadFile::Write(uint64_t head) {
  if (fd_ < 0) return Status::OK();
  std::string bytes = Encode(head);
  if (::pwrite(fd_, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    if (errno == ENOSPC || errno == EDQUOT) {
      return Status::NoSpace(ErrnoText("cannot record the acknowledged head", path_));
    }
    return Status::IOError(ErrnoText("cannot record the acknowledged head", path_));
  }
  return Status::OK();
}

}  // namespace tb
