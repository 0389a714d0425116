// Snapshots (RocksDB checkpoints) and the atomic replacement of the live
// database used by restores (storage/admin.h).
//
// DIR/snapshots/<name>/           a complete data dir:
//   TERMBRAIN                     the store's identity (same store id)
//   db/                           RocksDB checkpoint (SST files hard-linked)
//   SNAPSHOT                      {"time_ns":N,"head":N,"reason":"..."}
// A snapshot is written under DIR/snapshots/.<name>.tmp and renamed into
// place once complete, so a listed snapshot is always whole.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rocksdb/utilities/checkpoint.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "storage/admin.h"
#include "storage/admin_util.h"
#include "storage/store_impl.h"

namespace tb {
namespace fs = std::filesystem;
namespace {

using Json = nlohmann::json;

bool ValidName(const std::string& n) {
  if (n.empty() || n.size() > 128 || n[0] == '.') return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

Status WriteSnapshotInfo(const std::string& dir, int64_t time_ns, uint64_t head, const std::string& reason) {
  Json j{{"time_ns", time_ns}, {"head", head}, {"reason", reason}};
  return WriteFileAtomically(dir + "/SNAPSHOT", j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

// Moves a finished temp snapshot into place.
Status Publish(const std::string& tmp, const std::string& final_path) {
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    return Status::IOError(admin::Errno("cannot rename snapshot", tmp));
  }
  SyncDir(fs::path(final_path).parent_path().string());
  return Status::OK();
}

std::string UniqueName(const std::string& base_dir, const std::string& name) {
  std::error_code ec;
  std::string n = name;
  for (int i = 2; fs::exists(base_dir + "/" + n, ec); ++i) n = name + "-" + std::to_string(i);
  return n;
}

}  // namespace

std::string SnapshotsDir(const std::string& data_dir) { return data_dir + "/snapshots"; }

Status StoreImpl::CreateCheckpoint(const std::string& db_dir) {
  TB_RETURN_IF_ERROR(CheckWritable());
  rocksdb::Checkpoint* cp = nullptr;
  TB_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &cp), "cannot create a checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> owner(cp);
  // log_size_for_flush = 0: flush first, so the checkpoint is SSTs (links).
  return FromRocks(cp->CreateCheckpoint(db_dir, /*log_size_for_flush=*/0), "cannot create a checkpoint in " + db_dir);
}

Status CreateSnapshot(Store& store, const std::string& name, const std::string& reason, int64_t now_ns,
                      SnapshotEntry* out) {
  std::string base = SnapshotsDir(store.data_dir());
  std::string n = name;
  if (n.empty()) {
    n = UniqueName(base, admin::FileTime(now_ns) + (reason.empty() ? "" : "-" + reason));
  } else if (!ValidName(n)) {
    return Status::InvalidArgument("invalid snapshot name '" + n +
                                   "': use letters, digits, '.', '_' and '-', not starting with '.'");
  }
  std::error_code ec;
  std::string final_path = base + "/" + n;
  if (fs::exists(final_path, ec)) {
    return Status::InvalidArgument("snapshot '" + n + "' already exists (" + final_path + "). Choose another name");
  }
  fs::create_directories(base, ec);
  if (ec) return Status::IOError("cannot create " + base + ": " + ec.message());
  ::chmod(base.c_str(), 0700);
  std::string tmp = base + "/." + n + ".tmp";
  fs::remove_all(tmp, ec);  // a leftover of an interrupted attempt
  fs::create_directory(tmp, ec);
  if (ec) return Status::IOError("cannot create " + tmp + ": " + ec.message());
  ::chmod(tmp.c_str(), 0700);
  Status s = store.CreateCheckpoint(tmp + "/db");
  StoreIdentity id;
  id.store_id = store.store_id();
  if (s.ok()) s = admin::WriteIdentity(tmp, id);
  if (s.ok()) s = WriteSnapshotInfo(tmp, now_ns, store.head(), reason);
  if (s.ok()) s = Publish(tmp, final_path);
  if (!s.ok()) {
    fs::remove_all(tmp, ec);
    return s;
  }
  *out = SnapshotEntry{n, final_path, now_ns, store.head(), reason};
  return Status::OK();
}

Status ListSnapshots(const std::string& data_dir, std::vector<SnapshotEntry>* out) {
  out->clear();
  std::string base = SnapshotsDir(data_dir);
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return Status::OK();
  for (const auto& e : fs::directory_iterator(base, ec)) {
    std::string name = e.path().filename().string();
    if (name.starts_with(".") || !e.is_directory()) continue;
    SnapshotEntry s;
    s.name = name;
    s.path = e.path().string();
    std::ifstream in(s.path + "/SNAPSHOT");
    std::stringstream text;
    text << in.rdbuf();
    Json j = Json::parse(text.str(), nullptr, false);
    if (j.is_object()) {
      s.time_ns = j.value("time_ns", int64_t{0});
      s.head = j.value("head", uint64_t{0});
      s.reason = j.value("reason", "");
    }
    out->push_back(std::move(s));
  }
  if (ec) return Status::IOError("cannot list " + base + ": " + ec.message());
  std::sort(out->begin(), out->end(), [](const auto& a, const auto& b) {
    return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.name < b.name;
  });
  return Status::OK();
}

Status DeleteSnapshot(const std::string& data_dir, const std::string& name) {
  if (!ValidName(name)) return Status::InvalidArgument("invalid snapshot name '" + name + "'");
  std::string path = SnapshotsDir(data_dir) + "/" + name;
  std::error_code ec;
  if (!fs::exists(path + "/TERMBRAIN", ec)) {
    return Status::NotFound("no snapshot '" + name + "' (" + path + "). Run 'tb snapshot list'");
  }
  // Rename first so a crash never leaves a half-deleted snapshot listed.
  std::string doomed = SnapshotsDir(data_dir) + "/." + name + ".deleting";
  fs::remove_all(doomed, ec);
  if (::rename(path.c_str(), doomed.c_str()) != 0) return Status::IOError(admin::Errno("cannot delete", path));
  fs::remove_all(doomed, ec);
  if (ec) return Status::IOError("cannot delete " + doomed + ": " + ec.message());
  return Status::OK();
}

Status OpenSnapshot(const std::string& path, const std::string& name, std::unique_ptr<Store>* out) {
  StoreOptions o;
  o.data_dir = path;
  o.access = StoreOptions::Access::kReadOnly;
  o.create_if_missing = false;
  o.block_cache_bytes = 1 << 20;
  return Store::Open(o, out).WithContext("snapshot " + name);
}

Status SnapshotHead(const SnapshotEntry& s, uint64_t* head) {
  if (s.head > 0) {
    *head = s.head;
    return Status::OK();
  }
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(OpenSnapshot(s.path, s.name, &store));
  *head = store->head();
  return Status::OK();
}

Status RemoveInterruptedLeftovers(const std::string& data_dir) {
  std::vector<std::string> doomed;
  std::error_code ec;
  if (fs::exists(data_dir + "/db.incoming", ec)) doomed.push_back(data_dir + "/db.incoming");
  for (const auto& e : fs::directory_iterator(SnapshotsDir(data_dir), ec)) {
    std::string n = e.path().filename().string();
    if (n.starts_with(".") && (n.ends_with(".tmp") || n.ends_with(".deleting"))) doomed.push_back(e.path().string());
  }
  for (const auto& d : doomed) {
    fs::remove_all(d, ec);
    if (ec) {
      return Status::IOError("cannot remove " + d + " (left by an interrupted restore or snapshot): " + ec.message() +
                             ". Remove it by hand");
    }
  }
  return Status::OK();
}

Status ReplaceDatabase(const ReplaceOptions& o, const DbSource& src, std::string* safety) {
  safety->clear();
  bool exists = false;
  StoreIdentity identity;
  TB_RETURN_IF_ERROR(InspectDataDir(o.data_dir, &exists, &identity));
  if (!exists) {
    return Status::NotFound("no TermBrain store at " + o.data_dir + " to restore over. Use --to DIR for a new one");
  }
  DirLock lock;
  TB_RETURN_IF_ERROR(lock.Acquire(o.data_dir, o.holder, o.lock_wait_ms));
  const std::string db = o.data_dir + "/db";
  const std::string incoming = o.data_dir + "/db.incoming";
  std::error_code ec;
  fs::remove_all(incoming, ec);  // a leftover of an interrupted restore (old or partial)

  // 1. The new database, beside the live one.
  if (!src.snapshot.empty()) {
    std::string snap = SnapshotsDir(o.data_dir) + "/" + src.snapshot;
    bool snap_exists = false;
    StoreIdentity snap_id;
    if (!ValidName(src.snapshot)) return Status::InvalidArgument("invalid snapshot name '" + src.snapshot + "'");
    TB_RETURN_IF_ERROR(InspectDataDir(snap, &snap_exists, &snap_id));
    if (!snap_exists || !fs::exists(snap + "/db/CURRENT", ec)) {
      return Status::NotFound("no snapshot '" + src.snapshot + "' (" + snap + "). Run 'tb snapshot list'");
    }
    if (snap_id.store_id != identity.store_id) {
      return Status::Incompatible("snapshot '" + src.snapshot + "' belongs to store " + snap_id.store_id + ", not " +
                                  identity.store_id + ". Nothing was changed");
    }
    TB_RETURN_IF_ERROR(admin::CopyDbOffline(snap + "/db", incoming));
  } else {
    BackupEntry e;
    TB_RETURN_IF_ERROR(FindBackup(src.backup_dir, std::to_string(src.backup_id), &e));
    if (e.meta.store_id != identity.store_id) {
      return Status::Incompatible("backup " + std::to_string(src.backup_id) + " belongs to store " + e.meta.store_id +
                                  ", not " + identity.store_id +
                                  ". Nothing was changed; restore it with --to DIR instead");
    }
    BackupMeta meta;
    Status s = RestoreDbFiles(src.backup_dir, src.backup_id, incoming, &meta);
    if (!s.ok()) {
      fs::remove_all(incoming, ec);
      return s;
    }
  }
  SyncDir(incoming);

  // 2. The safety snapshot of the current database (closed: we hold the lock).
  if (fs::exists(db + "/CURRENT", ec)) {
    std::string base = SnapshotsDir(o.data_dir);
    fs::create_directories(base, ec);
    ::chmod(base.c_str(), 0700);
    std::string name = UniqueName(base, admin::FileTime(o.now_ns) + "-before-restore");
    std::string tmp = base + "/." + name + ".tmp";
    fs::remove_all(tmp, ec);
    fs::create_directory(tmp, ec);
    ::chmod(tmp.c_str(), 0700);
    Status s = admin::CopyDbOffline(db, tmp + "/db");
    if (s.ok()) s = admin::WriteIdentity(tmp, identity);
    // The head the copy holds, read from it (the live store is closed).
    uint64_t head = 0;
    std::string reason = "before-restore";
    if (s.ok()) {
      s = SnapshotHead(SnapshotEntry{name, tmp, o.now_ns, 0, ""}, &head);
      // A store that does not open (the reason to restore) is kept as it
      // is, head unknown: a salvage can still read it.
      if (s.IsCorruption()) s = Status::OK(), reason = "before-restore of a damaged store";
    }
    if (s.ok()) s = WriteSnapshotInfo(tmp, o.now_ns, head, reason);
    if (s.ok()) s = Publish(tmp, base + "/" + name);
    if (!s.ok()) {
      fs::remove_all(tmp, ec);
      fs::remove_all(incoming, ec);
      return s;
    }
    *safety = name;
  }

  // 3. Swap atomically; the old database ends up at db.incoming.
  TB_RETURN_IF_ERROR(admin::SwapInDatabase(o.data_dir, incoming, db));
  fs::remove_all(incoming, ec);
  return Status::OK();
}

}  // namespace tb
