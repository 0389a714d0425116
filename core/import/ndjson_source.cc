#include "core/import/ndjson_source.h"

#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/base64.h"
#include "core/import/line_reader.h"
#include "core/record_policy.h"
#include "core/timefmt.h"

namespace tb {

namespace {

// The keys a record may have; any other key is ignored.
enum Key : int {
  kCommand,
  kCommandB64,
  kCwd,
  kCwdB64,
  kSession,
  kSessionB64,
  kHost,
  kHostB64,
  kUser,
  kUserB64,
  kShell,
  kShellB64,
  kExitCode,
  kDurationMs,
  kStartedAtNs,
  kStartedAt,
  kTruncated,
  kId,
  kSeq,
  kKeyCount
};
constexpr std::string_view kKeyNames[kKeyCount] = {
    "command",       "command_b64", "cwd",       "cwd_b64", "session",   "session_b64", "host",
    "host_b64",      "user",        "user_b64",  "shell",   "shell_b64", "exit_code",   "duration_ms",
    "started_at_ns", "started_at",  "truncated", "id",      "seq"};

// The Key named `name`, or -1. Candidates by length first: this runs for
// every key of every record.
int KeyOf(std::string_view name) {
  auto is = [&](Key k) { return name == kKeyNames[k]; };
  switch (name.size()) {
    case 2: return is(kId) ? kId : -1;
    case 3: return is(kCwd) ? kCwd : is(kSeq) ? kSeq : -1;
    case 4: return is(kHost) ? kHost : is(kUser) ? kUser : -1;
    case 5: return is(kShell) ? kShell : -1;
    case 7: return is(kCommand) ? kCommand : is(kSession) ? kSession : is(kCwdB64) ? kCwdB64 : -1;
    case 8: return is(kHostB64) ? kHostB64 : is(kUserB64) ? kUserB64 : -1;
    case 9: return is(kExitCode) ? kExitCode : is(kTruncated) ? kTruncated : is(kShellB64) ? kShellB64 : -1;
    case 10: return is(kStartedAt) ? kStartedAt : -1;
    case 11: return is(kDurationMs) ? kDurationMs : is(kCommandB64) ? kCommandB64 : is(kSessionB64) ? kSessionB64 : -1;
    case 13: return is(kStartedAtNs) ? kStartedAtNs : -1;
    default: return -1;
  }
}

// One value as JSON typed it. Integers are kInt unless they only fit a
// uint64 (kUint); strings point into the parser that read them.
struct Value {
  enum Type : uint8_t { kAbsent, kNull, kBool, kInt, kUint, kDouble, kString, kOther } type = kAbsent;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string_view s;

  bool present() const { return type != kAbsent; }
  bool present_not_null() const { return type != kAbsent && type != kNull; }
  bool integer() const { return type == kInt || type == kUint; }
  bool number() const { return type == kInt || type == kUint || type == kDouble; }
  bool non_negative_integer() const { return type == kUint || (type == kInt && i >= 0); }
  // As int64: a uint64 above INT64_MAX wraps, as nlohmann::json's get<int64_t>() does.
  int64_t AsInt64() const { return type == kUint ? static_cast<int64_t>(u) : i; }
  uint64_t AsUint64() const { return type == kUint ? u : static_cast<uint64_t>(i); }
  double AsDouble() const {
    return type == kDouble ? d : type == kUint ? static_cast<double>(u) : static_cast<double>(i);
  }
};

using Fields = std::array<Value, kKeyCount>;

Value FromSimdjson(simdjson::dom::element e) {
  Value v;
  switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE: v.type = Value::kNull; break;
    case simdjson::dom::element_type::BOOL:
      v.type = Value::kBool;
      v.b = e.get_bool().value_unsafe();
      break;
    case simdjson::dom::element_type::INT64:
      v.type = Value::kInt;
      v.i = e.get_int64().value_unsafe();
      break;
    case simdjson::dom::element_type::UINT64:
      v.type = Value::kUint;
      v.u = e.get_uint64().value_unsafe();
      break;
    case simdjson::dom::element_type::DOUBLE:
      v.type = Value::kDouble;
      v.d = e.get_double().value_unsafe();
      break;
    case simdjson::dom::element_type::STRING:
      v.type = Value::kString;
      v.s = e.get_string().value_unsafe();
      break;
    default: v.type = Value::kOther; break;
  }
  return v;
}

Value FromNlohmann(const nlohmann::json& j) {
  Value v;
  if (j.is_null()) {
    v.type = Value::kNull;
  } else if (j.is_boolean()) {
    v.type = Value::kBool;
    v.b = j.get<bool>();
  } else if (j.is_number_unsigned()) {
    uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) {
      v.type = Value::kUint;
      v.u = u;
    } else {
      v.type = Value::kInt;
      v.i = static_cast<int64_t>(u);
    }
  } else if (j.is_number_integer()) {
    v.type = Value::kInt;
    v.i = j.get<int64_t>();
  } else if (j.is_number_float()) {
    v.type = Value::kDouble;
    v.d = j.get<double>();
  } else if (j.is_string()) {
    v.type = Value::kString;
    v.s = j.get_ref<const std::string&>();
  } else {
    v.type = Value::kOther;
  }
  return v;
}

