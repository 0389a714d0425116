#include "storage/rocks_util.h"

#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <vector>

#include "core/views/commands_view.h"
#include "core/views/ids_view.h"
#include "storage/at_rest.h"

namespace tb {
namespace {

// Adapts View::FullMerge (core, no RocksDB) to RocksDB's merge operator.
class ViewMergeOperator final : public rocksdb::MergeOperator {
 public:
  explicit ViewMergeOperator(const View* view) : view_(view), name_("tb." + std::string(view->name())) {}
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::string_view existing;
    const std::string_view* existing_ptr = nullptr;
    if (in.existing_value != nullptr) {
      existing = ToView(*in.existing_value);
      existing_ptr = &existing;
    }
    std::vector<std::string_view> ops;
    ops.reserve(in.operand_list.size());
    for (const auto& s : in.operand_list) ops.push_back(ToView(s));
    return view_->FullMerge(existing_ptr, ops, &out->new_value);
  }
  // Flushes and compactions above the bottom fold the operands of a key
  // into one (View::PartialMerge) instead of carrying every batch's operand
  // until a compaction meets the base value: a read of a store as an
  // import or a rebuild leaves it merges a handful of operands, not one per
  // batch.
  bool PartialMergeMulti(const rocksdb::Slice&, const std::deque<rocksdb::Slice>& operand_list, std::string* new_value,
                         rocksdb::Logger*) const override {
    if (!view_->FoldsOperands()) return false;
    std::vector<std::string_view> ops;
    ops.reserve(operand_list.size());
    for (const auto& s : operand_list) ops.push_back(ToView(s));
    return view_->PartialMerge(ops, new_value);
  }
  const char* Name() const override { return name_.c_str(); }

 private:
  const View* view_;
  std::string name_;
};

// Discards RocksDB's info log: read-only opens must not create or rotate
// files in a store another process owns.
class NullLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

class InfoLogFile final : public rocksdb::Logger {
 public:
  InfoLogFile(std::string path, uint64_t max_bytes) : path_(std::move(path)), max_bytes_(max_bytes) { Open(); }
  ~InfoLogFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  using rocksdb::Logger::Logv;
  // The header RocksDB writes at every open (build, every option of every
  // family: ~1,100 lines) is in the OPTIONS file already.
  void LogHeader(const char*, va_list) override {}
  void Logv(const char* format, va_list ap) override {
    char line[4096];
    size_t n = Prefix(line, sizeof line);
    int m = std::vsnprintf(line + n, sizeof line - n - 1, format, ap);
    if (m < 0) return;
    n = std::min(n + static_cast<size_t>(m), sizeof line - 2);
    if (line[n - 1] != '\n') line[n++] = '\n';
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ < 0) Open();  // the db directory did not exist yet
    if (size_ + n > max_bytes_) Roll();
    if (fd_ < 0) return;
    // One write per line (O_APPEND); a short or failed write loses the
    // line, never the process.
    ssize_t w = ::write(fd_, line, n);
    if (w > 0) size_ += static_cast<uint64_t>(w);
  }

 private:
  // "2026/05/01-09:00:00.123456 " in local time, like RocksDB's own log.
  static size_t Prefix(char* buf, size_t cap) {
    struct timeval tv {};
    ::gettimeofday(&tv, nullptr);
    struct tm t {};
    ::localtime_r(&tv.tv_sec, &t);
    int n = std::snprintf(buf, cap, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                          t.tm_hour, t.tm_min, t.tm_sec, static_cast<long>(tv.tv_usec));
    return n > 0 ? static_cast<size_t>(n) : 0;
  }
  void Open() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    struct stat st {};
    size_ = fd_ >= 0 && ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }
  void Roll() {
    if (fd_ >= 0) ::close(fd_);
    (void)::rename(path_.c_str(), (path_ + ".old").c_str());
    Open();
  }

  const std::string path_;
  const uint64_t max_bytes_;
  std::mutex mu_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace

void BatchViewWriter::WriteHeldFor(std::string_view k) {
  if (held_.empty()) return;
  auto it = held_.find(std::string(k));
  if (it == held_.end()) return;
  WriteHeld(it->first, &it->second);
  held_.erase(it);
}

void BatchViewWriter::Put(std::string_view k, std::string_view v) {
  WriteHeldFor(k);
  rocksdb::Status s = batch_->Put(cf_, ToSlice(k), ToSlice(v));
  if (status_.ok()) status_ = s;
}

void BatchViewWriter::Delete(std::string_view k) {
  WriteHeldFor(k);
  rocksdb::Status s = batch_->Delete(cf_, ToSlice(k));
  if (status_.ok()) status_ = s;
}

void BatchViewWriter::Merge(std::string_view k, std::string_view v) {
  if (!folds_) {
    rocksdb::Status s = batch_->Merge(cf_, ToSlice(k), ToSlice(v));
    if (status_.ok()) status_ = s;
    return;
  }
  held_[std::string(k)].emplace_back(v);
}

