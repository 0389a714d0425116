// tb record: one complete command from a script or test.
//
// When the store cannot be written (disk full, or held by another process
// for more than 250 ms), the command is not lost: it goes to the spool
// as the shell hooks would write it (core/spool_frame.h), and the next `tb`
// that opens the store for writing drains it, exactly once.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <filesystem>
#include <random>

#include "core/record_check.h"
#include "core/record_policy.h"
#include "core/spool_frame.h"
#include "core/timefmt.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace tb {
namespace {

// How long `tb record` waits for a store another process holds before it
// spools the command instead (at most storage.lock_wait_ms).
constexpr int kRecordLockWaitMs = 250;

// "12", "1.5", "0.001": non-negative milliseconds, up to ns precision.
Status ParseDurationMs(const std::string& text, int64_t* ns) {
  const int64_t kMaxMs = 10LL * 365 * 24 * 3600 * 1000;  // ten years
  int64_t whole = 0, frac = 0, scale = 1000000;
  size_t i = 0;
  bool digits = false;
  for (; i < text.size() && isdigit(static_cast<unsigned char>(text[i])); ++i) {
    digits = true;
    whole = whole * 10 + (text[i] - '0');
    if (whole > kMaxMs) break;
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && isdigit(static_cast<unsigned char>(text[i])); ++i) {
      digits = true;
      scale /= 10;
      if (scale > 0) frac += (text[i] - '0') * scale;
    }
  }
  if (!digits || i != text.size() || whole > kMaxMs) {
    return Status::InvalidArgument("invalid value '" + text +
                                   "' for --duration-ms: expected milliseconds >= 0 (e.g. 12 or 1.5)");
  }
  *ns = whole * 1000000 + frac;
  return Status::OK();
}

Status BuildEvent(const Context& ctx, const Args& a, Event* ev) {
  ev->kind = EventKind::kRecorded;
  ev->command = a.Str("command");
  if (IsBlankCommand(ev->command)) {
    return Status::InvalidArgument(std::string("--command is ") + (ev->command.empty() ? "empty" : "only whitespace") +
                                   " (tb record): nothing to record");
  }
  ev->cwd = a.Has("cwd") ? a.Str("cwd") : CurrentDir(ctx);
  std::optional<int64_t> exit;
  TB_RETURN_IF_ERROR(a.Int("exit", INT32_MIN, INT32_MAX, &exit));
  if (exit) ev->exit_code = static_cast<int32_t>(*exit);
  if (a.Has("duration-ms")) {
    int64_t ns = 0;
    TB_RETURN_IF_ERROR(ParseDurationMs(a.Str("duration-ms"), &ns));
    ev->duration_ns = ns;
  }
  int64_t now = NowNs();
  ev->time_ns = now - ev->duration_ns.value_or(0);  // it started that long ago
  if (a.Has("started-at")) {
    TB_RETURN_IF_ERROR(ParseTime(a.Str("started-at"), now, &ev->time_ns).WithContext("--started-at"));
  }
  TB_RETURN_IF_ERROR(CheckRecordFields(*ev, now));
  ev->session = a.Has("session") ? a.Str("session") : ctx.Env("TERMBRAIN_SESSION");
  ev->shell = a.Has("shell") ? a.Str("shell") : ctx.Env("TERMBRAIN_SHELL");
  ev->host = HostName();
  ev->user = ctx.UserName();
  // Secrets are masked and the command truncated (in that order, see
  // RecordPolicy::Prepare) before the event exists anywhere but here. The
  // ignore rules (leading space, record.ignore_*) are not applied: an
  // explicit `tb record` is a request to record this command.
  std::unique_ptr<RecordPolicy> policy;
  TB_RETURN_IF_ERROR(RecordPolicy::Create(ctx.config, &policy));
  policy->Prepare(ev);
  if (ev->truncated) {
    spdlog::warn("a command of more than {} bytes was truncated (record.max_command_bytes)",
                 ctx.config.record.max_command_bytes);
  }
  return Status::OK();
}

