#include "core/audit.h"

#include "core/utf8.h"

namespace tb {
namespace {

using Json = nlohmann::ordered_json;

Json ParseDetail(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json(ToValidUtf8(text)) : j;
}

bool IsCarried(const Event& ev) { return ev.kind == EventKind::kAdminAction && ev.source == kCarriedAuditAction; }

}  // namespace

bool ToAuditEntry(const Event& ev, AuditEntry* out) {
  switch (ev.kind) {
    case EventKind::kAdminAction:
      out->action = ev.source;
      out->detail = ParseDetail(ev.detail);
      if (IsCarried(ev) && out->detail.is_object()) {
        Json carried = out->detail;
        out->action = carried.value("action", std::string(kCarriedAuditAction));
        out->detail = carried.contains("detail") ? carried["detail"] : Json::object();
        if (out->detail.is_object()) {
          out->detail["undone_by"] = carried.value("undone_by", "");
          out->detail["was_seq"] = carried.value("seq", uint64_t{0});
        }
      }
      return true;
    case EventKind::kImportCompleted:
      out->action = "import";
      out->detail =
          Json{{"batch", ev.batch},       {"source", ToValidUtf8(ev.source)}, {"file", ToValidUtf8(ev.detail)},
               {"imported", ev.imported}, {"duplicates", ev.duplicates},      {"malformed", ev.malformed}};
      return true;
    case EventKind::kBatchReverted:
      out->action = "undo";
      out->detail = Json{{"batch", ev.batch}};
      return true;
    case EventKind::kForgotten:
      out->action = "forget";
      out->detail = Json{{"records", ev.targets.size()}};
      return true;
    default: return false;
  }
}

bool IsCarriedOnRemoval(const Event& ev) {
  AuditEntry e;
  return ToAuditEntry(ev, &e) && !(ev.kind == EventKind::kAdminAction && ev.source == "import.pad");
}

Event CarriedAuditEvent(const Event& ev, std::string_view undone_by) {
  Event c;
  c.kind = EventKind::kAdminAction;
  c.source = std::string(kCarriedAuditAction);
  c.time_ns = ev.time_ns;
  c.user = ev.user;
  c.host = ev.host;
  c.session = ev.session;
  if (IsCarried(ev)) {
    c.detail = ev.detail;
    return c;
  }
  AuditEntry e;
  ToAuditEntry(ev, &e);
  Json d{{"action", e.action}, {"detail", e.detail}, {"seq", ev.seq}, {"undone_by", undone_by}};
  c.detail = d.dump(-1, ' ', false, Json::error_handler_t::replace);
  return c;
}

std::string AuditKey(const Event& ev) {
  AuditEntry e;
  if (!ToAuditEntry(ev, &e)) return "";
  return std::to_string(ev.time_ns) + " " + e.action;
}

}  // namespace tb
