#include "tools/process_stats.h"

#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace tb {
namespace {

Status ReadWhole(const char* path, std::string* out) {
  std::ifstream in(path);
  if (!in) return Status::IOError(std::string("cannot read ") + path);
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return Status::OK();
}

uint64_t CountFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  uint64_t n = 0;
  while (dirent* e = ::readdir(dir)) n += e->d_name[0] != '.';
  ::closedir(dir);
  return n > 0 ? n - 1 : 0;  // not the descriptor of the listing itself
}

}  // namespace

Status ReadProcessStats(ProcessStats* out) {
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::string statm, stat;
  TB_RETURN_IF_ERROR(ReadWhole("/proc/self/statm", &statm));
  TB_RETURN_IF_ERROR(ReadWhole("/proc/self/stat", &stat));
  uint64_t size = 0, resident = 0;
  std::istringstream(statm) >> size >> resident;
  out->virtual_bytes = static_cast<uint64_t>(static_cast<double>(size) * page);
  out->resident_bytes = static_cast<uint64_t>(static_cast<double>(resident) * page);
  size_t paren = stat.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos || tick <= 0) return Status::IOError("cannot parse /proc/self/stat");
  std::istringstream fields(stat.substr(paren + 2));
  std::vector<std::string> f((std::istream_iterator<std::string>(fields)), std::istream_iterator<std::string>());
  if (f.size() < 20) return Status::IOError("cannot parse /proc/self/stat");
  // Fields from 3 (state): utime is 14, stime 15, starttime 22.
  out->cpu_seconds = (std::stod(f[14 - 3]) + std::stod(f[15 - 3])) / tick;
  timespec boot{}, real{};
  ::clock_gettime(CLOCK_BOOTTIME, &boot);
  ::clock_gettime(CLOCK_REALTIME, &real);
  double booted_at = static_cast<double>(real.tv_sec - boot.tv_sec) + (real.tv_nsec - boot.tv_nsec) / 1e9;
  out->start_time_seconds = booted_at + std::stod(f[22 - 3]) / tick;
  out->open_fds = CountFds();
  return Status::OK();
}

}  // namespace tb
