// Small output helpers shared by the commands: table text and files
// written atomically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace tb {

// "512 B", "1.5 KiB", "12.3 MiB", "1.25 GiB".
std::string HumanBytes(uint64_t bytes);

// `--format json` output: indented by 2, invalid UTF-8 replaced, a final newline.
std::string JsonText(const nlohmann::ordered_json& j);

// A file written atomically (`tb export -o`, `tb context -o`): a temp file
// beside `path` (mode 0600), fsync, rename over `path`, fsync of the
// directory. Until Commit() succeeds `path` is untouched, and the
// destructor removes the temp file. Every error is an IOError
// "cannot write PATH: WHY. Check the directory exists and is writable".
// Not thread-safe; one Open() per object.
class AtomicFile {
 public:
  AtomicFile() = default;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  Status Open(const std::string& path);
  Status Write(std::string_view data);
  Status Commit();

 private:
  Status Fail() const;  // the error for errno

  std::string path_, tmp_;
  int fd_ = -1;
};

// Asks `question` on stderr ("<question> [y/N] ") and reads one line from
// stdin: true for "y", "Y", "yes" or "Yes". False without asking when stdin
// is not a terminal (a script must pass --yes), and at end of input.
bool AskYesNo(const std::string& question);

// Open, Write(data), Commit.
Status WriteFileAtomically(const std::string& path, std::string_view data);

}  // namespace tb
