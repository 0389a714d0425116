#include "core/import/existing_records.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "core/views/history_view.h"
#include "core/views/ids_view.h"

namespace tb {
namespace {

// Nearby keys are stepped to; past this many steps the cursor seeks.
constexpr int kMaxSteps = 8;

// (key, index into the chunk), sorted by key then index.
using Probe = std::vector<std::pair<std::string, size_t>>;

// Visits, for each group of equal keys in `probe` (ascending), every cursor
// entry whose key starts with that key: hit(first, last, key, value) with
// [first, last) the group's range in `probe`.
template <class Hit>
Status Walk(KvCursor& c, const Probe& probe, Hit hit) {
  bool positioned = false;
  for (size_t g = 0; g < probe.size();) {
    size_t end = g + 1;
    while (end < probe.size() && probe[end].first == probe[g].first) ++end;
    const std::string& key = probe[g].first;
    if (!positioned) {
      c.Seek(key);
      positioned = true;
    } else {
      for (int steps = 0; c.Valid() && c.key() < key && steps < kMaxSteps; ++steps) c.Next();
      if (c.Valid() && c.key() < key) c.Seek(key);
    }
    for (; c.Valid() && c.key().starts_with(key); c.Next()) {
      TB_RETURN_IF_ERROR(hit(g, end, c.key(), c.value()));
    }
    if (!c.Valid()) break;  // nothing after this key: the rest are absent
    g = end;
  }
  return c.status();
}

// Same command and start time as a record that was in the store before.
Status MarkSameTextAndTime(StoreReader& reader, uint64_t before, std::span<const ChunkRecord> records,
                           std::vector<bool>* existing) {
  std::unique_ptr<KvCursor> c = NewHistoryCursor(reader);
  if (c == nullptr) return Status::OK();
  Probe probe;
  probe.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) probe.emplace_back(HistoryTimePrefix(records[i].ev->time_ns), i);
  std::sort(probe.begin(), probe.end());
  Event old;
  return Walk(*c, probe, [&](size_t first, size_t last, std::string_view key, std::string_view) -> Status {
    int64_t time_ns = 0;
    uint64_t seq = 0;
    if (!ParseHistoryKey(key, &time_ns, &seq)) return Status::Corruption("view history: malformed key");
    if (seq > before) return Status::OK();
    Status s = reader.GetEvent(seq, &old);
    if (s.IsNotFound()) return Status::OK();  // purged by forget
    TB_RETURN_IF_ERROR(s);
    for (size_t p = first; p < last; ++p) {
      size_t i = probe[p].second;
      if (records[i].ev->command == old.command) (*existing)[i] = true;
    }
    return Status::OK();
  });
}

// Kept ids the store has, and repeats of a kept id within the chunk.
Status MarkKnownIds(StoreReader& reader, std::span<const ChunkRecord> records, std::vector<bool>* existing) {
  Probe probe;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].keep_id) probe.emplace_back(IdKey(records[i].ev->id), i);
  }
  if (probe.empty()) return Status::OK();
  std::sort(probe.begin(), probe.end());
  for (size_t p = 1; p < probe.size(); ++p) {
    if (probe[p].first == probe[p - 1].first) (*existing)[probe[p].second] = true;
  }
  std::unique_ptr<KvCursor> c = NewIdsCursor(reader);
  if (c == nullptr) return Status::OK();
  return Walk(*c, probe, [&](size_t first, size_t last, std::string_view key, std::string_view) -> Status {
    if (key.size() != probe[first].first.size()) return Status::OK();  // a longer key: not this id
    for (size_t p = first; p < last; ++p) (*existing)[probe[p].second] = true;
    return Status::OK();
  });
}

}  // namespace

Status FindExisting(StoreReader& reader, uint64_t before, std::span<const ChunkRecord> records,
                    std::vector<bool>* existing) {
  existing->assign(records.size(), false);
  TB_RETURN_IF_ERROR(MarkKnownIds(reader, records, existing));
  if (before == 0) return Status::OK();
  return MarkSameTextAndTime(reader, before, records, existing);
}

}  // namespace tb