// The frames of `ev` as a shell hook writes them: a start and, when the
// exit is known, its finish (a record without an exit stays "running", as
// its exit_code and duration_ms are null either way). The drain fills host
// and user and applies the record policy again (masking is idempotent).
std::string SpoolFrames(const Event& ev) {
  std::random_device rd;
  Event start;
  start.kind = EventKind::kStarted;
  start.id = EventId{(static_cast<uint64_t>(rd()) << 32 | rd()) | 1, 1};
  start.time_ns = ev.time_ns;
  start.session = ev.session;
  start.shell = ev.shell;
  start.cwd = ev.cwd;
  start.command = ev.command;
  std::string frames = EncodeSpoolFrame(start);
  if (ev.exit_code) {
    Event finish;
    finish.kind = EventKind::kFinished;
    finish.id = EventId{start.id.origin, 2};
    finish.start = start.id;
    finish.time_ns = ev.time_ns + ev.duration_ns.value_or(0);
    finish.exit_code = ev.exit_code;
    finish.duration_ns = ev.duration_ns.value_or(0);
    frames += EncodeSpoolFrame(finish);
  }
  return frames;
}

// The store could not take `ev` (`why`: NoSpace or Busy): spools it in a
// file of its own (mode 0600, renamed into place complete) and says so on
// stderr. Returns `why` when the spool cannot be written either.
Status SpoolInstead(const Context& ctx, const Event& ev, const Status& why) {
  const std::string dir = ctx.SpoolDir();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // 0700 under tb's umask
  const std::string path = dir + "/record-" + std::to_string(::getpid()) + "-" + std::to_string(ev.time_ns) + ".spool";
  if (ec || !WriteFileAtomically(path, SpoolFrames(ev)).ok()) return why;
  std::fprintf(stderr,
               "tb: note: the store cannot be written now (%s); the command was spooled "
               "and the next tb that opens the store records it\n",
               why.IsBusy() ? "it is in use by another process" : "the disk is full");
  return Status::OK();
}

}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status CmdRecord(Context& ctx, const Argv& args) {
  Args a("record",
         "record --command CMD [--cwd DIR] [--exit N] [--duration-ms MS] [--started-at TIME] "
         "[--session ID] [--shell NAME]");
  a.opts().add_options()("command", po::value<std::string>()->value_name("CMD"), "the command text (required)")(
      "cwd", po::value<std::string>()->value_name("DIR"), "directory it ran in (default: current)")(
      "exit", po::value<std::string>()->value_name("N"), "exit status")(
      "duration-ms", po::value<std::string>()->value_name("MS"), "how long it ran, in milliseconds")(
      "started-at", po::value<std::string>()->value_name("TIME"), "when it started (default: now - duration)")(
      "session", po::value<std::string>()->value_name("ID"), "session id (default: $TERMBRAIN_SESSION)")(
      "shell", po::value<std::string>()->value_name("NAME"), "shell name (default: $TERMBRAIN_SHELL)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("command")) {
    return Status::InvalidArgument("missing --command (tb record). Run 'tb help record'");
  }
  Event ev;
  TB_RETURN_IF_ERROR(BuildEvent(ctx, a, &ev));
  // A script's record is never turned away: a store held by another
  // process (an import, a backup) takes it through the spool rather than
  // after a long wait.
  ctx.config.storage.lock_wait_ms = std::min(ctx.config.storage.lock_wait_ms, kRecordLockWaitMs);
  std::unique_ptr<Store> store;
  Status s = ctx.OpenStore(&store);
  if (s.ok()) s = store->Append(std::span<Event>(&ev, 1), /*sync=*/true);
  if (s.code() == Status::Code::kNoSpace || s.IsBusy()) return SpoolInstead(ctx, ev, s);
  return s;
}

}  // namespace tb
