#include "core/analytics/context_brief.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "core/analytics/classify.h"
#include "core/analytics/outcomes.h"
#include "core/history_query.h"
#include "core/timefmt.h"
#include "core/utf8.h"

namespace tb {
namespace {

// Categories shown under "Conventions", in this order.
constexpr std::string_view kConventionCategories[] = {"build",      "test",  "package manager", "container",
                                                      "kubernetes", "cloud", "database"};

std::string Code(std::string_view raw) {
  std::string s = EscapeForTerminal(ToValidUtf8(raw));
  size_t run = 0, longest = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  bool pad = !s.empty() && (s.front() == '`' || s.back() == '`');
  return fence + (pad ? " " : "") + s + (pad ? " " : "") + fence;
}

std::string Date(int64_t ns) { return FormatRfc3339Millis(ns).substr(0, 10); }

std::string_view Title(ContextTarget t) {
  switch (t) {
    case ContextTarget::kClaude: return "# Project context for Claude";
    case ContextTarget::kCursor: return "# Project context for Cursor";
    case ContextTarget::kCopilot: return "# Project context for GitHub Copilot";
    case ContextTarget::kGeneric: break;
  }
  return "# Project context";
}

void Project(const ContextData& d, std::string* out) {
  const ProjectInfo& p = d.project;
  *out += "\n## Project\n";
  *out += "- Directory: " + Code(p.dir) + "\n";
  if (!p.types.empty()) {
    std::string types;
    for (const std::string& t : p.types) types += (types.empty() ? "" : ", ") + t;
    *out += "- Type: " + types + "\n";
  }
  if (!p.git_root.empty()) {
    std::string git = "- Git: repository " + Code(p.git_root);
    if (!p.branch.empty()) git += ", branch " + Code(p.branch);
    if (!p.remote.empty()) git += ", remote " + Code(p.remote);
    *out += git + "\n";
  }
}

std::string Outcome(const HistoryRecord& r) {
  if (r.running) return "running";
  if (!r.exit_code) return "exit unknown";
  return "exit " + std::to_string(*r.exit_code);
}

void Recent(const ContextData& d, const ContextOptions& o, std::string* out) {
  if (d.recent.empty()) return;
  *out += o.topic ? "\n## Recent commands for \"" + EscapeForTerminal(ToValidUtf8(*o.topic)) + "\"\n"
                  : "\n## Recent commands here\n";
  for (const HistoryRecord& r : d.recent) {
    std::string where = o.topic && r.cwd != o.cwd ? "in " + Code(r.cwd) + ", " : "";
    *out += "- " + Code(r.command) + " (" + where + Date(r.started_at_ns) + ", " + Outcome(r) + ")\n";
  }
}

void Conventions(const ContextData& d, std::string* out) {
  if (d.conventions.empty()) return;
  *out += "\n## Conventions\nCommands used in this directory, by kind (most used first):\n";
  for (const ConventionRow& c : d.conventions) {
    *out += "- " + c.category + ": " + Code(c.example) + " (" + std::to_string(c.uses) + " use" +
            (c.uses == 1 ? "" : "s") + " of " + Code(c.group) + ")\n";
  }
}

void Failures(const ContextData& d, std::string* out) {
  if (d.failures.empty()) return;
  *out += "\n## Recent failures\n";
  for (const HistoryRecord& r : d.failures) {
    *out += "- " + Code(r.command) + " (" + Outcome(r) + ", " + Date(r.started_at_ns) + ")\n";
  }
}

void Fixes(const ContextData& d, std::string* out) {
  if (d.fixes.empty()) return;
  *out += "\n## Learned fixes\n";
  for (const FixEntry& f : d.fixes) {
    *out += "- " + Code(f.failed) + " failed (exit " + std::to_string(f.exit_code) + ") -> fixed by " + Code(f.fix) +
            " (" + std::to_string(f.count) + (f.count == 1 ? " time" : " times") + ", last on " + Date(f.last_time_ns) +
            ")\n";
  }
}

// "`a` -> `b` -> `c`".
std::string Steps(const std::vector<std::string>& steps) {
  std::string out;
  for (const std::string& s : steps) out += (out.empty() ? "" : " -> ") + Code(s);
  return out;
}

void Workflows(const ContextData& d, std::string* out) {
  if (d.workflows.empty() && d.patterns.empty()) return;
  *out += "\n## Workflows\n";
  for (const Workflow& w : d.workflows) *out += "- saved " + Code(w.name) + ": " + Steps(w.steps) + "\n";
  for (const Pattern& p : d.patterns) {
    *out += "- frequent: " + Steps(p.templates) + " (" + std::to_string(p.support) + " times, confidence " +
            std::to_string(static_cast<int>(p.confidence * 100 + 0.5)) + "%)\n";
  }
}

// Keeps the whole lines that fit in max_bytes, then drops a trailing
// header or blank line (a section cut right after its title).
std::string Cut(const std::string& text, size_t max_bytes) {
  if (max_bytes == 0 || text.size() <= max_bytes) return text;
  size_t end = text.rfind('\n', max_bytes - 1);
  std::string kept = end == std::string::npos ? "" : text.substr(0, end + 1);
  while (!kept.empty()) {
    size_t start = kept.rfind('\n', kept.size() - 2);
    start = start == std::string::npos ? 0 : start + 1;
    std::string_view last(kept.data() + start, kept.size() - start);
    if (last != "\n" && !last.starts_with("## ") && !last.ends_with(":\n")) break;
    kept.resize(start);
  }
  return kept;
}

// Fixes, saved workflows and frequent sequences (the other analytics views).
Status GatherLearned(StoreReader& reader, const ContextOptions& o, ContextData* d) {
  FixQuery fq;
  fq.text = o.topic.value_or("");
  fq.limit = o.learned;
  TB_RETURN_IF_ERROR(ListFixes(reader, fq, &d->fixes));
  TB_RETURN_IF_ERROR(ListWorkflows(reader, &d->workflows));
  if (d->workflows.size() > o.learned) d->workflows.resize(o.learned);
  std::unique_ptr<CounterSource> counters = ViewCounters(reader);
  // Sequences through a failing command are not advice: the top ones are
  // read, and more when failing ones left too few (a limit keeps
  // ListPatterns fast).
  PatternQuery pq;
  pq.min_support = 2;
  for (pq.limit = o.learned; pq.limit > 0; pq.limit *= 4) {
    TB_RETURN_IF_ERROR(ListPatterns(*counters, pq, &d->patterns));
    const bool more = d->patterns.size() >= pq.limit;
    TB_RETURN_IF_ERROR(DropFailingPatterns(*counters, &d->patterns));
    if (d->patterns.size() >= o.learned || !more) break;
  }
  if (d->patterns.size() > o.learned) d->patterns.resize(o.learned);
  return Status::OK();
}

}  // namespace

Status ParseContextTarget(std::string_view text, ContextTarget* out) {
  static const std::pair<std::string_view, ContextTarget> kTargets[] = {{"claude", ContextTarget::kClaude},
                                                                        {"cursor", ContextTarget::kCursor},
                                                                        {"copilot", ContextTarget::kCopilot},
                                                                        {"generic", ContextTarget::kGeneric}};
  for (const auto& [name, t] : kTargets) {
    if (text == name) {
      *out = t;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown target '" + std::string(text) +
                                 "' for tb context --for: expected claude, cursor, copilot or generic");
}

Status GatherContext(StoreReader& reader, const ContextOptions& o, ContextData* d) {
  HistoryFilter recent;
  recent.limit = o.scan_limit;
  if (o.topic) {
    recent.text = *o.topic;
  } else {
    recent.cwd = o.cwd;
  }
  std::unordered_set<std::string> seen;
  TB_RETURN_IF_ERROR(QueryHistory(reader, recent, [&](const HistoryRecord& r) {
    if (seen.insert(r.command).second) d->recent.push_back(r);
    return d->recent.size() < o.recent;
  }));

  struct Group {
    std::string category, example;
    uint64_t uses = 0, failures = 0;
    bool example_ok = false;
  };
  std::map<std::string, Group> groups;
  std::set<std::string_view> wanted(std::begin(kConventionCategories), std::end(kConventionCategories));
  std::unordered_set<std::string> failed_seen;
  const Classifier& cl = Classifier::Default();
  HistoryFilter here;
  here.cwd = o.cwd;
  here.limit = o.scan_limit;
  TB_RETURN_IF_ERROR(QueryHistory(reader, here, [&](const HistoryRecord& r) {
    if (r.exit_code && *r.exit_code != 0 && d->failures.size() < o.failures && failed_seen.insert(r.command).second) {
      d->failures.push_back(r);
    }
    std::string group = cl.Group(r.command);
    std::string_view cat = cl.Category(group);
    if (!wanted.contains(cat)) return true;
    Group& g = groups[group];
    g.category = std::string(cat);
    g.uses++;
    if (r.exit_code && *r.exit_code != 0) g.failures++;
    bool ok = r.exit_code == 0;
    if (g.example.empty() || (ok && !g.example_ok)) {
      g.example = r.command;
      g.example_ok = ok;
    }
    return true;
  }));
  for (std::string_view cat : kConventionCategories) {
    std::vector<ConventionRow> rows;
    for (const auto& [name, g] : groups) {
      if (g.category == cat && !MostlyFails(g.uses, g.failures)) {
        rows.push_back(ConventionRow{g.category, name, g.example, g.uses});
      }
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const ConventionRow& a, const ConventionRow& b) { return a.uses > b.uses; });
    if (rows.size() > o.per_category) rows.resize(o.per_category);
    d->conventions.insert(d->conventions.end(), rows.begin(), rows.end());
  }
  return GatherLearned(reader, o, d);
}

std::string RenderContext(const ContextData& d, const ContextOptions& o, const SecretMasker* masker, size_t max_bytes) {
  std::string out(Title(o.target));
  out +=
      "\nGenerated by `tb context` from the shell history recorded on this machine "
      "(commands as typed, secrets masked).\n";
  Project(d, &out);
  Recent(d, o, &out);
  Conventions(d, &out);
  Failures(d, &out);
  Fixes(d, &out);
  Workflows(d, &out);
  if (masker != nullptr) masker->Mask(&out);
  return Cut(out, max_bytes);
}

}  // namespace tb
