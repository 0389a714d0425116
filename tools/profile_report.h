// `tb --profile` / TERMBRAIN_PROFILE=1: the process's phase profile
// (core/profile.h) and RocksDB's counters (storage/perf_counters.h),
// printed on stderr when the command ends (docs/operations.md, "Reading
// --profile"):
//
//   tb: profile: 12.40 ms
//     process start      1.00 ms    8.1 %
//     ...
//     other              1.40 ms   11.3 %
//     rocksdb perf: block_cache_hit_count=40 block_read_count=12 ...
//     rocksdb io: bytes_read=49352 read_nanos=812345 ...
//
// The rocksdb lines list the counters that are not 0 ("(none)" when all
// are), in the order of storage/perf_counters.cc.
// Thread safety: main thread only.
#pragma once

#include <cstdint>
#include <string>

#include "storage/perf_counters.h"

namespace tb {

// True when `value` of TERMBRAIN_PROFILE asks for a profile ("1", "true",
// "yes", any case).
bool ProfileRequested(const std::string& value);

// Starts the process's profile (PhaseProfile::Current() set, counters on),
// charging `process_start_ns` to "process start". Once per process.
void StartProfile(int64_t process_start_ns);
// The report; "" when StartProfile was not called. Ends the profile.
std::string FinishProfile();

// How long this process ran before the call, from its start time in
// /proc/self/stat (clock ticks: 10 ms resolution); 0 when unknown.
int64_t ProcessAgeNs();

// The "  rocksdb perf: ..." and "  rocksdb io: ..." lines for `counters`.
std::string RenderPerfCounters(const PerfCounters& counters);

}  // namespace tb
