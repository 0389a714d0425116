#include "tools/logging.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <memory>
#include <string_view>
#include <vector>

#include <spdlog/formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace tb {
namespace {

using spdlog::level::level_enum;

constexpr std::string_view kLoggerName = "tb";
constexpr std::string_view kFileFix = ". Logging to stderr only; check the path and its permissions or set log.file";

std::string_view FileLevelName(level_enum level) {
  switch (level) {
    case level_enum::trace: return "trace";
    case level_enum::debug: return "debug";
    case level_enum::info: return "info";
    case level_enum::warn: return "warn";
    case level_enum::err: return "error";
    case level_enum::critical: return "critical";
    default: return "off";
  }
}

// People read "tb: warning: ..." (the style of compilers and git).
std::string_view PersonLevelName(level_enum level) {
  return level == level_enum::warn ? "warning" : FileLevelName(level);
}

bool ParseLevel(const std::string& name, level_enum* out) {
  for (level_enum l :
       {level_enum::trace, level_enum::debug, level_enum::info, level_enum::warn, level_enum::err, level_enum::off}) {
    if (name == FileLevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

void Append(spdlog::memory_buf_t& dest, std::string_view s) { dest.append(s.data(), s.data() + s.size()); }

// RFC 3339 UTC with microseconds: 2026-11-26T00:16:43.123456Z.
std::string Timestamp(spdlog::log_clock::time_point tp) {
  auto secs = std::chrono::floor<std::chrono::seconds>(tp);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(tp - secs).count();
  std::time_t t = spdlog::log_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(micros));
  return buf;
}

// nlohmann escapes quotes, backslashes and control characters; `replace`
// turns invalid UTF-8 into U+FFFD instead of throwing.
std::string JsonString(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The trace of the records this thread writes (LogTraceScope).
thread_local std::string log_trace_id, log_span_id;

// One JSON object per line; see the header for the fields.
class JsonLinesFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = "{\"ts\":\"" + Timestamp(msg.time) + "\",\"level\":\"" + std::string(FileLevelName(msg.level)) +
                       "\",\"pid\":" + std::to_string(::getpid()) +
                       ",\"msg\":" + JsonString(std::string_view(msg.payload.data(), msg.payload.size()));
    if (!log_trace_id.empty()) {
      line += ",\"trace_id\":" + JsonString(log_trace_id) + ",\"span_id\":" + JsonString(log_span_id);
    }
    line += "}\n";
    Append(dest, line);
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLinesFormatter>(); }
};

// "tb: <level>: <msg>\n". Control characters are escaped so one message is
// one line and cannot drive the terminal.
class PersonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    Append(dest, "tb: ");
    Append(dest, PersonLevelName(msg.level));
    Append(dest, ": ");
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      auto u = static_cast<unsigned char>(c);
      if (c == '\n') {
        Append(dest, "\\n");
      } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02x", u);
        Append(dest, hex);
      } else {
        dest.push_back(c);
      }
    }
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<PersonFormatter>(); }
};

spdlog::sink_ptr MakeStderrSink(level_enum level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::make_unique<PersonFormatter>());
  sink->set_level(level);
  return sink;
}

// Creates each missing component of `dir` with mode 0700 (chmod after mkdir,
// because the umask may have removed owner bits). Existing directories are
// left as they are.
Status MakePrivateDirs(const std::string& dir) {
  if (dir.empty()) return Status::OK();
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) == 0) {
      ::chmod(prefix.c_str(), 0700);
      continue;
    }
    struct stat st;
    int err = errno;
    if (err == EEXIST && ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    if (err == EEXIST) err = ENOTDIR;
    return Status::IOError("cannot create log directory (" + prefix + "): " + std::strerror(err) +
                           std::string(kFileFix));
  }
  return Status::OK();
}

// Opens (creating 0600 if needed) the file and makes a regular file 0600.
// Other files (a user's /dev/null) keep their mode.
Status PreparePrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IOError("cannot open log file (" + path + "): " + std::strerror(errno) + std::string(kFileFix));
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) != 0600) {
    ::fchmod(fd, 0600);
  }
  ::close(fd);
  return Status::OK();
}

