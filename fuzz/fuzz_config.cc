// Feeds arbitrary bytes as a config file (LoadConfig, core/config.h: TOML,
// then every section's keys and checks). Bytes after the first NUL are
// TERMBRAIN_* environment lines ("NAME=value", one per LF) applied on top.
// The file is an in-memory file read through /proc/self/fd.
#include <unistd.h>

#include "core/config.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = tb::fuzz::Bytes(data, size);
  size_t nul = bytes.find('\0');
  std::string_view toml = bytes.substr(0, nul);
  tb::Env env;
  if (nul != std::string_view::npos) {
    std::string_view rest = bytes.substr(nul + 1);
    while (!rest.empty()) {
      size_t lf = rest.find('\n');
      std::string_view line = rest.substr(0, lf);
      size_t eq = line.find('=');
      if (eq != std::string_view::npos) env.emplace_back(line.substr(0, eq), line.substr(eq + 1));
      if (lf == std::string_view::npos) break;
      rest.remove_prefix(lf + 1);
    }
  }
  int fd = tb::fuzz::MemFd(toml);
  if (fd < 0) return 0;
  tb::Config cfg;
  tb::ConfigOrigins origins;
  (void)tb::LoadConfig(tb::fuzz::FdPath(fd), /*path_is_explicit=*/true, env, &cfg, &origins);
  ::close(fd);
  return 0;
}
