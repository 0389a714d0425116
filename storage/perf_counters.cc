#include "storage/perf_counters.h"

#include <rocksdb/iostats_context.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

namespace tb {

void StartPerfCounters() {
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableTimeAndCPUTimeExceptForMutex);
  rocksdb::get_perf_context()->Reset();
  rocksdb::get_iostats_context()->Reset();
}

#define TB_PERF(field) \
  { #field, p->field }
#define TB_IO(field) \
  { #field, io->field }

PerfCounters ReadPerfCounters() {
  const rocksdb::PerfContext* p = rocksdb::get_perf_context();
  const rocksdb::IOStatsContext* io = rocksdb::get_iostats_context();
  PerfCounters out;
  out.perf = {
      TB_PERF(user_key_comparison_count),
      TB_PERF(block_cache_hit_count),
      TB_PERF(block_read_count),
      TB_PERF(block_read_byte),
      TB_PERF(block_read_time),
      TB_PERF(block_checksum_time),
      TB_PERF(block_decompress_time),
      TB_PERF(get_read_bytes),
      TB_PERF(iter_read_bytes),
      TB_PERF(internal_key_skipped_count),
      TB_PERF(internal_delete_skipped_count),
      TB_PERF(internal_merge_count),
      TB_PERF(get_from_memtable_count),
      TB_PERF(get_from_output_files_time),
      TB_PERF(seek_on_memtable_count),
      TB_PERF(next_on_memtable_count),
      TB_PERF(seek_internal_seek_time),
      TB_PERF(find_next_user_entry_time),
      TB_PERF(write_wal_time),
      TB_PERF(write_memtable_time),
      TB_PERF(write_delay_time),
      TB_PERF(merge_operator_time_nanos),
      TB_PERF(find_table_nanos),
      TB_PERF(new_table_iterator_nanos),
      TB_PERF(bloom_sst_hit_count),
      TB_PERF(bloom_sst_miss_count),
      TB_PERF(get_cpu_nanos),
      TB_PERF(iter_next_cpu_nanos),
      TB_PERF(iter_seek_cpu_nanos),
  };
  out.io = {
      TB_IO(bytes_read),  TB_IO(bytes_written), TB_IO(open_nanos),       TB_IO(read_nanos),
      TB_IO(write_nanos), TB_IO(fsync_nanos),   TB_IO(range_sync_nanos), TB_IO(allocate_nanos),
  };
  return out;
}

#undef TB_PERF
#undef TB_IO

}  // namespace tb
