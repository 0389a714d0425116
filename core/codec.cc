#include "core/codec.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "event_generated.h"

namespace tb {
namespace fb = termbrain::fb;

namespace {

flatbuffers::Offset<flatbuffers::Vector<uint8_t>> Bytes(flatbuffers::FlatBufferBuilder& b, const std::string& s) {
  return b.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

flatbuffers::Offset<void> EncodePayload(flatbuffers::FlatBufferBuilder& b, const Event& ev, fb::Payload* type) {
  switch (ev.kind) {
    case EventKind::kStarted: {
      *type = fb::Payload::CommandStarted;
      auto cmd = Bytes(b, ev.command);
      auto cwd = Bytes(b, ev.cwd);
      auto shell = b.CreateString(ev.shell);
      return fb::CreateCommandStarted(b, cmd, cwd, shell, ev.truncated).Union();
    }
    case EventKind::kFinished:
      *type = fb::Payload::CommandFinished;
      return fb::CreateCommandFinished(b, ev.start.origin, ev.start.counter, ev.exit_code.value_or(0),
                                       ev.duration_ns.value_or(0))
          .Union();
    case EventKind::kRecorded: {
      *type = fb::Payload::CommandRecorded;
      auto cmd = Bytes(b, ev.command);
      auto cwd = Bytes(b, ev.cwd);
      auto shell = b.CreateString(ev.shell);
      return fb::CreateCommandRecorded(b, cmd, cwd, shell, ev.truncated, ev.exit_code.has_value(),
                                       ev.exit_code.value_or(0), ev.duration_ns.has_value(), ev.duration_ns.value_or(0),
                                       ev.batch)
          .Union();
    }
    case EventKind::kImportCompleted: {
      *type = fb::Payload::ImportCompleted;
      auto source = b.CreateString(ev.source);
      auto file = Bytes(b, ev.detail);
      return fb::CreateImportCompleted(b, ev.batch, source, file, ev.imported, ev.duplicates, ev.malformed).Union();
    }
    case EventKind::kBatchReverted:
      *type = fb::Payload::BatchReverted;
      return fb::CreateBatchReverted(b, ev.batch).Union();
    case EventKind::kForgotten: {
      *type = fb::Payload::Forgotten;
      auto targets = b.CreateVector(ev.targets);
      if (ev.target_ids.empty()) return fb::CreateForgotten(b, targets).Union();
      std::vector<uint64_t> origins, counters;
      for (const EventId& id : ev.target_ids) {
        origins.push_back(id.origin);
        counters.push_back(id.counter);
      }
      auto o = b.CreateVector(origins);
      auto c = b.CreateVector(counters);
      return fb::CreateForgotten(b, targets, o, c).Union();
    }
    case EventKind::kAdminAction: {
      *type = fb::Payload::AdminAction;
      auto action = b.CreateString(ev.source);
      auto detail = Bytes(b, ev.detail);
      return fb::CreateAdminAction(b, action, detail).Union();
    }
    case EventKind::kWorkflowSaved: {
      *type = fb::Payload::WorkflowSaved;
      auto name = b.CreateString(ev.name);
      auto steps = b.CreateVectorOfStrings(ev.steps);
      return fb::CreateWorkflowSaved(b, name, steps).Union();
    }
    case EventKind::kWorkflowDeleted: {
      *type = fb::Payload::WorkflowDeleted;
      auto name = b.CreateString(ev.name);
      return fb::CreateWorkflowDeleted(b, name).Union();
    }
  }
  *type = fb::Payload::NONE;
  return 0;
}

void AssignBytes(const flatbuffers::Vector<uint8_t>* v, std::string* out) {
  if (v == nullptr) {
    out->clear();
    return;
  }
  out->assign(reinterpret_cast<const char*>(v->data()), v->size());
}

void AssignString(const flatbuffers::String* s, std::string* out) {
  if (s == nullptr) {
    out->clear();
    return;
  }
  out->assign(s->data(), s->size());
}

// A vector of 8-byte scalars the verifier passed: misaligned (see the
// Forgotten case of DecodeEvent) is damage.
bool Misaligned(const flatbuffers::Vector<uint64_t>* v) {
  return v != nullptr && v->size() != 0 && reinterpret_cast<uintptr_t>(v->Data()) % alignof(uint64_t) != 0;
}

Status DecodeTargetIds(const fb::Forgotten* f, std::vector<EventId>* out) {
  const auto* o = f->target_origins();
  const auto* c = f->target_counters();
  if (o == nullptr && c == nullptr) return Status::OK();
  if (o == nullptr || c == nullptr || o->size() != c->size()) {
    return Status::Corruption("event has forgotten target ids of unequal lengths");
  }
  if (Misaligned(o) || Misaligned(c)) {
    return Status::Corruption("event failed FlatBuffers verification (misaligned forgotten target ids)");
  }
  for (flatbuffers::uoffset_t i = 0; i < o->size(); ++i) out->push_back(EventId{o->Get(i), c->Get(i)});
  return Status::OK();
}

void ClearCommand(Event* out) {
  out->command.clear();
  out->cwd.clear();
  out->shell.clear();
}

}  // namespace

void EncodeEvent(const Event& ev, std::string* out) {
  // Thread-local builder: encoding runs once per appended event, and reusing
  // the builder's buffer avoids an allocation each time.
  thread_local flatbuffers::FlatBufferBuilder b(256);
  b.Clear();
  fb::Payload type;
  auto payload = EncodePayload(b, ev, &type);
  auto host = b.CreateString(ev.host);
  auto user = b.CreateString(ev.user);
  auto session = b.CreateString(ev.session);
  flatbuffers::Offset<flatbuffers::String> origin_host;
  if (!ev.origin_host.empty()) origin_host = b.CreateString(ev.origin_host);
  fb::EventBuilder eb(b);
  eb.add_origin(ev.id.origin);
  eb.add_counter(ev.id.counter);
  eb.add_seq(ev.seq);
  eb.add_time_ns(ev.time_ns);
  eb.add_host(host);
  eb.add_user(user);
  eb.add_session(session);
  eb.add_payload_type(type);
  eb.add_payload(payload);
  if (!ev.origin_host.empty()) eb.add_origin_host(origin_host);
  b.Finish(eb.Finish(), fb::EventIdentifier());
  out->assign(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Status DecodeEvent(std::string_view bytes, Event* out) {
  // FlatBuffers reads scalars in place, so the buffer must be aligned to its
  // largest scalar (8 bytes); the verifier only checks alignment relative to
  // the buffer start. Values handed out by RocksDB (iterators, pinned
  // slices) have no such alignment: copy those to an aligned scratch buffer.
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint64_t) != 0) {
    thread_local std::vector<uint64_t> aligned;
    aligned.resize(bytes.size() / sizeof(uint64_t) + 1);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    bytes = std::string_view(reinterpret_cast<const char*>(aligned.data()), bytes.size());
  }
  auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (bytes.size() < 8 || !flatbuffers::BufferHasIdentifier(data, fb::EventIdentifier())) {
    return Status::Corruption("not a TermBrain event (missing TBEV identifier)");
  }
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!fb::VerifyEventBuffer(verifier)) {
    return Status::Corruption("event failed FlatBuffers verification");
  }
  const fb::Event* e = fb::GetEvent(data);
  out->id = EventId{e->origin(), e->counter()};
  out->seq = e->seq();
  out->time_ns = e->time_ns();
  AssignString(e->host(), &out->host);
  AssignString(e->user(), &out->user);
  AssignString(e->session(), &out->session);
  AssignString(e->origin_host(), &out->origin_host);
  out->truncated = false;
  out->exit_code.reset();
  out->duration_ns.reset();
  out->start = EventId{};
  out->batch = 0;
  out->source.clear();
  out->detail.clear();
  out->imported = out->duplicates = out->malformed = 0;
  out->targets.clear();
  out->target_ids.clear();
  out->name.clear();
  out->steps.clear();
  // The verifier accepts a union whose value is absent whatever its type
  // tag says; a tag without a table is a damaged event, not a null deref.
  if (e->payload_type() != fb::Payload::NONE && e->payload() == nullptr) {
    return Status::Corruption("event has payload type " + std::to_string(static_cast<int>(e->payload_type())) +
                              " but no payload");
  }
  switch (e->payload_type()) {
    case fb::Payload::CommandStarted: {
      const auto* p = e->payload_as_CommandStarted();
      out->kind = EventKind::kStarted;
      AssignBytes(p->command(), &out->command);
      AssignBytes(p->cwd(), &out->cwd);
      AssignString(p->shell(), &out->shell);
      out->truncated = p->truncated();
      return Status::OK();
    }
    case fb::Payload::CommandFinished: {
      const auto* p = e->payload_as_CommandFinished();
      out->kind = EventKind::kFinished;
      out->command.clear();
      out->cwd.clear();
      out->shell.clear();
      out->start = EventId{p->start_origin(), p->start_counter()};
      out->exit_code = p->exit_code();
      out->duration_ns = p->duration_ns();
      return Status::OK();
    }
    case fb::Payload::CommandRecorded: {
      const auto* p = e->payload_as_CommandRecorded();
      out->kind = EventKind::kRecorded;
      AssignBytes(p->command(), &out->command);
      AssignBytes(p->cwd(), &out->cwd);
      AssignString(p->shell(), &out->shell);
      out->truncated = p->truncated();
      if (p->has_exit()) out->exit_code = p->exit_code();
      if (p->has_duration()) out->duration_ns = p->duration_ns();
      out->batch = p->batch();
      return Status::OK();
    }
    case fb::Payload::ImportCompleted: {
      const auto* p = e->payload_as_ImportCompleted();
      out->kind = EventKind::kImportCompleted;
      ClearCommand(out);
      out->batch = p->batch();
      AssignString(p->source(), &out->source);
      AssignBytes(p->file(), &out->detail);
      out->imported = p->imported();
      out->duplicates = p->duplicates();
      out->malformed = p->malformed();
      return Status::OK();
    }
    case fb::Payload::BatchReverted:
      out->kind = EventKind::kBatchReverted;
      ClearCommand(out);
      out->batch = e->payload_as_BatchReverted()->batch();
      return Status::OK();
    case fb::Payload::Forgotten: {
      out->kind = EventKind::kForgotten;
      ClearCommand(out);
      if (const auto* t = e->payload_as_Forgotten()->targets()) {
        // The verifier (FlatBuffers 2.0) checks a vector's length prefix,
        // not the alignment of its 8-byte elements: a crafted buffer can put
        // them at 4 mod 8 (the buffer itself is aligned above). An empty
        // vector may sit there legitimately: the builder does not align one.
        if (t->size() != 0 && reinterpret_cast<uintptr_t>(t->Data()) % alignof(uint64_t) != 0) {
          return Status::Corruption("event failed FlatBuffers verification (misaligned forgotten targets)");
        }
        out->targets.assign(t->begin(), t->end());
      }
      return DecodeTargetIds(e->payload_as_Forgotten(), &out->target_ids);
    }
    case fb::Payload::AdminAction: {
      const auto* p = e->payload_as_AdminAction();
      out->kind = EventKind::kAdminAction;
      ClearCommand(out);
      AssignString(p->action(), &out->source);
      AssignBytes(p->detail(), &out->detail);
      return Status::OK();
    }
    case fb::Payload::WorkflowSaved: {
      const auto* p = e->payload_as_WorkflowSaved();
      out->kind = EventKind::kWorkflowSaved;
      ClearCommand(out);
      AssignString(p->name(), &out->name);
      if (const auto* st = p->steps()) {
        for (const auto* step : *st) {
          out->steps.emplace_back();
          AssignString(step, &out->steps.back());
        }
      }
      return Status::OK();
    }
    case fb::Payload::WorkflowDeleted:
      out->kind = EventKind::kWorkflowDeleted;
      ClearCommand(out);
      AssignString(e->payload_as_WorkflowDeleted()->name(), &out->name);
      return Status::OK();
    case fb::Payload::NONE: return Status::Corruption("event has no payload");
  }
  return Status::Corruption("event has an unknown payload type " + std::to_string(static_cast<int>(e->payload_type())) +
                            " (written by a newer tb?)");
}

}  // namespace tb
