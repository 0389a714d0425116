#include "core/format.h"

#include <charconv>
#include <utility>

#include "core/timefmt.h"
#include "core/utf8.h"

namespace tb {
namespace {

// ------------------------------------------------------------- primitives
// Numbers go through std::to_chars into a stack buffer: no allocation per
// field, which matters at a million records.

template <typename Int>
void AppendInt(std::string* out, Int value) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

// The text form of EventId::ToString() ("%016llx-%llu"), written in place:
// ToString() returns a heap-allocated string for every record. A test pins
// both forms to each other.
void AppendEventId(std::string* out, const EventId& id) {
  char buf[48];
  char hex[16];
  auto r = std::to_chars(hex, hex + sizeof hex, id.origin, 16);
  const auto digits = static_cast<size_t>(r.ptr - hex);
  size_t n = 16 - digits;
  for (size_t i = 0; i < n; ++i) buf[i] = '0';
  for (size_t i = 0; i < digits; ++i) buf[n++] = hex[i];
  buf[n++] = '-';
  r = std::to_chars(buf + n, buf + sizeof buf, id.counter);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

// Milliseconds from nanoseconds, exactly (integer arithmetic, no double
// rounding): 12000000 -> "12", 1500000 -> "1.5", 1234 -> "0.001234".
void AppendDurationMs(std::string* out, int64_t ns) {
  // Magnitude as unsigned so that INT64_MIN does not overflow on negation.
  const uint64_t mag = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (ns < 0) out->push_back('-');
  AppendInt(out, mag / 1'000'000);
  uint64_t frac = mag % 1'000'000;
  if (frac == 0) return;
  char digits[6];
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  size_t len = 6;
  while (digits[len - 1] == '0') --len;  // frac != 0, so this stops at a digit
  out->push_back('.');
  out->append(digits, len);
}

// Appends `text` then spaces up to `columns` display columns.
void PadRight(std::string* out, std::string_view text, int columns) {
  out->append(text);
  for (int w = DisplayWidth(text); w < columns; ++w) out->push_back(' ');
}

// Appends spaces then `text` so that it ends at `columns` display columns.
void PadLeft(std::string* out, std::string_view text, int columns) {
  for (int w = DisplayWidth(text); w < columns; ++w) out->push_back(' ');
  out->append(text);
}

constexpr std::string_view kColumnGap = "  ";

// ------------------------------------------------------------------- json

// Key prefixes of a record object, separator and indentation included, so
// each key costs one append. Pretty: the indentation of an object nested in
// the top-level array (what a 2-space pretty printer writes).
enum JsonKey {
  kId,
  kSeq,
  kCommand,
  kCwd,
  kExitCode,
  kDurationMs,
  kStartedAt,
  kSession,
  kHost,
  kUser,
  kShell,
  kClose,
  kNumKeys
};
constexpr std::string_view kCompactKeys[kNumKeys] = {
    "{\"id\":",         ",\"seq\":",     ",\"command\":", ",\"cwd\":",  ",\"exit_code\":", ",\"duration_ms\":",
    ",\"started_at\":", ",\"session\":", ",\"host\":",    ",\"user\":", ",\"shell\":",     "}"};
constexpr std::string_view kPrettyKeys[kNumKeys] = {
    "{\n    \"id\": ",        ",\n    \"seq\": ",         ",\n    \"command\": ",    ",\n    \"cwd\": ",
    ",\n    \"exit_code\": ", ",\n    \"duration_ms\": ", ",\n    \"started_at\": ", ",\n    \"session\": ",
    ",\n    \"host\": ",      ",\n    \"user\": ",        ",\n    \"shell\": ",      "\n  }"};

// ------------------------------------------------------------------- csv

constexpr std::string_view kCsvHeader =
    "id,seq,command,cwd,exit_code,duration_ms,started_at,session,host,user,shell\r\n";

void AppendCsvQuoted(std::string* out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');  // RFC 4180: a quote inside is doubled
    out->push_back(c);
  }
  out->push_back('"');
}

// A text field: valid UTF-8 (replacement rule of core/utf8.h), then quoted
// when needed. Copies only when the bytes are invalid.
void AppendCsvText(std::string* out, std::string_view bytes) {
  if (IsValidUtf8(bytes)) {
    AppendCsvQuoted(out, bytes);
  } else {
    AppendCsvQuoted(out, ToValidUtf8(bytes));
  }
}

// ------------------------------------------------------------------ table

constexpr std::string_view kTableHeaderNames[] = {"TIME", "DURATION", "EXIT", "DIRECTORY", "COMMAND"};

int PrefixColumns() {
  return RecordFormatter::kTimeColumns + RecordFormatter::kDurationColumns + RecordFormatter::kExitColumns +
         RecordFormatter::kDirectoryColumns + 4 * static_cast<int>(kColumnGap.size());
}

std::string DurationCell(const HistoryRecord& r) {
  if (r.running) return "running";
  if (!r.duration_ns) return "-";
  return FormatDurationHuman(*r.duration_ns);
}

constexpr OutputFormat kAllFormats[] = {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kNdjson,
                                        OutputFormat::kCsv, OutputFormat::kPlain};
}  // namespace

std::vector<std::string_view> OutputFormatNames() {
  std::vector<std::string_view> out;
  for (OutputFormat f : kAllFormats) out.push_back(OutputFormatName(f));
  return out;
}

Status ParseOutputFormat(std::string_view text, OutputFormat* out) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (OutputFormat f : kAllFormats) {
    if (lower == OutputFormatName(f)) {
      *out = f;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown format '" + EscapeForTerminal(text) +
                                 "': expected table, json, ndjson, csv or plain");
}

std::string_view OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable: return "table";
    case OutputFormat::kJson: return "json";
    case OutputFormat::kNdjson: return "ndjson";
    case OutputFormat::kCsv: return "csv";
    case OutputFormat::kPlain: return "plain";
  }
  return "table";  // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

