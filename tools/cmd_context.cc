// tb context [TOPIC] [--for claude|cursor|copilot|generic] [-o FILE] [--max-bytes N]
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/analytics/context_brief.h"
#include "core/analytics/project.h"
#include "core/secrets.h"
#include "tools/args.h"
#include "tools/commands.h"

namespace tb {
namespace {

// Writes `data` to `path` atomically: a temp file beside it, fsync,
// rename, fsync of the directory; the temp file is removed on failure.
Status WriteFileAtomically(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](int fd) {
    std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path + ": " + why + ". Check the directory exists and is writable");
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(-1);
  std::string_view rest = data;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(fd);
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0) return fail(fd);
  if (::close(fd) != 0) return fail(-1);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(-1);
  std::string dir = std::filesystem::path(path).parent_path().string();
  int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
  return Status::OK();
}

}  // namespace

Status CmdContext(Context& ctx, const Argv& args) {
  Args a("context", "context [TOPIC] [--for claude|cursor|copilot|generic] [-o FILE] [--max-bytes N]");
  a.opts().add_options()
      ("for", po::value<std::string>()->default_value("generic")->value_name("TARGET"),
       "claude, cursor, copilot or generic (the title of the brief)")
      ("output,o", po::value<std::string>()->value_name("FILE"), "write to FILE atomically (default: stdout)")
      ("max-bytes", po::value<std::string>()->value_name("N"),
       "cut the brief after the last whole line within N bytes (256-16777216, default 8192)");
  a.Positional("topic", /*many=*/true);
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  ContextOptions o;
  TB_RETURN_IF_ERROR(ParseContextTarget(a.Str("for"), &o.target));
  std::optional<int64_t> max_bytes;
  TB_RETURN_IF_ERROR(a.Int("max-bytes", 256, 16 << 20, &max_bytes));
  std::string topic;
  for (const std::string& w : a.Strs("topic")) topic += (topic.empty() ? "" : " ") + w;
  if (!topic.empty()) o.topic = topic;
  std::error_code ec;
  o.cwd = std::filesystem::current_path(ec).string();
  if (ec) return Status::IOError("cannot read the current directory: " + ec.message());

  std::unique_ptr<SecretMasker> masker;
  TB_RETURN_IF_ERROR(SecretMasker::Create(ctx.config, &masker));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(StoreOptions::Access::kReadPreferred, &store));
  ContextData d;
  d.project = DetectProject(o.cwd);
  TB_RETURN_IF_ERROR(GatherContext(store->reader(), o, &d));
  std::string brief = RenderContext(d, o, masker.get(), static_cast<size_t>(max_bytes.value_or(8192)));
  if (a.Has("output")) return WriteFileAtomically(a.Str("output"), brief);
  WriteOut(brief);
  return Status::OK();
}

}  // namespace tb
