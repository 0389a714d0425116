#include "tools/context.h"

#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include <pwd.h>
#include <sys/stat.h>

#include <climits>
#include <filesystem>

#include "core/profile.h"
#include "core/record_policy.h"
#include "storage/at_rest.h"
#include "storage/data_dir.h"
#include "storage/disk_space.h"
#include "storage/spool.h"
#include "storage/spool_warning.h"
#include "storage/unlock.h"
#include "tools/auto_maintenance.h"
#include "tools/commands.h"
#include "tools/daemon_client.h"
#include "tools/logging.h"

namespace tb {

std::string Context::Env(const std::string& name) const {
  for (const auto& [k, v] : env) {
    if (k == name) return v;
  }
  return "";
}

Status Context::OpenStore(std::unique_ptr<Store>* out, bool bulk) {
  if (lifecycle.store == StoreUse::kWrite) return OpenStoreAs(StoreOptions::Access::kReadWrite, out, bulk);
  return OpenStoreToRead(out);
}

Status Context::OpenStoreToRead(std::unique_ptr<Store>* out, bool drain) {
  if (lifecycle.store == StoreUse::kNone) {
    return Status::InvalidArgument("tb " + command_name + " opens no store (its row of the command table says so)");
  }
  return OpenStoreAs(drain ? StoreOptions::Access::kReadPreferred : StoreOptions::Access::kReadOnly, out, false);
}

Status Context::OpenStoreAs(StoreOptions::Access access, std::unique_ptr<Store>* out, bool bulk) {
  StoreOptions o;
  o.bulk = bulk;
  o.data_dir = data_dir;
  o.access = access;
  if (access == StoreOptions::Access::kReadPreferred && SpoolPending() && !DaemonDrainedSpool(*this)) {
    o.access = StoreOptions::Access::kAuto;
  }
  if ((o.access == StoreOptions::Access::kReadWrite || o.access == StoreOptions::Access::kAuto) &&
      !lifecycle.frees_space) {
    Status space = CheckSpace(0);
    if (!space.ok() && o.access == StoreOptions::Access::kReadWrite) return space;
    if (!space.ok()) {
      // A query still answers from what is stored; the spool keeps the rest.
      if (SpoolPending()) {
        spdlog::warn("{}; the store was opened read-only and spooled commands wait in the spool",
                     space.message().substr(0, space.message().find(';')));
      }
      o.access = StoreOptions::Access::kReadOnly;
    }
  }
  o.block_cache_bytes = static_cast<uint64_t>(config.storage.block_cache_mb) << 20;
  o.write_buffer_bytes = static_cast<uint64_t>(config.storage.write_buffer_mb) << 20;
  o.lock_wait_ms = config.storage.lock_wait_ms;
  o.holder = "pid " + std::to_string(::getpid()) + " (tb " + command_name + ")";
  if (stderr_tty) {
    o.progress = [](std::string_view view, uint64_t done, uint64_t total) {
      unsigned pct = total ? static_cast<unsigned>(done * 100 / total) : 100;
      std::fprintf(stderr, "\rtb: rebuilding %.*s: %3u%% (%llu/%llu events)%s", static_cast<int>(view.size()),
                   view.data(), pct, static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   done >= total ? "\n" : "");
      std::fflush(stderr);
    };
  }
  {
    ScopedPhase phase("store open");  // tb --profile
    TB_RETURN_IF_ERROR(Store::Open(o, out));
  }
  Status log = SetupLogging(config, data_dir, false);
  if (!log.ok()) spdlog::warn("file log disabled: {}", log.message());
  if ((*out)->read_only()) return Status::OK();
  if (lifecycle.drains_spool) TB_RETURN_IF_ERROR(DrainSpoolInto(**out));
  // With a daemon running, scheduled maintenance is its job (tools/daemon.h).
  if (lifecycle.runs_maintenance && !DaemonRunning(*this)) {
    ScopedPhase phase("maintenance");
    RunAutoMaintenance(*this, **out, false);
  }
  return Status::OK();
}

Status Context::DrainSpoolInto(Store& store, DrainReport* report) const {
  ScopedPhase phase("spool drain");
  SpoolDrainOptions d;
  d.spool_dir = SpoolDir();
  d.rejected_dir = data_dir + "/spool-rejected";
  d.host = HostName();
  d.user = UserName();
  // The policy (ignore rules + secret masker) costs about 1.5 ms to build,
  // so it is built on the first drained event, not on every store open.
  // Its config was validated by LoadConfig(), so Create() does not fail in
  // practice; if it ever did, events are dropped rather than appended
  // unmasked, and the error is returned after the drain.
  std::unique_ptr<RecordPolicy> policy;
  Status policy_status;
  bool policy_tried = false;
  const size_t max = static_cast<size_t>(config.record.max_command_bytes);
  d.prepare = [&](Event* ev) {
    if (!policy_tried) {
      policy_tried = true;
      policy_status = RecordPolicy::Create(config, &policy);
    }
    if (policy == nullptr) return false;
    // Only commands are judged (ShouldRecord() passes every finish). A
    // finish whose start was dropped here is still appended: views ignore a
    // finish for a start they never saw, and it holds no command text.
    if (!policy->ShouldRecord(*ev)) return false;
    const bool was_truncated = ev->truncated;
    policy->Prepare(ev);
    if (ev->truncated && !was_truncated) {
      spdlog::warn("a command of more than {} bytes was truncated (record.max_command_bytes)", max);
    }
    return true;
  };
  d.mask_rejected = [&](std::string* line) {
    if (!policy_tried) {
      policy_tried = true;
      policy_status = RecordPolicy::Create(config, &policy);
    }
    if (policy != nullptr) {
      policy->masker().Mask(line);
    } else {
      line->assign("(withheld: the secret masker is unavailable)");
    }
  };
  DrainReport r;
  TB_RETURN_IF_ERROR(DrainSpool(store, d, &r));
  TB_RETURN_IF_ERROR(policy_status);
  // The frames could be stored: the shells' warning is over.
  Status cleared = ClearSpoolWarning(d.spool_dir);
  if (!cleared.ok()) spdlog::warn("{}", cleared.message());
  for (const std::string& w : r.warnings) spdlog::warn("{}", w);
  if (r.dropped > 0) spdlog::debug("{} spooled event(s) not recorded (record.ignore_*)", r.dropped);
  if (r.rejected > 0) {
    spdlog::warn("{} spool line(s) did not parse; kept in {}", r.rejected, d.rejected_dir);
  }
  if (r.events > 0) spdlog::debug("drained {} event(s) from {} spool file(s)", r.events, r.files);
  if (report != nullptr) *report = std::move(r);
  return Status::OK();
}

Status Context::CheckSpace(uint64_t extra_bytes, const std::string& path) const {
  if (config.storage.reserve_mb <= 0) return Status::OK();
  const uint64_t need = (static_cast<uint64_t>(config.storage.reserve_mb) << 20) + extra_bytes;
  return CheckFreeSpace(path.empty() ? data_dir : path, need, "tb " + command_name, command_line);
}

Status Context::CheckSpaceToRewrite(Store& store, const std::string& path) const {
  if (config.storage.reserve_mb <= 0) return Status::OK();
  StoreInfo info;
  TB_RETURN_IF_ERROR(store.Info(&info));
  return CheckSpace(info.disk_bytes, path);
}

bool Context::SpoolPending() const {
  std::error_code ec;
  std::filesystem::directory_iterator it(SpoolDir(), ec);
  return !ec && it != std::filesystem::directory_iterator();
}

std::string Context::UserName() const {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return Env("USER");
}

Status LoadProcessDataKey(const Context& ctx) {
  std::optional<DataKey> key;
  TB_RETURN_IF_ERROR(LoadDataKey(ctx.config, ctx.data_dir, ctx.Env("XDG_RUNTIME_DIR"), &key));
  SetProcessDataKey(key);
  return Status::OK();
}

Status UnlockedKeyPathOf(const Context& ctx, std::string* out) {
  return UnlockedKeyPath(ctx.Env("XDG_RUNTIME_DIR"), ctx.data_dir, out);
}

std::string StateDir(const Context& ctx) {
  std::string state = ctx.Env("XDG_STATE_HOME");
  if (state.empty() || state.front() != '/') {
    const std::string home = ctx.Env("HOME");
    if (home.empty()) return "";
    state = home + "/.local/state";
  }
  return state + "/termbrain";
}

std::string HostName() {
  char buf[HOST_NAME_MAX + 1] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

std::string CurrentDir(const Context& ctx) {
  std::string pwd = ctx.Env("PWD");
  std::error_code ec;
  if (!pwd.empty() && pwd[0] == '/' && std::filesystem::equivalent(pwd, ".", ec)) return pwd;
  auto cwd = std::filesystem::current_path(ec);
  return ec ? std::string() : cwd.string();
}

std::string Context::SpoolDir() const {
  std::string base = Env("TERMBRAIN_SPOOL_DIR");
  std::error_code ec;
  if (base.empty()) {
    std::string rt = Env("XDG_RUNTIME_DIR");
    if (!rt.empty() && rt[0] == '/' && std::filesystem::is_directory(rt, ec)) {
      base = rt + "/termbrain";
    } else if (std::filesystem::is_directory("/dev/shm", ec)) {
      base = "/dev/shm/termbrain-" + std::to_string(::geteuid());
    } else {
      base = data_dir + "/spool";
    }
  }
  return SpoolDirFor(base, data_dir);
}

namespace {
uint64_t stdout_bytes = 0;
}  // namespace

uint64_t StdoutBytes() { return stdout_bytes; }

bool WriteOut(const std::string& data) {
  if (PhaseProfile* p = PhaseProfile::Current()) p->Switch("query", "render");
  stdout_bytes += data.size();
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(STDOUT_FILENO, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace tb
