// Log export (a portable, checksummed stream of events) and offline replay
// into a new store (storage/admin.h). Grammar (docs/formats.md, "Log export"):
//
//   file    := magic header record* end
//   magic   := "TBLOG" 0x00 0x0D 0x0A                       (8 bytes)
//   header  := u32le(version = 1) u32le(n) json[n] u32le(crc32c(json))
//   json    := {"store_id":"<32 hex>","store_format":1,"schema":"TBEV",
//               "from":F,"to":T,"floor":L,"head":H,"created_ns":N}
//   record  := u32le(n > 0) u32le(crc32c(event)) event[n]   (Event FlatBuffer,
//                                                             as stored in the log)
//   end     := u32le(0) u64le(records) u64le(last seq) u32le(crc32c(the 16 bytes))
//
// Records hold seqs from..to in order without gaps. A file without a valid
// end is truncated (Corruption) unless the reader stopped earlier.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/codec.h"
#include "core/crc32c.h"
#include "core/keycode.h"
#include "core/views/registry.h"
#include "storage/admin.h"
#include "storage/admin_util.h"
#include "storage/store_impl.h"

#include <rocksdb/write_batch.h>

namespace tb {
namespace fs = std::filesystem;
namespace {

using Json = nlohmann::json;
constexpr char kMagic[8] = {'T', 'B', 'L', 'O', 'G', 0x00, 0x0D, 0x0A};
constexpr uint32_t kExportVersion = 1;
constexpr uint32_t kMaxRecord = 64u << 20;
constexpr size_t kReplayBatch = 4096;

void PutU32LE(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}
void PutU64LE(std::string* s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}
uint32_t U32LE(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t U64LE(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string U64BE(uint64_t v) {
  std::string s;
  PutU64BE(&s, v);
  return s;
}

// A source of verified events for Replay.
class Source {
 public:
  virtual ~Source() = default;
  virtual const std::string& store_id() const = 0;
  virtual uint64_t total() const = 0;  // expected events (for progress)
  // Calls visit for each event in order; visit returns false to stop.
  virtual Status Each(const std::function<bool(Event&)>& visit) = 0;
};

// The reader of a log export held in memory (ReadLogExport, FileSource).
class ExportReader {
 public:
  Status Open(std::string_view bytes, const std::string& path) {
    path_ = path;
    map_ = bytes.data();
    size_ = bytes.size();
    if (size_ < sizeof kMagic + 12) {
      return Status::Incompatible("not a TermBrain log export (" + path + "): too short");
    }
    if (std::memcmp(map_, kMagic, sizeof kMagic) != 0) {
      return Status::Incompatible("not a TermBrain log export (" + path + "): bad magic");
    }
    uint32_t version = U32LE(map_ + 8);
    if (version != kExportVersion) {
      return Status::Incompatible("log export format " + std::to_string(version) + " is not supported by this tb (" +
                                  path + "); expected " + std::to_string(kExportVersion));
    }
    uint32_t n = U32LE(map_ + 12);
    if (n > size_ - 20 || 16 + n + 4 > size_) return Corrupt(12, 0, "header length out of range");
    std::string_view json(map_ + 16, n);
    if (Crc32c(json) != U32LE(map_ + 16 + n)) return Corrupt(16, 0, "header checksum mismatch");
    Json j = Json::parse(json, nullptr, false);
    if (!j.is_object()) return Corrupt(16, 0, "header is not JSON");
    try {
      store_id_ = j.value("store_id", "");
      from_ = j.value("from", uint64_t{0});
      to_ = j.value("to", uint64_t{0});
      if (j.value("store_format", 0) > kStoreFormatVersion) {
        return Status::Incompatible("the log export holds store format " + std::to_string(j.value("store_format", 0)) +
                                    ", newer than this tb");
      }
    } catch (const Json::exception&) {
      return Corrupt(16, 0, "header fields have the wrong type");
    }
    pos_ = 16 + n + 4;
    return Status::OK();
  }
  const std::string& store_id() const { return store_id_; }
  uint64_t total() const { return to_ >= from_ && from_ > 0 ? to_ - from_ + 1 : 0; }

  Status Each(const std::function<bool(Event&)>& visit) {
    Event ev;
    uint64_t count = 0, last = 0;
    size_t pos = pos_;
    for (;;) {
      if (size_ - pos < 4) return Corrupt(pos, last, "truncated: the end marker is missing");
      uint32_t n = U32LE(map_ + pos);
      if (n == 0) {
        if (size_ - pos < 24) return Corrupt(pos, last, "truncated end marker");
        std::string_view tail(map_ + pos + 4, 16);
        if (Crc32c(tail) != U32LE(map_ + pos + 20)) return Corrupt(pos, last, "end marker checksum mismatch");
        if (U64LE(map_ + pos + 4) != count || U64LE(map_ + pos + 12) != last) {
          return Corrupt(pos, last,
                         "end marker counts " + std::to_string(U64LE(map_ + pos + 4)) +
                             " records, but the file holds " + std::to_string(count));
        }
        return Status::OK();
      }
      if (n > kMaxRecord || size_ - pos < 8 || size_ - pos - 8 < n) {
        return Corrupt(pos, last + 1, "record length " + std::to_string(n) + " runs past the end of the file");
      }
      std::string_view payload(map_ + pos + 8, n);
      if (Crc32c(payload) != U32LE(map_ + pos + 4)) return Corrupt(pos, last + 1, "record checksum mismatch");
      Status s = DecodeEvent(payload, &ev);
      if (!s.ok()) return Corrupt(pos, last + 1, s.message());
      if (count == 0 ? ev.seq == 0 : ev.seq != last + 1) {
        return Corrupt(pos, ev.seq, "sequence " + std::to_string(ev.seq) + " follows " + std::to_string(last));
      }
      last = ev.seq;
      ++count;
      pos += 8 + n;
      if (!visit(ev)) return Status::OK();
    }
  }

 private:
  Status Corrupt(size_t offset, uint64_t seq, const std::string& why) const {
    return Status::Corruption("damaged log export (" + path_ + ", offset " + std::to_string(offset) +
                              (seq ? ", seq " + std::to_string(seq) : std::string()) + "): " + why +
                              ". Export it again from the store or a backup");
  }
  std::string path_;
  const char* map_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  std::string store_id_;
  uint64_t from_ = 0, to_ = 0;
};

class FileSource final : public Source {
 public:
  ~FileSource() override {
    if (map_ != nullptr) ::munmap(map_, size_);
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Status::NotFound(admin::Errno("cannot open the log export", path));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return Status::IOError(admin::Errno("cannot stat", path));
    size_ = static_cast<size_t>(st.st_size);
    if (size_ < sizeof kMagic + 12 ||
        (map_ = static_cast<char*>(::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0))) == MAP_FAILED) {
      map_ = nullptr;
      return Status::Incompatible("not a TermBrain log export (" + path + "): too short");
    }
    ::madvise(map_, size_, MADV_SEQUENTIAL);
    return reader_.Open(std::string_view(map_, size_), path);
  }
  const std::string& store_id() const override { return reader_.store_id(); }
  uint64_t total() const override { return reader_.total(); }
  Status Each(const std::function<bool(Event&)>& visit) override { return reader_.Each(visit); }

 private:
  int fd_ = -1;
  char* map_ = nullptr;
  size_t size_ = 0;
  ExportReader reader_;
};

class StoreSource final : public Source {
 public:
  Status Open(const std::string& dir) {
    StoreOptions o;
    o.data_dir = dir;
    o.access = StoreOptions::Access::kReadOnly;
    o.create_if_missing = false;
    TB_RETURN_IF_ERROR(Store::Open(o, &store_));
    return Status::OK();
  }
  const std::string& store_id() const override { return store_->store_id(); }
  uint64_t total() const override { return store_->head() - floor_; }
  Status Each(const std::function<bool(Event&)>& visit) override {
    floor_ = store_->log_floor();
    uint64_t last = 0;
    Status gap;
    Event copy;
    Status s = store_->ScanLog(0, UINT64_MAX, /*strict=*/true, nullptr, [&](const Event& ev, std::string_view) {
      if (last != 0 && ev.seq != last + 1) {
        gap = Status::Corruption("damaged store (" + store_->data_dir() + "): sequence " + std::to_string(last + 1) +
                                 ".." + std::to_string(ev.seq - 1) + " is missing. Run 'tb log verify'");
        return false;
      }
      last = ev.seq;
      copy = ev;
      return visit(copy);
    });
    TB_RETURN_IF_ERROR(s);
    return gap;
  }

 private:
  std::unique_ptr<Store> store_;
  uint64_t floor_ = 0;
};

}  // namespace

Status StoreImpl::AppendPreservingSeq(std::span<Event> events, bool sync) {
  TB_RETURN_IF_ERROR(CheckWritable());
  if (events.empty()) return Status::OK();
  uint64_t prev = head_;
  for (const Event& ev : events) {
    if (ev.seq <= prev) {
      return Status::InvalidArgument("replayed event " + std::to_string(ev.seq) + " does not follow " +
                                     std::to_string(prev));
    }
    prev = ev.seq;
  }
  const uint64_t first = events.front().seq;
  if (head_ == 0 && first > 1) {
    // An empty store continuing a log that starts after a retention floor.
    rocksdb::WriteBatch b;
    rocksdb::Status rs = b.Put(meta_cf_, ToSlice(kMetaLogFloor), U64BE(first - 1));
    if (rs.ok()) rs = b.Put(meta_cf_, ToSlice(kMetaHead), U64BE(first - 1));
    for (const View* v : AllViews()) {
      if (rs.ok()) rs = b.Put(meta_cf_, ViewMetaKey(v->name()), EncodeViewMeta(v->version(), first - 1));
    }
    if (rs.ok()) rs = db_->Write(rocksdb::WriteOptions(), &b);
    TB_RETURN_IF_ERROR(FromRocks(rs, "starting a replay"));
    head_ = first - 1;
  }
  return AppendImpl(events, sync, nullptr, "", /*preserve_seq=*/true);
}

Status ExportLog(Store& store, const std::string& path, uint64_t from, uint64_t to, int64_t now_ns, ExportStats* out) {
  *out = ExportStats{};
  const uint64_t floor = store.log_floor();
  const uint64_t head = store.head();
  from = std::max<uint64_t>(from, floor + 1);
  to = std::min(to, head);
  Json j{{"store_id", store.store_id()},
         {"store_format", kStoreFormatVersion},
         {"schema", "TBEV"},
         {"from", from},
         {"to", to},
         {"floor", floor},
         {"head", head},
         {"created_ns", now_ns}};
  std::string json = j.dump();
  AtomicFile w;
  TB_RETURN_IF_ERROR(w.Open(path).WithContext("log export"));
  std::string head_bytes(kMagic, sizeof kMagic);
  PutU32LE(&head_bytes, kExportVersion);
  PutU32LE(&head_bytes, static_cast<uint32_t>(json.size()));
  head_bytes += json;
  PutU32LE(&head_bytes, Crc32c(json));
  Status s = w.Write(head_bytes);
  std::string rec;
  uint64_t expect = from;
  if (s.ok() && from <= to) {
    Status inner;
    s = store.ScanLog(from, to, /*strict=*/true, nullptr, [&](const Event& ev, std::string_view raw) {
      if (ev.seq != expect) {
        inner = Status::Corruption("the log has a gap before seq " + std::to_string(ev.seq) + " (" + store.data_dir() +
                                   "). Run 'tb log verify'");
        return false;
      }
      ++expect;
      rec.clear();
      PutU32LE(&rec, static_cast<uint32_t>(raw.size()));
      PutU32LE(&rec, Crc32c(raw));
      rec.append(raw);
      inner = w.Write(rec);
      if (out->events++ == 0) out->first_seq = ev.seq;
      out->last_seq = ev.seq;
      return inner.ok();
    });
    if (s.ok()) s = inner;
    if (s.ok() && out->events != to - from + 1) {
      s = Status::Corruption("the log ends at " + std::to_string(out->last_seq) + " before head " + std::to_string(to) +
                             " (" + store.data_dir() + "). Run 'tb log verify'");
    }
  }
  if (s.ok()) {
    std::string tail;
    PutU64LE(&tail, out->events);
    PutU64LE(&tail, out->last_seq);
    std::string end;
    PutU32LE(&end, 0);
    end += tail;
    PutU32LE(&end, Crc32c(tail));
    s = w.Write(end);
  }
  if (s.ok()) s = w.Commit();
  if (!s.ok()) return s.WithContext("log export to " + path);
  out->bytes = w.bytes();
  return Status::OK();
}

Status ReadLogExport(std::string_view bytes, const std::string& name, std::string* store_id,
                     const std::function<bool(Event&)>& visit) {
  ExportReader reader;
  TB_RETURN_IF_ERROR(reader.Open(bytes, name));
  *store_id = reader.store_id();
  return reader.Each(visit);
}

Status Replay(const ReplayOptions& o, ReplayStats* out) {
  *out = ReplayStats{};
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Source> src;
  if (!o.from_file.empty()) {
    auto f = std::make_unique<FileSource>();
    TB_RETURN_IF_ERROR(f->Open(o.from_file));
    src = std::move(f);
  } else {
    auto d = std::make_unique<StoreSource>();
    TB_RETURN_IF_ERROR(d->Open(o.from_data_dir));
    src = std::move(d);
  }
  out->source_store_id = src->store_id();
  std::error_code ec;
  if (fs::exists(o.into, ec) && !(fs::is_directory(o.into, ec) && fs::is_empty(o.into, ec))) {
    return Status::InvalidArgument("the target directory is not empty (" + o.into +
                                   "). Choose a new or empty directory for --into");
  }
  // Built beside the target and renamed into place when complete.
  std::string partial = o.into + ".partial-" + std::to_string(::getpid());
  fs::remove_all(partial, ec);
  StoreOptions so = o.store;
  so.data_dir = partial;
  so.access = StoreOptions::Access::kReadWrite;
  so.create_if_missing = true;
  so.progress = nullptr;
  std::unique_ptr<Store> dst;
  Status s = Store::Open(so, &dst);
  std::vector<Event> batch;
  batch.reserve(kReplayBatch);
  Status inner;
  uint64_t total = src->total();
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::OK();
    Status a = dst->AppendPreservingSeq(batch, false);
    out->events += batch.size();
    batch.clear();
    if (o.progress) o.progress(out->events, total);
    return a;
  };
  if (s.ok()) {
    s = src->Each([&](Event& ev) {
      if (o.until_seq && ev.seq > *o.until_seq) return false;
      if (o.until_time_ns && ev.time_ns > *o.until_time_ns) return false;
      if (out->first_seq == 0) out->first_seq = ev.seq;
      out->last_seq = ev.seq;
      batch.push_back(std::move(ev));
      if (batch.size() == kReplayBatch) inner = flush();
      return inner.ok();
    });
    if (s.ok()) s = inner;
    if (s.ok()) s = flush();
    // Where the store came from, recorded in meta with a synced write that
    // also makes the WAL durable before the rename. (No event is appended:
    // the new log is exactly the source's.)
    Json origin{{"source", o.from_file.empty() ? o.from_data_dir : o.from_file},
                {"source_store_id", out->source_store_id},
                {"events", out->events},
                {"first_seq", out->first_seq},
                {"last_seq", out->last_seq}};
    if (s.ok()) s = dst->AppendWithCheckpoint(std::span<Event>(), true, "replay/origin", origin.dump());
  }
  dst.reset();
  if (s.ok() && fs::exists(o.into, ec)) fs::remove(o.into, ec);  // the empty target directory
  if (s.ok() && ::rename(partial.c_str(), o.into.c_str()) != 0) {
    s = Status::IOError(admin::Errno("cannot move the new store into place", o.into));
  }
  if (!s.ok()) {
    fs::remove_all(partial, ec);
    return s;
  }
  SyncDir(fs::absolute(o.into).parent_path().string());
  out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::OK();
}

}  // namespace tb
