#include "tools/context.h"

#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "storage/data_dir.h"
#include "tools/logging.h"

namespace tb {

std::string Context::Env(const std::string& name) const {
  for (const auto& [k, v] : env) {
    if (k == name) return v;
  }
  return "";
}

Status Context::OpenStore(StoreOptions::Access access, std::unique_ptr<Store>* out) {
  StoreOptions o;
  o.data_dir = data_dir;
  o.access = access;
  o.block_cache_bytes = static_cast<uint64_t>(config.storage.block_cache_mb) << 20;
  o.write_buffer_bytes = static_cast<uint64_t>(config.storage.write_buffer_mb) << 20;
  o.lock_wait_ms = config.storage.lock_wait_ms;
  o.holder = "pid " + std::to_string(::getpid()) + " (tb " + command_name + ")";
  if (stderr_tty) {
    o.progress = [](std::string_view view, uint64_t done, uint64_t total) {
      unsigned pct = total ? static_cast<unsigned>(done * 100 / total) : 100;
      std::fprintf(stderr, "\rtb: rebuilding %.*s: %3u%% (%llu/%llu events)%s",
                   static_cast<int>(view.size()), view.data(), pct,
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   done >= total ? "\n" : "");
      std::fflush(stderr);
    };
  }
  TB_RETURN_IF_ERROR(Store::Open(o, out));
  Status log = SetupLogging(config, data_dir, false);
  if (!log.ok()) spdlog::warn("file log disabled: {}", log.message());
  return Status::OK();
}

bool WriteOut(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(STDOUT_FILENO, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace tb