RecordFormatter::RecordFormatter(OutputFormat format, FormatOptions options)
    : format_(format), options_(std::move(options)) {}

void RecordFormatter::Begin(std::string* out) {
  switch (format_) {
    case OutputFormat::kJson:
      // The bracket goes out first so that output streams before End().
      out->push_back('[');
      break;
    case OutputFormat::kCsv: out->append(kCsvHeader); break;
    case OutputFormat::kTable:
      PadRight(out, kTableHeaderNames[0], kTimeColumns);
      out->append(kColumnGap);
      PadLeft(out, kTableHeaderNames[1], kDurationColumns);
      out->append(kColumnGap);
      PadLeft(out, kTableHeaderNames[2], kExitColumns);
      out->append(kColumnGap);
      PadRight(out, kTableHeaderNames[3], kDirectoryColumns);
      out->append(kColumnGap);
      out->append(kTableHeaderNames[4]);
      out->push_back('\n');
      break;
    case OutputFormat::kNdjson:
    case OutputFormat::kPlain: break;
  }
}

void RecordFormatter::Add(const HistoryRecord& record, std::string* out) {
  switch (format_) {
    case OutputFormat::kJson:
      out->append(count_ == 0 ? "\n  " : ",\n  ");
      AddJson(record, /*pretty=*/true, out);
      break;
    case OutputFormat::kNdjson:
      AddJson(record, /*pretty=*/false, out);
      out->push_back('\n');
      break;
    case OutputFormat::kCsv: AddCsv(record, out); break;
    case OutputFormat::kPlain:
      out->append(record.command);
      out->push_back('\n');
      break;
    case OutputFormat::kTable: AddTable(record, out); break;
  }
  ++count_;
}

void RecordFormatter::End(std::string* out) {
  if (format_ == OutputFormat::kJson) out->append(count_ == 0 ? "]\n" : "\n]\n");
}

