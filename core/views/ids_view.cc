#include "core/views/ids_view.h"

#include "core/keycode.h"

namespace tb {

std::string IdKey(const EventId& id) {
  std::string k;
  k.reserve(16);
  PutU64BE(&k, id.origin);
  PutU64BE(&k, id.counter);
  return k;
}

bool ParseIdKey(std::string_view key, EventId* id) {
  return key.size() == 16 && GetU64BE(&key, &id->origin) && GetU64BE(&key, &id->counter);
}

std::unique_ptr<KvCursor> NewIdsCursor(StoreReader& reader) { return reader.NewViewCursor(kIdsViewName); }

bool ParseIdsValue(std::string_view value, uint64_t* seq) { return GetVarint(&value, seq); }

Status LookupId(StoreReader& reader, const EventId& id, uint64_t* seq) {
  std::string v;
  TB_RETURN_IF_ERROR(reader.GetViewValue(kIdsViewName, IdKey(id), &v));
  if (!ParseIdsValue(v, seq)) return Status::Corruption("view ids: malformed entry for " + id.ToString());
  return Status::OK();
}

void IdsView::Apply(const ViewInput& in, ViewWriter& out) const {
  std::string v;
  PutVarint(&v, in.seq);
  out.Put(IdKey(in.event->id), v);
}

Status IdsView::ApplyRemoval(const RemovalInput& in, ViewLookup&, ViewWriter& out) const {
  for (const RemovedRecord& r : in.records) out.Delete(IdKey(r.event->id));
  return Status::OK();
}

}  // namespace tb
