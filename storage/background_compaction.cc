// Store compaction on the caller's thread (CompactAll) and on a thread of
// its own (StartBackgroundCompaction), sharing CompactFamilies.
#include "storage/store_impl.h"

namespace tb {

Status StoreImpl::CompactFamilies(const std::vector<rocksdb::ColumnFamilyHandle*>& families, int subcompactions,
                                  std::atomic<bool>* canceled) {
  TB_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), families), "flushing"));
  rocksdb::CompactRangeOptions co;
  co.max_subcompactions = static_cast<uint32_t>(subcompactions);
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  co.canceled = canceled;
  for (auto* h : families) {
    if (canceled != nullptr && canceled->load()) return Status::Busy("compaction canceled");
    TB_RETURN_IF_ERROR(FromRocks(db_->CompactRange(co, h, nullptr, nullptr), "compacting"));
  }
  return Status::OK();
}

Status StoreImpl::CompactAll() {
  TB_RETURN_IF_ERROR(CheckWritable());
  return CompactFamilies(handles_, 2, nullptr);
}

Status StoreImpl::StartBackgroundCompaction() {
  TB_RETURN_IF_ERROR(CheckWritable());
  {
    std::lock_guard<std::mutex> lock(compaction_mu_);
    if (compaction_.state == BackgroundCompaction::State::kRunning) return Status::OK();
  }
  if (compaction_thread_.joinable()) compaction_thread_.join();  // an ended one not polled yet
  compaction_cancel_ = false;
  {
    std::lock_guard<std::mutex> lock(compaction_mu_);
    compaction_ = BackgroundCompaction{BackgroundCompaction::State::kRunning, Status::OK(), head_};
  }
  compaction_thread_ = std::thread([this, families = handles_] {
    // One subcompaction: the daemon runs at low priority beside the user.
    Status s = CompactFamilies(families, 1, &compaction_cancel_);
    std::lock_guard<std::mutex> lock(compaction_mu_);
    compaction_.state = BackgroundCompaction::State::kEnded;
    compaction_.result = s;
  });
  return Status::OK();
}

BackgroundCompaction StoreImpl::PollBackgroundCompaction() {
  BackgroundCompaction now;
  {
    std::lock_guard<std::mutex> lock(compaction_mu_);
    now = compaction_;
    if (now.state == BackgroundCompaction::State::kEnded) compaction_ = BackgroundCompaction{};
  }
  if (now.state == BackgroundCompaction::State::kEnded && compaction_thread_.joinable()) compaction_thread_.join();
  return now;
}

void StoreImpl::StopBackgroundCompaction() {
  if (!compaction_thread_.joinable()) return;
  compaction_cancel_ = true;
  compaction_thread_.join();
  std::lock_guard<std::mutex> lock(compaction_mu_);
  compaction_ = BackgroundCompaction{};
}

}  // namespace tb
