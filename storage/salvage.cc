#include "storage/salvage.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <unordered_set>

#include "core/codec.h"
#include "core/keycode.h"
#include "storage/ack_head.h"
#include "storage/admin_util.h"
#include "storage/data_dir.h"
#include "storage/store_impl.h"

namespace tb {
namespace fs = std::filesystem;

namespace {

constexpr size_t kBatch = 4096;

// True when an iterator positioned by Seek(seq) reads without error (it may
// be at the end).
bool Readable(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t seq) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  it->Seek(SeqKey(seq));
  return it->status().ok();
}

// The smallest seq in (bad, bound] at which a seek reads again: gallop,
// then bisect. 0 when none does.
uint64_t NextReadable(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t bad, uint64_t bound) {
  uint64_t lo = bad, hi = 0;  // lo: unreadable; hi: readable
  for (uint64_t step = 1; lo < bound; step *= 2) {
    uint64_t probe = std::min(bound, lo + step);
    if (Readable(db, cf, probe)) {
      hi = probe;
      break;
    }
    lo = probe;
  }
  if (hi == 0) return 0;
  while (hi - lo > 1) {
    uint64_t mid = lo + (hi - lo) / 2;
    (Readable(db, cf, mid) ? hi : lo) = mid;
  }
  return hi;
}

void AddRange(std::vector<std::pair<uint64_t, uint64_t>>* ranges, uint64_t from, uint64_t to) {
  if (from > to) return;
  if (!ranges->empty() && ranges->back().second + 1 == from) {
    ranges->back().second = to;
  } else {
    ranges->emplace_back(from, to);
  }
}

// Appends what a salvage keeps to the new store, batch by batch.
class Sink {
 public:
  explicit Sink(Store* dst) : dst_(dst) {}
  Status Add(Event ev) {
    batch_.push_back(std::move(ev));
    return batch_.size() == kBatch ? Flush() : Status::OK();
  }
  Status Flush() {
    if (batch_.empty()) return Status::OK();
    Status s = dst_->AppendPreservingSeq(batch_, false);
    batch_.clear();
    return s;
  }

 private:
  Store* dst_;
  std::vector<Event> batch_;
};

// Copies every readable, first-seen event of `src` into `dst`.
Status CopyReadable(StoreImpl* src, Store* dst, uint64_t bound, SalvageReport* r) {
  Sink sink(dst);
  std::unordered_set<EventId, EventIdHash> ids;
  std::unordered_set<uint64_t> forgotten;
  std::vector<uint64_t> kept_seqs;
  Status inner;
  Event ev;
  Status scan = src->SalvageScan(bound, &r->bad_blocks, [&](uint64_t seq, std::string_view raw) {
    if (!inner.ok()) return;
    if (!DecodeEvent(raw, &ev).ok() || ev.seq != seq) {
      r->unreadable++;
      return;
    }
    if (!ids.insert(ev.id).second) {
      r->duplicates++;
      return;
    }
    if (ev.kind == EventKind::kForgotten) forgotten.insert(ev.targets.begin(), ev.targets.end());
    kept_seqs.push_back(seq);
    r->kept++;
    inner = sink.Add(ev);
  });
  TB_RETURN_IF_ERROR(scan);
  TB_RETURN_IF_ERROR(inner);
  TB_RETURN_IF_ERROR(sink.Flush());
  // Lost: every seq between the floor and the acknowledged end that holds
  // no kept event and was not forgotten on purpose.
  uint64_t next = src->log_floor() + 1;
  auto lose = [&](uint64_t from, uint64_t to) {
    for (uint64_t q = from; q <= to; ++q) {
      if (!forgotten.count(q)) AddRange(&r->lost, q, q);
    }
  };
  for (uint64_t seq : kept_seqs) {
    if (seq > next) lose(next, seq - 1);
    next = seq + 1;
  }
  uint64_t end = std::max(r->acknowledged, r->old_head);
  if (end >= next) lose(next, end);
  return Status::OK();
}

// Swaps `incoming` with DIR/db and moves the old database aside.
Status SwapIn(const std::string& data_dir, const std::string& incoming, int64_t now_ns, std::string* kept) {
  const std::string db = data_dir + "/db";
  if (::renameat2(AT_FDCWD, incoming.c_str(), AT_FDCWD, db.c_str(), RENAME_EXCHANGE) != 0) {
    return Status::IOError(admin::Errno("cannot swap in the salvaged database", db));
  }
  SyncDir(data_dir);
  std::error_code ec;
  const std::string base = data_dir + "/damaged";
  fs::create_directories(base, ec);
  ::chmod(base.c_str(), 0700);
  *kept = base + "/" + admin::FileTime(now_ns);
  for (int i = 1; fs::exists(*kept, ec); ++i) *kept = base + "/" + admin::FileTime(now_ns) + "-" + std::to_string(i);
  if (::rename(incoming.c_str(), kept->c_str()) != 0) {
    return Status::IOError(admin::Errno("cannot move the damaged database aside", *kept));
  }
  SyncDir(base);
  return Status::OK();
}

}  // namespace

