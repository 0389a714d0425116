#include "core/analytics/fixes.h"

#include <algorithm>
#include <ctime>
#include <vector>

#include "core/analytics/learning.h"
#include "core/analytics/templates.h"
#include "core/history_query.h"
#include "core/keycode.h"
#include "core/views/sequences_view.h"

namespace tb {
namespace {

// Optimal string alignment distance (Levenshtein plus adjacent
// transpositions), stopping early above `limit`.
size_t OsaDistance(std::string_view a, std::string_view b, size_t limit) {
  size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > limit) return limit + 1;
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return limit + 1;
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[m];
}

std::string LocalDate(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000 - (ns % 1000000000 < 0 ? 1 : 0));
  struct tm tm {};
  localtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

}  // namespace

bool SimilarCommands(std::string_view a, std::string_view b) {
  if (a == b) return false;
  std::string ha = CommandHead(a);
  if (!ha.empty() && ha.find(' ') != std::string::npos && ha == CommandHead(b)) return true;
  if (a.size() < 4 || b.size() < 4) return false;
  size_t limit = std::max<size_t>(1, std::max(a.size(), b.size()) / 4);
  return OsaDistance(a, b, limit) <= limit;
}

Status ListFixes(StoreReader& reader, const FixQuery& q, std::vector<FixEntry>* out) {
  out->clear();
  std::unique_ptr<KvCursor> c = reader.NewViewCursor(kFixesViewName);
  if (c == nullptr) return Status::OK();
  std::string needle = AsciiLower(q.text);
  std::string start;
  if (q.failed_exact) PutLengthPrefixed(&start, *q.failed_exact);
  for (c->Seek(start); c->Valid(); c->Next()) {
    std::string_view failed, fix;
    int64_t time_ns;
    uint64_t seq, failed_seq;
    int32_t exit;
    if (!ParseFixKey(c->key(), &failed, &fix, &time_ns, &seq) || !ParseFixValue(c->value(), &exit, &failed_seq)) {
      return Status::Corruption("view fixes: malformed entry");
    }
    if (q.failed_exact && failed != *q.failed_exact) break;
    if (!needle.empty() && !ContainsFolded(failed, needle) && !ContainsFolded(fix, needle)) continue;
    // Keys of one pair are adjacent, oldest first.
    if (out->empty() || out->back().failed != failed || out->back().fix != fix) {
      out->push_back(FixEntry{std::string(failed), exit, std::string(fix), 0, 0, 0});
    }
    FixEntry& e = out->back();
    e.count++;
    e.exit_code = exit;
    e.last_time_ns = time_ns;
    e.last_seq = seq;
  }
  TB_RETURN_IF_ERROR(c->status());
  std::stable_sort(out->begin(), out->end(), [](const FixEntry& a, const FixEntry& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.last_time_ns != b.last_time_ns) return a.last_time_ns > b.last_time_ns;
    return a.last_seq > b.last_seq;
  });
  if (q.limit > 0 && out->size() > q.limit) out->resize(q.limit);
  return Status::OK();
}

std::string DescribeFix(const FixEntry& f) {
  return f.failed + " failed (exit " + std::to_string(f.exit_code) + ") -> fixed by " + f.fix + ", " +
         std::to_string(f.count) + (f.count == 1 ? " time" : " times") + ", last on " + LocalDate(f.last_time_ns);
}

}  // namespace tb
