// tb metrics: the Prometheus exposition, from the daemon when it answers,
// else computed once from the store (tools/metrics_snapshot.h).
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/endpoint.h"
#include "tools/metrics_snapshot.h"

namespace tb {

Status CmdMetrics(Context& ctx, const Argv& args) {
  Args a("metrics", "metrics [--local]");
  a.opts().add_options()("local", "compute the figures from the store even when the daemon answers");
  bool help = false;
  TB_RETURN_IF_ERROR(a.Parse(args, &help));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  if (!a.Has("local")) {
    int status = 0;
    std::string body;
    if (FetchFromSocket(DaemonSocketPath(ctx), "/metrics", &status, &body).ok() && status == 200) {
      return WriteOut(body), Status::OK();
    }
  }
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStoreToRead(&store, /*drain=*/false));
  MetricsSnapshot snap;
  TB_RETURN_IF_ERROR(CollectSnapshot(ctx, *store, &snap));
  return WriteOut(RenderSnapshot(snap)), Status::OK();
}

}  // namespace tb
