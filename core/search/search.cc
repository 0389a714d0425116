// Searcher: match the unique command texts once, then walk the rows newest
// first (docs/architecture.md, "Search").
#include "core/search/search.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>
#include <unordered_map>

#include "core/search/index.h"
#include "core/search/matcher.h"
#include "core/search/scan.h"

namespace tb {

using search_internal::MonoNs;
using search_internal::Row;
using search_internal::Scope;
using search_internal::WalkEnd;
using search_internal::WalkRows;

// Index rows the first, text-by-text pass looks at before matching every
// text at once (core/search/search.cc, Search).
constexpr size_t kLazyRows = 8192;

namespace {
constexpr SearchMode kAllModes[] = {SearchMode::kSubstring, SearchMode::kPrefix, SearchMode::kFuzzy, SearchMode::kRegex,
                                    SearchMode::kExact};
constexpr RankMode kAllRanks[] = {RankMode::kRecent, RankMode::kFrecency};
}  // namespace

std::vector<std::string_view> SearchModeNames() {
  std::vector<std::string_view> out;
  for (SearchMode m : kAllModes) out.push_back(SearchModeName(m));
  return out;
}

std::vector<std::string_view> RankModeNames() {
  std::vector<std::string_view> out;
  for (RankMode r : kAllRanks) out.push_back(RankModeName(r));
  return out;
}

Status ParseSearchMode(std::string_view s, SearchMode* out) {
  for (SearchMode m : kAllModes)
    if (s == SearchModeName(m)) return *out = m, Status::OK();
  return Status::InvalidArgument("unknown search mode '" + std::string(s) +
                                 "': expected substring, prefix, fuzzy, regex or exact");
}

std::string_view SearchModeName(SearchMode m) {
  switch (m) {
    case SearchMode::kSubstring: return "substring";
    case SearchMode::kPrefix: return "prefix";
    case SearchMode::kFuzzy: return "fuzzy";
    case SearchMode::kRegex: return "regex";
    case SearchMode::kExact: return "exact";
  }
  return "substring";
}

Status ParseRankMode(std::string_view s, RankMode* out) {
  for (RankMode r : kAllRanks)
    if (s == RankModeName(r)) return *out = r, Status::OK();
  return Status::InvalidArgument("unknown ranking '" + std::string(s) + "': expected recent or frecency");
}

std::string_view RankModeName(RankMode m) { return m == RankMode::kRecent ? "recent" : "frecency"; }

int64_t SearchDeadline(int64_t ms) { return ms > 0 ? MonoNs() + ms * 1000000 : 0; }

// Overlay records' commands as unified ids: a text already in the index
// keeps its id, a new one gets index.size() + k.
struct Searcher::OverlayCmds {
  std::vector<uint32_t> rec_cmd;        // per overlay record
  std::vector<std::string_view> texts;  // new texts, id = base + k
  // Uses and failed uses per unified id among the overlay records.
  std::unordered_map<uint32_t, std::pair<uint32_t, uint32_t>> counts;
};

Searcher::Searcher(const SearchIndex& index, const IndexOverlay* overlay)
    : index_(index), overlay_(overlay), extra_(std::make_unique<OverlayCmds>()) {
  if (!overlay_) return;
  std::unordered_map<std::string_view, uint32_t> fresh;
  uint32_t base = static_cast<uint32_t>(index_.commands().size());
  for (const auto& rec : overlay_->records) {
    if (auto id = index_.commands().Find(rec.command)) {
      extra_->rec_cmd.push_back(*id);
      continue;
    }
    auto [it, added] = fresh.try_emplace(rec.command, base + static_cast<uint32_t>(extra_->texts.size()));
    if (added) extra_->texts.push_back(rec.command);
    extra_->rec_cmd.push_back(it->second);
  }
  for (size_t i = 0; i < overlay_->records.size(); ++i) {
    auto& [uses, failures] = extra_->counts[extra_->rec_cmd[i]];
    ++uses;
    const auto& e = overlay_->records[i].exit_code;
    if (e && *e != 0) ++failures;
  }
}

Searcher::~Searcher() = default;

namespace {

// Whether command `c` (a unified id: index texts, then `extra`) matches;
// index texts are matched in their folded form from the index.
bool MatchCommand(const SearchIndex& ix, std::span<const std::string_view> extra, const Matcher& m, uint32_t c,
                  int* score) {
  uint32_t base = static_cast<uint32_t>(ix.commands().size());
  return c < base ? m.MatchFolded(ix.commands().Get(c), ix.folded_command(c), score, nullptr)
                  : m.Match(extra[c - base], score, nullptr);
}

// Per unified command id: matched? and the fuzzy score.
struct CmdState {
  std::vector<uint8_t> match;
  std::vector<int> fuzzy;
  bool all = false;
  size_t matched = 0;
};

// Marks the index commands that match, using one memmem pass over the
// (folded) blob for the query's required literal when there is one.
bool MatchIndexCommands(const SearchIndex& ix, const Matcher& m, int64_t deadline, CmdState* st) {
  const StringTable& t = ix.commands();
  size_t n = t.size();
  bool fuzzy = m.mode() == SearchMode::kFuzzy;
  auto offs = t.offsets();
  auto check = [&](uint32_t id) {
    int score = 0;
    if (MatchCommand(ix, {}, m, id, fuzzy ? &score : nullptr)) {
      ++st->matched;
      st->match[id] = 1;
      if (fuzzy) st->fuzzy[id] = score;
    }
  };
  const std::string& lit = m.required_literal();
  if (m.mode() == SearchMode::kExact && m.case_sensitive()) {
    if (auto id = t.Find(lit)) st->match[*id] = 1, st->matched = 1;
    return true;
  }
  if (lit.empty()) {
    for (uint32_t id = 0; id < n; ++id) {
      if (deadline && (id & 0xfff) == 0 && MonoNs() >= deadline) return false;
      check(id);
    }
    return true;
  }
  std::string_view hay = m.case_sensitive() ? t.blob() : ix.commands_folded();
  // A lone substring term is proven by the occurrence itself.
  const bool proven = m.single_substring();
  size_t pos = 0;
  uint32_t id = 0;
  for (size_t k = 0;; ++k) {
    if (deadline && (k & 0xfff) == 0xfff && MonoNs() >= deadline) return false;
    const void* hit = memmem(hay.data() + pos, hay.size() - pos, lit.data(), lit.size());
    if (!hit) return true;
    size_t at = static_cast<const char*>(hit) - hay.data();
    while (offs[id + 1] <= at) ++id;  // occurrences only move forward
    if (at + lit.size() <= offs[id + 1]) {
      if (proven)
        st->match[id] = 1, ++st->matched;
      else
        check(id);
      pos = offs[id + 1];
    } else {
      pos = at + 1;  // the occurrence spans two commands
    }
    if (pos >= hay.size()) return true;
  }
}

// Recent + unique without filters: walking the rows newest first stops
// after `limit` distinct commands, which is quick when many commands match;
// taking each matching command's latest row is quick when few do.
bool WalkIsCheaper(const SearchIndex& ix, const CmdState& st, size_t limit) {
  size_t unique = st.all ? ix.commands().size() : st.matched;
  if (unique < limit) return false;
  return limit * ix.rows() / std::max<size_t>(unique, 1) < 100000;
}

// The frecency formula of docs/architecture.md, "Search ranking".
double Frecency(uint32_t uses, uint32_t failures, int64_t last_ns, int64_t now_ns, bool here, bool workspace) {
  if (uses == 0) return 0;
  double age_days = std::max<double>(0, static_cast<double>(now_ns - last_ns) / 86400e9);
  double recency = 0.1 + 0.9 * std::exp2(-age_days / 7.0);
  double success = 1.0 - 0.5 * static_cast<double>(failures) / uses;
  double boost = here ? 2.0 : workspace ? 1.5 : 1.0;
  return (1.0 + std::log(static_cast<double>(uses))) * recency * success * boost;
}

struct Agg {
  uint32_t cmd = 0;
  uint32_t uses = 0, failures = 0;
  Row latest;
  bool here = false, ws = false;
  double score = 0;
};

// Per-command aggregates of the candidates, compactly (a slot per id).
struct Aggregates {
  explicit Aggregates(size_t total) : slot(total, UINT32_MAX) {}
  Agg& Get(uint32_t c) {
    if (slot[c] == UINT32_MAX) {
      slot[c] = static_cast<uint32_t>(list.size());
      list.push_back(Agg{});
      list.back().cmd = c;
    }
    return list[slot[c]];
  }
  // Same-directory / same-workspace marks for the frecency boosts.
  void MarkPlace(const SearchIndex& ix, const Row& row, const SearchRequest& req) {
    if (req.current_cwd.empty() && req.current_workspace.empty()) return;
    Agg& a = Get(row.cmd);
    std::string_view cwd = row.rec ? std::string_view(row.rec->cwd) : ix.cwds().Get(ix.cwd(row.base_row));
    if (!req.current_cwd.empty() && cwd == req.current_cwd) a.here = true;
    if (!req.current_workspace.empty() && search_internal::IsUnder(cwd, req.current_workspace)) a.ws = true;
  }
  std::vector<uint32_t> slot;
  std::vector<Agg> list;
};

// Unique ranking without filters: the index's per-command totals plus the
// overlay, and one pass over the directory column for the boosts.
template <typename Matches>
void AggregateFromIndex(const SearchIndex& ix, const IndexOverlay* ov, const std::vector<uint32_t>& ov_cmds,
                        const SearchRequest& req, const Matches& matches, bool boosts, Aggregates* ag) {
  uint32_t base = static_cast<uint32_t>(ix.commands().size());
  for (uint32_t c = 0; c < base; ++c) {
    if (!matches(c)) continue;
    Agg& a = ag->Get(c);
    a.uses = ix.uses(c), a.failures = ix.failures(c);
    uint32_t r = ix.last_row(c);
    a.latest = Row{ix.time(r), ix.seq(r), c, r, ov ? ov->Patch(r) : nullptr};
  }
  if (ov) {
    for (const auto& [row, rec] : ov->patched) {
      uint32_t c = ix.cmd(row);
      if (c < base && matches(c) && !(ix.flags(row) & kRowHasExit) && rec.exit_code && *rec.exit_code != 0)
        ++ag->Get(c).failures;
    }
    for (size_t i = 0; i < ov->records.size(); ++i) {
      const HistoryRecord& rec = ov->records[i];
      uint32_t c = ov_cmds[i];
      if (!matches(c)) continue;
      Agg& a = ag->Get(c);
      Row row{rec.started_at_ns, rec.seq, c, UINT32_MAX, &rec};
      if (a.uses++ == 0 || row.time > a.latest.time || (row.time == a.latest.time && row.seq > a.latest.seq))
        a.latest = row;
      if (rec.exit_code && *rec.exit_code != 0) ++a.failures;
      if (boosts) ag->MarkPlace(ix, row, req);
    }
  }
  if (!boosts) return;
  std::optional<uint32_t> here = req.current_cwd.empty() ? std::nullopt : ix.cwds().Find(req.current_cwd);
  std::vector<uint8_t> ws;
  if (!req.current_workspace.empty()) {
    ws.resize(ix.cwds().size());
    for (uint32_t i = 0; i < ws.size(); ++i) ws[i] = search_internal::IsUnder(ix.cwds().Get(i), req.current_workspace);
  }
  if (!here && ws.empty()) return;
  auto cwds = ix.cwd_column();
  auto cmds = ix.cmd_column();
  for (size_t r = 0; r < std::min(cwds.size(), cmds.size()); ++r) {  // shorter only when damaged
    bool h = here && cwds[r] == *here, w = !ws.empty() && ws[cwds[r]];
    if (!h && !w) continue;
    uint32_t c = cmds[r];
    if (ag->slot[c] == UINT32_MAX) continue;
    Agg& a = ag->list[ag->slot[c]];
    a.here |= h, a.ws |= w;
  }
}

// The request's own running line (SearchRequest::exclude_self): the newest
// row of its session, when that row is running and its text holds every
// word.
std::optional<Row> SelfRow(const SearchIndex& ix, const IndexOverlay* ov, const std::vector<uint32_t>& ov_cmds,
                           const SearchRequest& req) {
  if (!req.exclude_self || req.exclude_self->session.empty()) return std::nullopt;
  const std::string& session = req.exclude_self->session;
  bool anywhere = ix.sessions().Find(session).has_value();
  for (size_t i = 0; ov && !anywhere && i < ov->records.size(); ++i) anywhere = ov->records[i].session == session;
  if (!anywhere) return std::nullopt;  // no walk over every row for nothing
  SearchRequest own;
  own.filter.session = session;
  Scope scope(ix, own);
  std::optional<Row> newest;
  WalkRows(
      ix, ov, ov_cmds, own.filter, 0,
      [&](uint32_t, size_t r) { return r == SIZE_MAX || (ix.RowOk(r) && scope.BaseAccepts(ix, r)); },
      [&](const Row& row) {
        if (!scope.Accepts(ix, row)) return true;
        newest = row;
        return false;
      });
  if (!newest || (!newest->rec && !ix.RowOk(newest->base_row))) return std::nullopt;
  HistoryRecord rec = newest->Record(ix);
  if (!rec.running) return std::nullopt;
  for (const std::string& w : req.exclude_self->words)
    if (rec.command.find(w) == std::string::npos) return std::nullopt;
  return newest;
}

}  // namespace

Status Searcher::Search(const SearchRequest& req, SearchResult* out) const {
  Status s = SearchUnchecked(req, out);
  if (s.IsCorruption()) *out = SearchResult{};  // a damaged row was met: nothing it led to is returned
  if (!index_.damaged()) return s;
  *out = SearchResult{};  // computed from bytes that failed their checksum
  return index_.damage();
}

Status Searcher::SearchUnchecked(const SearchRequest& req, SearchResult* out) const {
  out->hits.clear();
  out->deadline_exceeded = false;
  Matcher m;
  TB_RETURN_IF_ERROR(Matcher::Parse(req.query, req.mode, &m));
  const int64_t dl = req.deadline_mono_ns;
  const uint32_t base = static_cast<uint32_t>(index_.commands().size());
  const size_t total = base + extra_->texts.size();
  const bool fuzzy = req.mode == SearchMode::kFuzzy;
  Scope scope(index_, req);
  const size_t limit = req.filter.limit ? req.filter.limit : SIZE_MAX;
  Status row_error;
  auto emit = [&](const Row& row, uint32_t uses, uint32_t failures, double score) {
    if (!row.rec && !index_.RowOk(row.base_row)) {
      row_error = Status::Corruption("search index row " + std::to_string(row.base_row) + " is damaged");
      return;
    }
    SearchHit h;
    h.record = row.Record(index_);
    m.Match(h.record.command, nullptr, &h.matches);
    h.uses = uses, h.failures = failures, h.score = score;
    out->hits.push_back(std::move(h));
  };
  auto global_uses = [&](uint32_t c, uint32_t* u, uint32_t* f) {
    *u = c < base ? index_.uses(c) : 0;
    *f = c < base ? index_.failures(c) : 0;
    if (auto it = extra_->counts.find(c); it != extra_->counts.end()) *u += it->second.first, *f += it->second.second;
  };
  const bool ranked = fuzzy || req.rank == RankMode::kFrecency;
  const std::optional<Row> self_row = SelfRow(index_, overlay_, extra_->rec_cmd, req);
  const std::optional<uint64_t> self = self_row ? std::optional<uint64_t>(self_row->seq) : std::nullopt;
  const bool from_totals = req.unique && !scope.filtered();  // per-command totals suffice
  const HistoryFilter& f = req.filter;
  const uint32_t filter_cols = (f.cwd || req.under_dir ? SearchIndex::kCwdColumn : 0) |
                               (f.session ? SearchIndex::kSessionColumn : 0) | (f.host ? SearchIndex::kHostColumn : 0);
  // Newest first, one row per use (or per text when unique), up to the limit.
  std::vector<uint8_t> seen;
  auto recent_visit = [&](const Row& row) {
    if (row.seq == self || !scope.Accepts(index_, row)) return true;
    if (req.unique) {
      if (seen[row.cmd]) return true;
      seen[row.cmd] = 1;
    }
    uint32_t u, fl;
    global_uses(row.cmd, &u, &fl);
    emit(row, u, fl, 0);
    return row_error.ok() && out->hits.size() < limit;
  };
  if (!ranked && !m.empty() && limit != SIZE_MAX) {
    // Common texts fill the page within the newest rows: test the commands
    // met there one by one (remembered per text) and stop at the limit.
    // Only when that does not fill the page is every text matched below.
    // Each row's ids are checked as it is met (RowOk), not whole columns.
    std::vector<uint8_t> memo(total, 0);  // 0 unknown, 1 matches, 2 does not
    auto lazy = [&](uint32_t c, size_t r) {
      if (r != SIZE_MAX && !index_.RowOk(r)) {
        if (row_error.ok()) row_error = Status::Corruption("search index row " + std::to_string(r) + " is damaged");
        return false;
      }
      if (r != SIZE_MAX && !scope.BaseAccepts(index_, r)) return false;
      if (memo[c] == 0) memo[c] = MatchCommand(index_, extra_->texts, m, c, nullptr) ? 1 : 2;
      return memo[c] == 1;
    };
    seen.assign(req.unique ? total : 0, 0);
    WalkEnd end = WalkRows(index_, overlay_, extra_->rec_cmd, f, dl, lazy, recent_visit, kLazyRows);
    if (end != WalkEnd::kCapped) {
      out->deadline_exceeded = end == WalkEnd::kDeadline;
      return row_error;
    }
    out->hits.clear();
  }
  CmdState st;
  st.all = m.empty();
  if (fuzzy) st.fuzzy.assign(total, 0);  // ranked below even when the query is empty (all 0)
  if (!st.all) {
    st.match.assign(total, 0);
    if (!MatchIndexCommands(index_, m, dl, &st)) return out->deadline_exceeded = true, Status::OK();
    for (uint32_t c = base; c < total; ++c) {
      int score = 0;
      if (MatchCommand(index_, extra_->texts, m, c, fuzzy ? &score : nullptr)) {
        st.match[c] = 1;
        ++st.matched;
        if (fuzzy) st.fuzzy[c] = score;
      }
    }
    if (st.matched == 0) return Status::OK();
  }
  auto matches = [&](uint32_t c) { return st.all || st.match[c]; };
  const bool walk_recent = !ranked && (!from_totals || WalkIsCheaper(index_, st, limit));
  // The walk reads command ids a checksum block at a time, so one that stops
  // early verifies only what it read: each id is checked as it is met.
  auto want = [&](uint32_t c, size_t r) {
    if (r != SIZE_MAX && c >= base) {
      if (row_error.ok()) row_error = Status::Corruption("search index row " + std::to_string(r) + " is damaged");
      return false;
    }
    return matches(c) && (r == SIZE_MAX || scope.BaseAccepts(index_, r));
  };
  {
    // The row columns the aggregation or the boosts read whole.
    bool boosts = ranked && (!req.current_cwd.empty() || !req.current_workspace.empty());
    uint32_t cols = (!walk_recent && (!from_totals || boosts) ? SearchIndex::kCmdColumn : 0) | filter_cols |
                    (boosts ? SearchIndex::kCwdColumn : 0);
    TB_RETURN_IF_ERROR(index_.CheckRows(cols));
  }
  if (walk_recent) {
    seen.assign(req.unique ? total : 0, 0);
    WalkEnd end = WalkRows(index_, overlay_, extra_->rec_cmd, f, dl, want, recent_visit);
    out->deadline_exceeded = end == WalkEnd::kDeadline;
    return row_error;
  }
  // Aggregate the matching rows in scope per command.
  Aggregates ag(total);
  std::vector<Row> rows;  // non-unique: every matching row
  bool done = true;
  if (from_totals) {
    AggregateFromIndex(index_, overlay_, extra_->rec_cmd, req, matches, ranked, &ag);
    if (self_row && ag.slot[self_row->cmd] != UINT32_MAX) {
      // The totals count the left-out row (running: not as a failure). Its
      // command's latest use is then the one before it: a pass over the
      // command column that stops there.
      const uint32_t slot = ag.slot[self_row->cmd];
      Agg& a = ag.list[slot];
      bool latest = a.latest.seq == *self;
      if (--a.uses > 0 && latest) {
        HistoryFilter all;
        WalkRows(
            index_, overlay_, extra_->rec_cmd, all, 0, [&](uint32_t c, size_t) { return c == a.cmd; },
            [&](const Row& row) {
              if (row.seq == *self) return true;
              a.latest = row;
              return false;
            });
      }
      // No other use: the text is no result (slots are not used below).
      if (a.uses == 0) ag.list.erase(ag.list.begin() + slot);
    }
  } else {
    done = WalkEnd::kDeadline != WalkRows(index_, overlay_, extra_->rec_cmd, f, dl, want, [&](const Row& row) {
             if (row.seq == self || !scope.Accepts(index_, row)) return true;
             Agg& a = ag.Get(row.cmd);
             if (a.uses++ == 0) a.latest = row;
             std::optional<int32_t> e = row.Exit(index_);
             if (e && *e != 0) ++a.failures;
             ag.MarkPlace(index_, row, req);
             if (!req.unique) rows.push_back(row);
             return true;
           });
  }
  out->deadline_exceeded = !done;
  for (Agg& a : ag.list) {
    if (!ranked) break;  // recent: the order is the latest use's
    double fr = Frecency(a.uses, a.failures, a.latest.time, req.now_ns, a.here, a.ws);
    // Fuzzy: match quality first, frecency breaks ties (it stays below 1000).
    a.score = fuzzy ? st.fuzzy[a.cmd] * 1000.0 + std::min(fr, 999.0) : fr;
  }
  auto newer = [](const Row& a, const Row& b) { return a.time != b.time ? a.time > b.time : a.seq > b.seq; };
  if (req.unique) {
    auto better = [&](const Agg& a, const Agg& b) {
      if (a.score != b.score) return a.score > b.score;
      return newer(a.latest, b.latest);
    };
    size_t k = std::min(limit, ag.list.size());
    std::partial_sort(ag.list.begin(), ag.list.begin() + k, ag.list.end(), better);
    for (size_t i = 0; i < k; ++i) emit(ag.list[i].latest, ag.list[i].uses, ag.list[i].failures, ag.list[i].score);
    return row_error;
  }
  auto better = [&](const Row& a, const Row& b) {
    double sa = ag.Get(a.cmd).score, sb = ag.Get(b.cmd).score;
    if (sa != sb) return sa > sb;
    return newer(a, b);
  };
  size_t k = std::min(limit, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + k, rows.end(), better);
  for (size_t i = 0; i < k; ++i) {
    const Agg& a = ag.Get(rows[i].cmd);
    emit(rows[i], a.uses, a.failures, a.score);
  }
  return row_error;
}

}  // namespace tb