Status StoreImpl::SalvageScan(uint64_t bound, uint64_t* bad_blocks,
                              const std::function<void(uint64_t, std::string_view)>& visit) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  uint64_t from = 0;
  for (;;) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_cf_));
    uint64_t seq = from;
    for (it->Seek(SeqKey(from)); it->Valid(); it->Next()) {
      if (!ParseSeqKey(ToView(it->key()), &seq)) continue;
      visit(seq, ToView(it->value()));
      from = seq + 1;
    }
    if (it->status().ok()) return Status::OK();
    ++*bad_blocks;
    uint64_t next = NextReadable(db_.get(), log_cf_, from, std::max(bound, from + 1));
    if (next == 0) return Status::OK();
    from = next;
  }
}

std::string EncodeSalvageDetail(const SalvageReport& r) {
  std::string lost;
  for (const auto& [a, b] : r.lost) {
    if (!lost.empty()) lost += ",";
    lost += std::to_string(a) + "-" + std::to_string(b);
  }
  return "lost=" + lost + ";unreadable=" + std::to_string(r.unreadable) +
         ";duplicates=" + std::to_string(r.duplicates) + ";acknowledged=" + std::to_string(r.acknowledged);
}

std::vector<std::pair<uint64_t, uint64_t>> SalvageLostRanges(std::string_view detail) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  if (!detail.starts_with("lost=")) return out;
  detail.remove_prefix(5);
  detail = detail.substr(0, detail.find(';'));
  while (!detail.empty()) {
    std::string_view part = detail.substr(0, detail.find(','));
    detail.remove_prefix(std::min(detail.size(), part.size() + 1));
    uint64_t a = 0, b = 0;
    size_t dash = part.find('-');
    if (dash == std::string_view::npos) continue;
    auto ra = std::from_chars(part.data(), part.data() + dash, a);
    auto rb = std::from_chars(part.data() + dash + 1, part.data() + part.size(), b);
    if (ra.ec == std::errc() && rb.ec == std::errc() && a <= b) out.emplace_back(a, b);
  }
  return out;
}

Status SalvageStore(const SalvageOptions& o, SalvageReport* out) {
  *out = SalvageReport{};
  bool exists = false;
  StoreIdentity identity;
  TB_RETURN_IF_ERROR(InspectDataDir(o.data_dir, &exists, &identity));
  if (!exists) return Status::NotFound("no TermBrain store (" + o.data_dir + "): nothing to salvage");
  DirLock lock;
  TB_RETURN_IF_ERROR(lock.Acquire(o.data_dir, o.holder, o.lock_wait_ms));

  const std::string db = o.data_dir + "/db";
  bool ack_present = false;
  // A damaged record names no head; the log's own is used then.
  static_cast<void>(AckHeadFile::Read(db, &ack_present, &out->acknowledged));

  StoreOptions so = o.store;
  so.data_dir = o.data_dir;
  so.access = StoreOptions::Access::kReadOnly;
  so.create_if_missing = false;
  so.salvage = true;
  std::unique_ptr<Store> src;
  Status s = Store::Open(so, &src);
  if (!s.ok()) {
    return Status::Corruption("cannot salvage (" + db + "): the database cannot be opened even leniently: " +
                              s.message() + ". Restore a backup ('tb backup restore')");
  }
  out->old_head = src->head();

  // The new database is a complete data dir beside the live one.
  const std::string partial = o.data_dir + "/salvage.partial";
  std::error_code ec;
  fs::remove_all(partial, ec);
  fs::create_directory(partial, ec);
  ::chmod(partial.c_str(), 0700);
  TB_RETURN_IF_ERROR(admin::WriteIdentity(partial, identity));
  StoreOptions no = o.store;
  no.data_dir = partial;
  no.access = StoreOptions::Access::kReadWrite;
  no.create_if_missing = true;
  no.progress = nullptr;
  std::unique_ptr<Store> dst;
  s = Store::Open(no, &dst);
  const uint64_t bound = std::max(out->acknowledged, out->old_head) + 1;
  if (s.ok()) s = CopyReadable(static_cast<StoreImpl*>(src.get()), dst.get(), bound, out);
  if (s.ok()) {
    Event mark;
    mark.kind = EventKind::kAdminAction;
    mark.seq = std::max({dst->head(), out->acknowledged, out->old_head}) + 1;
    mark.time_ns = o.now_ns;
    mark.source = std::string(kSalvageAction);
    mark.detail = EncodeSalvageDetail(*out);
    s = dst->AppendPreservingSeq(std::span<Event>(&mark, 1), /*sync=*/true);
    out->new_head = mark.seq;
  }
  src.reset();
  dst.reset();
  if (s.ok()) s = SwapIn(o.data_dir, partial + "/db", o.now_ns, &out->damaged_copy);
  fs::remove_all(partial, ec);
  return s;
}

}  // namespace tb
