#include "core/views/field_index_view.h"

#include <algorithm>
#include <cstdint>
#include <map>

#include "core/keycode.h"

namespace tb {
namespace {

std::string KeyOfBucket(std::string_view value, int64_t bucket) {
  std::string k;
  k.reserve(value.size() + 10);
  PutLengthPrefixed(&k, value);
  PutI64Key(&k, bucket);
  return k;
}

// Sorts and de-duplicates in place.
void Normalize(std::vector<Posting>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

std::string_view FieldIndexViewName(IndexedField field) {
  switch (field) {
    case IndexedField::kCwd: return kByCwdViewName;
    case IndexedField::kSession: return kBySessionViewName;
    case IndexedField::kCommand: return kByCommandViewName;
  }
  return "";
}

int64_t PostingBucket(int64_t time_ns) { return time_ns >> kPostingBucketBits; }

std::string FieldIndexKey(std::string_view value, int64_t time_ns) {
  return KeyOfBucket(value, PostingBucket(time_ns));
}

namespace {

constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
constexpr uint8_t kMaxScale = 9;

// The largest k <= 9 such that 10^k divides every time of `in`.
uint8_t ScaleOf(const std::vector<Posting>& in) {
  uint8_t k = kMaxScale;
  for (const Posting& p : in) {
    while (k > 0 && p.time_ns % kPow10[k] != 0) --k;
    if (k == 0) break;
  }
  return k;
}

}  // namespace

void EncodePostings(const std::vector<Posting>& in, std::string* out) {
  if (in.empty()) return;
  const uint8_t k = ScaleOf(in);
  const int64_t unit = kPow10[k];
  out->push_back(static_cast<char>(k));
  const Posting* prev = nullptr;
  for (const Posting& p : in) {
    if (prev == nullptr) {
      PutZigzag(out, p.time_ns / unit);
      PutVarint(out, p.seq);
    } else {
      PutVarint(out, (static_cast<uint64_t>(p.time_ns) - static_cast<uint64_t>(prev->time_ns)) / unit);
      PutZigzag(out, static_cast<int64_t>(p.seq - prev->seq));
    }
    prev = &p;
  }
}

bool DecodePostings(std::string_view in, std::vector<Posting>* out) {
  out->clear();
  if (in.empty() || static_cast<uint8_t>(in[0]) > kMaxScale) return false;
  const int64_t unit = kPow10[static_cast<uint8_t>(in[0])];
  in.remove_prefix(1);
  Posting p;
  int64_t t;
  if (!GetZigzag(&in, &t) || !GetVarint(&in, &p.seq) || __builtin_mul_overflow(t, unit, &p.time_ns)) {
    return false;
  }
  out->push_back(p);
  while (!in.empty()) {
    uint64_t dt;
    int64_t ds, step;
    if (!GetVarint(&in, &dt) || !GetZigzag(&in, &ds)) return false;
    if (dt > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(static_cast<int64_t>(dt), unit, &step)) {
      return false;
    }
    Posting next{0, p.seq + static_cast<uint64_t>(ds)};
    if (__builtin_add_overflow(p.time_ns, step, &next.time_ns)) return false;
    if (!(p < next)) return false;  // unsorted or duplicate
    p = next;
    out->push_back(p);
  }
  return true;
}

bool DecodeFieldIndexEntry(std::string_view key, std::string_view value, std::string_view* field,
                           std::vector<Posting>* out) {
  int64_t bucket;
  if (!GetLengthPrefixed(&key, field) || !GetI64Key(&key, &bucket) || !key.empty()) return false;
  if (!DecodePostings(value, out)) return false;
  return PostingBucket(out->front().time_ns) == bucket && PostingBucket(out->back().time_ns) == bucket;
}

// ------------------------------------------------------------------ cursor

FieldIndexCursor::FieldIndexCursor(std::unique_ptr<KvCursor> cursor, std::string_view value) : c_(std::move(cursor)) {
  PutLengthPrefixed(&prefix_, value);
}

bool FieldIndexCursor::Load() {
  postings_.clear();
  index_ = 0;
  if (!c_->Valid()) return false;
  std::string_view key = c_->key();
  // Length prefixes are prefix-free: a key that starts with this value's
  // prefix is one of its lists, or malformed.
  if (!key.starts_with(prefix_)) return false;
  std::string_view field;
  if (!DecodeFieldIndexEntry(key, c_->value(), &field, &postings_)) {
    postings_.clear();
    bad_ = true;
    return false;
  }
  return true;
}

void FieldIndexCursor::SeekToFirst() {
  c_->Seek(prefix_);
  Load();
}

void FieldIndexCursor::SeekToLast() {
  c_->SeekForPrev(prefix_ + std::string(8, '\xff'));
  if (Load()) index_ = postings_.size() - 1;
}

void FieldIndexCursor::Seek(const Posting& p) {
  std::string target = prefix_;
  PutI64Key(&target, PostingBucket(p.time_ns));
  c_->Seek(target);
  if (!Load()) return;
  index_ = static_cast<size_t>(std::lower_bound(postings_.begin(), postings_.end(), p) - postings_.begin());
  if (index_ == postings_.size()) {  // all of this bucket is before p
    c_->Next();
    Load();
  }
}

void FieldIndexCursor::SeekForPrev(const Posting& p) {
  std::string target = prefix_;
  PutI64Key(&target, PostingBucket(p.time_ns));
  c_->SeekForPrev(target);
  if (!Load()) return;
  size_t above = static_cast<size_t>(std::upper_bound(postings_.begin(), postings_.end(), p) - postings_.begin());
  if (above > 0) {
    index_ = above - 1;
    return;
  }
  c_->Prev();  // all of this bucket is after p
  if (Load()) index_ = postings_.size() - 1;
}

void FieldIndexCursor::Next() {
  if (!Valid()) return;
  if (++index_ < postings_.size()) return;
  c_->Next();
  Load();
}

void FieldIndexCursor::Prev() {
  if (!Valid()) return;
  if (index_ > 0) {
    --index_;
    return;
  }
  c_->Prev();
  if (Load()) index_ = postings_.size() - 1;
}

Status FieldIndexCursor::status() const {
  if (!c_->status().ok()) return c_->status();
  return bad_ ? Status::Corruption("malformed field index entry") : Status::OK();
}

std::unique_ptr<FieldIndexCursor> NewFieldIndexCursor(StoreReader& reader, IndexedField field, std::string_view value) {
  std::unique_ptr<KvCursor> c = reader.NewViewCursor(FieldIndexViewName(field));
  if (c == nullptr) return nullptr;
  return std::make_unique<FieldIndexCursor>(std::move(c), value);
}

std::unique_ptr<FieldIndexCursor> NewFieldIndexCursor(ViewLookup& lookup, IndexedField field, std::string_view value) {
  std::unique_ptr<KvCursor> c = lookup.Cursor(FieldIndexViewName(field));
  if (c == nullptr) return nullptr;
  return std::make_unique<FieldIndexCursor>(std::move(c), value);
}

// -------------------------------------------------------------------- view

const std::string& FieldIndexView::FieldOf(const Event& ev) const {
  return field_ == IndexedField::kCwd ? ev.cwd : field_ == IndexedField::kSession ? ev.session : ev.command;
}

void FieldIndexView::Apply(const ViewInput& in, ViewWriter& out) const {
  const Event& ev = *in.event;
  if (!IsCommand(ev.kind)) return;  // a finish's start was indexed already
  std::string op;
  EncodePostings({Posting{ev.time_ns, in.seq}}, &op);
  out.Merge(FieldIndexKey(FieldOf(ev), ev.time_ns), op);
}

bool FieldIndexView::PartialMerge(std::span<const std::string_view> operands, std::string* out) const {
  return FullMerge(nullptr, operands, out);
}

bool FieldIndexView::FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                               std::string* out) const {
  std::vector<Posting> all, one;
  if (existing != nullptr) {
    if (!DecodePostings(*existing, &all)) return false;
  }
  for (std::string_view op : operands) {
    if (!DecodePostings(op, &one)) return false;
    // Appends in order are the common case (a newer command): no sort then.
    bool sorted = all.empty() || all.back() < one.front();
    all.insert(all.end(), one.begin(), one.end());
    if (!sorted) Normalize(&all);
  }
  out->clear();
  EncodePostings(all, out);
  return true;
}

Status FieldIndexView::ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const {
  std::map<std::string, std::vector<Posting>> gone;  // key -> removed postings
  for (const RemovedRecord& r : in.records) {
    const Event& ev = *r.event;
    gone[FieldIndexKey(FieldOf(ev), ev.time_ns)].push_back(Posting{ev.time_ns, r.seq});
  }
  std::vector<Posting> list;
  for (auto& [key, removed] : gone) {
    std::string v;
    Status s = lookup.Get(name(), key, &v);
    if (s.IsNotFound()) continue;
    TB_RETURN_IF_ERROR(s);
    std::string_view field;
    if (!DecodeFieldIndexEntry(key, v, &field, &list)) {
      return Status::Corruption("view " + std::string(name()) + ": malformed entry");
    }
    Normalize(&removed);
    std::vector<Posting> kept;
    std::set_difference(list.begin(), list.end(), removed.begin(), removed.end(), std::back_inserter(kept));
    if (kept.size() == list.size()) continue;
    if (kept.empty()) {
      out.Delete(key);
      continue;
    }
    std::string nv;
    EncodePostings(kept, &nv);
    out.Put(key, nv);
  }
  return Status::OK();
}

}  // namespace tb
