#include "core/search/scan.h"

#include <algorithm>
#include <climits>

namespace tb::search_internal {

int64_t MonoNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

bool IsUnder(std::string_view cwd, std::string_view dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  if (dir == "/") return !cwd.empty() && cwd[0] == '/';
  return cwd.starts_with(dir) && (cwd.size() == dir.size() || cwd[dir.size()] == '/');
}

Scope::Scope(const SearchIndex& ix, const SearchRequest& req) : f_(req.filter), under_(req.under_dir) {
  const HistoryFilter& f = req.filter;
  if (f.cwd) cwd_ = ix.cwds().Find(*f.cwd);
  if (f.session) session_ = ix.sessions().Find(*f.session);
  if (f.host) host_ = ix.hosts().Find(*f.host);
  if (under_) {
    under_ids_.resize(ix.cwds().size());
    for (uint32_t i = 0; i < under_ids_.size(); ++i) under_ids_[i] = IsUnder(ix.cwds().Get(i), *under_);
  }
  filtered_ =
      f.cwd || f.session || f.host || f.exit_code || f.failed || f.succeeded || f.since_ns || f.until_ns || under_;
  exit_filter_ = f.exit_code || f.failed || f.succeeded;
  base_possible_ = !(f.cwd && !cwd_) && !(f.session && !session_) && !(f.host && !host_);
}

bool Scope::ValueOk(const std::optional<std::string>& want, const std::optional<uint32_t>& id, bool base,
                    uint32_t base_value, std::string_view text) const {
  if (!want) return true;
  if (base) return id && *id == base_value;
  return text == *want;
}

bool Scope::Accepts(const SearchIndex& ix, const Row& row) const {
  bool base = row.rec == nullptr || row.base_row != UINT32_MAX;
  uint32_t r = row.base_row;
  if (!ValueOk(f_.cwd, cwd_, base, base ? ix.cwd(r) : 0, row.rec ? std::string_view(row.rec->cwd) : "")) return false;
  if (!ValueOk(f_.session, session_, base, base ? ix.session(r) : 0, row.rec ? std::string_view(row.rec->session) : ""))
    return false;
  if (!ValueOk(f_.host, host_, base, base ? ix.host(r) : 0, row.rec ? std::string_view(row.rec->host) : ""))
    return false;
  if (under_) {
    if (base ? !under_ids_[ix.cwd(r)] : !IsUnder(row.rec->cwd, *under_)) return false;
  }
  if (f_.exit_code || f_.failed || f_.succeeded) {
    std::optional<int32_t> e = row.Exit(ix);
    if (f_.exit_code && e != f_.exit_code) return false;
    if (f_.failed && !(e && *e != 0)) return false;
    if (f_.succeeded && !(e && *e == 0)) return false;
  }
  return true;
}

}  // namespace tb::search_internal
