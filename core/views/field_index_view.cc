#include "core/views/field_index_view.h"

#include "core/keycode.h"

namespace tb {

std::string FieldIndexPrefix(std::string_view value) {
  std::string k;
  PutLengthPrefixed(&k, value);
  return k;
}

std::string FieldIndexKey(std::string_view value, int64_t time_ns, uint64_t seq) {
  std::string k;
  k.reserve(value.size() + 18);
  PutLengthPrefixed(&k, value);
  PutI64Key(&k, time_ns);
  PutU64BE(&k, seq);
  return k;
}

bool ParseFieldIndexKey(std::string_view key, std::string_view* value, int64_t* time_ns,
                        uint64_t* seq) {
  return GetLengthPrefixed(&key, value) && GetI64Key(&key, time_ns) && GetU64BE(&key, seq) &&
         key.empty();
}

std::string_view FieldIndexView::name() const {
  switch (field_) {
    case IndexedField::kCwd: return kByCwdViewName;
    case IndexedField::kSession: return kBySessionViewName;
    case IndexedField::kCommand: return kByCommandViewName;
  }
  return "";
}

void FieldIndexView::Apply(const ViewInput& in, ViewWriter& out) const {
  const Event& ev = *in.event;
  if (!IsCommand(ev.kind)) return;  // a finish's start was indexed already
  const std::string& field = field_ == IndexedField::kCwd       ? ev.cwd
                             : field_ == IndexedField::kSession ? ev.session
                                                                : ev.command;
  out.Put(FieldIndexKey(field, ev.time_ns, in.seq), std::string_view());
}

Status FieldIndexView::ApplyRemoval(const RemovalInput& in, ViewLookup&, ViewWriter& out) const {
  for (const RemovedRecord& r : in.records) {
    const Event& ev = *r.event;
    const std::string& field = field_ == IndexedField::kCwd       ? ev.cwd
                               : field_ == IndexedField::kSession ? ev.session
                                                                  : ev.command;
    out.Delete(FieldIndexKey(field, ev.time_ns, r.seq));
  }
  return Status::OK();
}

}  // namespace tb
