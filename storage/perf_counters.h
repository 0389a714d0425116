/// @file
/// RocksDB's perf context and I/O stats context of the calling thread (the
/// main thread of a `tb --profile` run), in tb's own types: tools/ never
/// sees RocksDB's. The names are RocksDB's field names
/// (rocksdb/perf_context.h, rocksdb/iostats_context.h); *_time and *_nanos
/// are ns, *_byte(s) bytes, the rest counts. Work done on RocksDB's own
/// background threads (flushes, compactions) is not counted here.
/// Thread safety: both contexts are thread-local; call from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tb {

/// (counter name, value) pairs, in a fixed order.
using PerfCounterList = std::vector<std::pair<std::string, uint64_t>>;

/// Turns counting on for this thread (with CPU times, without mutex times)
/// and zeroes both contexts.
void StartPerfCounters();

/// RocksDB's per-thread counters for `--profile` (storage's perf and I/O contexts).
struct PerfCounters {
  PerfCounterList perf;  ///< a fixed selection of the perf context, in a fixed order
  PerfCounterList io;    ///< a fixed selection of the I/O stats context
};

/// The counters since StartPerfCounters().
PerfCounters ReadPerfCounters();

}  // namespace tb
