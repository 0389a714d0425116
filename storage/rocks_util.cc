#include "storage/rocks_util.h"

#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include <vector>

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

}  // namespace

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
  if (t.read_only) {
    // A query touches a few families: open table files when first read
    // rather than every file of every family at open, and skip the table
    // statistics a read-only instance never uses.
    o.max_open_files = 256;
    o.skip_stats_update_on_db_open = true;
  }
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
  if (t.read_only) o.info_log = std::make_shared<NullLogger>();
  return o;
}

rocksdb::ColumnFamilyOptions MakeCFOptions(const RocksTuning& t,
                                           const std::shared_ptr<rocksdb::Cache>& cache,
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
  if (view != nullptr && (view->name() == "ids" || view->name() == "commands")) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  table.format_version = 5;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (view != nullptr && view->HasMerge()) o.merge_operator = std::make_shared<ViewMergeOperator>(view);
  return o;
}

}  // namespace tb