void RecordFormatter::AddJson(const HistoryRecord& r, bool pretty, std::string* out) const {
  const std::string_view* key = pretty ? kPrettyKeys : kCompactKeys;
  out->append(key[kId]);
  out->push_back('"');
  AppendEventId(out, r.id);  // hex digits, '-' and decimal digits: nothing to escape
  out->push_back('"');
  out->append(key[kSeq]);
  AppendInt(out, r.seq);
  out->append(key[kCommand]);
  AppendJsonString(out, r.command);
  out->append(key[kCwd]);
  AppendJsonString(out, r.cwd);
  out->append(key[kExitCode]);
  if (r.exit_code) {
    AppendInt(out, *r.exit_code);
  } else {
    out->append("null");
  }
  out->append(key[kDurationMs]);
  if (r.duration_ns) {
    AppendDurationMs(out, *r.duration_ns);
  } else {
    out->append("null");
  }
  out->append(key[kStartedAt]);
  out->push_back('"');
  AppendRfc3339Millis(r.started_at_ns, out);
  out->push_back('"');
  out->append(key[kSession]);
  AppendJsonString(out, r.session);
  out->append(key[kHost]);
  AppendJsonString(out, r.host);
  out->append(key[kUser]);
  AppendJsonString(out, r.user);
  out->append(key[kShell]);
  AppendJsonString(out, r.shell);
  out->append(key[kClose]);
}

void RecordFormatter::AddCsv(const HistoryRecord& r, std::string* out) const {
  AppendEventId(out, r.id);
  out->push_back(',');
  AppendInt(out, r.seq);
  out->push_back(',');
  AppendCsvText(out, r.command);
  out->push_back(',');
  AppendCsvText(out, r.cwd);
  out->push_back(',');
  if (r.exit_code) AppendInt(out, *r.exit_code);
  out->push_back(',');
  if (r.duration_ns) AppendDurationMs(out, *r.duration_ns);
  out->push_back(',');
  AppendRfc3339Millis(r.started_at_ns, out);
  for (const std::string* text : {&r.session, &r.host, &r.user, &r.shell}) {
    out->push_back(',');
    AppendCsvText(out, *text);
  }
  out->append("\r\n");
}

std::string RecordFormatter::DisplayDirectory(const std::string& cwd) const {
  std::string_view home = options_.home_dir;
  while (home.size() > 1 && home.back() == '/') home.remove_suffix(1);
  std::string_view dir = cwd;
  std::string shown;
  // Only a whole path component matches: home /home/al must not turn
  // /home/alice into ~ice. A home of "/" would turn every path into ~...
  if (!home.empty() && home != "/" && dir.substr(0, home.size()) == home &&
      (dir.size() == home.size() || dir[home.size()] == '/')) {
    shown = std::string("~") + EscapeForTerminal(dir.substr(home.size()));
  } else {
    shown = EscapeForTerminal(dir);
  }
  return TruncateLeftToWidth(shown, kDirectoryColumns);
}

void RecordFormatter::AddTable(const HistoryRecord& r, std::string* out) const {
  PadRight(out, FormatLocalTime(r.started_at_ns), kTimeColumns);
  out->append(kColumnGap);
  PadLeft(out, DurationCell(r), kDurationColumns);
  out->append(kColumnGap);
  if (!r.exit_code) {
    PadLeft(out, "-", kExitColumns);
  } else {
    const std::string code = std::to_string(*r.exit_code);
    const std::string& style = options_.palette.failure;
    const bool painted = *r.exit_code != 0 && !style.empty();
    // Padding stays outside the escape sequence so the column width is the
    // same with and without color.
    PadLeft(out, "", kExitColumns - static_cast<int>(code.size()));
    if (painted) out->append(style);
    out->append(code);
    if (painted) out->append(options_.palette.reset);
  }
  out->append(kColumnGap);
  PadRight(out, DisplayDirectory(r.cwd), kDirectoryColumns);
  out->append(kColumnGap);
  std::string command = EscapeForTerminal(r.command);
  if (options_.terminal_width > 0) {
    int budget = options_.terminal_width - PrefixColumns();
    if (budget < kMinCommandColumns) budget = kMinCommandColumns;
    command = TruncateToWidth(command, budget);
  }
  out->append(command);
  out->push_back('\n');
}

}  // namespace tb
