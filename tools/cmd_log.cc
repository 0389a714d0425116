// tb log verify / tb log dump / tb log salvage: the raw event log.
#include <unistd.h>

#include "core/timefmt.h"
#include "core/utf8.h"
#include "storage/salvage.h"
#include "tools/args.h"
#include "tools/commands.h"

namespace tb {
namespace {

void Field(std::string* out, const char* key, std::string_view bytes) {
  out->append(",\"").append(key).append("\":");
  AppendJsonString(out, bytes);
}

void Number(std::string* out, const char* key, const std::optional<int64_t>& v) {
  out->append(",\"").append(key).append("\":");
  out->append(v ? std::to_string(*v) : "null");
}

// One event as a compact JSON object (docs/formats.md, "log dump").
void DumpEvent(const Event& ev, std::string* out) {
  out->append("{\"seq\":").append(std::to_string(ev.seq));
  Field(out, "id", ev.id.ToString());
  Field(out, "type", EventKindName(ev.kind));
  Field(out, "time", FormatRfc3339Millis(ev.time_ns));
  Number(out, "time_ns", ev.time_ns);
  Field(out, "host", ev.host);
  Field(out, "user", ev.user);
  Field(out, "session", ev.session);
  std::optional<int64_t> exit;
  if (ev.exit_code) exit = *ev.exit_code;
  switch (ev.kind) {
    case EventKind::kFinished:
      Field(out, "start_id", ev.start.ToString());
      Number(out, "exit_code", exit);
      Number(out, "duration_ns", ev.duration_ns);
      break;
    case EventKind::kStarted:
    case EventKind::kRecorded:
      Field(out, "command", ev.command);
      Field(out, "cwd", ev.cwd);
      Field(out, "shell", ev.shell);
      out->append(",\"truncated\":").append(ev.truncated ? "true" : "false");
      if (ev.kind == EventKind::kStarted) break;
      Number(out, "exit_code", exit);
      Number(out, "duration_ns", ev.duration_ns);
      Number(out, "batch", static_cast<int64_t>(ev.batch));
      break;
    case EventKind::kImportCompleted:
      Number(out, "batch", static_cast<int64_t>(ev.batch));
      Field(out, "source", ev.source);
      Field(out, "file", ev.detail);
      Number(out, "imported", static_cast<int64_t>(ev.imported));
      Number(out, "duplicates", static_cast<int64_t>(ev.duplicates));
      Number(out, "malformed", static_cast<int64_t>(ev.malformed));
      break;
    case EventKind::kBatchReverted: Number(out, "batch", static_cast<int64_t>(ev.batch)); break;
    case EventKind::kForgotten: {
      out->append(",\"targets\":[");
      for (size_t i = 0; i < ev.targets.size(); ++i) {
        out->append(i ? "," : "").append(std::to_string(ev.targets[i]));
      }
      out->append("]");
      break;
    }
    case EventKind::kAdminAction:
      Field(out, "action", ev.source);
      Field(out, "detail", ev.detail);
      break;
    case EventKind::kWorkflowSaved:
      Field(out, "name", ev.name);
      out->append(",\"steps\":[");
      for (size_t i = 0; i < ev.steps.size(); ++i) {
        if (i) out->append(",");
        AppendJsonString(out, ev.steps[i]);
      }
      out->append("]");
      break;
    case EventKind::kWorkflowDeleted: Field(out, "name", ev.name); break;
  }
  out->append("}\n");
}

// What `tb log verify` says when the log fails: duplicate ids alone have a
// repair that loses nothing (salvage keeps the first occurrence of each id);
// anything else loses what cannot be read (salvage says what) unless a
// backup holds it.
Status VerifyFailure(const Context& ctx, const LogVerifyReport& r) {
  if (r.bad_payloads == 0 && r.gaps == 0 && r.seq_mismatches == 0) {
    return Status::Corruption("duplicate event ids in the log (" + ctx.data_dir +
                              "): " + std::to_string(r.duplicate_ids) +
                              " event(s) repeat the id of an earlier event. Run 'tb log salvage' to rewrite "
                              "the log keeping the first event of each id");
  }
  return Status::Corruption("the log failed verification (" + ctx.data_dir +
                            "). Run 'tb log salvage' to keep every readable event and record what was lost, "
                            "or restore a backup");
}

}  // namespace

Status CmdLogVerify(Context& ctx, const Argv& args) {
  Args a("log verify", "log verify");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  LogVerifyReport r;
  TB_RETURN_IF_ERROR(store->VerifyLog(&r));
  std::string out = "events " + std::to_string(r.events) + " (seq " + std::to_string(r.first_seq) + ".." +
                    std::to_string(r.last_seq) + "), bad payloads " + std::to_string(r.bad_payloads) + ", gaps " +
                    std::to_string(r.gaps) + ", duplicate ids " + std::to_string(r.duplicate_ids) + "\n";
  for (const auto& p : r.problems) out += "  " + p + "\n";
  WriteOut(out);
  if (!r.ok()) return VerifyFailure(ctx, r);
  return Status::OK();
}

Status CmdLogDump(Context& ctx, const Argv& args) {
  Args a("log dump", "log dump [--from SEQ] [--to SEQ]");
  a.opts().add_options()("from", po::value<std::string>()->value_name("SEQ"), "first sequence number (default 1)")(
      "to", po::value<std::string>()->value_name("SEQ"), "last sequence number (default: head)");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::optional<int64_t> from, to;
  TB_RETURN_IF_ERROR(a.Int("from", 0, INT64_MAX, &from));
  TB_RETURN_IF_ERROR(a.Int("to", 0, INT64_MAX, &to));
  if (from && to && *from > *to) return Status::InvalidArgument("--from is after --to (tb log dump)");
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  std::string buf;
  bool open = true;
  class Report final : public CorruptionReporter {
   public:
    void Corrupt(uint64_t, const Status&) override {}
  } reporter;
  TB_RETURN_IF_ERROR(store->ScanLog(static_cast<uint64_t>(from.value_or(1)),
                                    static_cast<uint64_t>(to.value_or(INT64_MAX)), /*strict=*/true, &reporter,
                                    [&](const Event& ev, std::string_view) {
                                      DumpEvent(ev, &buf);
                                      if (buf.size() > (256 << 10)) {
                                        open = WriteOut(buf);
                                        buf.clear();
                                      }
                                      return open;
                                    }));
  if (open) WriteOut(buf);
  return Status::OK();
}

namespace {

std::string Ranges(const std::vector<std::pair<uint64_t, uint64_t>>& rs) {
  std::string out;
  uint64_t n = 0;
  for (const auto& [a, b] : rs) {
    out += (out.empty() ? "" : ", ") + std::to_string(a) + (a == b ? "" : ".." + std::to_string(b));
    n += b - a + 1;
  }
  return std::to_string(n) + (n == 1 ? " event" : " events") + (out.empty() ? "" : " (seq " + out + ")");
}

}  // namespace

Status CmdLogSalvage(Context& ctx, const Argv& args) {
  Args a("log salvage", "log salvage");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  SalvageOptions o;
  o.data_dir = ctx.data_dir;
  o.holder = "pid " + std::to_string(::getpid()) + " (tb " + ctx.command_name + ")";
  o.lock_wait_ms = ctx.config.storage.lock_wait_ms;
  o.now_ns = NowNs();
  o.store.block_cache_bytes = static_cast<uint64_t>(ctx.config.storage.block_cache_mb) << 20;
  o.store.write_buffer_bytes = static_cast<uint64_t>(ctx.config.storage.write_buffer_mb) << 20;
  SalvageReport r;
  TB_RETURN_IF_ERROR(SalvageStore(o, &r));
  WriteOut("salvaged " + ctx.data_dir + ": kept " + std::to_string(r.kept) + " events, lost " + Ranges(r.lost) +
           "; skipped " + std::to_string(r.unreadable) + " unreadable records, " + std::to_string(r.bad_blocks) +
           " damaged blocks, " + std::to_string(r.duplicates) + " duplicate ids; head " + std::to_string(r.new_head) +
           "\nthe damaged database was kept in " + r.damaged_copy + " (delete it once you are satisfied)\n");
  return Status::OK();
}

}  // namespace tb
