#include "core/telemetry.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/crc32c.h"
#include "core/split.h"

namespace tb {
namespace {

constexpr Status::Code kAllCodes[] = {
    Status::Code::kOk,           Status::Code::kNotFound,        Status::Code::kCorruption,
    Status::Code::kIncompatible, Status::Code::kInvalidArgument, Status::Code::kIOError,
    Status::Code::kBusy,         Status::Code::kNoSpace,         Status::Code::kTimedOut,
    Status::Code::kLocked};

bool IsCodeName(std::string_view name) {
  for (Status::Code c : kAllCodes) {
    if (Status::CodeName(c) == name) return true;
  }
  return false;
}

// `fields` joined by TABs, then a TAB, its CRC-32C in hex and LF.
std::string Line(std::string_view fields) {
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", Crc32c(fields));
  std::string out(fields);
  out += '\t';
  out += crc;
  out += '\n';
  return out;
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

Status Bad(size_t line, const std::string& why) {
  return Status::Corruption("line " + std::to_string(line) + ": " + why);
}

}  // namespace

int DurationBucket(int64_t duration_ns) {
  int64_t bound = 10'000'000;  // 10 ms
  for (int b = 0; b < kDurationBuckets - 1; ++b, bound *= 10) {
    if (duration_ns < bound) return b;
  }
  return kDurationBuckets - 1;
}

std::string TelemetryHeaderLine(int64_t since_s) {
  return Line(std::string(kTelemetryMagic) + "\t" + std::to_string(kTelemetryFormatVersion) + "\t" +
              std::to_string(since_s));
}

std::string TelemetryCountLine(std::string_view command, int64_t duration_ns, Status::Code code) {
  std::string fields(command);
  fields += '\t';
  fields += static_cast<char>('0' + DurationBucket(duration_ns));
  fields += '\t';
  fields += Status::CodeName(code);
  return Line(fields);
}

Status ParseTelemetry(std::string_view content, const std::function<bool(std::string_view)>& is_command,
                      TelemetryCounts* out) {
  if (!content.starts_with(std::string(kTelemetryMagic) + "\t")) {
    return Status::Incompatible("not a telemetry counts file (it does not start with '" + std::string(kTelemetryMagic) +
                                "')");
  }
  if (content.size() > kTelemetryMaxFileBytes) {
    return Status::Corruption("larger than " + std::to_string(kTelemetryMaxFileBytes >> 20) + " MiB");
  }
  TelemetryCounts counts;
  size_t pos = 0;
  for (size_t n = 1; pos < content.size(); ++n) {
    const size_t eol = content.find('\n', pos);
    if (eol == std::string_view::npos) return Bad(n, "cut short (no end of line)");
    const std::string_view line = content.substr(pos, eol - pos);
    pos = eol + 1;
    const size_t tab = line.rfind('\t');
    char crc[9];
    if (tab != std::string_view::npos) std::snprintf(crc, sizeof crc, "%08x", Crc32c(line.substr(0, tab)));
    if (tab == std::string_view::npos || line.substr(tab + 1) != crc) return Bad(n, "checksum mismatch");
    const std::vector<std::string_view> f = SplitFields(line.substr(0, tab), '\t');
    if (n == 1) {
      int64_t version = 0;
      if (f.size() != 3 || !ParseInt(f[1], &version)) return Bad(n, "malformed header");
      if (version != kTelemetryFormatVersion) {
        return Status::Incompatible("telemetry counts file of format " + std::string(f[1]) + "; this tb reads " +
                                    std::to_string(kTelemetryFormatVersion));
      }
      if (!ParseInt(f[2], &counts.since_s) || counts.since_s <= 0) return Bad(n, "malformed start time");
      continue;
    }
    if (f.size() != 3) return Bad(n, "expected 3 fields, found " + std::to_string(f.size()));
    if (!is_command(f[0])) return Bad(n, "not a tb command");
    if (f[1].size() != 1 || f[1][0] < '0' || f[1][0] >= '0' + kDurationBuckets) {
      return Bad(n, "duration bucket out of range");
    }
    if (!IsCodeName(f[2])) return Bad(n, "not a status code name");
    auto it = counts.commands.find(f[0]);
    if (it == counts.commands.end()) it = counts.commands.emplace(std::string(f[0]), CommandCounts{}).first;
    CommandCounts& c = it->second;
    ++c.runs;
    ++c.durations[f[1][0] - '0'];
    if (f[2] != Status::CodeName(Status::Code::kOk)) ++c.errors[std::string(f[2])];
  }
  *out = std::move(counts);
  return Status::OK();
}

std::string TelemetryDocument(const TelemetryCounts& counts, std::string_view tb_version) {
  nlohmann::ordered_json doc;
  doc["schema"] = std::string(kTelemetryMagic) + "/" + std::to_string(kTelemetryFormatVersion);
  doc["tb_version"] = std::string(tb_version);
  if (counts.since_s > 0) {
    const time_t t = static_cast<time_t>(counts.since_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char date[16];
    std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
    doc["since"] = date;
  } else {
    doc["since"] = nullptr;
  }
  doc["duration_buckets"] = nlohmann::ordered_json::array();
  for (std::string_view b : kDurationBucketNames) doc["duration_buckets"].push_back(std::string(b));
  doc["commands"] = nlohmann::ordered_json::object();
  for (const auto& [name, c] : counts.commands) {
    nlohmann::ordered_json entry;
    entry["runs"] = c.runs;
    entry["durations"] = c.durations;
    entry["errors"] = nlohmann::ordered_json::object();
    for (const auto& [code, n] : c.errors) entry["errors"][code] = n;
    doc["commands"][name] = std::move(entry);
  }
  return doc.dump();
}

}  // namespace tb
