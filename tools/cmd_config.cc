// tb config show / tb config check.
#include "tools/args.h"
#include "tools/commands.h"

namespace tb {

Status CmdConfigShow(Context& ctx, const Argv& args) {
  Args a("config show", "config show [--format toml|json]");
  a.opts().add_options()("format", po::value<std::string>()->default_value("toml")->value_name("F"),
                         "output format: toml or json");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::string f = a.Str("format");
  if (f != "toml" && f != "json") {
    return Status::InvalidArgument("unknown format '" + f + "' for tb config show: expected toml or json");
  }
  std::string out;
  if (f == "toml") {
    out = "# config file: " + (ctx.config_path.empty() ? std::string("(none)") : ctx.config_path) + "\n";
    out += "# data dir: " + ctx.data_dir + "\n";
  }
  out += RenderConfig(ctx.config, ctx.origins, f == "json");
  WriteOut(out);
  return Status::OK();
}

Status CmdConfigCheck(Context& ctx, const Argv& args) {
  Args a("config check", "config check");
  bool help;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  // Loading already validated file and environment before we got here.
  WriteOut("ok: " + (ctx.config_path.empty() ? std::string("defaults") : ctx.config_path) + " is valid\n");
  return Status::OK();
}

}  // namespace tb
