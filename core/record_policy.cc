#include "core/record_policy.h"

#include <re2/re2.h>

#include <algorithm>

#include "core/truncate.h"
#include "core/utf8.h"

namespace tb {
namespace {

// UTF-8 (not Latin-1 like the secret rules): users write ignore patterns as
// text, with non-ASCII characters in classes ("[äöü]") and case folding.
// Invalid input bytes are handled by matching a U+FFFD copy (Matches()).
RE2::Options TextOptions() {
  RE2::Options o;
  o.set_log_errors(false);  // the library never prints
  return o;
}

std::string PatternProblem(std::string_view pattern, std::string_view what) {
  if (pattern.empty()) return "is empty (it would match every " + std::string(what) + ")";
  RE2 re(re2::StringPiece(pattern.data(), pattern.size()), TextOptions());
  if (!re.ok()) return "is not a valid RE2 pattern: " + re.error();
  return "";
}

Status Compile(const std::vector<std::string>& patterns, std::string_view key, std::string_view what,
               std::vector<std::unique_ptr<RE2>>* out) {
  for (const std::string& p : patterns) {
    std::string why = PatternProblem(p, what);
    if (!why.empty()) {
      return Status::InvalidArgument("invalid " + std::string(key) + " pattern \"" + p + "\": " + why + ". Fix " +
                                     std::string(key));
    }
    out->push_back(std::make_unique<RE2>(p, TextOptions()));
  }
  return Status::OK();
}

bool Matches(const std::vector<std::unique_ptr<RE2>>& patterns, std::string_view text) {
  if (patterns.empty()) return false;
  // In UTF-8 mode RE2 does not match invalid bytes even with '.', so a
  // pattern like "^ssh .*prod" would miss "ssh \xff prod" and record what the
  // user asked to ignore. Such text is matched as U+FFFD instead.
  std::string valid;
  if (!IsValidUtf8(text)) {
    valid = ToValidUtf8(text);
    text = valid;
  }
  re2::StringPiece piece(text.data(), text.size());
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::unique_ptr<RE2>& re) { return RE2::PartialMatch(piece, *re); });
}

}  // namespace

bool IsBlankCommand(std::string_view command) {
  return command.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos;
}

std::string IgnorePatternProblem(std::string_view pattern) { return PatternProblem(pattern, "command"); }

std::string IgnoreDirProblem(std::string_view pattern) { return PatternProblem(pattern, "directory"); }

RecordPolicy::~RecordPolicy() = default;

Status RecordPolicy::Create(const Config& config, std::unique_ptr<RecordPolicy>* out) {
  std::unique_ptr<RecordPolicy> p(new RecordPolicy());
  p->ignore_space_ = config.record.ignore_space;
  p->max_command_bytes_ = static_cast<size_t>(std::max(config.record.max_command_bytes, 0));
  TB_RETURN_IF_ERROR(Compile(config.record.ignore_patterns, "record.ignore_patterns", "command", &p->ignore_patterns_));
  TB_RETURN_IF_ERROR(Compile(config.record.ignore_dirs, "record.ignore_dirs", "directory", &p->ignore_dirs_));
  TB_RETURN_IF_ERROR(SecretMasker::Create(config, &p->masker_));
  *out = std::move(p);
  return Status::OK();
}

bool RecordPolicy::ShouldRecord(const Event& event) const {
  if (event.kind == EventKind::kFinished) return true;
  const std::string& cmd = event.command;
  if (IsBlankCommand(cmd)) return false;
  // Like HISTCONTROL=ignorespace / HIST_IGNORE_SPACE: a space only, not a tab.
  if (ignore_space_ && cmd[0] == ' ') return false;
  if (Matches(ignore_patterns_, cmd)) return false;
  if (Matches(ignore_dirs_, event.cwd)) return false;
  return true;
}

size_t RecordPolicy::Prepare(Event* event) const {
  // Mask first, truncate second: masking sees the whole command, so a secret
  // that straddles the cut is found by its complete pattern and replaced;
  // truncating first would leave its first half, which no rule recognizes,
  // in the log. (Truncation then only ever cuts text that is already safe,
  // possibly in the middle of a marker.)
  size_t masked = masker_->Mask(&event->command);
  masked += masker_->Mask(&event->cwd);
  if (TruncateCommand(&event->command, max_command_bytes_)) event->truncated = true;
  return masked;
}

}  // namespace tb
