#include "core/export.h"

#include "core/base64.h"
#include "core/timefmt.h"
#include "core/utf8.h"

namespace tb {

Status ParseExportFormat(std::string_view t, ExportFormat* out) {
  if (t == "ndjson")
    *out = ExportFormat::kNdjson;
  else if (t == "json")
    *out = ExportFormat::kJson;
  else if (t == "csv")
    *out = ExportFormat::kCsv;
  else if (t == "markdown" || t == "md")
    *out = ExportFormat::kMarkdown;
  else
    return Status::InvalidArgument("unknown export format '" + std::string(t) +
                                   "': expected ndjson, json, csv or markdown");
  return Status::OK();
}

ExportFormatter::ExportFormatter(ExportFormat f)
    : format_(f), ndjson_(OutputFormat::kNdjson, FormatOptions{}), csv_(OutputFormat::kCsv, FormatOptions{}) {}

void ExportFormatter::Begin(std::string* out) {
  if (format_ == ExportFormat::kJson) out->append("[");
  if (format_ == ExportFormat::kCsv) csv_.Begin(out);
  if (format_ == ExportFormat::kMarkdown) {
    out->append("| started (UTC) | exit | duration | directory | command |\n|---|---:|---:|---|---|\n");
  }
}

void ExportFormatter::AddObject(const HistoryRecord& r, std::string* out) {
  line_.clear();
  ndjson_.Add(r, &line_);
  // line_ is "{...}\n": insert the extra keys before the closing brace.
  line_.resize(line_.size() - 2);
  auto b64 = [&](const char* key, const std::string& bytes) {
    if (IsValidUtf8(bytes)) return;
    line_.append(",\"").append(key).append("_b64\":\"").append(Base64Encode(bytes)).append("\"");
  };
  b64("command", r.command);
  b64("cwd", r.cwd);
  b64("session", r.session);
  b64("host", r.host);
  b64("user", r.user);
  b64("shell", r.shell);
  if (r.started_at_ns % 1000000 != 0) line_.append(",\"started_at_ns\":").append(std::to_string(r.started_at_ns));
  if (r.truncated) line_.append(",\"truncated\":true");
  line_.push_back('}');
  out->append(line_);
}

namespace {
void AppendMarkdownCell(std::string* out, std::string_view text) {
  std::string v = ToValidUtf8(text);
  for (char c : v) {
    if (c == '|')
      out->append("\\|");
    else if (c == '\n')
      out->append("<br>");
    else if (c == '\r')
      continue;
    else if (static_cast<unsigned char>(c) < 0x20)
      out->push_back(' ');
    else
      out->push_back(c);
  }
}
}  // namespace

void ExportFormatter::Add(const HistoryRecord& r, std::string* out) {
  switch (format_) {
    case ExportFormat::kNdjson:
      AddObject(r, out);
      out->push_back('\n');
      break;
    case ExportFormat::kJson:
      out->append(count_ == 0 ? "\n" : ",\n");
      AddObject(r, out);
      break;
    case ExportFormat::kCsv: csv_.Add(r, out); break;
    case ExportFormat::kMarkdown:
      out->append("| ");
      out->append(FormatRfc3339Millis(r.started_at_ns));
      out->append(" | ");
      if (r.exit_code) out->append(std::to_string(*r.exit_code));
      out->append(" | ");
      if (r.duration_ns) out->append(FormatDurationHuman(*r.duration_ns));
      out->append(" | ");
      AppendMarkdownCell(out, r.cwd);
      out->append(" | `");
      {
        std::string cmd;
        AppendMarkdownCell(&cmd, r.command);
        for (char c : cmd) {
          if (c == '`')
            out->append("'");
          else
            out->push_back(c);
        }
      }
      out->append("` |\n");
      break;
  }
  ++count_;
}

void ExportFormatter::End(std::string* out) {
  if (format_ == ExportFormat::kJson) out->append(count_ == 0 ? "]\n" : "\n]\n");
}

}  // namespace tb
