#include "core/analytics/learning.h"

#include <climits>

#include "core/analytics/fixes.h"
#include "core/keycode.h"

namespace tb {

std::string NgramKey(std::span<const std::string_view> templates) {
  std::string k = NgramPrefix(templates.size(), templates);
  return k;
}

std::string NgramPrefix(size_t n, std::span<const std::string_view> leading) {
  std::string k;
  k.push_back('n');
  k.push_back(static_cast<char>(n));
  for (std::string_view t : leading) PutLengthPrefixed(&k, t);
  return k;
}

std::string DirPrefix(std::string_view cwd) {
  std::string k;
  k.push_back('d');
  PutLengthPrefixed(&k, cwd);
  return k;
}

std::string DirKey(std::string_view cwd, std::string_view tmpl) {
  std::string k = DirPrefix(cwd);
  PutLengthPrefixed(&k, tmpl);
  return k;
}

bool ParseNgramKey(std::string_view key, std::vector<std::string_view>* templates) {
  templates->clear();
  if (key.size() < 2 || key[0] != 'n') return false;
  size_t n = static_cast<uint8_t>(key[1]);
  key.remove_prefix(2);
  for (size_t i = 0; i < n; ++i) {
    std::string_view t;
    if (!GetLengthPrefixed(&key, &t)) return false;
    templates->push_back(t);
  }
  return key.empty() && n > 0;
}

bool ParseDirKey(std::string_view key, std::string_view* cwd, std::string_view* tmpl) {
  if (key.empty() || key[0] != 'd') return false;
  key.remove_prefix(1);
  return GetLengthPrefixed(&key, cwd) && GetLengthPrefixed(&key, tmpl) && key.empty();
}

void SequenceKeys(const Completion& c, std::vector<std::string>* keys) {
  keys->clear();
  keys->push_back(DirKey(c.record->cwd, c.tmpl));
  std::string_view run[kSessionContext + 1];
  size_t m = c.before.size();
  for (size_t i = 0; i < m; ++i) run[i] = c.before[i].tmpl;
  run[m] = c.tmpl;
  // n-grams ending with c: the last n of run[0..m].
  for (size_t n = 1; n <= m + 1; ++n) {
    keys->push_back(NgramKey(std::span<const std::string_view>(run + (m + 1 - n), n)));
  }
}

bool FixOf(const Completion& c, std::string* key, std::string* value) {
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
  std::string_view fix;
  if (cmd == failed.command) {
    if (between.empty()) return false;  // a plain retry teaches nothing
    fix = between.front().command;
  } else if (SimilarCommands(failed.command, cmd)) {
    fix = cmd;
  } else {
    return false;
  }
  key->clear();
  PutLengthPrefixed(key, failed.command);
  PutLengthPrefixed(key, fix);
  PutI64Key(key, c.record->time_ns);
  PutU64BE(key, c.seq);
  value->clear();
  PutZigzag(value, *failed.exit_code);
  PutVarint(value, failed.seq);
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
