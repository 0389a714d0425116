#include "tools/daemon_client.h"

#include <chrono>
#include <thread>

#include "storage/daemon_lock.h"

namespace tb {

bool DaemonRunning(const Context& ctx) { return ProbeDaemon(ctx.data_dir).running; }

bool DaemonDrainedSpool(const Context& ctx, int wait_ms) {
  if (!DaemonRunning(ctx)) return false;
  // A client-side wait of a few milliseconds: the daemon drains within its
  // coalescing window (tools/daemon.h), so a short poll is enough here.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (ctx.SpoolPending()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace tb
