// tb sync init | key export | key import | key rotate | now | status |
// verify: one history across
// the user's machines over NATS JetStream (sync/syncer.h; docs/sync.md).
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "sync/key_export.h"
#include "sync/sync_verify.h"
#include "sync/syncer.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/daemon_sync.h"
#include "tools/passphrase_prompt.h"

namespace tb {
namespace {

using Json = nlohmann::ordered_json;

Status NoArgs(const char* cmd, const char* usage, const Argv& args, bool* help) {
  Args a(cmd, usage);
  TB_RETURN_IF_ERROR(a.Parse(args, help));
  if (*help) WriteOut(a.HelpText());
  return Status::OK();
}

// "1, 2": the retired epochs.
std::string RetiredEpochs(const SyncIdentity& id) {
  std::string out;
  for (const SyncKey& k : id.retired) out += (out.empty() ? "" : ", ") + std::to_string(k.epoch);
  return out;
}

// What `tb sync now` moved, as one line.
std::string CountsLine(const SyncCounts& c) {
  std::string line = "published " + std::to_string(c.published) + " event(s); received " + std::to_string(c.received) +
                     " event(s) (" + std::to_string(c.duplicates) + " already here, " + std::to_string(c.forgotten) +
                     " record(s) forgotten)";
  if (c.skipped > 0) {
    line += "; skipped " + std::to_string(c.skipped) + " message(s) under a retired key this store never held";
  }
  if (c.purged) line += "; purged this host's messages under its replaced key from the stream";
  return line + "\n";
}

std::string StatusTable(const SyncStatus& st) {
  const SyncState& l = st.local;
  const std::string retired = RetiredEpochs(l.self);
  std::ostringstream out;
  out << "host id      " << l.self.host_id << "\n"
      << "account      " << l.self.key.account << " (key epoch " << l.self.key.epoch
      << (retired.empty() ? "" : "; retired: " + retired) << ")\n"
      << "log head     " << l.head << "\n"
      << "published    through seq " << l.published << "; " << l.unpublished << " event(s) to publish\n";
  if (l.purge_pending) {
    out << "rotation     this host's messages under its replaced key leave the stream once all is published again\n";
  }
  out << "consumed     through stream seq " << l.consumed << "\n";
  if (!st.asked) {
    out << "server       not set (sync.server)\n";
  } else if (!st.server.ok()) {
    out << "server       unreachable: " << st.server.message() << "\n";
  } else {
    out << "stream       " << st.stream.messages << " message(s), " << st.stream.bytes << " bytes, last seq "
        << st.stream.last_seq << "\n"
        << "to pull      " << st.stream.consumer_pending << " message(s)\n";
  }
  return out.str();
}

Json StatusJson(const SyncStatus& st) {
  const SyncState& l = st.local;
  Json retired = Json::array();
  for (const SyncKey& k : l.self.retired) retired.push_back(k.epoch);
  Json j{{"host_id", l.self.host_id},
         {"account", l.self.key.account},
         {"key_epoch", l.self.key.epoch},
         {"retired_key_epochs", retired},
         {"head_seq", l.head},
         {"published_seq", l.published},
         {"unpublished", l.unpublished},
         {"purge_pending", l.purge_pending},
         {"consumed_stream_seq", l.consumed}};
  if (!st.asked) {
    j["server"] = nullptr;
  } else if (!st.server.ok()) {
    j["server"] = Json{{"reachable", false}, {"error", st.server.message()}};
  } else {
    j["server"] = Json{{"reachable", true},
                       {"stream_messages", st.stream.messages},
                       {"stream_bytes", st.stream.bytes},
                       {"stream_last_seq", st.stream.last_seq},
                       {"to_pull", st.stream.consumer_pending}};
  }
  return j;
}

std::string Hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string VerifyTable(const SyncVerifyReport& r) {
  std::ostringstream out;
  out << "HOST                                LOCAL     STREAM    RESULT\n";
  for (const HostComparison& h : r.hosts) {
    char line[128];
    std::snprintf(line, sizeof line, "%-34s  %-8llu  %-8llu  ", (h.host_id + (h.self ? " *" : "")).c_str(),
                  static_cast<unsigned long long>(h.local), static_cast<unsigned long long>(h.stream));
    std::string epochs;
    for (uint32_t e : h.epochs) epochs += (epochs.empty() ? "" : ",") + std::to_string(e);
    out << line << (h.difference.empty() ? "same (hash " + Hex16(h.local_hash) + ")" : h.difference)
        << (h.epochs.size() > 1 ? " [key epochs " + epochs + " on the stream]" : "") << "\n";
  }
  out << "* this host\n";
  return out.str();
}

Json VerifyJson(const SyncVerifyReport& r) {
  Json hosts = Json::array();
  for (const HostComparison& h : r.hosts) {
    hosts.push_back(Json{{"host_id", h.host_id},
                         {"self", h.self},
                         {"local_events", h.local},
                         {"stream_events", h.stream},
                         {"local_hash", Hex16(h.local_hash)},
                         {"stream_hash", Hex16(h.stream_hash)},
                         {"key_epochs", h.epochs},
                         {"difference", h.difference.empty() ? Json(nullptr) : Json(h.difference)}});
  }
  return Json{{"ok", r.ok()}, {"hosts", hosts}};
}

}  // namespace

Status CmdSyncInit(Context& ctx, const Argv& args) {
  bool help;
  TB_RETURN_IF_ERROR(NoArgs("sync init", "sync init", args, &help));
  if (help) return Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  SyncIdentity id;
  TB_RETURN_IF_ERROR(SetUpSync(*store, nullptr, &id));
  WriteOut("created a sync key (account " + id.key.account + ", key epoch 1) for this store (host id " + id.host_id +
           ").\nOn each other machine: run tb sync key export > FILE here, copy FILE there, and run tb sync key "
           "import FILE.\n");
  return Status::OK();
}

Status CmdSyncKeyExport(Context& ctx, const Argv& args) {
  bool help;
  TB_RETURN_IF_ERROR(NoArgs("sync key export", "sync key export", args, &help));
  if (help) return Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  SyncIdentity id;
  TB_RETURN_IF_ERROR(LoadSyncIdentity(*store, &id));
  std::string passphrase;
  TB_RETURN_IF_ERROR(ReadPassphrase("passphrase to protect the exported sync key", true, &passphrase));
  std::string line;
  TB_RETURN_IF_ERROR(ExportSyncKey(id.key, passphrase, &line));
  WriteOut(line);
  return Status::OK();
}

Status CmdSyncKeyImport(Context& ctx, const Argv& args) {
  Args a("sync key import", "sync key import FILE");
  a.Positional("file");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("file")) return Status::InvalidArgument("tb sync key import needs the FILE tb sync key export wrote");
  std::ifstream in(a.Str("file"));
  std::string line;
  if (!in || !std::getline(in, line)) {
    return Status::InvalidArgument("cannot read an exported sync key from " + a.Str("file"));
  }
  std::string passphrase;
  TB_RETURN_IF_ERROR(ReadPassphrase("passphrase of the exported sync key", false, &passphrase));
  SyncKey key;
  TB_RETURN_IF_ERROR(ImportSyncKey(line, passphrase, a.Str("file"), &key));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  SyncIdentity id;
  KeyTaken taken;
  TB_RETURN_IF_ERROR(TakeSyncKey(*store, key, &id, &taken));
  switch (taken) {
    case KeyTaken::kSetUp:
      WriteOut("imported the sync key of account " + id.key.account + " (key epoch " + std::to_string(id.key.epoch) +
               "); this store is host " + id.host_id + ". Run tb sync now to pull the other machines' history.\n");
      break;
    case KeyTaken::kAdopted:
      WriteOut("took key epoch " + std::to_string(id.key.epoch) + " of account " + id.key.account + " (retired: " +
               RetiredEpochs(id) + "). Run tb sync now: it publishes this host's history again under the new key.\n");
      break;
    case KeyTaken::kHeld:
      WriteOut("this store holds that sync key already (key epoch " + std::to_string(id.key.epoch) + ")\n");
      break;
  }
  return Status::OK();
}

