#include "storage/spool_warning.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <unistd.h>

#include "core/atomic_file.h"

namespace tb {

std::string SpoolWarningPath(const std::string& spool_dir) { return spool_dir + ".warning"; }

Status RaiseSpoolWarning(const std::string& spool_dir, const std::string& message, int64_t now_ns) {
  SpoolWarning old;
  const int64_t since = ReadSpoolWarning(spool_dir, &old).ok() ? old.since_ns : now_ns;
  std::string line = message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return WriteFileAtomically(SpoolWarningPath(spool_dir), std::to_string(since) + "\n" + line + "\n", 0600);
}

Status ClearSpoolWarning(const std::string& spool_dir) {
  const std::string path = SpoolWarningPath(spool_dir);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::IOError("cannot remove " + path + ": " + std::strerror(errno));
  }
  return Status::OK();
}

Status ReadSpoolWarning(const std::string& spool_dir, SpoolWarning* out) {
  const std::string path = SpoolWarningPath(spool_dir);
  std::ifstream in(path);
  if (!in) return Status::NotFound("no spool warning at " + path);
  std::string id, message, rest;
  const bool two_lines = std::getline(in, id) && std::getline(in, message) && !std::getline(in, rest);
  errno = 0;
  const long long since = two_lines && !id.empty() && id.find_first_not_of("0123456789") == std::string::npos
                              ? std::strtoll(id.c_str(), nullptr, 10)
                              : -1;
  if (since < 0 || errno != 0) {
    return Status::Corruption("spool warning " + path + " is not an ID line and a message line");
  }
  out->since_ns = since;
  out->message = message;
  return Status::OK();
}

}  // namespace tb
