/// @file
/// The audit trail (`tb audit`): the log's administrative actions
/// (kAdminAction: backups, restores, rollbacks, retention...), imports
/// (kImportCompleted), undos (kBatchReverted) and forgets (kForgotten).
///
/// Operations that remove events from the log (rollback, a restore over the
/// live store, retention) must not remove the record of what was done: they
/// append a *carried* copy of every audit entry they remove (storage/admin.h,
/// CarryAuditEvents), after the removal and before their own entry:
///
///   carried := kAdminAction, source "audit.carried", the original's time,
///              user, host and session, detail
///              {"action":A,"detail":D,"seq":S,"undone_by":U}
///   A, D  the original entry's action and detail (as ToAuditEntry gives them)
///   S     the seq the original had;  U  "rollback" | "restore" | "retention"
///
/// A carried copy is an audit entry only: it has no effect on any view
/// (it is not an import, an undo or a forget any more). Carried again, it
/// is copied as it is. The padding events of imports ("import.pad") are
/// not audit entries worth carrying.
///
/// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/event.h"

namespace tb {

/// The AdminAction `source` of a carried copy (see above).
inline constexpr std::string_view kCarriedAuditAction = "audit.carried";

/// An event as `tb audit` shows it: its action and detail.
struct AuditEntry {
  std::string action;             ///< "backup.create", "import", "undo", "forget"...
  nlohmann::ordered_json detail;  ///< an object (a string when an action's detail is not JSON)
};

/// The entry `ev` stands for in `tb audit`; false when it is none. A carried
/// copy gives its original's action, and its detail gains "undone_by" and
/// "was_seq".
bool ToAuditEntry(const Event& ev, AuditEntry* out);

/// True for the entries a removal carries (ToAuditEntry, except padding).
bool IsCarriedOnRemoval(const Event& ev);

/// The carried copy of `ev` (IsCarriedOnRemoval(ev)), to be appended (its
/// id and seq are the store's to give).
Event CarriedAuditEvent(const Event& ev, std::string_view undone_by);

/// What identifies an audit entry across copies of the log (seqs and ids are
/// reused after a rollback): its time and action, the same for a carried
/// copy as for its original.
std::string AuditKey(const Event& ev);

}  // namespace tb
