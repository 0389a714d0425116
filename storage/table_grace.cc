#include "storage/table_grace.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <memory>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include "storage/disk_space.h"

namespace tb {
namespace {

constexpr const char* kObsoleteDir = "obsolete";

// "DIR/NNNNNN.sst" or ".ldb" (RocksDB's table file names): true, with DIR
// and the base name.
bool SplitTableName(const std::string& path, std::string* dir, std::string* base) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return false;
  const std::string name = path.substr(slash + 1);
  const size_t dot = name.find('.');
  if (dot == 0 || dot == std::string::npos) return false;
  const std::string ext = name.substr(dot);
  if (ext != ".sst" && ext != ".ldb") return false;
  for (size_t i = 0; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  *dir = path.substr(0, slash);
  *base = name;
  return true;
}

bool SpaceIsShort(const std::string& dir) {
  DiskSpace space;
  return FreeSpaceOf(dir, &space).ok() && space.free_bytes < kTableGraceMinFreeBytes;
}

class TableGraceFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit TableGraceFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base) : rocksdb::FileSystemWrapper(base) {}

  const char* Name() const override { return "TableGraceFileSystem"; }

  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    std::string dir, base;
    if (!SplitTableName(f, &dir, &base) || SpaceIsShort(dir)) return target()->DeleteFile(f, options, dbg);
    // A compaction deletes many files at once: the kept ones are looked at
    // once a second, not once per file.
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    if (last_purge_.exchange(now) != now) PurgeObsoleteTables(dir);
    const std::string keep = dir + "/" + kObsoleteDir;
    if (::mkdir(keep.c_str(), 0700) != 0 && errno != EEXIST) return target()->DeleteFile(f, options, dbg);
    if (::rename(f.c_str(), (keep + "/" + base).c_str()) != 0) return target()->DeleteFile(f, options, dbg);
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& file_opts,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                        rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewRandomAccessFile(f, file_opts, r, dbg);
    std::string dir, base;
    if (s.ok() || !(s.IsPathNotFound() || s.IsNotFound()) || !SplitTableName(f, &dir, &base)) {
      return s;
    }
    rocksdb::IOStatus kept = target()->NewRandomAccessFile(dir + "/" + kObsoleteDir + "/" + base, file_opts, r, dbg);
    return kept.ok() ? kept : s;
  }

 private:
  std::atomic<int64_t> last_purge_{0};  // time(2) of the last purge in this process
};

}  // namespace

rocksdb::Env* TableGraceEnv() {
  static rocksdb::Env* env =
      rocksdb::NewCompositeEnv(std::make_shared<TableGraceFileSystem>(rocksdb::FileSystem::Default())).release();
  return env;
}

void PurgeObsoleteTables(const std::string& db_dir, int64_t grace_seconds) {
  const std::string keep = db_dir + "/" + kObsoleteDir;
  DIR* d = ::opendir(keep.c_str());
  if (d == nullptr) return;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  bool left = false;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = keep + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (grace_seconds > 0 && now - static_cast<int64_t>(st.st_ctime) < grace_seconds) {
      left = true;
      continue;
    }
    if (::unlink(path.c_str()) != 0) left = true;
  }
  ::closedir(d);
  if (!left) ::rmdir(keep.c_str());
}

}  // namespace tb