void BatchViewWriter::WriteHeld(const std::string& key, std::vector<std::string>* ops) {
  std::string folded;
  if (ops->size() > 1) {
    std::vector<std::string_view> views(ops->begin(), ops->end());
    if (view_->PartialMerge(views, &folded)) {
      ops->assign(1, std::move(folded));
    }
  }
  for (const std::string& op : *ops) {
    rocksdb::Status s = batch_->Merge(cf_, ToSlice(key), ToSlice(op));
    if (status_.ok()) status_ = s;
  }
}

rocksdb::Status BatchViewWriter::Finish() {
  for (auto& [key, ops] : held_) WriteHeld(key, &ops);
  held_.clear();
  return status_;
}

std::shared_ptr<rocksdb::Logger> NewInfoLogFile(const std::string& path, uint64_t max_bytes) {
  return std::make_shared<InfoLogFile>(path, max_bytes);
}

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string msg = std::string(context) + ": " + s.ToString();
  if (s.IsNoSpace()) return Status::NoSpace(msg + ". Free some disk space and retry");
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsBusy() || s.IsTryAgain()) return Status::Busy(msg);
  if (s.IsTimedOut()) return Status::TimedOut(msg);
  if (s.IsInvalidArgument()) return Status::Corruption(msg);
  if (s.IsIOError() && s.ToString().find("No space left") != std::string::npos) {
    return Status::NoSpace(msg + ". Free some disk space and retry");
  }
  return Status::IOError(msg);
}

rocksdb::DBOptions MakeDBOptions(const RocksTuning& t, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::DBOptions o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.atomic_flush = true;
  o.max_background_jobs = 2;
  // One thread opens table files: a query process otherwise spawns ~140
  // short-lived threads across the column families on every start.
  o.max_file_opening_threads = 1;
  // A command touches a few families: open table files when first read
  // rather than every file of every family at open (a `tb record` on a 1M
  // store opened 48 table files to append one event), and skip the table
  // statistics gathered at open (they only tune compaction of deletions).
  o.max_open_files = 256;
  // Table files a compaction deletes stay readable for a while by readers
  // that opened before it (storage/table_grace.h); with a key, through the
  // encrypted file system over the same (storage/at_rest.h).
  o.env = DataEnv(t.key);
  o.skip_stats_update_on_db_open = true;
  o.keep_log_file_num = 2;
  o.max_log_file_size = 1 << 20;
  o.max_manifest_file_size = 4 << 20;
  // Read-only opens replay the WAL: keep it short by flushing memtables
  // once the WAL passes a few MiB.
  o.max_total_wal_size = 8 << 20;
  // A torn last record (a write that never returned) is the end of the
  // log; any other damage fails the open, so no acknowledged write is
  // dropped silently (point-in-time recovery would stop at the first bad
  // record and quietly lose everything after it). Salvage skips bad
  // records and keeps the rest.
  o.wal_recovery_mode = t.salvage ? rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords
                                  : rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  o.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(t.write_buffer_bytes, cache, /*allow_stall=*/false);
  if (t.read_only || t.db_path.empty() || t.key != nullptr) {
    o.info_log = std::make_shared<NullLogger>();
  } else {
    o.info_log = NewInfoLogFile(t.db_path + "/LOG", o.max_log_file_size);
  }
  return o;
}

rocksdb::ColumnFamilyOptions MakeCFOptions(const RocksTuning& t, const std::shared_ptr<rocksdb::Cache>& cache,
                                           const View* view) {
  rocksdb::ColumnFamilyOptions o;
  o.write_buffer_size = std::max<uint64_t>(t.write_buffer_bytes / 2, 1 << 20);
  o.level_compaction_dynamic_level_bytes = true;
  o.compression = rocksdb::kLZ4Compression;
  o.bottommost_compression = rocksdb::kZSTD;
  o.bottommost_compression_opts.enabled = true;
  o.bottommost_compression_opts.level = 3;
  // A trained dictionary pays off for the log (FlatBuffers with repeated
  // field layouts and strings); on the small view keys it costs compaction
  // CPU for no gain. Sampling is capped so compaction does not buffer whole
  // output files in memory.
  if (view == nullptr) {
    o.bottommost_compression_opts.max_dict_bytes = 16 << 10;
    o.bottommost_compression_opts.zstd_max_train_bytes = 100 * (16 << 10);
    o.bottommost_compression_opts.max_dict_buffer_bytes = 4 << 20;
  }
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.block_size = 16 << 10;
  // Bloom filters only where lookups miss (ids: duplicate detection;
  // commands: unknown texts). The log and the ordered views are read at keys
  // that exist, and a 1M-key filter does not stay in the cache anyway.
  if (view != nullptr && (view->name() == kIdsViewName || view->name() == kCommandsViewName)) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  table.format_version = 5;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (view != nullptr && view->HasMerge()) o.merge_operator = std::make_shared<ViewMergeOperator>(view);
  if (t.bulk) {
    o.disable_auto_compactions = true;
    o.level0_slowdown_writes_trigger = 1 << 30;
    o.level0_stop_writes_trigger = 1 << 30;
    o.soft_pending_compaction_bytes_limit = 0;  // 0: no limit
    o.hard_pending_compaction_bytes_limit = 0;
  }
  return o;
}

}  // namespace tb
