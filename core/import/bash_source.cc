#include "core/import/bash_source.h"

#include <cstring>

#include "core/record_policy.h"
#include "core/timefmt.h"

namespace tb {

bool ParseBashStamp(std::string_view line, int64_t* seconds) {
  if (line.size() < 2 || line[0] != '#' || line.size() > 20) return false;
  int64_t v = 0;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
    v = v * 10 + (line[i] - '0');
    if (v > kMaxEpochSeconds) return false;  // later than int64 nanoseconds reach
  }
  *seconds = v;
  return true;
}

namespace {

class BashSource final : public ImportSource {
 public:
  BashSource(int fd, const SourceOptions& o) : reader_(fd), options_(o) {}

  bool Next(ImportedCommand* out) override {
    std::string_view line;
    for (;;) {
      if (!reader_.Next(&line)) return Flush(out);
      int64_t secs;
      if (ParseBashStamp(line, &secs)) {
        if (reader_.line_number() == 1) multiline_ = true;
        bool had = have_entry_;
        ImportedCommand done;
        if (had) TakeEntry(&done);
        stamp_ = secs;
        have_stamp_ = true;
        stamp_line_ = reader_.line_number();
        if (had) {
          *out = std::move(done);
          return true;
        }
        continue;
      }
      if (std::memchr(line.data(), '\0', line.size()) != nullptr) {
        options_.problem(reader_.line_number(), "a NUL byte (is this a binary file?)");
        continue;
      }
      if (have_entry_ && !have_stamp_) {
        // Timestamp-delimited entries: a line before the next stamp
        // continues the entry.
        entry_.ev.command.push_back('\n');
        entry_.ev.command.append(line);
        continue;
      }
      if (IsBlankCommand(line)) {
        if (!line.empty()) options_.problem(reader_.line_number(), kBlankCommandProblem);
        continue;
      }
      Start(line);
      if (!multiline_) {
        TakeEntry(out);
        return true;
      }
    }
  }

  Status status() const override { return reader_.status(); }

 private:
  void Start(std::string_view line) {
    entry_ = ImportedCommand{};
    entry_.ev.kind = EventKind::kRecorded;
    entry_.ev.shell = "bash";
    entry_.ev.command.assign(line);
    entry_.line = have_stamp_ ? stamp_line_ : reader_.line_number();
    if (have_stamp_) {
      entry_.has_time = true;
      entry_.ev.time_ns = stamp_ * 1000000000LL;
    }
    have_stamp_ = false;
    have_entry_ = true;
  }
  void TakeEntry(ImportedCommand* out) {
    *out = std::move(entry_);
    have_entry_ = false;
  }
  bool Flush(ImportedCommand* out) {
    if (!reader_.status().ok() || !have_entry_) return false;
    TakeEntry(out);
    return true;
  }

  LineReader reader_;
  SourceOptions options_;
  ImportedCommand entry_;
  bool have_entry_ = false;
  bool multiline_ = false;  // the file starts with a stamp
  bool have_stamp_ = false;
  int64_t stamp_ = 0;
  uint64_t stamp_line_ = 0;
};

}  // namespace

std::unique_ptr<ImportSource> NewBashSource(int fd, const SourceOptions& options) {
  return std::make_unique<BashSource>(fd, options);
}

}  // namespace tb