// The record from its fields; the checks run in key order, so the first
// problem reported is always the same one.
Status FromFields(const Fields& f, ImportedCommand* out) {
  *out = ImportedCommand{};
  Event& ev = out->ev;
  ev.kind = EventKind::kRecorded;
  auto text = [&](Key key, Key b64, std::string* dst, bool required) -> Status {
    const Value& e = f[b64];
    if (e.present()) {
      if (e.type != Value::kString || !Base64Decode(e.s, dst)) {
        return Status::InvalidArgument("invalid '" + std::string(kKeyNames[b64]) + "'");
      }
      return Status::OK();
    }
    const Value& v = f[key];
    if (!v.present_not_null()) {
      if (required) return Status::InvalidArgument("missing '" + std::string(kKeyNames[key]) + "'");
      return Status::OK();
    }
    if (v.type != Value::kString) {
      return Status::InvalidArgument("'" + std::string(kKeyNames[key]) + "' is not a string");
    }
    dst->assign(v.s);
    return Status::OK();
  };
  TB_RETURN_IF_ERROR(text(kCommand, kCommandB64, &ev.command, true));
  if (IsBlankCommand(ev.command)) return Status::InvalidArgument(kBlankCommandProblem);
  TB_RETURN_IF_ERROR(text(kCwd, kCwdB64, &ev.cwd, false));
  TB_RETURN_IF_ERROR(text(kSession, kSessionB64, &ev.session, false));
  TB_RETURN_IF_ERROR(text(kHost, kHostB64, &ev.host, false));
  TB_RETURN_IF_ERROR(text(kUser, kUserB64, &ev.user, false));
  TB_RETURN_IF_ERROR(text(kShell, kShellB64, &ev.shell, false));
  if (const Value& v = f[kExitCode]; v.present_not_null()) {
    if (!v.integer()) return Status::InvalidArgument("'exit_code' is not an integer");
    int64_t e = v.AsInt64();
    if (e < INT32_MIN || e > INT32_MAX) return Status::InvalidArgument("'exit_code' out of range");
    ev.exit_code = static_cast<int32_t>(e);
  }
  if (const Value& v = f[kDurationMs]; v.present_not_null()) {
    if (!v.number()) return Status::InvalidArgument("'duration_ms' is not a number");
    double ms = v.AsDouble();
    if (!(ms >= 0) || ms > 1e13) return Status::InvalidArgument("'duration_ms' out of range");
    ev.duration_ns = std::llround(ms * 1e6);
  }
  if (f[kStartedAtNs].integer()) {
    ev.time_ns = f[kStartedAtNs].AsInt64();
    out->has_time = true;
  } else if (f[kStartedAt].type == Value::kString) {
    TB_RETURN_IF_ERROR(ParseTime(f[kStartedAt].s, 0, &ev.time_ns).WithContext("'started_at'"));
    out->has_time = true;
  }
  if (f[kTruncated].type == Value::kBool) ev.truncated = f[kTruncated].b;
  if (const Value& v = f[kId]; v.type == Value::kString) {
    if (v.s.empty()) return Status::InvalidArgument("invalid 'id'");
    if (!EventId::Parse(v.s, &ev.id)) ev.id = ForeignEventId(v.s);
    out->keep_id = true;
  }
  if (f[kSeq].non_negative_integer()) out->want_seq = f[kSeq].AsUint64();
  return Status::OK();
}

}  // namespace

