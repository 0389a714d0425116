// Helpers shared by the libFuzzer harnesses in fuzz/: feeding bytes to
// parsers that read a file descriptor or a path without writing to disk.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tb::fuzz {

// An anonymous in-memory file holding `bytes`, read position 0; -1 when the
// kernel refuses one. The caller owns the descriptor.
inline int MemFd(std::string_view bytes) {
  int fd = ::memfd_create("tb-fuzz", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

// A path that reads the in-memory file `fd` (for parsers that take a path).
inline std::string FdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

inline std::string_view Bytes(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace tb::fuzz
