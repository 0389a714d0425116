// tb status, tb views, tb views verify, tb rebuild.
#include <nlohmann/json.hpp>

#include <cstdio>

#include "core/timefmt.h"
#include "core/views/registry.h"
#include "storage/daemon_lock.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace tb {
namespace {

using Json = nlohmann::ordered_json;

std::string Pad(std::string s, size_t n) {
  if (s.size() < n) s.resize(n, ' ');
  return s;
}

}  // namespace

namespace {

// Recording works either way: the hooks only write the spool.
std::string DaemonLine(const DaemonHolder& d) {
  if (d.running) return "running (" + DescribeDaemon(d) + "); commands are stored as they finish";
  return "not running; recording works: commands wait in the spool until the next tb command (or tb drain)";
}

Json DaemonJson(const DaemonHolder& d) {
  if (!d.running) return Json{{"running", false}, {"pid", nullptr}, {"since", nullptr}};
  return Json{{"running", true},
              {"pid", d.pid > 0 ? Json(d.pid) : Json(nullptr)},
              {"since", d.since_ns > 0 ? Json(FormatRfc3339Millis(d.since_ns)) : Json(nullptr)}};
}

}  // namespace

Status CmdStatus(Context& ctx, const Argv& args) {
  Args a("status", "status [--format table|json]");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  StoreInfo info;
  TB_RETURN_IF_ERROR(store->Info(&info));
  std::vector<ViewInfo> views;
  TB_RETURN_IF_ERROR(store->Views(&views));
  const DaemonHolder daemon = ProbeDaemon(ctx.data_dir);
  if (json) {
    Json j{{"data_dir", info.data_dir},
           {"store_id", info.store_id},
           {"format", info.format},
           {"events", info.events},
           {"head_seq", info.head},
           {"disk_bytes", info.disk_bytes},
           {"lock_holder", info.lock_holder.empty() ? Json(nullptr) : Json(info.lock_holder)},
           {"daemon", DaemonJson(daemon)}};
    Json jv = Json::array();
    for (const auto& v : views) {
      jv.push_back(
          {{"name", v.name}, {"version", v.stored_version}, {"applied_seq", v.applied_seq}, {"entries", v.entries}});
    }
    j["views"] = jv;
    return WriteOut(JsonText(j)), Status::OK();
  }
  std::string out;
  out += "data dir     " + info.data_dir + "\n";
  out += "store id     " + info.store_id + "\n";
  out += "format       " + std::to_string(info.format) + "\n";
  out += "events       " + std::to_string(info.events) + "\n";
  out += "head seq     " + std::to_string(info.head) + "\n";
  out += "disk usage   " + HumanBytes(info.disk_bytes);
  if (info.events > 0) out += " (" + std::to_string(info.disk_bytes / info.events) + " bytes/event)";
  out += "\n";
  out += "lock         " + (info.lock_holder.empty() ? std::string("free") : "held by " + info.lock_holder) + "\n";
  out += "daemon       " + DaemonLine(daemon) + "\n";
  out += "views       ";
  for (const auto& v : views) out += " " + v.name + " v" + std::to_string(v.stored_version);
  out += "\n";
  return WriteOut(out), Status::OK();
}

Status CmdViews(Context& ctx, const Argv& args) {
  Args a("views", "views [--format table|json]");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  std::vector<ViewInfo> views;
  TB_RETURN_IF_ERROR(store->Views(&views));
  if (json) {
    Json j = Json::array();
    for (const auto& v : views) {
      j.push_back({{"name", v.name},
                   {"version", v.stored_version},
                   {"code_version", v.code_version},
                   {"applied_seq", v.applied_seq},
                   {"entries", v.entries}});
    }
    return WriteOut(JsonText(j)), Status::OK();
  }
  std::string out = "NAME        VERSION  APPLIED SEQ  ENTRIES\n";
  for (const auto& v : views) {
    out += Pad(v.name, 12) + Pad(std::to_string(v.stored_version), 9) + Pad(std::to_string(v.applied_seq), 13) +
           std::to_string(v.entries) + "\n";
  }
  return WriteOut(out), Status::OK();
}

Status CmdViewsVerify(Context& ctx, const Argv& args) {
  Args a("views verify", "views verify");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  TB_RETURN_IF_ERROR(ctx.CheckSpaceToRewrite(*store));  // scratch copies of every view
  std::vector<ViewDiff> diffs;
  TB_RETURN_IF_ERROR(store->VerifyViews(&diffs));
  if (diffs.empty()) {
    WriteOut("ok: " + std::to_string(AllViews().size()) + " views match a fresh replay of " +
             std::to_string(store->head()) + " events\n");
    return Status::OK();
  }
  std::string names;
  for (const auto& d : diffs) {
    WriteOut("view " + d.view + ": " + std::to_string(d.missing) + " missing, " + std::to_string(d.extra) + " extra, " +
             std::to_string(d.different) + " different (first key " + d.first_key_hex + ")\n");
    names += (names.empty() ? "" : ", ") + d.view;
  }
  return Status::Corruption("view(s) " + names + " differ from a replay of the log (" + ctx.data_dir +
                            "). Run 'tb rebuild --view NAME' to repair");
}

Status CmdRebuild(Context& ctx, const Argv& args) {
  Args a("rebuild", "rebuild [--view NAME]");
  a.opts().add_options()("view", po::value<std::string>()->value_name("NAME"), "rebuild only this view");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::string view = a.Str("view");
  if (a.Has("view") && FindView(view) == nullptr) {
    std::string known;
    for (const View* v : AllViews()) known += (known.empty() ? "" : ", ") + std::string(v->name());
    return Status::InvalidArgument("unknown view '" + view + "' (tb rebuild). Known views: " + known);
  }
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  TB_RETURN_IF_ERROR(ctx.CheckSpaceToRewrite(*store));
  TB_RETURN_IF_ERROR(store->Rebuild(view));
  WriteOut("rebuilt " + (view.empty() ? std::string("all views") : "view " + view) + " from " +
           std::to_string(store->head()) + " events\n");
  return Status::OK();
}

}  // namespace tb
