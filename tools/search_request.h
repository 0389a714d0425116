// Building a SearchRequest (core/search/search.h) from the command line and
// the environment; shared by `tb search` and `tb search -i`.
#pragma once

#include "core/search/search.h"
#include "tools/args.h"
#include "tools/context.h"

namespace tb {

// --mode, --rank, --unique, --workspace.
void AddSearchOptions(Args& a);

// The filters (AddFilterOptions, with `--session current` = this shell's
// session and `--host current` = this host), the search options, the query
// (positional words joined by spaces), the current directory and
// workspace, the time and the deadline (search.deadline_ms).
// InvalidArgument for a bad value; `--session current` outside a shell
// with the integration and `--workspace` outside a git work tree are errors,
// and so is a query longer than kMaxQueryBytes.
// The longest query `tb search` takes (docs/security.md, "Size limits").
inline constexpr size_t kMaxQueryBytes = 4096;

Status SearchRequestFromArgs(Context& ctx, const Args& a, SearchRequest* req);

// `current` in --session / --host resolved, and --host all (no host filter)
// dropped (also used by tb history).
Status ResolveCurrentFilters(const Context& ctx, HistoryFilter* f);

}  // namespace tb
