#include "tools/daemon_client.h"

#include <filesystem>
#include <thread>

#include "storage/daemon_lock.h"

namespace tb {

bool DaemonRunning(const Context& ctx) { return ProbeDaemon(ctx.data_dir).running; }

bool SpoolHasFreshFile(const std::string& dir, std::chrono::milliseconds window, std::filesystem::file_time_type now) {
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto written = it->last_write_time(ec);
    if (!ec && now - written < window) return true;
  }
  return false;
}

bool DaemonDrainedSpool(const Context& ctx) {
  if (!DaemonRunning(ctx)) return false;
  // A client-side wait of a few milliseconds: the daemon drains within its
  // coalescing window (tools/daemon.h), so a short poll is enough here.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDaemonDrainWaitMs);
  const std::string dir = ctx.SpoolDir();
  while (ctx.SpoolPending()) {
    if (std::chrono::steady_clock::now() >= deadline || !SpoolHasFreshFile(dir, kDaemonDrainWindow)) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace tb
