// tb doctor: checks the setup and says how to fix what is wrong
// (tools/doctor.h); exit 1 when a check fails.
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/doctor.h"

namespace tb {

Status CmdDoctor(Context& ctx, const Argv& args) {
  Args a("doctor", "doctor [--format table|json]");
  bool help = false, json = false;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  std::vector<DoctorCheck> checks = RunDoctor(ctx);
  WriteOut(json ? RenderDoctorJson(checks) : RenderDoctorText(checks));
  if (DoctorPassed(checks)) return Status::OK();
  std::string failed;
  for (const DoctorCheck& c : checks) {
    if (c.level == DoctorCheck::Level::kFail) failed += (failed.empty() ? "" : ", ") + c.name;
  }
  return Status::IOError("tb doctor found problems (" + failed + "). Run the fixes shown above");
}

}  // namespace tb
