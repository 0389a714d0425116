// tb patterns, tb fixes, tb suggest: what the history has learned
// (core/analytics/*).
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "core/analytics/fixes.h"
#include "core/analytics/patterns.h"
#include "core/analytics/suggest.h"
#include "core/analytics/templates.h"
#include "core/history_query.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/search_request.h"

namespace tb {
namespace {

using Json = nlohmann::ordered_json;

double Round4(double x) { return std::round(x * 10000.0) / 10000.0; }

std::string Fixed2(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

std::string PadLeft(std::string s, size_t n) { return s.size() < n ? std::string(n - s.size(), ' ') + s : s; }

bool ScopeGiven(const HistoryFilter& f) {
  return f.cwd || f.session || f.host || f.exit_code || f.failed || f.succeeded || f.since_ns || f.until_ns;
}

// A number option as double in [lo, hi].
Status ParseFraction(const Args& a, const char* name, double lo, double hi, double* out) {
  if (!a.Has(name)) return Status::OK();
  std::string text = a.Str(name);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(v >= lo && v <= hi)) {
    return Status::InvalidArgument("invalid value '" + text + "' for --" + name + " (tb " + a.cmd() +
                                   "): expected a number from " + Fixed2(lo) + " to " + Fixed2(hi));
  }
  *out = v;
  return Status::OK();
}

}  // namespace

Status CmdPatterns(Context& ctx, const Argv& args) {
  Args a("patterns", "patterns [--min-support N] [--min-confidence X] [filters] [--format table|json] [-n N]");
  AddFilterOptions(a.opts());
  a.opts().add_options()("min-support", po::value<std::string>()->value_name("N"),
                         "only sequences seen at least N times (default 2)")(
      "min-confidence", po::value<std::string>()->value_name("X"), "only sequences with confidence >= X (0..1)");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  PatternQuery q;
  std::optional<int64_t> v;
  TB_RETURN_IF_ERROR(a.Int("min-support", 1, INT64_MAX, &v));
  if (v) q.min_support = static_cast<uint64_t>(*v);
  TB_RETURN_IF_ERROR(ParseFraction(a, "min-confidence", 0, 1, &q.min_confidence));
  HistoryFilter f;
  TB_RETURN_IF_ERROR(FilterFromArgs(a, NowNs(), &f));
  if (a.Has("limit")) q.limit = f.limit;
  f.limit = 0;
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  std::vector<Pattern> patterns;
  if (ScopeGiven(f)) {
    // Mined from the matching records (sequences of consecutive matching
    // commands of a session).
    std::vector<HistoryRecord> records;
    TB_RETURN_IF_ERROR(QueryHistory(store->reader(), f, [&](const HistoryRecord& r) {
      records.push_back(r);
      return true;
    }));
    MemoryCounters mem;
    mem.Learn(std::move(records));
    TB_RETURN_IF_ERROR(ListPatterns(mem, q, &patterns));
  } else {
    auto src = ViewCounters(store->reader());
    TB_RETURN_IF_ERROR(ListPatterns(*src, q, &patterns));
  }
  if (json) {
    Json j = Json::array();
    for (const auto& p : patterns) {
      Json t = Json::array();
      for (const auto& s : p.templates) t.push_back(ToValidUtf8(s));
      j.push_back({{"pattern", ToValidUtf8(JoinPattern(p.templates))},
                   {"templates", t},
                   {"length", p.templates.size()},
                   {"support", p.support},
                   {"confidence", Round4(p.confidence)}});
    }
    return WriteOut(JsonText(j)), Status::OK();
  }
  if (patterns.empty()) {
    return WriteOut("no patterns with support >= " + std::to_string(q.min_support) + "\n"), Status::OK();
  }
  std::string out = "SUPPORT  CONFIDENCE  PATTERN\n";
  for (const auto& p : patterns) {
    out += PadLeft(std::to_string(p.support), 7) + "  " + PadLeft(Fixed2(p.confidence), 10) + "  " +
           EscapeForTerminal(JoinPattern(p.templates)) + "\n";
  }
  return WriteOut(out), Status::OK();
}

Status CmdFixes(Context& ctx, const Argv& args) {
  Args a("fixes", "fixes [QUERY...] [--format table|json] [-n N]");
  a.Positional("query", /*many=*/true);
  a.opts().add_options()("limit,n", po::value<std::string>()->value_name("N"), "show at most N fixes");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  FixQuery q;
  for (const auto& w : a.Strs("query")) q.text += (q.text.empty() ? "" : " ") + w;
  std::optional<int64_t> n;
  TB_RETURN_IF_ERROR(a.Int("limit", 0, INT64_MAX, &n));
  if (n) q.limit = static_cast<size_t>(*n);
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  std::vector<FixEntry> fixes;
  TB_RETURN_IF_ERROR(ListFixes(store->reader(), q, &fixes));
  if (json) {
    Json j = Json::array();
    for (const auto& f : fixes) {
      j.push_back({{"failed", ToValidUtf8(f.failed)},
                   {"exit_code", f.exit_code},
                   {"fix", ToValidUtf8(f.fix)},
                   {"count", f.count},
                   {"last_at", FormatRfc3339Millis(f.last_time_ns)}});
    }
    return WriteOut(JsonText(j)), Status::OK();
  }
  if (fixes.empty()) {
    return WriteOut(q.text.empty() ? "no fixes learned yet\n" : "no fixes match '" + q.text + "'\n"), Status::OK();
  }
  std::string out;
  for (const auto& f : fixes) out += EscapeForTerminal(DescribeFix(f)) + "\n";
  return WriteOut(out), Status::OK();
}

Status CmdSuggest(Context& ctx, const Argv& args) {
  Args a("suggest", "suggest [--session ID] [--cwd DIR] [-n N] [--format table|json]");
  a.opts().add_options()("limit,n", po::value<std::string>()->value_name("N"), "how many suggestions (default 5)")(
      "session", po::value<std::string>()->value_name("ID"), "the session (default: $TERMBRAIN_SESSION)")(
      "cwd", po::value<std::string>()->value_name("DIR"), "the directory (default: the current one)");
  bool help, json;
  TB_RETURN_IF_ERROR(ParseTableOrJson(a, args, &help, &json));
  if (help) return WriteOut(a.HelpText()), Status::OK();
  NextCommandRequest req;
  std::optional<int64_t> n;
  TB_RETURN_IF_ERROR(a.Int("limit", 1, 100, &n));
  if (n) req.limit = static_cast<size_t>(*n);
  req.cwd = a.Has("cwd") ? a.Str("cwd") : CurrentDir(ctx);
  req.session = a.Has("session") ? a.Str("session") : ctx.Env("TERMBRAIN_SESSION");
  req.now_ns = NowNs();
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  std::vector<NextCommand> sugg;
  TB_RETURN_IF_ERROR(SuggestNext(store->reader(), req, &sugg));
  if (json) {
    Json j = Json::array();
    for (const auto& [s, command] : sugg) {
      j.push_back({{"command", ToValidUtf8(command)},
                   {"template", ToValidUtf8(s.tmpl)},
                   {"score", Round4(s.score)},
                   {"source", s.source},
                   {"count", s.count}});
    }
    return WriteOut(JsonText(j)), Status::OK();
  }
  if (sugg.empty()) return WriteOut("no suggestions yet: record some commands first\n"), Status::OK();
  std::string out = " #  SCORE  SOURCE     COMMAND\n";
  for (size_t i = 0; i < sugg.size(); ++i) {
    std::string src_name = sugg[i].suggestion.source;
    src_name.resize(9, ' ');
    out += PadLeft(std::to_string(i + 1), 2) + "  " + Fixed2(sugg[i].suggestion.score) + "  " + src_name + "  " +
           EscapeForTerminal(sugg[i].command) + "\n";
  }
  return WriteOut(out), Status::OK();
}

}  // namespace tb
