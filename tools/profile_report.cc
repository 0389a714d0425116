#include "tools/profile_report.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/profile.h"

namespace tb {
namespace {

struct Run {
  PhaseProfile profile;
  int64_t started_ns = 0;      // PhaseProfile clock at StartProfile
  int64_t before_main_ns = 0;  // process start
};

std::unique_ptr<Run>& TheRun() {
  static std::unique_ptr<Run> run;
  return run;
}

std::string Line(const char* title, const PerfCounterList& list) {
  std::string out = std::string("  rocksdb ") + title + ":";
  bool any = false;
  for (const auto& [name, value] : list) {
    if (value == 0) continue;
    out += " " + name + "=" + std::to_string(value);
    any = true;
  }
  return out + (any ? "" : " (none)") + "\n";
}

}  // namespace

bool ProfileRequested(const std::string& value) {
  std::string v = value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "1" || v == "true" || v == "yes";
}

int64_t ProcessAgeNs() {
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i < 22) continue;
    timespec now{};
    ::clock_gettime(CLOCK_BOOTTIME, &now);
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks <= 0) return 0;
    int64_t start_ns = static_cast<int64_t>(std::stoull(field)) * (1'000'000'000 / ticks);
    int64_t now_ns = int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
    return std::max<int64_t>(0, now_ns - start_ns);
  }
  return 0;
}

void StartProfile(int64_t process_start_ns) {
  auto& run = TheRun();
  if (run) return;
  run = std::make_unique<Run>();
  run->started_ns = run->profile.Now();
  run->before_main_ns = process_start_ns;
  run->profile.Add("process start", process_start_ns);
  PhaseProfile::SetCurrent(&run->profile);
  StartPerfCounters();
}

std::string FinishProfile() {
  auto& run = TheRun();
  if (!run) return "";
  PhaseProfile::SetCurrent(nullptr);
  int64_t total = run->before_main_ns + (run->profile.Now() - run->started_ns);
  std::string out = run->profile.Render(total) + RenderPerfCounters(ReadPerfCounters());
  run.reset();
  return out;
}

std::string RenderPerfCounters(const PerfCounters& counters) {
  return Line("perf", counters.perf) + Line("io", counters.io);
}

}  // namespace tb