struct NdjsonRecordParser::Impl {
  simdjson::dom::parser parser;
  std::string padded;  // the line and simdjson's padding
};

NdjsonRecordParser::NdjsonRecordParser() : impl_(std::make_unique<Impl>()) {}
NdjsonRecordParser::~NdjsonRecordParser() = default;

Status NdjsonRecordParser::Parse(std::string_view line, ImportedCommand* out) {
  Fields f;
  std::string& padded = impl_->padded;
  if (padded.size() < line.size() + simdjson::SIMDJSON_PADDING) padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(padded.data(), line.data(), line.size());
  simdjson::dom::element root;
  if (impl_->parser.parse(padded.data(), line.size(), /*realloc_if_needed=*/false).get(root) == simdjson::SUCCESS) {
    simdjson::dom::object object;
    if (root.get(object) != simdjson::SUCCESS) return Status::InvalidArgument("not a JSON object");
    for (simdjson::dom::key_value_pair field : object) {
      int k = KeyOf(field.key);
      if (k >= 0) f[k] = FromSimdjson(field.value);
    }
    return FromFields(f, out);
  }
  // What simdjson refuses: nlohmann::json decides (see the header).
  nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("not a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    int k = KeyOf(it.key());
    if (k >= 0) f[k] = FromNlohmann(*it);
  }
  return FromFields(f, out);
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
    in_file_order_ = std::is_sorted(index_.begin(), index_.end(),
                                    [](const Entry& a, const Entry& b) { return a.offset < b.offset; });
  }
  ~NdjsonSource() override {
    if (fd_ >= 0) ::close(fd_);
  }

  bool Next(ImportedCommand* out) override {
    while (status_.ok() && next_ < index_.size()) {
      const Entry& e = index_[next_++];
      std::string_view line;
      if (!Read(e, &line)) {
        status_ = Status::IOError("the file changed while it was imported");
        return false;
      }
      Status s = parser_.Parse(line, out);
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
  Status ForEachWantedSeq(const std::function<Status(uint64_t seq, uint64_t line)>& visit) const override {
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
  // Records read in file order (an export lists them by seq) come from
  // reads of kReadAhead bytes; otherwise each record is one pread.
  static constexpr size_t kReadAhead = 1 << 20;

  // The bytes of `e` in *line (valid until the next call); false when the
  // file is shorter than the index says.
  bool Read(const Entry& e, std::string_view* line) {
    if (e.offset < buf_offset_ || e.offset + e.length > buf_offset_ + buf_bytes_) {
      size_t want = in_file_order_ ? std::max<size_t>(kReadAhead, e.length) : e.length;
      buf_.resize(want);
      ssize_t n = ::pread(fd_, buf_.data(), want, static_cast<off_t>(e.offset));
      buf_offset_ = e.offset;
      buf_bytes_ = n > 0 ? static_cast<size_t>(n) : 0;
      if (buf_bytes_ < e.length) return false;
    }
    *line = std::string_view(buf_.data() + (e.offset - buf_offset_), e.length);
    return true;
  }

  int fd_;
  SourceOptions options_;
  std::vector<Entry> index_;
  bool in_file_order_ = false;
  size_t next_ = 0;
  std::string buf_;  // file bytes from buf_offset_ on, buf_bytes_ of them
  uint64_t buf_offset_ = 0;
  size_t buf_bytes_ = 0;
  NdjsonRecordParser parser_;
  Status status_;
};

}  // namespace

std::unique_ptr<ImportSource> NewNdjsonSource(int fd, const SourceOptions& options) {
  return std::make_unique<NdjsonSource>(fd, options);
}

}  // namespace tb