// spdlog (re)opens the file with fopen() — 0666 & ~umask, inherited by
// children — on start and after each rotation; these hooks keep every log
// file private and the descriptor close-on-exec.
spdlog::file_event_handlers PrivateFileHandlers() {
  spdlog::file_event_handlers handlers;
  handlers.before_open = [](const spdlog::filename_t& name) {
    (void)PreparePrivateFile(name);  // a failure surfaces as fopen's error
  };
  handlers.after_open = [](const spdlog::filename_t&, std::FILE* file) {
    int fd = ::fileno(file);
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) ::fchmod(fd, 0600);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  };
  return handlers;
}

Status AddFileSink(const Config& cfg, const std::string& data_dir, level_enum level,
                   std::vector<spdlog::sink_ptr>* sinks) {
  std::string path = LogFilePath(cfg, data_dir);
  if (path.empty()) {
    return Status::IOError("cannot open log file (no data directory)" + std::string(kFileFix));
  }
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    TB_RETURN_IF_ERROR(MakePrivateDirs(path.substr(0, slash)));
  }
  TB_RETURN_IF_ERROR(PreparePrivateFile(path));
  // Validated configs are in range; clamp anyway because spdlog throws on 0.
  size_t max_bytes = static_cast<size_t>(std::max(cfg.log.max_file_kb, 1)) * 1024;
  // log.max_files counts the current file; spdlog counts only rotated ones.
  size_t rotated = static_cast<size_t>(std::max(cfg.log.max_files, 1) - 1);
  try {
    auto sink =
        std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path, max_bytes, rotated, false, PrivateFileHandlers());
    sink->set_formatter(std::make_unique<JsonLinesFormatter>());
    sink->set_level(level);
    sinks->push_back(std::move(sink));
  } catch (const std::exception& e) {
    return Status::IOError("cannot open log file (" + path + "): " + e.what() + std::string(kFileFix));
  }
  return Status::OK();
}

// A failing log file (disk full, rotation rename failed) must not spam or
// stop tb: say it once on stderr.
void ReportLogError(const std::string& what) {
  static std::atomic<bool> reported{false};
  if (reported.exchange(true)) return;
  std::fprintf(stderr, "tb: warning: writing the log file failed: %s\n", what.c_str());
}

void Install(std::vector<spdlog::sink_ptr> sinks) {
  level_enum lowest = level_enum::off;
  for (const auto& s : sinks) lowest = std::min(lowest, s->level());
  auto logger = std::make_shared<spdlog::logger>(std::string(kLoggerName), sinks.begin(), sinks.end());
  logger->set_level(lowest);
  // tb runs briefly and several processes may share the file: write each
  // record through at once.
  logger->flush_on(level_enum::trace);
  logger->set_error_handler(ReportLogError);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

std::string LogFilePath(const Config& cfg, const std::string& data_dir) {
  const std::string& file = cfg.log.file;
  if (!file.empty() && file[0] == '/') return file;
  if (data_dir.empty()) return "";
  if (file.empty()) return data_dir + "/logs/tb.log.jsonl";
  return data_dir + "/" + file;
}

LogTraceScope::LogTraceScope(const std::string& trace_id, const std::string& span_id) {
  log_trace_id = trace_id;
  log_span_id = span_id;
}

LogTraceScope::~LogTraceScope() {
  log_trace_id.clear();
  log_span_id.clear();
}

Status SetupLogging(const Config& cfg, const std::string& data_dir, bool stderr_verbose) {
  try {
    std::vector<spdlog::sink_ptr> sinks{MakeStderrSink(stderr_verbose ? level_enum::debug : level_enum::warn)};
    Status status;
    level_enum file_level = level_enum::off;
    if (!ParseLevel(cfg.log.level, &file_level)) {
      status = Status::InvalidArgument("invalid log.level " + JsonString(cfg.log.level) +
                                       ". Use trace, debug, info, warn, error or off");
    } else if (file_level != level_enum::off) {
      status = AddFileSink(cfg, data_dir, file_level, &sinks);
    }
    Install(std::move(sinks));
    return status;
  } catch (const std::exception& e) {
    // Only allocation failures can get here; keep whatever logger exists.
    return Status::IOError(std::string("cannot set up logging: ") + e.what());
  }
}

void ShutdownLogging() {
  try {
    if (auto logger = spdlog::default_logger()) logger->flush();
    // Replacing the default logger drops the last reference to the file sink,
    // which closes the file.
    Install({MakeStderrSink(level_enum::warn)});
  } catch (...) {
    // Nothing sensible to do while shutting down.
  }
}

}  // namespace tb
