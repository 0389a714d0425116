#include "core/import/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/import/bash_source.h"
#include "core/import/fish_source.h"
#include "core/import/line_reader.h"
#include "core/import/ndjson_source.h"
#include "core/import/zsh_source.h"

namespace tb {

bool IsTextSource(std::string_view s) { return s == "bash" || s == "zsh" || s == "fish" || s == "ndjson"; }

std::string GuessTextSource(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  LineReader reader(fd, 1 << 16);
  std::string_view line;
  while (reader.Next(&line) && line.empty()) {
  }
  auto digit_at = [&](size_t i) { return line.size() > i && line[i] >= '0' && line[i] <= '9'; };
  if (line.starts_with("{")) return "ndjson";
  if (line.starts_with("- cmd:")) return "fish";
  if (line.starts_with(": ") && digit_at(2)) return "zsh";
  return line.empty() ? "" : "bash";
}

Status OpenImportSource(std::string_view source, const std::string& path, const SourceOptions& options,
                        std::unique_ptr<ImportSource>* out) {
  if (!IsTextSource(source)) return Status::InvalidArgument("unknown import source '" + std::string(source) + "'");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    std::string why = std::strerror(e);
    if (e == ENOENT) return Status::NotFound("cannot import " + path + ": no such file");
    return Status::IOError("cannot import " + path + ": " + why);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("cannot import " + path + ": it is a directory. Name a history file");
  }
  // A binary file (NULs in the first block) is refused as a whole.
  char head[4096];
  ssize_t n = ::pread(fd, head, sizeof head, 0);
  if (n > 0 && std::memchr(head, '\0', static_cast<size_t>(n)) != nullptr) {
    ::close(fd);
    return Status::InvalidArgument("cannot import " + path + ": it looks like a binary file, not " +
                                   std::string(source) + " history");
  }
  if (source == "bash")
    *out = NewBashSource(fd, options);
  else if (source == "zsh")
    *out = NewZshSource(fd, options);
  else if (source == "fish")
    *out = NewFishSource(fd, options);
  else {
    *out = NewNdjsonSource(fd, options);
  }
  return Status::OK();
}

}  // namespace tb
