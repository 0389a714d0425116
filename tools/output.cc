#include "tools/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <utility>

namespace tb {

std::string HumanBytes(uint64_t b) {
  char buf[32];
  if (b < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
  } else if (b < (1ull << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(b) / 1024);
  } else if (b < (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1 << 30));
  }
  return buf;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

Status AtomicFile::Fail() const {
  return Status::IOError("cannot write " + path_ + ": " + std::strerror(errno) +
                         ". Check the directory exists and is writable");
}

Status AtomicFile::Open(const std::string& path) {
  path_ = path;
  tmp_ = path + ".tmp." + std::to_string(::getpid());
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    Status s = Fail();
    tmp_.clear();  // not created: nothing to remove
    return s;
  }
  return Status::OK();
}

Status AtomicFile::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail();
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status AtomicFile::Commit() {
  if (::fsync(fd_) != 0) return Fail();
  if (::close(std::exchange(fd_, -1)) != 0) return Fail();
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) return Fail();
  tmp_.clear();
  std::string dir = std::filesystem::path(path_).parent_path().string();
  int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
  return Status::OK();
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  AtomicFile f;
  TB_RETURN_IF_ERROR(f.Open(path));
  TB_RETURN_IF_ERROR(f.Write(data));
  return f.Commit();
}

std::string JsonText(const nlohmann::ordered_json& j) {
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

bool AskYesNo(const std::string& question) {
  if (!::isatty(STDIN_FILENO)) return false;
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes";
}

}  // namespace tb
