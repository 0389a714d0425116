#include "core/import/plain_dedup.h"

#include <filesystem>
#include <limits>
#include <memory>

#include "core/event.h"
#include "core/keycode.h"
#include "core/views/batches_view.h"

namespace tb {
namespace {

// The path as the file system resolves it ("" when it cannot): a file
// imported once as "~/.bash_history" (auto) and once as a relative path is
// the same file.
std::string Canonical(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  return ec ? std::string() : p.string();
}

// The ImportCompleted of `batch`, if it committed and was not undone.
Status ActiveInfo(StoreReader& reader, uint64_t batch, Event* info, bool* active) {
  *active = false;
  BatchStatus st;
  TB_RETURN_IF_ERROR(GetBatchStatus(reader, batch, &st));
  // Not completed: partial, reverted before any import runs.
  if (st.reverted || st.completed_seq == 0) return Status::OK();
  Status s = reader.GetEvent(st.completed_seq, info);
  if (s.IsNotFound()) return Status::OK();
  TB_RETURN_IF_ERROR(s);
  *active = info->kind == EventKind::kImportCompleted;
  return Status::OK();
}

}  // namespace

Status ForEachImportBatch(StoreReader& reader, const std::function<Status(uint64_t batch)>& visit) {
  std::unique_ptr<KvCursor> c = NewBatchesCursor(reader);
  if (c == nullptr) return Status::OK();
  for (c->SeekToFirst(); c->Valid();) {
    uint64_t batch = 0, seq = 0;
    char kind = 0;
    if (!ParseBatchKey(c->key(), &batch, &kind, &seq)) break;
    TB_RETURN_IF_ERROR(visit(batch));
    if (batch == std::numeric_limits<uint64_t>::max()) break;
    std::string next;  // the first key of the next batch
    PutU64BE(&next, batch + 1);
    c->Seek(next);
  }
  return c->status();
}

Status FindImportBatches(StoreReader& reader, std::string_view source, const std::string& path,
                         std::vector<uint64_t>* batches) {
  batches->clear();
  const std::string canonical = Canonical(path);
  return ForEachImportBatch(reader, [&](uint64_t batch) {
    Event info;
    bool active = false;
    TB_RETURN_IF_ERROR(ActiveInfo(reader, batch, &info, &active));
    if (active && info.source == source &&
        (info.detail == path || (!canonical.empty() && Canonical(info.detail) == canonical))) {
      batches->push_back(batch);
    }
    return Status::OK();
  });
}

Status PlainDedup::Load(StoreReader& reader, const std::vector<uint64_t>& batches, uint64_t window) {
  std::unique_ptr<KvCursor> c = NewBatchesCursor(reader);
  if (c == nullptr) return Status::OK();
  for (auto b = batches.rbegin(); b != batches.rend() && loaded_ < window; ++b) {
    const std::string prefix = BatchMemberPrefix(*b);
    for (c->SeekForPrev(BatchMemberKey(*b, std::numeric_limits<uint64_t>::max()));
         c->Valid() && c->key().starts_with(prefix) && loaded_ < window; c->Prev()) {
      std::string_view k = c->key().substr(prefix.size());
      uint64_t seq = 0;
      if (!GetU64BE(&k, &seq)) return Status::Corruption("batches view: bad member key of batch " + std::to_string(*b));
      Event ev;
      Status s = reader.GetEvent(seq, &ev);
      if (s.IsNotFound()) continue;  // purged by tb forget
      TB_RETURN_IF_ERROR(s);
      if (ev.kind != EventKind::kRecorded) continue;
      ++left_[ev.command];
      if (!newest_ || ev.time_ns > *newest_) newest_ = ev.time_ns;
      ++loaded_;
    }
    TB_RETURN_IF_ERROR(c->status());
  }
  return Status::OK();
}

bool PlainDedup::Duplicate(const std::string& text) {
  auto it = left_.find(text);
  if (it == left_.end() || it->second == 0) return false;
  --it->second;
  return true;
}

}  // namespace tb
