// tb telemetry enable|disable|show|send: opt-in, anonymous usage counts
// (docs/telemetry.md). The counts file and its format: tools/telemetry.h,
// core/telemetry.h; the POST: tools/http_post.h.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tools/args.h"
#include "tools/commands.h"
#include "tools/http_post.h"
#include "tools/telemetry.h"

namespace tb {
namespace {

constexpr int kSendTimeoutMs = 5000;

int64_t NowSeconds() { return NowNs() / 1000000000; }

Status ParseNoOperands(const char* name, const Argv& args, bool* help) {
  Args a(name, name);
  TB_RETURN_IF_ERROR(a.Parse(args, help));
  if (*help) WriteOut(a.HelpText());
  return Status::OK();
}

// The counts file of `ctx`, loaded; a file that could not be believed is
// replaced and said so on stderr.
Status Load(const Context& ctx, std::string* path, bool* enabled, TelemetryCounts* counts) {
  *path = TelemetryPath(ctx);
  if (path->empty()) {
    return Status::InvalidArgument("no state directory for the telemetry counts: set HOME or XDG_STATE_HOME");
  }
  std::string replaced;
  TB_RETURN_IF_ERROR(LoadTelemetry(*path, NowSeconds(), enabled, counts, &replaced));
  if (!replaced.empty()) spdlog::warn("{}", replaced);
  return Status::OK();
}

std::string EndpointText(const Context& ctx) {
  return ctx.config.telemetry.endpoint.empty() ? std::string("none (telemetry.endpoint is empty)")
                                               : ctx.config.telemetry.endpoint;
}

}  // namespace

Status CmdTelemetryEnable(Context& ctx, const Argv& args) {
  bool help, enabled;
  TB_RETURN_IF_ERROR(ParseNoOperands("telemetry enable", args, &help));
  if (help) return Status::OK();
  std::string path;
  TelemetryCounts counts;
  TB_RETURN_IF_ERROR(Load(ctx, &path, &enabled, &counts));
  if (enabled) {
    WriteOut("Telemetry is already on: counting in " + path + " (tb telemetry show).\n");
    return Status::OK();
  }
  TB_RETURN_IF_ERROR(StartTelemetryWindow(path, NowSeconds()));
  WriteOut("Telemetry is on. From now on tb counts, in " + path +
           " on this machine, which tb commands run (the command's name, such as 'search' or 'sync status', "
           "never its arguments), how long each took (one of five ranges, <10ms to >=10s) and the kind of error "
           "it ended with ('not found', never the message); no command text, path, host, user name or id is kept. "
           "Nothing leaves this machine until you run 'tb telemetry send', which posts these counts to "
           "telemetry.endpoint (" +
           (ctx.config.telemetry.endpoint.empty() ? std::string("not set: nothing can be sent until you set it")
                                                  : "now " + ctx.config.telemetry.endpoint) +
           "). 'tb telemetry show' prints exactly what would be sent; 'tb telemetry disable' stops counting and "
           "deletes the counts.\n");
  return Status::OK();
}

Status CmdTelemetryDisable(Context& ctx, const Argv& args) {
  bool help;
  TB_RETURN_IF_ERROR(ParseNoOperands("telemetry disable", args, &help));
  if (help) return Status::OK();
  const std::string path = TelemetryPath(ctx);
  int err = ENOENT;
  if (!path.empty()) err = ::unlink(path.c_str()) == 0 ? 0 : errno;
  if (err == ENOENT) return WriteOut("Telemetry is already off.\n"), Status::OK();
  if (err != 0) return Status::IOError("cannot delete " + path + ": " + std::strerror(err));
  WriteOut("Telemetry is off: the counts in " + path + " were deleted and nothing more is counted.\n");
  return Status::OK();
}

Status CmdTelemetryShow(Context& ctx, const Argv& args) {
  Args a("telemetry show", "telemetry show [--format table|json]");
  bool help, json, enabled;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::string path;
  TelemetryCounts counts;
  TB_RETURN_IF_ERROR(Load(ctx, &path, &enabled, &counts));
  const std::string doc = TelemetryDocument(counts, TB_VERSION) + "\n";
  if (json) return WriteOut(doc), Status::OK();
  WriteOut("telemetry: " + (enabled ? "on, counting in " + path : std::string("off (tb telemetry enable)")) +
           "\nendpoint:  " + EndpointText(ctx) +
           "\ndocument (what tb telemetry send posts, byte for byte, without the final newline):\n" + doc);
  return Status::OK();
}

Status CmdTelemetrySend(Context& ctx, const Argv& args) {
  bool help, enabled;
  TB_RETURN_IF_ERROR(ParseNoOperands("telemetry send", args, &help));
  if (help) return Status::OK();
  std::string path;
  TelemetryCounts counts;
  TB_RETURN_IF_ERROR(Load(ctx, &path, &enabled, &counts));
  if (!enabled) return Status::InvalidArgument("telemetry is off: nothing is counted, so nothing is sent");
  const std::string& url = ctx.config.telemetry.endpoint;
  if (url.empty()) {
    return Status::InvalidArgument(
        "no telemetry endpoint: telemetry.endpoint is empty, so nothing is sent; the counts are kept");
  }
  const std::string doc = TelemetryDocument(counts, TB_VERSION);
  Status s = PostJson(url, doc, {{"User-Agent", "termbrain/" TB_VERSION}}, kSendTimeoutMs, nullptr);
  if (!s.ok()) return Status::IOError("telemetry not sent: " + s.message() + "; the counts are kept");
  TB_RETURN_IF_ERROR(StartTelemetryWindow(path, NowSeconds()));
  uint64_t runs = 0;
  for (const auto& [name, c] : counts.commands) runs += c.runs;
  WriteOut("Sent the counts of " + std::to_string(runs) + " runs to " + url + "; counting starts again.\n");
  return Status::OK();
}

}  // namespace tb
