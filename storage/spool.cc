#include "storage/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/atomic_file.h"
#include "core/keycode.h"
#include "core/spool_frame.h"
#include "core/views/ids_view.h"
#include "storage/spool_trust.h"

namespace tb {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kLiveSuffix = ".spool";
constexpr std::string_view kDraining = ".spool.draining.";

// Reads `fd` from `offset` to its end, at most `max` bytes; *more says
// whether the file holds more after them.
Status ReadFrom(int fd, const std::string& path, uint64_t offset, size_t max, std::string* out, int64_t* mtime_ms,
                bool* more) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IOError("cannot read spool file (" + path + "): " + std::strerror(errno));
  *mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  out->clear();
  *more = false;
  if (static_cast<uint64_t>(st.st_size) > offset) {
    const uint64_t left = static_cast<uint64_t>(st.st_size) - offset;
    *more = left > max;
    out->resize(static_cast<size_t>(std::min<uint64_t>(left, max)));
    size_t got = 0;
    while (got < out->size()) {
      ssize_t n = ::pread(fd, out->data() + got, out->size() - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError("cannot read spool file (" + path + "): " + std::strerror(errno));
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    if (got < out->size()) *more = false;  // shorter than it was a moment ago
    out->resize(got);
  }
  return Status::OK();
}

// Records that `path` (a spool `what`) was not read, and why.
void Refuse(DrainReport* r, std::string_view what, const std::string& path, const std::string& why) {
  r->refused++;
  r->warnings.push_back("spool " + std::string(what) + " refused (" + path + "): " + why +
                        (what == "directory" ? ". Nothing in it was read; remove it, or set TERMBRAIN_SPOOL_DIR to a "
                                               "directory of yours"
                                             : ". It was not read; check what it holds and remove it"));
}

// Names in the directory open at `dir_fd`.
std::vector<std::string> ListDir(int dir_fd) {
  std::vector<std::string> names;
  int fd = ::dup(dir_fd);
  if (fd < 0) return names;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return names;
  }
  ::rewinddir(d);
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(d);
  return names;
}

Status KeepRejected(const SpoolDrainOptions& o, const std::string& file, const SpoolParse& p) {
  if (p.rejected.empty()) return Status::OK();
  std::error_code ec;
  fs::create_directories(o.rejected_dir, ec);
  std::string path = o.rejected_dir + "/" + file;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot keep rejected spool lines (" + path + "): " + std::strerror(errno));
  std::string data;
  for (size_t i = 0; i < p.rejected.size(); ++i) {
    std::string line = p.rejected[i];
    if (o.mask_rejected) o.mask_rejected(&line);
    data += "# " + p.reasons[i] + "\n" + line + "\n";
  }
  bool ok = WriteFully(fd, data) && ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::OK() : Status::IOError("cannot write " + path);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Renames every non-empty trusted live file so its shell starts a fresh
// one; untrusted ones are refused and left where they are.
std::vector<std::string> TakeOver(int dir_fd, const std::string& dir, DrainReport* r) {
  std::vector<std::string> names;
  for (const std::string& name : ListDir(dir_fd)) {
    if (!name.ends_with(kLiveSuffix)) continue;
    Fd fd;
    Status s = OpenTrusted(dir_fd, name, SpoolObject::kFile, &fd);
    if (!s.ok()) {
      Refuse(r, "file", dir + "/" + name, s.message());
      continue;
    }
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || st.st_size == 0) continue;
    std::string to = name + ".draining." + std::to_string(NowMs()) + "-" + std::to_string(::getpid());
    if (::renameat(dir_fd, name.c_str(), dir_fd, to.c_str()) == 0) names.push_back(to);
  }
  return names;
}

// Drops the events whose id the log (or this drain, `seen`) already has;
// one warning per file names the first of them.
Status DropDuplicates(Store& store, const std::string& path, std::unordered_set<EventId, EventIdHash>* seen,
                      std::vector<Event>* events, DrainReport* r) {
  size_t kept = 0, dups = 0;
  std::string first;
  for (size_t i = 0; i < events->size(); ++i) {
    const Event& ev = (*events)[i];
    uint64_t seq = 0;
    Status s = LookupId(store.reader(), ev.id, &seq);
    if (!s.ok() && !s.IsNotFound()) return s;
    const bool in_log = s.ok();
    if (in_log || !seen->insert(ev.id).second) {
      if (dups++ == 0) {
        first = "id " + ev.id.ToString() + (in_log ? " is at seq " + std::to_string(seq) : " came twice");
      }
      continue;
    }
    if (kept != i) (*events)[kept] = std::move((*events)[i]);
    kept++;
  }
  events->resize(kept);
  if (dups == 0) return Status::OK();
  r->duplicates += dups;
  r->warnings.push_back("dropped " + std::to_string(dups) + " spooled event(s) already in the log (" + path +
                        "): their ids were recorded before (" + first + "). Nothing to do: each command is kept once");
  return Status::OK();
}

// Parses one part of a spool file read from its checkpoint (`more`: the
// file holds more after it). A partial last line is left for the next part
// or drain; with nothing after it, it is a torn frame, rejected once older
// than the grace. A part that is all one partial line is a frame over the
// read limit: rejected, its first bytes kept. Returns whether a torn frame
// is left.
bool ParsePart(const SpoolDrainOptions& o, const std::string& data, bool more, int64_t mtime_ms, SpoolParse* p) {
  ParseSpool(data, p);
  if (p->consumed == data.size()) return false;
  if (more) {
    if (p->consumed == 0) {
      p->rejected.push_back(data.substr(0, kRejectedFrameKeepBytes));
      p->reasons.push_back("frame longer than " + std::to_string(o.max_read_bytes) + " bytes (its first " +
                           std::to_string(kRejectedFrameKeepBytes) + " kept)");
      p->consumed = data.size();
    }
    return false;
  }
  if (NowMs() - mtime_ms <= o.torn_grace_ms) return true;
  p->rejected.push_back(data.substr(p->consumed));
  p->reasons.push_back("torn final frame (its writer was killed)");
  p->consumed = data.size();
  return false;
}

// Appends the events of one parsed part with the file's new checkpoint.
Status AppendPart(Store& store, const SpoolDrainOptions& o, const std::string& name, const std::string& ckpt,
                  uint64_t next_offset, SpoolParse* p, std::unordered_set<EventId, EventIdHash>* seen, DrainReport* r) {
  TB_RETURN_IF_ERROR(KeepRejected(o, name, *p));
  TB_RETURN_IF_ERROR(DropDuplicates(store, o.spool_dir + "/" + name, seen, &p->events, r));
  std::vector<Event> events;
  for (Event& ev : p->events) {
    ev.host = o.host;
    ev.user = o.user;
    if (o.prepare && !o.prepare(&ev)) {
      r->dropped++;
      continue;
    }
    events.push_back(std::move(ev));
  }
  std::string next;
  PutU64BE(&next, next_offset);
  TB_RETURN_IF_ERROR(store.AppendWithCheckpoint(events, /*sync=*/false, ckpt, next));
  r->events += events.size();
  for (const Event& ev : events) ++r->events_by_kind[ev.kind];
  r->rejected += p->rejected.size();
  return Status::OK();
}

// Appends one taken-over file's new frames (not synced: the caller syncs
// once for all files), in parts of at most o.max_read_bytes; adds the file
// to *consumed when fully read.
Status DrainFile(Store& store, const SpoolDrainOptions& o, int dir_fd, const std::string& name,
                 std::unordered_set<EventId, EventIdHash>* seen, DrainReport* r, std::vector<std::string>* consumed) {
  std::string path = o.spool_dir + "/" + name;
  Fd fd;
  Status trusted = OpenTrusted(dir_fd, name, SpoolObject::kFile, &fd);
  if (!trusted.ok()) {
    Refuse(r, "file", path, trusted.message());
    return Status::OK();
  }
  if (!fd.valid()) return Status::OK();  // drained and deleted meanwhile
  std::string ckpt = "spool/" + name, value;
  uint64_t offset = 0;
  Status s = store.GetCheckpoint(ckpt, &value);
  if (s.ok()) {
    std::string_view v = value;
    if (!GetU64BE(&v, &offset)) return Status::Corruption("malformed spool checkpoint for " + name);
  } else if (!s.IsNotFound()) {
    return s;
  }
  r->files++;
  for (bool more = true; more;) {
    std::string data;
    int64_t mtime_ms = 0;
    TB_RETURN_IF_ERROR(
        ReadFrom(fd.get(), path, offset, std::max<size_t>(o.max_read_bytes, 1), &data, &mtime_ms, &more));
    SpoolParse p;
    bool torn = ParsePart(o, data, more, mtime_ms, &p);
    offset += p.consumed;
    TB_RETURN_IF_ERROR(AppendPart(store, o, name, ckpt, offset, &p, seen, r));
    if (!more && !torn) consumed->push_back(name);  // else the rest arrives (or times out) later
  }
  return Status::OK();
}

// Deletes the fully drained files and their checkpoints, once what they
// held is durable in the store.
Status DeleteConsumed(Store& store, const SpoolDrainOptions& o, int dir_fd, const std::vector<std::string>& consumed) {
  if (consumed.empty()) return Status::OK();
  TB_RETURN_IF_ERROR(store.SyncLog());
  for (const std::string& name : consumed) {
    if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
      return Status::IOError("cannot delete drained spool file (" + o.spool_dir + "/" + name +
                             "): " + std::strerror(errno));
    }
    TB_RETURN_IF_ERROR(store.DeleteCheckpoint("spool/" + name));
  }
  return Status::OK();
}

