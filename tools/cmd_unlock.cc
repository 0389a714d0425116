// tb unlock / tb lock / tb key passphrase: passphrase mode of encryption at
// rest (storage/passphrase.h, storage/unlock.h; docs/security.md,
// "Passphrase"). Passphrases are read by tools/passphrase_prompt.h only.
#include "core/data_key.h"
#include "storage/passphrase.h"
#include "storage/unlock.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/passphrase_prompt.h"

namespace tb {
namespace {

Status NeedPassphraseMode(const Context& ctx, const std::string& command) {
  if (ctx.config.storage.encryption == "passphrase") return Status::OK();
  return Status::InvalidArgument("tb " + command + " is for storage.encryption = \"passphrase\", and it is \"" +
                                 ctx.config.storage.encryption + "\" (" + ctx.origins.Of("storage.encryption") + ")");
}

}  // namespace

KdfLimits ConfiguredKdfLimits(const Context& ctx) {
  return KdfLimits{static_cast<uint64_t>(ctx.config.storage.kdf_ops),
                   static_cast<uint64_t>(ctx.config.storage.kdf_memory_mb) << 20};
}

Status CmdUnlock(Context& ctx, const Argv& args) {
  Args a("unlock", "unlock");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  TB_RETURN_IF_ERROR(NeedPassphraseMode(ctx, "unlock"));
  UnlockRequest r;
  r.data_dir = ctx.data_dir;
  r.limits = ConfiguredKdfLimits(ctx);
  TB_RETURN_IF_ERROR(UnlockedKeyPathOf(ctx, &r.cache_path));
  const bool fresh = !HasWrappedKey(ctx.data_dir);
  TB_RETURN_IF_ERROR(
      ReadPassphrase((fresh ? "New passphrase for " : "Passphrase for ") + ctx.data_dir, fresh, &r.passphrase));
  UnlockResult result;
  Status s = Unlock(r, &result);
  WipeSecret(&r.passphrase);
  TB_RETURN_IF_ERROR(s);
  WriteOut(std::string(result.created ? "set the passphrase of the new store " : "unlocked ") + ctx.data_dir +
           " (key id " + result.key_id_hex + ") until logout or 'tb lock'\n");
  return Status::OK();
}

Status CmdLock(Context& ctx, const Argv& args) {
  Args a("lock", "lock");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::string path;
  TB_RETURN_IF_ERROR(UnlockedKeyPathOf(ctx, &path));
  bool removed = false;
  TB_RETURN_IF_ERROR(RemoveUnlockedKey(path, &removed));
  WriteOut((removed ? "locked " : "was not unlocked: ") + ctx.data_dir + "\n");
  return Status::OK();
}

Status CmdKeyPassphrase(Context& ctx, const Argv& args) {
  Args a("key passphrase", "key passphrase");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  TB_RETURN_IF_ERROR(NeedPassphraseMode(ctx, "key passphrase"));
  if (!HasWrappedKey(ctx.data_dir)) {
    return Status::Incompatible("no passphrase is set for " + ctx.data_dir + ": 'tb unlock' sets one for a new store");
  }
  std::string current, next;
  Status s = ReadPassphrase("Current passphrase for " + ctx.data_dir, false, &current);
  if (s.ok()) s = ReadPassphrase("New passphrase", true, &next);
  if (s.ok()) s = ChangePassphrase(ctx.data_dir, current, next, ConfiguredKdfLimits(ctx));
  WipeSecret(&current);
  WipeSecret(&next);
  TB_RETURN_IF_ERROR(s);
  WriteOut("changed the passphrase of " + ctx.data_dir +
           " (the data key is the same: backups, snapshots and the unlocked key stay valid)\n");
  return Status::OK();
}

}  // namespace tb
