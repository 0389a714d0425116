// HistoryGenerator: a deterministic, synthetic history of a heavy terminal
// user, for benchmarks (tb and its peers consume exactly the same commands).
//
// Determinism: everything derives from one std::mt19937_64 (whose output
// sequence the C++ standard fixes) through this file's own distributions
// (uniform, Zipf by table, Irwin-Hall normal, exponential); no
// std::*_distribution is used, so the text of every command is identical
// across standard libraries. Durations and gaps go through std::exp/std::log
// and are rounded to whole nanoseconds, so they are identical wherever libm
// rounds correctly (glibc does for these functions).
//
// Shape (defaults; measured at 1,000,000 commands, printed by Describe()):
//   * 22 % of commands come from a small head (ls, git status, cd .., make,
//     vim ....) drawn by Zipf; 36 % are texts built from templates
//     (git/docker/kubectl/npm/cargo/go/make/ssh/grep/find/curl/terraform...
//     with branches, hashes, pods, ports, paths; many collide with earlier
//     ones); the rest reuse earlier non-head commands: a recent one
//     (locality: up-arrow, ctrl-r) or any earlier one with P(distance d)
//     ~ 1/d. => 18.3 % unique texts, mean length 27.7 bytes;
//   * 150 projects x 6..18 directories + home and system directories
//     (1,905 distinct dirs used), projects chosen per session by Zipf,
//     directories within a project by Zipf;
//   * sessions of ~190 commands, up to 3 interleaved (tmux panes), ended
//     by their own length or by a break (1 in 400 commands) that closes all;
//   * 4 hosts, 2 users ("alex", and "root" on the servers), 3 shells;
//     8.0 % non-zero exits (1, 2, 127, 130, 137, 101, 255);
//   * log-normal durations by kind of command (ms for ls, ~12 s for builds,
//     ~90 s for editors and ssh);
//   * start times strictly increasing over ~2 years whatever N is (gaps
//     scaled by 1e6/N).
//
// Thread safety: one generator per thread. Not copyable (large tables).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/event.h"

namespace tb::bench {

struct GenOptions {
  uint64_t commands = 1000000;
  uint64_t seed = 0x7e4b2a1c9d3f5e61ull;
  // Fraction of commands emitted as kStarted + kFinished pairs (what shell
  // hooks write) instead of one kRecorded event (what imports write).
  double pair_fraction = 0.0;
  // Start of the history (UTC ns); the last command is ~2 years later.
  int64_t start_ns = 1732579200ll * 1000000000ll;  // 2024-11-26T00:00:00Z
  // The `workflows` mode (off by default, so every other benchmark's data
  // stays the same): in a user's session, 8 % of the picks are a whole
  // edit -> build -> test -> commit cycle in the project's root
  // (bench/dev_cycles.h) instead of one command, and 3 % of all commands
  // come after a typo of themselves that failed (bench/suggest_bench.cc).
  bool workflows = false;
};

// One command as a user ran it: what every peer stores.
struct GenCommand {
  std::string command;
  std::string cwd;
  std::string session;  // 32 lowercase hex digits
  std::string host;
  std::string user;
  std::string shell;
  int64_t time_ns = 0;  // start time, strictly increasing
  int32_t exit_code = 0;
  int64_t duration_ns = 0;
  bool as_pair = false;  // emitted as kStarted + kFinished
  uint64_t index = 0;    // 0-based position in the history
};

// Counters over everything generated so far.
struct GenStats {
  uint64_t commands = 0;
  uint64_t events = 0;
  uint64_t unique_commands = 0;
  uint64_t command_bytes = 0;
  uint64_t distinct_dirs = 0;
  uint64_t sessions = 0;
  uint64_t failures = 0;
  uint64_t cycles = 0;  // workflows mode: development cycles
  uint64_t typos = 0;   // workflows mode: mistyped commands
  uint64_t hosts = 0;
  uint64_t users = 0;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
  double median_duration_ms = 0;  // estimated on a sample
  double p99_duration_ms = 0;
};

class HistoryGenerator {
 public:
  explicit HistoryGenerator(const GenOptions& options);
  ~HistoryGenerator();
  HistoryGenerator(const HistoryGenerator&) = delete;
  HistoryGenerator& operator=(const HistoryGenerator&) = delete;

  bool done() const;
  // The next command; precondition: !done().
  const GenCommand& Next();
  // Appends the next up to `max` commands as events (1 or 2 each) to *out;
  // returns the number of commands consumed.
  size_t NextEvents(size_t max, std::vector<Event>* out);
  // Appends the event(s) of `c` to *out.
  static void ToEvents(const GenCommand& c, std::vector<Event>* out);

  GenStats stats() const;
  // A few lines describing the shape of what was generated so far.
  std::string Describe() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A file of generated commands, so that the processes that measure memory
// do not also hold the generator's tables (~37 MiB at 1M commands).
// Format (bench-internal, host byte order): per command, six u32-length-
// prefixed strings (command, cwd, session, host, user, shell), then i64
// time_ns, i32 exit_code, i64 duration_ns, u8 as_pair, u64 index.
bool WriteCommand(std::FILE* f, const GenCommand& c);
// False at the end of the file or on a short record.
bool ReadCommand(std::FILE* f, GenCommand* c);

// Deterministic building blocks, exposed for tests and the micro benchmarks.
class Rng {
 public:
  explicit Rng(uint64_t seed) : mt_(seed) {}
  uint64_t Bits() { return mt_(); }
  double Uniform();                 // [0, 1), 53 bits
  uint64_t Below(uint64_t n);       // [0, n), n > 0
  bool Chance(double p);            // true with probability p
  double Normal();                  // Irwin-Hall(12) - 6: mean 0, sd 1
  double Exponential(double mean);  // mean > 0

 private:
  std::mt19937_64 mt_;  // its output sequence is fixed by the standard
};

// Samples 0..n-1 with P(k) proportional to 1/(k+1)^s.
class Zipf {
 public:
  Zipf(size_t n, double s);
  size_t Sample(Rng& rng) const;
  size_t size() const { return cdf_.size(); }

 private:
  std::vector<double> cdf_;
};

}  // namespace tb::bench
