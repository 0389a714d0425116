// Backups with RocksDB's BackupEngine (storage/admin.h).
//
// Backup app metadata (one JSON object; unknown keys are ignored):
//   {"termbrain_backup":1,"store_id":"<32 hex>","format":1,"head":N,
//    "floor":N,"time_ns":N,"note":"..."}
#include <sys/stat.h>

#include <rocksdb/utilities/backup_engine.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "storage/admin.h"
#include "storage/admin_util.h"
#include "storage/at_rest.h"
#include "storage/store_impl.h"

namespace tb {
namespace fs = std::filesystem;
namespace {

using Json = nlohmann::json;

std::string EncodeMeta(const BackupMeta& m) {
  Json j{{"termbrain_backup", 1}, {"store_id", m.store_id}, {"format", m.format}, {"head", m.head},
         {"floor", m.floor},      {"time_ns", m.time_ns},   {"note", m.note}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool DecodeMeta(const std::string& s, BackupMeta* m) {
  Json j = Json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("termbrain_backup")) return false;
  try {
    m->store_id = j.value("store_id", "");
    m->format = j.value("format", 0);
    m->head = j.value("head", uint64_t{0});
    m->floor = j.value("floor", uint64_t{0});
    m->time_ns = j.value("time_ns", int64_t{0});
    m->note = j.value("note", "");
  } catch (const Json::exception&) {
    return false;
  }
  return !m->store_id.empty();
}

// Backups are read and written through the data Env (storage/at_rest.h):
// with encryption on, every file of the backup directory (data and meta)
// is encrypted under the data key, as the store's own files are.
rocksdb::BackupEngineOptions EngineOptions(const std::string& dir) {
  rocksdb::BackupEngineOptions o(dir);
  o.share_table_files = true;
  o.share_files_with_checksum = true;  // incremental, and every file has a CRC32C
  o.sync = true;
  o.max_background_operations = 2;
  return o;
}

Status OpenReadOnly(const std::string& dir, std::unique_ptr<rocksdb::BackupEngineReadOnly>* out) {
  rocksdb::BackupEngineReadOnly* be = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(DataEnv(ProcessDataKey()), EngineOptions(dir), &be);
  TB_RETURN_IF_ERROR(FromRocks(s, "cannot open the backup directory (" + dir + ")"));
  out->reset(be);
  return Status::OK();
}

Status OpenWritable(const std::string& dir, std::unique_ptr<rocksdb::BackupEngine>* out,
                    const DataKey* key = ProcessDataKey()) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create the backup directory (" + dir + "): " + ec.message());
  rocksdb::BackupEngine* be = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngine::Open(DataEnv(key), EngineOptions(dir), &be);
  TB_RETURN_IF_ERROR(FromRocks(s, "cannot open the backup directory (" + dir + ")"));
  out->reset(be);
  return Status::OK();
}

BackupEntry ToEntry(const rocksdb::BackupInfo& i) {
  BackupEntry e;
  e.id = i.backup_id;
  e.size = i.size;
  e.files = i.number_files;
  if (!DecodeMeta(i.app_metadata, &e.meta)) e.meta.time_ns = i.timestamp * 1'000'000'000LL;
  return e;
}

}  // namespace

Status StoreImpl::CreateBackup(const std::string& backup_dir, const std::string& app_metadata, uint32_t* id) {
  TB_RETURN_IF_ERROR(CheckWritable());
  std::unique_ptr<rocksdb::BackupEngine> be;
  TB_RETURN_IF_ERROR(OpenWritable(backup_dir, &be, data_key()));
  rocksdb::CreateBackupOptions co;
  co.flush_before_backup = true;  // the backup holds SSTs only: views and log as of now
  rocksdb::BackupID bid = 0;
  TB_RETURN_IF_ERROR(FromRocks(be->CreateNewBackupWithMetadata(co, db_.get(), app_metadata, &bid),
                               "cannot create a backup in " + backup_dir));
  *id = bid;
  return Status::OK();
}

Status CreateBackup(Store& store, const std::string& backup_dir, const std::string& note, int64_t now_ns,
                    BackupEntry* out) {
  BackupMeta m;
  m.store_id = store.store_id();
  m.format = kStoreFormatVersion;
  m.head = store.head();
  m.floor = store.log_floor();
  m.time_ns = now_ns;
  m.note = note;
  uint32_t id = 0;
  TB_RETURN_IF_ERROR(store.CreateBackup(backup_dir, EncodeMeta(m), &id));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> be;
  TB_RETURN_IF_ERROR(OpenReadOnly(backup_dir, &be));
  rocksdb::BackupInfo info;
  TB_RETURN_IF_ERROR(FromRocks(be->GetBackupInfo(id, &info), "reading backup " + std::to_string(id)));
  *out = ToEntry(info);
  return Status::OK();
}

Status ListBackups(const std::string& backup_dir, std::vector<BackupEntry>* out, std::vector<uint32_t>* corrupt) {
  out->clear();
  if (corrupt != nullptr) corrupt->clear();
  std::error_code ec;
  if (!fs::exists(backup_dir + "/meta", ec)) return Status::OK();
  std::unique_ptr<rocksdb::BackupEngineReadOnly> be;
  TB_RETURN_IF_ERROR(OpenReadOnly(backup_dir, &be));
  std::vector<rocksdb::BackupInfo> infos;
  be->GetBackupInfo(&infos);
  for (const auto& i : infos) out->push_back(ToEntry(i));
  std::sort(out->begin(), out->end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  if (corrupt != nullptr) {
    std::vector<rocksdb::BackupID> bad;
    be->GetCorruptedBackups(&bad);
    corrupt->assign(bad.begin(), bad.end());
  }
  return Status::OK();
}

Status FindBackup(const std::string& backup_dir, const std::string& which, BackupEntry* out) {
  std::vector<BackupEntry> all;
  std::vector<uint32_t> corrupt;
  TB_RETURN_IF_ERROR(ListBackups(backup_dir, &all, &corrupt));
  if (which == "latest") {
    if (all.empty()) return Status::NotFound("no backups in " + backup_dir + ". Create one with 'tb backup create'");
    *out = all.back();
    return Status::OK();
  }
  uint32_t id = 0;
  auto r = std::from_chars(which.data(), which.data() + which.size(), id);
  if (which.empty() || r.ec != std::errc() || r.ptr != which.data() + which.size() || id == 0) {
    return Status::InvalidArgument("invalid backup id '" + which +
                                   "': expected a number from 'tb backup list' or 'latest'");
  }
  for (const auto& e : all) {
    if (e.id == id) {
      *out = e;
      return Status::OK();
    }
  }
  if (std::find(corrupt.begin(), corrupt.end(), id) != corrupt.end()) {
    return Status::Corruption("backup " + which + " is damaged (" + backup_dir + "/meta/" + which +
                              "): its metadata does not parse. Use another backup");
  }
  return Status::NotFound("no backup " + which + " in " + backup_dir + ". Run 'tb backup list'");
}

Status VerifyBackup(const std::string& backup_dir, uint32_t id) {
  std::unique_ptr<rocksdb::BackupEngineReadOnly> be;
  TB_RETURN_IF_ERROR(OpenReadOnly(backup_dir, &be));
  rocksdb::IOStatus s = be->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (s.ok()) return Status::OK();
  if (s.IsNotFound() && s.ToString().find("File") == std::string::npos) {
    return Status::NotFound("no backup " + std::to_string(id) + " in " + backup_dir);
  }
  // RocksDB names the damaged or missing file ("File corrupted: File
  // checksum mismatch for <path>: ...").
  return Status::Corruption("backup " + std::to_string(id) + " is damaged (" + backup_dir + "): " + s.ToString() +
                            ". Use another backup");
}

Status PruneBackups(const std::string& backup_dir, uint32_t keep, std::vector<uint32_t>* deleted) {
  deleted->clear();
  std::vector<BackupEntry> before;
  TB_RETURN_IF_ERROR(ListBackups(backup_dir, &before));
  if (before.size() <= keep) return Status::OK();
  std::unique_ptr<rocksdb::BackupEngine> be;
  TB_RETURN_IF_ERROR(OpenWritable(backup_dir, &be));
  TB_RETURN_IF_ERROR(FromRocks(be->PurgeOldBackups(keep), "pruning backups in " + backup_dir));
  for (size_t i = 0; i + keep < before.size(); ++i) deleted->push_back(before[i].id);
  return Status::OK();
}

Status DeleteBackups(const std::string& backup_dir, const std::vector<uint32_t>& ids) {
  if (ids.empty()) return Status::OK();
  std::unique_ptr<rocksdb::BackupEngine> be;
  TB_RETURN_IF_ERROR(OpenWritable(backup_dir, &be));
  for (uint32_t id : ids) {
    rocksdb::IOStatus s = be->DeleteBackup(id);
    if (s.IsNotFound()) return Status::NotFound("no backup " + std::to_string(id) + " in " + backup_dir);
    TB_RETURN_IF_ERROR(FromRocks(s, "cannot delete backup " + std::to_string(id) + " in " + backup_dir));
  }
  // DeleteBackup already drops the files whose reference count fell to 0;
  // GarbageCollect also removes what an interrupted earlier deletion left
  // (files no remaining backup references), so the bytes are really gone.
  return FromRocks(be->GarbageCollect(), "cannot garbage-collect the backup directory (" + backup_dir + ")");
}

// Restores the database files of backup `id` into `db_dir` (new).
Status RestoreDbFiles(const std::string& backup_dir, uint32_t id, const std::string& db_dir, BackupMeta* meta) {
  BackupEntry e;
  TB_RETURN_IF_ERROR(FindBackup(backup_dir, std::to_string(id), &e));
  if (e.meta.store_id.empty()) {
    return Status::Incompatible("backup " + std::to_string(id) + " in " + backup_dir +
                                " was not made by tb (no TermBrain metadata). Nothing was changed");
  }
  if (e.meta.format > kStoreFormatVersion) {
    return Status::Incompatible("backup " + std::to_string(id) + " holds store format " +
                                std::to_string(e.meta.format) + ", newer than this tb. Upgrade tb");
  }
  TB_RETURN_IF_ERROR(VerifyBackup(backup_dir, id));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> be;
  TB_RETURN_IF_ERROR(OpenReadOnly(backup_dir, &be));
  rocksdb::IOStatus s = be->RestoreDBFromBackup(rocksdb::RestoreOptions(), id, db_dir, db_dir);
  if (s.IsCorruption()) {
    return Status::Corruption("backup " + std::to_string(id) + " is damaged (" + backup_dir + "): " + s.ToString());
  }
  TB_RETURN_IF_ERROR(FromRocks(s, "cannot restore backup " + std::to_string(id) + " into " + db_dir));
  *meta = e.meta;
  return Status::OK();
}

Status RestoreBackupTo(const std::string& backup_dir, uint32_t id, const std::string& target) {
  bool exists = false;
  StoreIdentity ignored;
  std::error_code ec;
  if (fs::exists(target, ec) && !(fs::is_directory(target, ec) && fs::is_empty(target, ec))) {
    return Status::InvalidArgument("the target directory is not empty (" + target +
                                   "). Choose a new or empty directory for --to");
  }
  TB_RETURN_IF_ERROR(InspectDataDir(target, &exists, &ignored));
  fs::create_directories(target, ec);
  if (ec) return Status::IOError("cannot create " + target + ": " + ec.message());
  ::chmod(target.c_str(), 0700);
  BackupMeta meta;
  Status s = RestoreDbFiles(backup_dir, id, target + "/db", &meta);
  if (!s.ok()) {
    fs::remove_all(target + "/db", ec);
    return s;
  }
  // The identity is written last: until then the directory is not a store.
  StoreIdentity identity;
  identity.format = meta.format;
  identity.store_id = meta.store_id;
  return admin::WriteIdentity(target, identity);
}

}  // namespace tb
