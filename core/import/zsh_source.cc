#include "core/import/zsh_source.h"

#include <cstring>

#include "core/import/line_reader.h"
#include "core/record_policy.h"
#include "core/timefmt.h"

namespace tb {

void Unmetafy(std::string* s) {
  size_t w = 0;
  for (size_t r = 0; r < s->size(); ++r) {
    char c = (*s)[r];
    if (static_cast<unsigned char>(c) == 0x83 && r + 1 < s->size()) c = static_cast<char>((*s)[++r] ^ 0x20);
    (*s)[w++] = c;
  }
  s->resize(w);
}

namespace {

// zsh (5.9) writes one extra space after a command that ends in a backslash
// and optional spaces, so that the backslash does not continue the line;
// reading, it drops that space again.
void DropGuardSpace(std::string* s) {
  size_t text = s->find_last_not_of(' ');
  if (text != std::string::npos && text + 1 < s->size() && (*s)[text] == '\\') s->pop_back();
}

bool Digits(std::string_view* in, int64_t* v) {
  size_t i = 0;
  int64_t x = 0;
  while (i < in->size() && i < 18 && (*in)[i] >= '0' && (*in)[i] <= '9') x = x * 10 + ((*in)[i++] - '0');
  if (i == 0) return false;
  in->remove_prefix(i);
  *v = x;
  return true;
}

// An extended header ": <start>:<elapsed>;": fills the time and duration
// of `c` and leaves the text in `line`; false (nothing changed) for any
// other line, which is then a plain command as it stands.
bool ParseHeader(std::string_view* line, ImportedCommand* c) {
  if (!line->starts_with(": ")) return false;
  std::string_view rest = line->substr(2);
  int64_t start = 0, elapsed = 0;
  if (!Digits(&rest, &start) || !rest.starts_with(':')) return false;
  rest.remove_prefix(1);
  if (!Digits(&rest, &elapsed) || !rest.starts_with(';')) return false;
  if (start > kMaxEpochSeconds || elapsed > kMaxEpochSeconds) return false;  // beyond int64 nanoseconds
  rest.remove_prefix(1);
  c->has_time = true;
  c->ev.time_ns = start * 1000000000LL;
  c->ev.duration_ns = elapsed * 1000000000LL;
  *line = rest;
  return true;
}

class ZshSource final : public ImportSource {
 public:
  ZshSource(int fd, const SourceOptions& o) : reader_(fd), options_(o) {}

  bool Next(ImportedCommand* out) override {
    std::string_view line;
    while (reader_.Next(&line)) {
      uint64_t first = reader_.line_number();
      const bool empty_line = line.empty();
      ImportedCommand c;
      c.ev.kind = EventKind::kRecorded;
      c.ev.shell = "zsh";
      c.line = first;
      if (!ParseHeader(&line, &c) && line.starts_with("\\:")) {
        line.remove_prefix(1);  // plain files escape a leading ':' as "\:"
      }
      c.ev.command.assign(line);
      // Continuation lines: "\" LF inside a command.
      while (!c.ev.command.empty() && c.ev.command.back() == '\\') {
        std::string_view next;
        if (!reader_.Next(&next)) break;  // a truncated last entry: keep what we have
        c.ev.command.back() = '\n';
        c.ev.command.append(next);
      }
      DropGuardSpace(&c.ev.command);
      if (std::memchr(c.ev.command.data(), '\0', c.ev.command.size()) != nullptr) {
        options_.problem(first, "a NUL byte (is this a binary file?)");
        continue;
      }
      Unmetafy(&c.ev.command);
      if (IsBlankCommand(c.ev.command)) {
        if (!empty_line) options_.problem(first, kBlankCommandProblem);
        continue;
      }
      *out = std::move(c);
      return true;
    }
    return false;
  }

  Status status() const override { return reader_.status(); }

 private:
  LineReader reader_;
  SourceOptions options_;
};

}  // namespace

std::unique_ptr<ImportSource> NewZshSource(int fd, const SourceOptions& options) {
  return std::make_unique<ZshSource>(fd, options);
}

}  // namespace tb
