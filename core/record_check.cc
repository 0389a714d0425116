#include "core/record_check.h"

#include <string>

#include "core/timefmt.h"

namespace tb {

Status CheckRecordFields(const Event& ev, int64_t now_ns) {
  if (ev.exit_code && (*ev.exit_code < 0 || *ev.exit_code > 255)) {
    return Status::InvalidArgument("invalid value '" + std::to_string(*ev.exit_code) +
                                   "' for --exit (tb record): an exit status is 0 to 255 "
                                   "(a signal n is 128 + n)");
  }
  if (!ev.cwd.empty() && !ev.cwd.starts_with('/')) {
    return Status::InvalidArgument("invalid value '" + ev.cwd +
                                   "' for --cwd (tb record): the directory must be an absolute path");
  }
  if (ev.time_ns > now_ns + kMaxFutureNs) {
    return Status::InvalidArgument("invalid value '" + FormatRfc3339Millis(ev.time_ns) +
                                   "' for --started-at (tb record): it is more than 1 hour in the "
                                   "future (now " +
                                   FormatRfc3339Millis(now_ns) + ")");
  }
  return Status::OK();
}

}  // namespace tb
