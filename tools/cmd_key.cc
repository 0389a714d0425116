// tb key generate / tb rekey: the data key of encryption at rest
// (core/data_key.h, storage/rekey.h; docs/security.md, "Encryption at rest").
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/data_key.h"
#include "storage/at_rest.h"
#include "storage/rekey.h"
#include "storage/unlock.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/passphrase_prompt.h"

namespace tb {
namespace {

std::string Absolute(const Context& ctx, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(CurrentDir(ctx)) / path).lexically_normal().string();
}

// What the user changes in the config once the store is under `key_file`
// ("" when it is plaintext now, or under a passphrase with `passphrase`).
std::string ConfigAdvice(const Context& ctx, const std::string& key_file, bool passphrase = false) {
  const std::string where = ctx.config_path.empty() ? std::string("your config file") : ctx.config_path;
  if (passphrase) return "set in " + where + ":\n  [storage]\n  encryption = \"passphrase\"\n";
  if (key_file.empty()) return "set in " + where + ":\n  [storage]\n  encryption = \"off\"\n";
  return "set in " + where + " (tb reads the key from there; it never edits the file):\n  [storage]\n" +
         "  encryption = \"keyfile\"\n  key_file = \"" + key_file + "\"\n";
}

// --passphrase: a new random data key, wrapped under a new passphrase.
Status NewPassphraseKey(const Context& ctx, RekeyOptions* o) {
  DataKey key;
  RandomBytes(key.bytes.data(), key.bytes.size());
  std::string passphrase;
  Status s = ReadPassphrase("New passphrase for " + ctx.data_dir, true, &passphrase);
  WrappedKey w;
  if (s.ok()) s = WrapDataKey(key, passphrase, ConfiguredKdfLimits(ctx), &w);
  WipeSecret(&passphrase);
  TB_RETURN_IF_ERROR(s);
  o->new_key = key;
  o->wrapped = w;
  return Status::OK();
}

// After the rekey: the unlocked key follows the store (a new passphrase
// store is unlocked; any other loses its cached key, which is the old one).
std::string UpdateUnlockedKey(const Context& ctx, const RekeyOptions& o) {
  std::string path;
  bool removed = false;
  Status s = UnlockedKeyPathOf(ctx, &path);
  if (s.ok()) s = o.wrapped ? SaveUnlockedKey(path, *o.new_key) : RemoveUnlockedKey(path, &removed);
  if (s.ok()) return o.wrapped ? "The store is unlocked until logout or 'tb lock'.\n" : "";
  return o.wrapped ? "The new key could not be kept unlocked (" + s.message() + "): run 'tb unlock'.\n" : "";
}

}  // namespace

Status CmdKeyGenerate(Context& ctx, const Argv& args) {
  Args a("key generate", "key generate PATH");
  a.Positional("path");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("path")) return Status::InvalidArgument("tb key generate needs the PATH of the new key file");
  const std::string path = Absolute(ctx, a.Str("path"));
  DataKey key;
  TB_RETURN_IF_ERROR(GenerateKeyFile(path, ctx.data_dir, &key));
  WriteOut("wrote a new data key to " + path + " (key id " + KeyIdHex(key) +
           "). Keep a copy somewhere safe: without it the store cannot be read.\n"
           "A new store: " +
           ConfigAdvice(ctx, path) + "An existing store: tb rekey --new-key-file " + path + "\n");
  return Status::OK();
}

Status CmdRekey(Context& ctx, const Argv& args) {
  Args a("rekey", "rekey (--new-key-file PATH | --passphrase | --decrypt) [--drop-copies]");
  a.opts().add_options()("new-key-file", po::value<std::string>()->value_name("PATH"),
                         "rewrite the store under the key in PATH (encrypts a plaintext store)")(
      "passphrase",
      "rewrite the store under a new random key wrapped by a new passphrase (asked twice at a terminal; one line "
      "of stdin otherwise)")("decrypt", "rewrite the store in plaintext")(
      "drop-copies", "delete the snapshots and backups left under the old key");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (a.Has("new-key-file") + a.Has("passphrase") + a.Has("decrypt") != 1) {
    return Status::InvalidArgument("tb rekey needs exactly one of --new-key-file PATH, --passphrase and --decrypt");
  }
  RekeyOptions o;
  o.data_dir = ctx.data_dir;
  o.backup_dir = ctx.config.backup.dir.empty() ? ctx.data_dir + "/backups" : ctx.config.backup.dir;
  o.drop_copies = a.Has("drop-copies");
  o.holder = "pid " + std::to_string(::getpid()) + " (tb rekey)";
  o.lock_wait_ms = ctx.config.storage.lock_wait_ms;
  o.store.block_cache_bytes = static_cast<uint64_t>(ctx.config.storage.block_cache_mb) << 20;
  o.store.write_buffer_bytes = static_cast<uint64_t>(ctx.config.storage.write_buffer_mb) << 20;
  const std::string key_file = a.Has("new-key-file") ? Absolute(ctx, a.Str("new-key-file")) : "";
  if (!key_file.empty()) {
    DataKey key;
    TB_RETURN_IF_ERROR(ReadKeyFile(key_file, ctx.data_dir, &key));
    o.new_key = key;
  }
  if (a.Has("passphrase")) TB_RETURN_IF_ERROR(NewPassphraseKey(ctx, &o));
  const DataKey* old_key = ProcessDataKey();
  const nlohmann::json detail{{"key_id", o.new_key ? KeyIdHex(*o.new_key) : ""},
                              {"passphrase", o.wrapped.has_value()},
                              {"previous_key_id", old_key != nullptr ? KeyIdHex(*old_key) : ""},
                              {"drop_copies", o.drop_copies}};
  o.audit = AuditEvent(ctx, "rekey", detail.dump());
  RekeyResult r;
  TB_RETURN_IF_ERROR(Rekey(o, &r));
  std::string out = "rewrote " + std::to_string(r.events) + " events (head seq " + std::to_string(r.head) + ") " +
                    (o.new_key ? "under key id " + KeyIdHex(*o.new_key) : std::string("in plaintext")) + " in " +
                    ctx.data_dir + "; the old files were deleted\n";
  if (o.drop_copies) {
    out += "deleted " + std::to_string(r.dropped_snapshots.size()) + " snapshot(s) and " +
           std::to_string(r.dropped_backups.size()) + " backup(s) made under the old key\n";
  }
  WriteOut(out + "Now " + ConfigAdvice(ctx, key_file, o.wrapped.has_value()) + UpdateUnlockedKey(ctx, o));
  return Status::OK();
}

}  // namespace tb