Status CmdSyncKeyRotate(Context& ctx, const Argv& args) {
  bool help;
  TB_RETURN_IF_ERROR(NoArgs("sync key rotate", "sync key rotate", args, &help));
  if (help) return Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  SyncRotation r;
  TB_RETURN_IF_ERROR(RotateAndRepublish(*store, NatsOptionsOf(ctx.config), &r));
  WriteOut("rotated the sync key of account " + r.self.key.account + " to key epoch " +
           std::to_string(r.self.key.epoch) + ".\n");
  if (r.asked && r.sync.ok()) {
    WriteOut(CountsLine(r.counts));
  } else {
    WriteOut("The next sync (tb sync now, or the daemon) publishes this host's history again under it" +
             (r.sync.ok() ? std::string() : " (now: " + r.sync.message() + ")") + ".\n");
  }
  WriteOut(
      "On each other machine: run tb sync key export > FILE here, copy FILE there, and run tb sync key import "
      "FILE; until then they cannot read what this host publishes.\n");
  return Status::OK();
}

Status CmdSyncNow(Context& ctx, const Argv& args) {
  bool help;
  TB_RETURN_IF_ERROR(NoArgs("sync now", "sync now", args, &help));
  if (help) return Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  SyncCounts c;
  SyncTracer tracer(ctx.config);
  Status s = SyncOnce(*store, NatsOptionsOf(ctx.config), &c, tracer.sink());
  Status exported = tracer.Export();
  if (!exported.ok()) spdlog::warn("{}", exported.message());
  TB_RETURN_IF_ERROR(s);
  WriteOut(CountsLine(c));
  return Status::OK();
}

Status CmdSyncStatus(Context& ctx, const Argv& args) {
  Args a("sync status", "sync status [--format table|json]");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  SyncStatus st;
  TB_RETURN_IF_ERROR(ReadSyncStatus(*store, NatsOptionsOf(ctx.config), &st));
  WriteOut(json ? StatusJson(st).dump(2) + "\n" : StatusTable(st));
  return Status::OK();
}

Status CmdSyncVerify(Context& ctx, const Argv& args) {
  Args a("sync verify", "sync verify [--format table|json]");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  SyncVerifyReport r;
  TB_RETURN_IF_ERROR(VerifySync(*store, NatsOptionsOf(ctx.config), &r));
  WriteOut(json ? VerifyJson(r).dump(2) + "\n" : VerifyTable(r));
  size_t differ = 0;
  for (const HostComparison& h : r.hosts) differ += h.difference.empty() ? 0 : 1;
  if (differ == 0) return Status::OK();
  return Status::Corruption(std::to_string(differ) +
                            " host(s) differ between this store and the stream. Run tb sync now, "
                            "then tb sync verify again; a difference that stays is a bug to report");
}

}  // namespace tb
