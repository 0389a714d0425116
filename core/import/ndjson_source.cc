#include "core/import/ndjson_source.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/base64.h"
#include "core/import/line_reader.h"
#include "core/record_policy.h"
#include "core/timefmt.h"

namespace tb {

Status ParseNdjsonRecord(std::string_view line, ImportedCommand* out) {
  nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("not a JSON object");
  *out = ImportedCommand{};
  Event& ev = out->ev;
  ev.kind = EventKind::kRecorded;
  auto text = [&](const char* key, const char* b64, std::string* dst, bool required) -> Status {
    if (j.contains(b64)) {
      if (!j[b64].is_string() || !Base64Decode(j[b64].get<std::string>(), dst)) {
        return Status::InvalidArgument(std::string("invalid '") + b64 + "'");
      }
      return Status::OK();
    }
    if (!j.contains(key) || j[key].is_null()) {
      if (required) return Status::InvalidArgument(std::string("missing '") + key + "'");
      return Status::OK();
    }
    if (!j[key].is_string()) return Status::InvalidArgument(std::string("'") + key + "' is not a string");
    *dst = j[key].get<std::string>();
    return Status::OK();
  };
  TB_RETURN_IF_ERROR(text("command", "command_b64", &ev.command, true));
  if (IsBlankCommand(ev.command)) return Status::InvalidArgument(kBlankCommandProblem);
  TB_RETURN_IF_ERROR(text("cwd", "cwd_b64", &ev.cwd, false));
  TB_RETURN_IF_ERROR(text("session", "session_b64", &ev.session, false));
  TB_RETURN_IF_ERROR(text("host", "host_b64", &ev.host, false));
  TB_RETURN_IF_ERROR(text("user", "user_b64", &ev.user, false));
  TB_RETURN_IF_ERROR(text("shell", "shell_b64", &ev.shell, false));
  if (j.contains("exit_code") && !j["exit_code"].is_null()) {
    if (!j["exit_code"].is_number_integer()) return Status::InvalidArgument("'exit_code' is not an integer");
    int64_t e = j["exit_code"].get<int64_t>();
    if (e < INT32_MIN || e > INT32_MAX) return Status::InvalidArgument("'exit_code' out of range");
    ev.exit_code = static_cast<int32_t>(e);
  }
  if (j.contains("duration_ms") && !j["duration_ms"].is_null()) {
    if (!j["duration_ms"].is_number()) return Status::InvalidArgument("'duration_ms' is not a number");
    double ms = j["duration_ms"].get<double>();
    if (!(ms >= 0) || ms > 1e13) return Status::InvalidArgument("'duration_ms' out of range");
    ev.duration_ns = std::llround(ms * 1e6);
  }
  if (j.contains("started_at_ns") && j["started_at_ns"].is_number_integer()) {
    ev.time_ns = j["started_at_ns"].get<int64_t>();
    out->has_time = true;
  } else if (j.contains("started_at") && j["started_at"].is_string()) {
    TB_RETURN_IF_ERROR(ParseTime(j["started_at"].get<std::string>(), 0, &ev.time_ns).WithContext("'started_at'"));
    out->has_time = true;
  }
  if (j.contains("truncated") && j["truncated"].is_boolean()) ev.truncated = j["truncated"].get<bool>();
  if (j.contains("id") && j["id"].is_string()) {
    if (!EventId::Parse(j["id"].get<std::string>(), &ev.id)) return Status::InvalidArgument("invalid 'id'");
    out->keep_id = true;
  }
  if (j.contains("seq") && j["seq"].is_number_unsigned()) out->want_seq = j["seq"].get<uint64_t>();
  return Status::OK();
}

namespace {

class NdjsonSource final : public ImportSource {
 public:
  NdjsonSource(int fd, const SourceOptions& o) : fd_(::dup(fd)), options_(o) {
    // Pass 1: index (seq, offset, length) of every non-blank line.
    LineReader reader(fd);
    std::string_view line;
    while (reader.Next(&line)) {
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      Entry e;
      e.line = reader.line_number();
      e.offset = reader.line_offset();
      e.length = static_cast<uint32_t>(line.size());
      // Cheap seq extraction: the full parse happens in pass 2.
      size_t p = line.find("\"seq\":");
      if (p != std::string_view::npos) {
        p += 6;
        while (p < line.size() && line[p] >= '0' && line[p] <= '9') e.seq = e.seq * 10 + (line[p++] - '0');
      }
      index_.push_back(e);
    }
    status_ = reader.status();
    std::stable_sort(index_.begin(), index_.end(), [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
  }
  ~NdjsonSource() override {
    if (fd_ >= 0) ::close(fd_);
  }

  bool Next(ImportedCommand* out) override {
    while (status_.ok() && next_ < index_.size()) {
      const Entry& e = index_[next_++];
      buf_.resize(e.length);
      ssize_t n = ::pread(fd_, buf_.data(), e.length, static_cast<off_t>(e.offset));
      if (n != static_cast<ssize_t>(e.length)) {
        status_ = Status::IOError("the file changed while it was imported");
        return false;
      }
      Status s = ParseNdjsonRecord(buf_, out);
      if (!s.ok()) {
        options_.problem(e.line, s.message());
        continue;
      }
      out->line = e.line;
      return true;
    }
    return false;
  }
  Status status() const override { return status_; }
  Status ForEachWantedSeq(
      const std::function<Status(uint64_t seq, uint64_t line)>& visit) const override {
    for (const Entry& e : index_) TB_RETURN_IF_ERROR(visit(e.seq, e.line));
    return Status::OK();
  }

 private:
  struct Entry {
    uint64_t seq = 0;
    uint64_t offset = 0;
    uint32_t length = 0;
    uint32_t line = 0;
  };
  int fd_;
  SourceOptions options_;
  std::vector<Entry> index_;
  size_t next_ = 0;
  std::string buf_;
  Status status_;
};

}  // namespace

std::unique_ptr<ImportSource> NewNdjsonSource(int fd, const SourceOptions& options) {
  return std::make_unique<NdjsonSource>(fd, options);
}

}  // namespace tb
