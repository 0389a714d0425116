// Feeds arbitrary bytes as an SQLite database to the three SQLite importers
// (OpenSqliteImportSource, core/import/sqlite/sqlite_sources.h): the first
// byte picks atuin, histdb or termbrain-legacy, the rest is the database
// file, written to a private temporary directory (removed at exit) because
// SQLite reads a path.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/import/sqlite/sqlite_sources.h"
#include "fuzz/fuzz_util.h"

namespace {

const std::string& DbPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/tb-fuzz-sqlite-XXXXXX";
    if (::mkdtemp(dir) == nullptr) std::abort();
    static std::string keep = dir;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(keep, ec);
    });
    return keep + "/history.db";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kSources[] = {"atuin", "histdb", "termbrain-legacy"};
  const char* source = kSources[data[0] % 3];
  const std::string& path = DbPath();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  std::string_view db = tb::fuzz::Bytes(data + 1, size - 1);
  if (::write(fd, db.data(), db.size()) != static_cast<ssize_t>(db.size())) std::abort();
  ::close(fd);
  tb::SourceOptions options;
  options.problem = [](uint64_t, const std::string&) {};
  std::unique_ptr<tb::ImportSource> src;
  if (tb::OpenSqliteImportSource(source, path, options, &src).ok()) {
    tb::ImportedCommand cmd;
    while (src->Next(&cmd)) {
    }
    (void)src->status();
  }
  return 0;
}
