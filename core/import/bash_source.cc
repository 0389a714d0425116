#include "core/import/bash_source.h"

#include <cstring>

#include "core/record_policy.h"

namespace tb {

bool ParseBashStamp(std::string_view line, int64_t* seconds) {
  if (line.size() < 2 || line[0] != '#' || line.size() > 20) return false;
  int64_t v = 0;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
    v = v * 10 + (line[i] - '0');
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
      if (!pending_ && !reader_.Next(&line)) return Flush(out);
      if (pending_) {
        line = pending_line_;
        pending_ = false;
      }
      int64_t secs;
      if (ParseBashStamp(line, &secs)) {
        bool had = have_entry_;
        ImportedCommand done;
        if (had) TakeEntry(&done);
        stamped_file_ = true;
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
      if (stamped_file_ && have_entry_ && !have_stamp_) {
        // Lines after a stamped entry, before the next stamp: the same entry.
        entry_.ev.command.push_back('\n');
        entry_.ev.command.append(line);
        continue;
      }
      if (IsBlankCommand(line)) {
        if (!line.empty()) options_.problem(reader_.line_number(), kBlankCommandProblem);
        continue;
      }
      if (have_entry_) {
        // An unstamped file: every line is an entry; emit the previous one.
        ImportedCommand done;
        TakeEntry(&done);
        Start(line);
        *out = std::move(done);
        return true;
      }
      Start(line);
      if (!stamped_file_) {
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
  bool stamped_file_ = false;
  bool have_stamp_ = false;
  int64_t stamp_ = 0;
  uint64_t stamp_line_ = 0;
  bool pending_ = false;
  std::string pending_line_;
};

}  // namespace

std::unique_ptr<ImportSource> NewBashSource(int fd, const SourceOptions& options) {
  return std::make_unique<BashSource>(fd, options);
}

}  // namespace tb
