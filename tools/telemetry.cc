#include "tools/telemetry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.h"
#include "tools/commands.h"

namespace tb {

std::string TelemetryPath(const Context& ctx) {
  const std::string dir = StateDir(ctx);
  return dir.empty() ? "" : dir + "/telemetry";
}

bool IsTelemetryCommand(std::string_view name) {
  if (name.starts_with("telemetry")) return false;
  for (const CommandSpec& c : Commands()) {
    if (name == c.name) return true;
  }
  return false;
}

void CountRun(const std::string& path, std::string_view command, int64_t duration_ns, Status::Code code) {
  if (path.empty() || command.starts_with("telemetry")) return;
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;  // off (ENOENT), or not ours to write
  (void)WriteFully(fd, TelemetryCountLine(command, duration_ns, code));
  ::close(fd);
}

Status StartTelemetryWindow(const std::string& path, int64_t now_s) {
  if (path.empty()) return Status::InvalidArgument("no state directory: HOME and XDG_STATE_HOME are not set");
  const std::string dir = std::filesystem::path(path).parent_path().string();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // 0700 under tb's umask
  return WriteFileAtomically(path, TelemetryHeaderLine(now_s));
}

Status LoadTelemetry(const std::string& path, int64_t now_s, bool* enabled, TelemetryCounts* counts,
                     std::string* replaced) {
  *enabled = false;
  *counts = TelemetryCounts{};
  replaced->clear();
  if (path.empty()) return Status::OK();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) return Status::OK();
  if (fd < 0 && errno != ELOOP) return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  *enabled = true;
  std::string content;
  Status s;
  if (fd < 0) {
    s = Status::Incompatible("a symbolic link, not a telemetry counts file");
  } else {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && content.size() <= kTelemetryMaxFileBytes) {
      content.append(buf, static_cast<size_t>(n));
    }
    const int err = errno;
    ::close(fd);
    if (n < 0) return Status::IOError("cannot read " + path + ": " + std::strerror(err));
    s = ParseTelemetry(content, IsTelemetryCommand, counts);
  }
  if (s.ok()) return s;
  *replaced = "the telemetry counts file " + path + " could not be believed (" + s.message() +
              "); its counts were dropped and counting starts again";
  if (fd < 0) ::unlink(path.c_str());  // the link itself, never its target
  TB_RETURN_IF_ERROR(StartTelemetryWindow(path, now_s));
  counts->since_s = now_s;
  return Status::OK();
}

}  // namespace tb
