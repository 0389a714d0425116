// Sync messages: one event of the log as it travels on the stream
// (docs/sync.md, "Messages"). The stream only ever holds ciphertext.
//
//   subject    := "tb." account "." host          (both 32 hex digits)
//   Nats-Msg-Id := host "." event-id "." epoch     (EventId text form;
//                                                   decimal epoch)
//   data       := "TBS1" u32be(epoch) nonce[24] ciphertext
//   ciphertext := XChaCha20-Poly1305(key of `epoch`, nonce,
//                   plaintext = the event's FlatBuffer (core/codec.h) with
//                               origin_host = host,
//                   associated data = "TBS1" u32be(epoch) subject "\0" msg-id)
//
// The subject and message id are bound to the ciphertext, so a message
// moved to another host's subject, or given another id, fails to open. The
// nonce is random per message. The epoch in the id lets the stream keep an
// event republished under a new key (it drops a second message of the same
// id within its de-duplication window).
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
  std::string traceparent;  // sent as the message's traceparent header when not empty (sync/trace.h)
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

// The key epoch a message is sealed with; 0 when it is not a sync message.
uint32_t SealedEpoch(std::string_view data);

// Opens a received message with the key of its epoch among `self`'s (the
// current or a retired one). Errors as OpenEvent, and:
//  - Incompatible for an epoch newer than the current one: the key was
//    rotated on another machine and must be imported here;
//  - NotFound for an older epoch whose key this store does not hold (it
//    took the current key without ever holding that one): callers skip
//    the message, whose host republishes its events under the current key
//    once it holds it.
Status OpenMessage(const SyncIdentity& self, std::string_view subject, std::string_view msg_id, std::string_view data,
                   uint64_t stream_seq, Event* out);

}  // namespace tb
