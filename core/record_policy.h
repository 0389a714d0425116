/// @file
/// RecordPolicy: what is recorded, and in what form.
///
/// Two steps, applied to every event before it is appended to the log (spool
/// drain in tools/context.cc, `tb record` in tools/cmd_record.cc):
///   1. ShouldRecord(): drop empty and whitespace-only commands, commands that
///      start with a space (record.ignore_space), and commands or start
///      directories matching record.ignore_patterns / record.ignore_dirs.
///      Judged on the command as typed (before masking). `tb record` skips
///      this step: it is an explicit request.
///   2. Prepare(): mask secrets (core/secrets.h) in the command and the
///      directory, then cut the command to record.max_command_bytes.
///
/// Ignore patterns are RE2, searched anywhere in the text (anchor them with ^
/// and $), in UTF-8 mode; bytes that are not valid UTF-8 are matched as
/// U+FFFD, so invalid bytes never stop `.*` from matching.
///
/// Thread safety: immutable after Create(); const methods may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/event.h"
#include "core/secrets.h"
#include "core/status.h"

namespace re2 {
class RE2;
}

namespace tb {

/// True when `command` is empty or only whitespace (space, tab, LF, CR, FF,
/// VT): never a command. `tb record` refuses it, the spool drain drops it
/// (ShouldRecord) and every importer counts it as malformed.
bool IsBlankCommand(std::string_view command);

/// Config checks for one list item (see ConfigKey::check_item): "" when
/// acceptable, else the end of a sentence about the quoted item.
std::string IgnorePatternProblem(std::string_view pattern);  ///< record.ignore_patterns
std::string IgnoreDirProblem(std::string_view pattern);      ///< record.ignore_dirs

/// What is recorded and how: the ignore rules, secret masking and
/// truncation of config.record and config.secrets, compiled once.
class RecordPolicy {
 public:
  /// Compiles config.record's ignore rules and config.secrets' masker.
  /// InvalidArgument for invalid patterns or rule names (LoadConfig() rejects
  /// those already, so only a Config built by hand fails here).
  static Status Create(const Config& config, std::unique_ptr<RecordPolicy>* out);

  ~RecordPolicy();
  RecordPolicy(const RecordPolicy&) = delete;
  RecordPolicy& operator=(const RecordPolicy&) = delete;

  /// False when `event` must not be recorded. Only commands are judged
  /// (kStarted, kRecorded): a kFinished event has no command and is always
  /// true -- when its start was dropped, views ignore a finish whose start
  /// they never saw.
  bool ShouldRecord(const Event& event) const;

  /// Masks secrets in event->command and event->cwd, then truncates the
  /// command to record.max_command_bytes, setting event->truncated when it
  /// cut anything (it never clears it). Returns the number of secrets masked.
  size_t Prepare(Event* event) const;

  /// The secret masker built from config.secrets (owned by the policy).
  const SecretMasker& masker() const { return *masker_; }

 private:
  RecordPolicy() = default;

  bool ignore_space_ = true;
  size_t max_command_bytes_ = 0;
  std::vector<std::unique_ptr<re2::RE2>> ignore_patterns_;
  std::vector<std::unique_ptr<re2::RE2>> ignore_dirs_;
  std::unique_ptr<SecretMasker> masker_;
};

}  // namespace tb
