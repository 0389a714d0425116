// Sync messages: one event of the log as it travels on the stream
// (docs/sync.md, "Messages"). The stream only ever holds ciphertext.
//
//   subject    := "tb." account "." host          (both 32 hex digits)
//   Nats-Msg-Id := host "." event-id               (EventId text form)
//   data       := "TBS1" u32be(epoch) nonce[24] ciphertext
//   ciphertext := XChaCha20-Poly1305(key of `epoch`, nonce,
//                   plaintext = the event's FlatBuffer (core/codec.h) with
//                               origin_host = host,
//                   associated data = "TBS1" u32be(epoch) subject "\0" msg-id)
//
// The subject and message id are bound to the ciphertext, so a message
// moved to another host's subject, or given another id, fails to open. The
// nonce is random per message.
// Thread safety: functions are reentrant.
#pragma once

#include <string>
#include <string_view>

#include "core/event.h"
#include "core/status.h"
#include "sync/sync_identity.h"

namespace tb {

struct SealedEvent {
  std::string subject;
  std::string msg_id;
  std::string data;
};

// "tb.<account>.>": every host's subject of an account.
std::string AccountSubjects(const std::string& account);
// "TB_<account>": the stream of an account.
std::string StreamName(const std::string& account);
// The host id in a subject of `account`; "" when it is not one.
std::string SubjectHost(const std::string& account, std::string_view subject);

// Seals `ev` (an event this store originated) for publishing as `self`.
void SealEvent(const SyncIdentity& self, const Event& ev, SealedEvent* out);

// Opens a received message with `key`. The event's origin_host is the
// subject's host. Errors (one line, naming the stream seq):
// Incompatible for a message of another key epoch or one that does not
// open with the key (a wrong sync key); Corruption for a malformed message
// or event.
Status OpenEvent(const SyncKey& key, std::string_view subject, std::string_view msg_id, std::string_view data,
                 uint64_t stream_seq, Event* out);

}  // namespace tb
