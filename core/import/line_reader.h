/// @file
/// LineReader: lines of a file, streamed through a fixed buffer.
///
/// A line is the bytes up to LF (excluded); a CR before the LF is removed
/// (CRLF files). The last line may lack its LF (a truncated file): it is
/// returned all the same and last_unterminated() becomes true. A line longer
/// than the buffer is gathered whole, up to `max_line_bytes`: a longer one
/// ends the file with an InvalidArgument status naming its line number (no
/// shell writes such a line, and reading it whole would take that much memory).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tb {

/// The longest line an import reads: 16 MiB (docs/security.md, "Size limits").
inline constexpr size_t kMaxLineBytes = 16u << 20;

/// Reads the lines of one file descriptor (see the file comment).
class LineReader {
 public:
  /// Takes ownership of `fd` (closed by the destructor).
  explicit LineReader(int fd, size_t buffer_bytes = 1 << 20, size_t max_line_bytes = kMaxLineBytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// The next line, valid until the next call; false at the end or on error.
  bool Next(std::string_view* line);
  /// 1-based number of the last line returned (0 before the first).
  uint64_t line_number() const { return lineno_; }
  /// File offset of the last line returned.
  uint64_t line_offset() const { return line_start_; }
  /// True when the last line returned had no LF (a truncated file).
  bool last_unterminated() const { return unterminated_; }
  /// OK, or why Next() stopped early: IOError on a read error,
  /// InvalidArgument for a line over max_line_bytes.
  const Status& status() const { return status_; }

 private:
  bool Fill();
  bool TooLong(size_t more);
  int fd_;
  size_t max_line_;
  std::string buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  bool unterminated_ = false;
  uint64_t lineno_ = 0;
  uint64_t base_ = 0;  // file offset of buf_[0]
  uint64_t line_start_ = 0;
  std::string long_line_;  // a line longer than the buffer
  Status status_;
};

}  // namespace tb
