#include "storage/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/keycode.h"
#include "core/spool_frame.h"

namespace tb {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kLiveSuffix = ".spool";
constexpr std::string_view kDraining = ".spool.draining.";

Status ReadFrom(const std::string& path, uint64_t offset, std::string* out, int64_t* mtime_ms) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot read spool file (" + path + "): " + std::strerror(errno));
  struct stat st {};
  ::fstat(fd, &st);
  *mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  out->clear();
  if (static_cast<uint64_t>(st.st_size) > offset) {
    out->resize(static_cast<size_t>(st.st_size - static_cast<off_t>(offset)));
    size_t got = 0;
    while (got < out->size()) {
      ssize_t n = ::pread(fd, out->data() + got, out->size() - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    out->resize(got);
  }
  ::close(fd);
  return Status::OK();
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
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::OK() : Status::IOError("cannot write " + path);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

// Renames every non-empty live file so its shell starts a fresh one.
std::vector<std::string> TakeOver(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.ends_with(kLiveSuffix) && e.file_size(ec) > 0) {
      std::string to = name + ".draining." + std::to_string(NowMs()) + "-" + std::to_string(::getpid());
      if (::rename((dir + "/" + name).c_str(), (dir + "/" + to).c_str()) == 0) names.push_back(to);
    }
  }
  return names;
}

// Drains one taken-over file; deletes it when fully consumed.
Status DrainFile(Store& store, const SpoolDrainOptions& o, const std::string& name, DrainReport* r) {
  std::string path = o.spool_dir + "/" + name;
  std::string ckpt = "spool/" + name, value;
  uint64_t offset = 0;
  Status s = store.GetCheckpoint(ckpt, &value);
  if (s.ok()) {
    std::string_view v = value;
    if (!GetU64BE(&v, &offset)) return Status::Corruption("malformed spool checkpoint for " + name);
  } else if (!s.IsNotFound()) {
    return s;
  }
  std::string data;
  int64_t mtime_ms = 0;
  TB_RETURN_IF_ERROR(ReadFrom(path, offset, &data, &mtime_ms));
  SpoolParse p;
  ParseSpool(data, &p);
  bool torn = p.consumed < data.size();
  if (torn && NowMs() - mtime_ms > o.torn_grace_ms) {
    p.rejected.push_back(data.substr(p.consumed));
    p.reasons.push_back("torn final frame (its writer was killed)");
    p.consumed = data.size();
    torn = false;
  }
  TB_RETURN_IF_ERROR(KeepRejected(o, name, p));
  std::vector<Event> events;
  for (Event& ev : p.events) {
    ev.host = o.host;
    ev.user = o.user;
    if (o.prepare && !o.prepare(&ev)) {
      r->dropped++;
      continue;
    }
    events.push_back(std::move(ev));
  }
  std::string next;
  PutU64BE(&next, offset + p.consumed);
  TB_RETURN_IF_ERROR(store.AppendWithCheckpoint(events, /*sync=*/true, ckpt, next));
  r->files++;
  r->events += events.size();
  r->rejected += p.rejected.size();
  if (torn) return Status::OK();  // the rest arrives (or times out) later
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::IOError("cannot delete drained spool file (" + path + "): " + std::strerror(errno));
  }
  return store.DeleteCheckpoint(ckpt);
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
  std::error_code ec;
  if (!fs::is_directory(o.spool_dir, ec)) return Status::OK();
  std::vector<std::string> taken = TakeOver(o.spool_dir);
  if (!taken.empty() && o.settle_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.settle_ms));
  std::vector<std::string> pending;
  for (const auto& e : fs::directory_iterator(o.spool_dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.find(kDraining) != std::string::npos) pending.push_back(name);
  }
  std::sort(pending.begin(), pending.end());
  for (const auto& name : pending) TB_RETURN_IF_ERROR(DrainFile(store, o, name, r));
  // Checkpoints whose file is gone (deleted after a crash) are stale.
  std::vector<std::string> keys;
  TB_RETURN_IF_ERROR(store.ListCheckpoints("spool/", &keys));
  for (const auto& k : keys) {
    if (!fs::exists(o.spool_dir + "/" + k.substr(6), ec)) TB_RETURN_IF_ERROR(store.DeleteCheckpoint(k));
  }
  return Status::OK();
}

}  // namespace tb