// Opens the spool directory and its base, refusing either if untrusted.
// *fd stays invalid when there is nothing to drain.
void OpenSpoolDir(const std::string& dir, Fd* fd, DrainReport* r) {
  const fs::path path(dir);
  const std::string base = path.parent_path().string();
  Fd base_fd;
  Status s = OpenTrusted(AT_FDCWD, base.empty() ? "." : base, SpoolObject::kDirectory, &base_fd);
  if (!s.ok()) return Refuse(r, "directory", base, s.message());
  if (!base_fd.valid()) return;
  s = OpenTrusted(base_fd.get(), path.filename().string(), SpoolObject::kDirectory, fd);
  if (!s.ok()) Refuse(r, "directory", dir, s.message());
}

}  // namespace

std::string SpoolDirFor(const std::string& spool_base, const std::string& data_dir) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data_dir) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return spool_base + "/" + hex;
}

Status DrainSpool(Store& store, const SpoolDrainOptions& o, DrainReport* r) {
  *r = DrainReport{};
  Fd dir;
  OpenSpoolDir(o.spool_dir, &dir, r);
  if (!dir.valid()) return Status::OK();
  std::vector<std::string> taken = TakeOver(dir.get(), o.spool_dir, r);
  if (!taken.empty() && o.settle_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.settle_ms));
  std::vector<std::string> pending;
  for (std::string& name : ListDir(dir.get())) {
    if (name.find(kDraining) != std::string::npos) pending.push_back(std::move(name));
  }
  std::sort(pending.begin(), pending.end());
  // One fsync for all files, not one per file (a backlog of thousands of
  // spooled records drained in seconds otherwise); on an error the files
  // appended so far are still synced and deleted.
  std::unordered_set<EventId, EventIdHash> seen;
  std::vector<std::string> consumed;
  Status drained = Status::OK();
  for (const auto& name : pending) {
    drained = DrainFile(store, o, dir.get(), name, &seen, r, &consumed);
    if (!drained.ok()) break;
  }
  TB_RETURN_IF_ERROR(DeleteConsumed(store, o, dir.get(), consumed));
  TB_RETURN_IF_ERROR(drained);
  // Checkpoints whose file is gone (deleted after a crash) are stale.
  std::vector<std::string> keys;
  TB_RETURN_IF_ERROR(store.ListCheckpoints("spool/", &keys));
  for (const auto& k : keys) {
    struct stat st {};
    if (::fstatat(dir.get(), k.substr(6).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
      TB_RETURN_IF_ERROR(store.DeleteCheckpoint(k));
    }
  }
  return Status::OK();
}

}  // namespace tb
