#include "core/analytics/learning.h"

#include <algorithm>
#include <climits>
#include <unordered_map>

#include "core/analytics/fixes.h"
#include "core/crc32c.h"
#include "core/keycode.h"

namespace tb {

namespace {

std::string Tagged(char tag, std::string_view a) {
  std::string k(1, tag);
  PutLengthPrefixed(&k, a);
  return k;
}

std::string CounterList(std::string_view name) {
  std::string v;
  PutCounter(&v, name, 1);
  return v;
}

std::string Bucket(char tag, std::string_view tmpl) {
  std::string k(1, tag);
  k.push_back(static_cast<char>(Crc32c(tmpl) % kBuckets));
  return k;
}

}  // namespace

std::string DirPrefix(std::string_view cwd) { return Tagged('d', cwd); }

std::string DirKey(std::string_view cwd, std::string_view tmpl) {
  std::string k = DirPrefix(cwd);
  PutLengthPrefixed(&k, tmpl);
  return k;
}

std::string UnigramKey(std::string_view tmpl) { return Bucket('u', tmpl); }
std::string UnigramPrefix() { return "u"; }
std::string FollowedKey(std::string_view tmpl) { return Bucket('f', tmpl); }
std::string FollowedPrefix() { return "f"; }
std::string FollowersKey(std::string_view b) { return Tagged('b', b); }

std::string OutcomeKey(std::string_view tmpl) { return Tagged('x', tmpl); }

std::string PairKey(std::string_view a, std::string_view b) {
  std::string k = Tagged('t', a);
  PutLengthPrefixed(&k, b);
  return k;
}

bool ParseDirKey(std::string_view key, std::string_view* cwd, std::string_view* tmpl) {
  if (key.empty() || key[0] != 'd') return false;
  key.remove_prefix(1);
  return GetLengthPrefixed(&key, cwd) && GetLengthPrefixed(&key, tmpl) && key.empty();
}

std::string TemplateName(std::string_view t) {
  std::string n;
  PutLengthPrefixed(&n, t);
  return n;
}

std::string FollowerName(std::string_view x) { return Tagged('>', x); }
std::string LeftName(std::string_view a) { return Tagged('<', a); }

std::string PairName(std::string_view x, const std::string_view* z) {
  std::string n;
  PutLengthPrefixed(&n, x);
  if (z != nullptr) PutLengthPrefixed(&n, *z);
  return n;
}

void SequenceOps(const Completion& c, std::vector<SequenceOp>* ops) {
  ops->clear();
  ops->push_back({DirKey(c.record->cwd, c.tmpl), CounterList(kCountName)});
  ops->push_back({UnigramKey(c.tmpl), CounterList(TemplateName(c.tmpl))});
  if (c.exit_code && *c.exit_code != 0) ops->push_back({OutcomeKey(c.tmpl), CounterList(kCountName)});
  TaughtFix fix;
  if (FindFix(c, &fix) && fix.failed->tmpl != fix.fix_tmpl) {
    ops->push_back({OutcomeKey(fix.failed->tmpl), CounterList(FollowerName(fix.fix_tmpl))});
  }
  const size_t m = c.before.size();
  if (m == 0) return;
  const std::string_view b = c.before[m - 1].tmpl;
  ops->push_back({FollowedKey(b), CounterList(TemplateName(b))});
  std::string followers;
  // Counters in name order: '<' before '>'; lpbytes(x) before lpbytes(x) lpbytes(z).
  if (m >= 2) PutCounter(&followers, LeftName(c.before[m - 2].tmpl), 1);
  PutCounter(&followers, FollowerName(c.tmpl), 1);
  ops->push_back({FollowersKey(b), std::move(followers)});
  if (m >= 2) {
    const std::string_view a = c.before[m - 2].tmpl;
    std::string pair;
    PutCounter(&pair, PairName(c.tmpl, nullptr), 1);
    if (m >= 3) PutCounter(&pair, PairName(c.tmpl, &c.before[m - 3].tmpl), 1);
    ops->push_back({PairKey(a, b), std::move(pair)});
  }
}

bool FindCounter(std::string_view value, std::string_view name, uint64_t* count) {
  *count = 0;
  CounterReader r(value);
  std::string_view n;
  uint64_t c;
  while (r.Next(&n, &c)) {
    if (n == name) {
      *count = c;
      return true;
    }
    if (n > name) return true;
  }
  return r.ok();
}

void PutCounter(std::string* out, std::string_view name, uint64_t count) {
  PutLengthPrefixed(out, name);
  PutVarint(out, count);
}

bool MergeCounterLists(const std::string_view* existing, std::span<const std::string_view> operands, std::string* out) {
  // The operands' counters, sorted; then one pass beside the existing list
  // (a hot value may hold thousands of counters).
  std::vector<std::pair<std::string_view, uint64_t>> add;
  std::string_view name;
  uint64_t count;
  for (std::string_view op : operands) {
    CounterReader r(op);
    while (r.Next(&name, &count)) add.emplace_back(name, count);
    if (!r.ok()) return false;
  }
  if (add.size() > 64) {
    // A long run of operands (a hot key read before compaction folded them)
    // names few counters many times: summed by name first, then sorted.
    std::unordered_map<std::string_view, uint64_t> sum;
    for (const auto& [n, c] : add) sum[n] += c;
    add.assign(sum.begin(), sum.end());
  }
  std::sort(add.begin(), add.end());
  std::string merged;
  merged.reserve((existing != nullptr ? existing->size() : 0) + 16 * add.size());
  CounterReader old(existing != nullptr ? *existing : std::string_view());
  bool have_old = old.Next(&name, &count);
  size_t i = 0;
  while (have_old || i < add.size()) {
    std::string_view n;
    uint64_t c = 0;
    if (have_old && (i == add.size() || name <= add[i].first)) {
      n = name;
      c = count;
      have_old = old.Next(&name, &count);
      if (have_old && name <= n) return false;  // not canonical
    } else {
      n = add[i].first;
    }
    for (; i < add.size() && add[i].first == n; ++i) c += add[i].second;
    PutCounter(&merged, n, c);
  }
  if (!old.ok()) return false;
  *out = std::move(merged);
  return true;
}

bool AdjustCounterList(std::string_view value, const std::map<std::string, int64_t>& delta, std::string* out) {
  std::string adjusted;
  CounterReader r(value);
  std::string_view name;
  uint64_t count;
  bool have = r.Next(&name, &count);
  auto d = delta.begin();
  auto put = [&](std::string_view n, int64_t c) {
    if (c > 0) PutCounter(&adjusted, n, static_cast<uint64_t>(c));
  };
  while (have || d != delta.end()) {
    if (have && (d == delta.end() || name < d->first)) {
      put(name, static_cast<int64_t>(count));
      have = r.Next(&name, &count);
    } else if (have && name == d->first) {
      put(name, static_cast<int64_t>(count) + d->second);
      have = r.Next(&name, &count);
      ++d;
    } else {
      put(d->first, d->second);
      ++d;
    }
  }
  if (!r.ok()) return false;
  *out = std::move(adjusted);
  return true;
}

bool FindFix(const Completion& c, TaughtFix* out) {
  if (!c.exit_code || *c.exit_code != 0) return false;
  const std::string& cmd = c.record->command;
  // The most recent failure within the window.
  size_t f = c.before.size();
  while (f > 0) {
    const SessionEntry& e = c.before[f - 1];
    if (e.exit_code && *e.exit_code != 0) break;
    --f;
  }
  if (f == 0) return false;
  const SessionEntry& failed = c.before[f - 1];
  if (c.record->time_ns - failed.time_ns > kFixWindowNs) return false;
  std::span<const SessionEntry> between = c.before.subspan(f);
  // c must be the first command after the failure that repeats or resembles it.
  for (const SessionEntry& e : between) {
    if (e.command == failed.command || SimilarCommands(e.command, failed.command)) return false;
  }
  if (cmd == failed.command) {
    if (between.empty()) return false;  // a plain retry teaches nothing
    out->fix = between.front().command;
    out->fix_tmpl = between.front().tmpl;
  } else if (SimilarCommands(failed.command, cmd)) {
    out->fix = cmd;
    out->fix_tmpl = c.tmpl;
  } else {
    return false;
  }
  out->failed = &failed;
  return true;
}

bool FixOf(const Completion& c, std::string* key, std::string* value) {
  TaughtFix f;
  if (!FindFix(c, &f)) return false;
  key->clear();
  PutLengthPrefixed(key, f.failed->command);
  PutLengthPrefixed(key, f.fix);
  PutI64Key(key, c.record->time_ns);
  PutU64BE(key, c.seq);
  value->clear();
  PutZigzag(value, *f.failed->exit_code);
  PutVarint(value, f.failed->seq);
  return true;
}

bool ParseFixKey(std::string_view key, std::string_view* failed, std::string_view* fix, int64_t* time_ns,
                 uint64_t* seq) {
  return GetLengthPrefixed(&key, failed) && GetLengthPrefixed(&key, fix) && GetI64Key(&key, time_ns) &&
         GetU64BE(&key, seq) && key.empty();
}

bool ParseFixValue(std::string_view value, int32_t* exit, uint64_t* failed_seq) {
  int64_t e;
  if (!GetZigzag(&value, &e) || e < INT32_MIN || e > INT32_MAX || !GetVarint(&value, failed_seq)) return false;
  *exit = static_cast<int32_t>(e);
  return value.empty();
}

}  // namespace tb
