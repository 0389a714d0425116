// Searcher::Details: the detail view of one command text.
#include <algorithm>
#include <map>

#include "core/search/index.h"
#include "core/search/search.h"

namespace tb {
namespace {

constexpr size_t kNeighbourWindow = 64;  // rows looked at for the same session's neighbour
constexpr size_t kNeighbours = 5;

std::vector<std::pair<std::string, uint32_t>> Top(const std::map<uint32_t, uint32_t>& counts, const SearchIndex& ix) {
  std::vector<std::pair<uint32_t, uint32_t>> v(counts.begin(), counts.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<std::pair<std::string, uint32_t>> out;
  for (size_t i = 0; i < v.size() && i < kNeighbours; ++i)
    out.emplace_back(std::string(ix.commands().Get(v[i].first)), v[i].second);
  return out;
}

}  // namespace

Status Searcher::Details(std::string_view command, CommandDetails* out) const {
  Status s = DetailsUnchecked(command, out);
  if (!index_.damaged()) return s;
  *out = CommandDetails{};
  return index_.damage();
}

Status Searcher::DetailsUnchecked(std::string_view command, CommandDetails* out) const {
  *out = CommandDetails{};
  std::optional<uint32_t> id = index_.commands().Find(command);
  if (overlay_) {
    for (const auto& r : overlay_->records) {
      if (r.command != command) continue;
      ++out->uses;
      if (r.exit_code && *r.exit_code != 0) ++out->failures;
      out->last_ns = std::max(out->last_ns, r.started_at_ns);
      if (out->first_ns == 0 || r.started_at_ns < out->first_ns) out->first_ns = r.started_at_ns;
    }
  }
  if (!id) {
    if (out->uses == 0) return Status::NotFound("command not in the history");
    return Status::OK();
  }
  TB_RETURN_IF_ERROR(index_.CheckRows(SearchIndex::kCmdColumn | SearchIndex::kSessionColumn));
  out->uses += index_.uses(*id);
  out->failures += index_.failures(*id);
  std::map<uint32_t, uint32_t> before, after;
  auto cmds = index_.cmd_column();
  size_t n = cmds.size();
  for (size_t r = 0; r < n; ++r) {
    if (cmds[r] != *id) continue;
    int64_t t = index_.time(r);
    out->last_ns = std::max(out->last_ns, t);
    if (out->first_ns == 0 || t < out->first_ns) out->first_ns = t;
    uint32_t session = index_.session(r);
    // Rows are newest first: older neighbours have larger indexes.
    for (size_t k = r + 1; k < n && k <= r + kNeighbourWindow; ++k) {
      if (index_.session(k) != session) continue;
      if (cmds[k] != *id) ++before[cmds[k]];
      break;
    }
    for (size_t k = r; k-- > 0 && r - k <= kNeighbourWindow;) {
      if (index_.session(k) != session) continue;
      if (cmds[k] != *id) ++after[cmds[k]];
      break;
    }
  }
  out->before = Top(before, index_);
  out->after = Top(after, index_);
  return Status::OK();
}

}  // namespace tb
