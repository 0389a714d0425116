#include "core/views/batches_view.h"

#include <algorithm>
#include <cstdint>

#include "core/keycode.h"

namespace tb {

Status GetBatchStatus(StoreReader& reader, uint64_t batch, BatchStatus* out) {
  *out = BatchStatus{};
  std::string v;
  Status s = reader.GetViewValue(kBatchesViewName, BatchRevertKey(batch), &v);
  if (!s.ok() && !s.IsNotFound()) return s;
  out->reverted = s.ok();
  s = reader.GetViewValue(kBatchesViewName, BatchInfoKey(batch), &v);
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  std::string_view sv = v;
  if (!GetU64BE(&sv, &out->completed_seq) || out->completed_seq == 0) {
    return Status::Corruption("view batches: bad value for batch " + std::to_string(batch));
  }
  return Status::OK();
}

Status HasBatchMembers(StoreReader& reader, uint64_t batch, bool* any) {
  *any = false;
  std::unique_ptr<KvCursor> c = NewBatchesCursor(reader);
  if (c == nullptr) return Status::OK();
  return ForEachBatchMember(*c, batch, false, [&](uint64_t) {
    *any = true;
    return false;
  });
}

std::unique_ptr<KvCursor> NewBatchesCursor(StoreReader& reader) { return reader.NewViewCursor(kBatchesViewName); }

namespace {

std::string U64(uint64_t v) {
  std::string s;
  PutU64BE(&s, v);
  return s;
}

constexpr int kBlockBits = 16;

std::string MemberPrefix(uint64_t batch) { return U64(batch) + "s"; }

std::string MemberKey(uint64_t batch, uint64_t seq) {
  std::string k = MemberPrefix(batch);
  PutU64BE(&k, seq >> kBlockBits);
  return k;
}

// Sorts runs and joins the overlapping and touching ones.
void Normalize(std::vector<SeqRun>* runs) {
  std::sort(runs->begin(), runs->end(), [](const SeqRun& a, const SeqRun& b) { return a.first < b.first; });
  size_t out = 0;
  for (const SeqRun& r : *runs) {
    if (out > 0 && (*runs)[out - 1].last != UINT64_MAX && r.first <= (*runs)[out - 1].last + 1) {
      (*runs)[out - 1].last = std::max((*runs)[out - 1].last, r.last);
    } else {
      (*runs)[out++] = r;
    }
  }
  runs->resize(out);
}

}  // namespace

std::string BatchInfoKey(uint64_t batch) { return U64(batch) + "i"; }
std::string BatchRevertKey(uint64_t batch) { return U64(batch) + "r"; }
std::string BatchPrefix(uint64_t batch) { return U64(batch); }

bool ParseBatchOfKey(std::string_view key, uint64_t* batch) {
  if (!GetU64BE(&key, batch) || key.empty()) return false;
  const char kind = key[0];
  key.remove_prefix(1);
  if (kind == 's') {
    uint64_t block;
    return GetU64BE(&key, &block) && key.empty();
  }
  return (kind == 'i' || kind == 'r') && key.empty();
}

void EncodeSeqRuns(const std::vector<SeqRun>& runs, std::string* out) {
  const SeqRun* prev = nullptr;
  for (const SeqRun& r : runs) {
    PutVarint(out, prev == nullptr ? r.first : r.first - prev->last - 2);
    PutVarint(out, r.last - r.first);
    prev = &r;
  }
}

bool DecodeSeqRuns(std::string_view in, std::vector<SeqRun>* out) {
  out->clear();
  if (in.empty()) return false;
  while (!in.empty()) {
    uint64_t start, len;
    if (!GetVarint(&in, &start) || !GetVarint(&in, &len)) return false;
    SeqRun r;
    if (!out->empty()) {
      const uint64_t prev_end = out->back().last;
      if (prev_end > UINT64_MAX - 2 || __builtin_add_overflow(prev_end + 2, start, &start)) return false;
    }
    r.first = start;
    if (__builtin_add_overflow(start, len, &r.last)) return false;
    out->push_back(r);
  }
  return true;
}

Status ForEachBatchMember(KvCursor& c, uint64_t batch, bool newest_first,
                          const std::function<bool(uint64_t seq)>& visit) {
  const std::string prefix = MemberPrefix(batch);
  std::vector<SeqRun> runs;
  auto malformed = [&] {
    return Status::Corruption("view batches: malformed members of batch " + std::to_string(batch));
  };
  if (newest_first) {
    c.SeekForPrev(prefix + std::string(8, '\xff'));
  } else {
    c.Seek(prefix);
  }
  for (; c.Valid() && c.key().starts_with(prefix); newest_first ? c.Prev() : c.Next()) {
    std::string_view k = c.key().substr(prefix.size());
    uint64_t block;
    if (!GetU64BE(&k, &block) || !k.empty() || !DecodeSeqRuns(c.value(), &runs)) return malformed();
    if ((runs.front().first >> kBlockBits) != block || (runs.back().last >> kBlockBits) != block) return malformed();
    if (newest_first) {
      for (auto r = runs.rbegin(); r != runs.rend(); ++r) {
        for (uint64_t seq = r->last;; --seq) {
          if (!visit(seq)) return Status::OK();
          if (seq == r->first) break;
        }
      }
    } else {
      for (const SeqRun& r : runs) {
        for (uint64_t seq = r.first;; ++seq) {
          if (!visit(seq)) return Status::OK();
          if (seq == r.last) break;
        }
      }
    }
  }
  return c.status();
}

void BatchesView::Apply(const ViewInput& in, ViewWriter& out) const {
  const Event& ev = *in.event;
  if (ev.kind == EventKind::kRecorded && ev.batch != 0) {
    std::string op;
    EncodeSeqRuns({SeqRun{in.seq, in.seq}}, &op);
    out.Merge(MemberKey(ev.batch, in.seq), op);
  } else if (ev.kind == EventKind::kImportCompleted && ev.batch != 0) {
    out.Put(BatchInfoKey(ev.batch), U64(in.seq));
  }
}

bool BatchesView::PartialMerge(std::span<const std::string_view> operands, std::string* out) const {
  return FullMerge(nullptr, operands, out);
}

bool BatchesView::FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                            std::string* out) const {
  std::vector<SeqRun> all, one;
  if (existing != nullptr) {
    if (!DecodeSeqRuns(*existing, &all)) return false;
  }
  for (std::string_view op : operands) {
    if (!DecodeSeqRuns(op, &one)) return false;
    all.insert(all.end(), one.begin(), one.end());
  }
  Normalize(&all);
  out->clear();
  EncodeSeqRuns(all, out);
  return true;
}

Status BatchesView::ApplyRemoval(const RemovalInput& in, ViewLookup&, ViewWriter& out) const {
  // The projector only passes the first revert of a batch.
  if (in.event->kind == EventKind::kBatchReverted) out.Put(BatchRevertKey(in.event->batch), U64(in.seq));
  return Status::OK();
}

}  // namespace tb
