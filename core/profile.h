/// @file
/// PhaseProfile: where a process spends its wall time, by named phase, for
/// `tb --profile` (and TERMBRAIN_PROFILE=1; docs/operations.md, "Reading
/// --profile").
///
/// Phases nest: time spent in an inner phase is not counted in the phase
/// around it (exclusive time), so the phases add up to the time measured.
/// A phase entered several times adds up. The phases tb marks, in the
/// order the report lists them (PhaseProfile::kPhases):
///
///   process start  exec to main (from /proc/self/stat: 10 ms resolution)
///   config         global flags, environment, config file, data dir
///   store open     Store::Open: lock, RocksDB open, acknowledged head check
///   view catch-up  views replayed on open (a new view version, an
///                  interrupted rebuild)
///   spool drain    the shell hooks' frames appended to the log
///   query          the command's own work up to its first byte of output
///   render         from its first byte of output to its end
///
/// Other phases are listed after these when entered ("maintenance": the
/// scheduled backups and retention of a writable open, tools/context.cc).
/// Report (Render; times in ms with 2 decimals, share of the total in %):
///
///   tb: profile: 12.40 ms
///     process start      1.00 ms    8.1 %
///     config             0.30 ms    2.4 %
///     ...
///     render             0.40 ms    3.2 %
///     other              1.40 ms   11.3 %
///
/// "other" is the total minus the phases. The library marks phases through
/// ScopedPhase, which does nothing unless a profile is current.
/// Thread safety: a profile and the current pointer belong to the main
/// thread; phases marked on other threads are not counted.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tb {

/// The wall time of one process by phase (see the file comment).
class PhaseProfile {
 public:
  /// The phases tb marks, in report order (always listed, even at 0).
  static constexpr std::array<std::string_view, 7> kPhases = {"process start", "config", "store open", "view catch-up",
                                                              "spool drain",   "query",  "render"};

  /// `now_ns`: a monotonic clock in ns (tests pass a fake); empty =
  /// steady_clock.
  explicit PhaseProfile(std::function<int64_t()> now_ns = {});

  /// Enters `phase` inside the current one (which stops accruing until End).
  void Begin(std::string_view phase);
  void End();  ///< ends the innermost phase; nothing when none is open
  /// When the innermost phase is `from`, ends it and begins `to`.
  void Switch(std::string_view from, std::string_view to);
  /// Adds time measured elsewhere (process start).
  void Add(std::string_view phase, int64_t ns);

  /// Every phase entered (or added) with its exclusive ns, first-entered order.
  const std::vector<std::pair<std::string, int64_t>>& totals() const { return totals_; }
  /// Exclusive ns of `phase` (0 when never entered).
  int64_t Exclusive(std::string_view phase) const;
  /// The report above for a run of `total_ns`; the kPhases first (always
  /// listed), then any other phase in the order first entered, then other.
  std::string Render(int64_t total_ns) const;
  /// The profile's clock, ns.
  int64_t Now() const;

  ///@{
  /// The process's profile, or null (the default: profiling off).
  static PhaseProfile* Current();
  static void SetCurrent(PhaseProfile* profile);
  ///@}

 private:
  void Charge(int64_t now);  // charges time since the last mark to the innermost phase

  std::function<int64_t()> now_ns_;
  std::vector<std::pair<std::string, int64_t>> totals_;  // first-entered order
  std::vector<std::string> stack_;
  int64_t mark_ = 0;
};

/// Marks a phase on the current profile for the scope (nothing when off).
class ScopedPhase {
 public:
  /// Begins `phase` on PhaseProfile::Current(), ended by the destructor.
  explicit ScopedPhase(std::string_view phase);
  ~ScopedPhase();
  ScopedPhase(const ScopedPhase&) = delete;
  ScopedPhase& operator=(const ScopedPhase&) = delete;

 private:
  PhaseProfile* profile_;
};

}  // namespace tb
