#include "core/views/batches_view.h"

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
  const std::string prefix = BatchMemberPrefix(batch);
  c->Seek(prefix);
  *any = c->Valid() && c->key().starts_with(prefix);
  return c->status();
}

std::unique_ptr<KvCursor> NewBatchesCursor(StoreReader& reader) { return reader.NewViewCursor(kBatchesViewName); }
namespace {
std::string U64(uint64_t v) {
  std::string s;
  PutU64BE(&s, v);
  return s;
}
}  // namespace

std::string BatchInfoKey(uint64_t batch) { return U64(batch) + "i"; }
std::string BatchRevertKey(uint64_t batch) { return U64(batch) + "r"; }
std::string BatchMemberPrefix(uint64_t batch) { return U64(batch) + "s"; }
std::string BatchMemberKey(uint64_t batch, uint64_t seq) {
  std::string k = BatchMemberPrefix(batch);
  PutU64BE(&k, seq);
  return k;
}

bool ParseBatchKey(std::string_view key, uint64_t* batch, char* kind, uint64_t* seq) {
  if (!GetU64BE(&key, batch) || key.empty()) return false;
  *kind = key[0];
  key.remove_prefix(1);
  if (*kind == 's') return GetU64BE(&key, seq) && key.empty();
  return (*kind == 'i' || *kind == 'r') && key.empty();
}

void BatchesView::Apply(const ViewInput& in, ViewWriter& out) const {
  const Event& ev = *in.event;
  if (ev.kind == EventKind::kRecorded && ev.batch != 0) {
    out.Put(BatchMemberKey(ev.batch, in.seq), std::string_view());
  } else if (ev.kind == EventKind::kImportCompleted && ev.batch != 0) {
    out.Put(BatchInfoKey(ev.batch), U64(in.seq));
  }
}

Status BatchesView::ApplyRemoval(const RemovalInput& in, ViewLookup&, ViewWriter& out) const {
  // The projector only passes the first revert of a batch.
  if (in.event->kind == EventKind::kBatchReverted) out.Put(BatchRevertKey(in.event->batch), U64(in.seq));
  return Status::OK();
}

}  // namespace tb
