// tb context [TOPIC] [--for claude|cursor|copilot|generic] [-o FILE] [--max-bytes N]
#include <filesystem>

#include "core/analytics/context_brief.h"
#include "core/analytics/project.h"
#include "core/secrets.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace tb {

Status CmdContext(Context& ctx, const Argv& args) {
  Args a("context", "context [TOPIC] [--for claude|cursor|copilot|generic] [-o FILE] [--max-bytes N]");
  a.opts().add_options()("for", po::value<std::string>()->default_value("generic")->value_name("TARGET"),
                         "claude, cursor, copilot or generic (the title of the brief)")(
      "output,o", po::value<std::string>()->value_name("FILE"), "write to FILE atomically (default: stdout)")(
      "max-bytes", po::value<std::string>()->value_name("N"),
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
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  ContextData d;
  d.project = DetectProject(o.cwd);
  TB_RETURN_IF_ERROR(GatherContext(store->reader(), o, &d));
  std::string brief = RenderContext(d, o, masker.get(), static_cast<size_t>(max_bytes.value_or(8192)));
  if (a.Has("output")) return WriteFileAtomically(a.Str("output"), brief);
  WriteOut(brief);
  return Status::OK();
}

}  // namespace tb
