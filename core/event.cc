#include "core/event.h"

#include <xxhash.h>

#include <charconv>
#include <cstdio>

namespace tb {

std::string EventId::ToString() const {
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%016llx-%llu", static_cast<unsigned long long>(origin),
                        static_cast<unsigned long long>(counter));
  return std::string(buf, static_cast<size_t>(n));
}

bool EventId::Parse(std::string_view text, EventId* out) {
  if (text.size() < 18 || text[16] != '-') return false;
  EventId id;
  const char* b = text.data();
  auto r1 = std::from_chars(b, b + 16, id.origin, 16);
  if (r1.ec != std::errc() || r1.ptr != b + 16) return false;
  for (size_t i = 0; i < 16; ++i) {
    if (text[i] >= 'A' && text[i] <= 'F') return false;  // canonical form is lowercase
  }
  const char* c = b + 17;
  const char* e = b + text.size();
  if (c == e || (*c == '0' && e - c > 1)) return false;
  auto r2 = std::from_chars(c, e, id.counter, 10);
  if (r2.ec != std::errc() || r2.ptr != e) return false;
  *out = id;
  return true;
}

EventId ForeignEventId(std::string_view text) {
  return EventId{kForeignIdOrigin, XXH3_64bits(text.data(), text.size())};
}

const char* EventKindName(EventKind k) {
  switch (k) {
    case EventKind::kStarted: return "command_started";
    case EventKind::kFinished: return "command_finished";
    case EventKind::kRecorded: return "command_recorded";
    case EventKind::kImportCompleted: return "import_completed";
    case EventKind::kBatchReverted: return "batch_reverted";
    case EventKind::kForgotten: return "forgotten";
    case EventKind::kAdminAction: return "admin_action";
    case EventKind::kWorkflowSaved: return "workflow_saved";
    case EventKind::kWorkflowDeleted: return "workflow_deleted";
  }
  return "unknown";
}

}  // namespace tb
