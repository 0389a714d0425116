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
    uint64_t batch = 0;
    if (!ParseBatchOfKey(c->key(), &batch)) break;
    TB_RETURN_IF_ERROR(visit(batch));
    if (batch == std::numeric_limits<uint64_t>::max()) break;
    c->Seek(BatchPrefix(batch + 1));  // the first key of the next batch
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
    Status walk = Status::OK();
    TB_RETURN_IF_ERROR(ForEachBatchMember(*c, *b, true, [&](uint64_t seq) {
      Event ev;
      walk = reader.GetEvent(seq, &ev);
      if (walk.IsNotFound()) {  // purged by tb forget
        walk = Status::OK();
        return true;
      }
      if (!walk.ok()) return false;
      if (ev.kind != EventKind::kRecorded) return true;
      ++left_[ev.command];
      if (!newest_ || ev.time_ns > *newest_) newest_ = ev.time_ns;
      return ++loaded_ < window;
    }));
    TB_RETURN_IF_ERROR(walk);
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
