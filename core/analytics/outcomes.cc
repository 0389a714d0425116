#include "core/analytics/outcomes.h"

#include <algorithm>
#include <map>

#include "core/analytics/learning.h"

namespace tb {
namespace {

Status Malformed() { return Status::Corruption("view sequences: malformed outcome counters"); }

// The value of `key`; empty when absent.
Status GetValue(CounterSource& src, const std::string& key, std::string* value) {
  Status s = src.Get(key, value);
  if (s.IsNotFound()) {
    value->clear();
    return Status::OK();
  }
  return s;
}

}  // namespace

bool MostlyFails(uint64_t uses, uint64_t failures, bool fixed) {
  return failures > 0 && 4 * failures >= 3 * uses && (failures >= kMinFailures || fixed);
}

Status ReadOutcome(CounterSource& src, std::string_view tmpl, uint64_t known_uses, TemplateOutcome* out) {
  *out = TemplateOutcome{};
  std::string value;
  TB_RETURN_IF_ERROR(GetValue(src, OutcomeKey(tmpl), &value));
  out->uses = known_uses;
  if (value.empty()) return Status::OK();
  CounterReader r(value);
  std::string_view name, fix;
  uint64_t count, best = 0;
  while (r.Next(&name, &count)) {
    if (name.empty()) {
      out->failures = count;
    } else if (name[0] == '>') {
      name.remove_prefix(1);
      if (!GetLengthPrefixed(&name, &fix) || !name.empty()) return Malformed();
      if (count > best) best = count, out->fix = std::string(fix);  // names ascend: ties keep the first
    }
  }
  if (!r.ok()) return Malformed();
  const bool fixed = !out->fix.empty();
  // Uses only grow the denominator: a lower bound that already fails the
  // rule settles it.
  if (!MostlyFails(std::max(known_uses, out->failures), out->failures, fixed)) return Status::OK();
  TB_RETURN_IF_ERROR(GetValue(src, UnigramKey(tmpl), &value));
  if (!FindCounter(value, TemplateName(tmpl), &out->uses)) return Malformed();
  out->failing = MostlyFails(out->uses, out->failures, fixed);
  return Status::OK();
}

Status DropFailingPatterns(CounterSource& src, std::vector<Pattern>* patterns) {
  std::map<std::string, bool, std::less<>> failing;  // template -> failing, read once
  Status s;
  std::erase_if(*patterns, [&](const Pattern& p) {
    for (const std::string& t : p.templates) {
      auto [it, added] = failing.emplace(t, false);
      if (added && s.ok()) {
        TemplateOutcome o;
        s = ReadOutcome(src, t, 0, &o);
        it->second = o.failing;
      }
      if (it->second) return true;
    }
    return false;
  });
  return s;
}

}  // namespace tb
