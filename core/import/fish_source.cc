#include "core/import/fish_source.h"

#include <cstring>

#include "core/import/line_reader.h"
#include "core/record_policy.h"
#include "core/timefmt.h"

namespace tb {

std::string UnescapeFish(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\' && i + 1 < t.size()) {
      if (t[i + 1] == '\\') {
        out.push_back('\\');
        ++i;
        continue;
      }
      if (t[i + 1] == 'n') {
        out.push_back('\n');
        ++i;
        continue;
      }
    }
    out.push_back(t[i]);
  }
  return out;
}

namespace {

class FishSource final : public ImportSource {
 public:
  FishSource(int fd, const SourceOptions& o) : reader_(fd), options_(o) {}

  bool Next(ImportedCommand* out) override {
    std::string_view line;
    while (reader_.Next(&line)) {
      if (line.starts_with("- cmd:")) {
        std::string_view text = line.substr(6);
        if (!text.empty() && text[0] == ' ') text.remove_prefix(1);
        ImportedCommand next;
        next.ev.kind = EventKind::kRecorded;
        next.ev.shell = "fish";
        next.ev.command = UnescapeFish(text);
        next.line = reader_.line_number();
        bool emit = Valid();
        ImportedCommand done = std::move(entry_);
        entry_ = std::move(next);
        have_ = true;
        in_paths_ = false;
        if (emit) {
          *out = std::move(done);
          return true;
        }
        continue;
      }
      if (line.starts_with("  when:") && have_) {
        std::string_view v = line.substr(7);
        while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
        int64_t secs = 0;
        bool ok = !v.empty() && v.size() < 19;
        for (char c : v) {
          if (c < '0' || c > '9' || secs > kMaxEpochSeconds)
            ok = false;
          else
            secs = secs * 10 + (c - '0');
        }
        if (!ok || secs > kMaxEpochSeconds) {
          options_.problem(reader_.line_number(), "invalid 'when:' value");
          continue;
        }
        entry_.has_time = true;
        entry_.ev.time_ns = secs * 1000000000LL;
        continue;
      }
      if (line == "  paths:" && have_) {
        in_paths_ = true;
        continue;
      }
      if (in_paths_ && line.starts_with("    - ")) continue;
      if (line.empty()) continue;
      options_.problem(reader_.line_number(), "not part of a fish history entry (expected '- cmd: ...')");
    }
    if (Valid()) {
      *out = std::move(entry_);
      have_ = false;
      return true;
    }
    return false;
  }

  Status status() const override { return reader_.status(); }

 private:
  bool Valid() {
    if (!have_) return false;
    if (std::memchr(entry_.ev.command.data(), '\0', entry_.ev.command.size()) != nullptr) {
      options_.problem(entry_.line, "a NUL byte (is this a binary file?)");
      have_ = false;
      return false;
    }
    if (IsBlankCommand(entry_.ev.command)) {
      options_.problem(entry_.line, kBlankCommandProblem);
      have_ = false;
      return false;
    }
    return true;
  }

  LineReader reader_;
  SourceOptions options_;
  ImportedCommand entry_;
  bool have_ = false;
  bool in_paths_ = false;
};

}  // namespace

std::unique_ptr<ImportSource> NewFishSource(int fd, const SourceOptions& options) {
  return std::make_unique<FishSource>(fd, options);
}

}  // namespace tb
