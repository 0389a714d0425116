#include "core/import/line_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tb {

LineReader::LineReader(int fd, size_t buffer_bytes, size_t max_line_bytes) : fd_(fd), max_line_(max_line_bytes) {
  buf_.resize(buffer_bytes);
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool LineReader::Fill() {
  // Keep the unread tail at the front.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    base_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) return true;  // full: caller handles a long line
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status_ = Status::IOError(std::string("read failed: ") + std::strerror(errno));
      return false;
    }
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
    return true;
  }
}

// True, with the status set, when the line being read is longer than the
// limit: `more` of its bytes are in the buffer (after long_line_).
bool LineReader::TooLong(size_t more) {
  if (long_line_.size() + more <= max_line_) return false;
  const std::string limit =
      max_line_ % (1u << 20) == 0 ? std::to_string(max_line_ >> 20) + " MiB" : std::to_string(max_line_) + " bytes";
  status_ = Status::InvalidArgument("line " + std::to_string(lineno_ + 1) + " is longer than " + limit +
                                    ", the longest line tb reads");
  return true;
}

bool LineReader::Next(std::string_view* line) {
  if (!status_.ok()) return false;
  long_line_.clear();
  line_start_ = base_ + begin_;
  for (;;) {
    const char* start = buf_.data() + begin_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (nl != nullptr) {
      size_t len = static_cast<size_t>(nl - start);
      if (TooLong(len)) return false;
      std::string_view l(start, len);
      begin_ += len + 1;
      if (!long_line_.empty()) {
        long_line_.append(l);
        l = long_line_;
      }
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      ++lineno_;
      *line = l;
      return true;
    }
    if (TooLong(end_ - begin_)) return false;
    if (eof_) {
      if (begin_ == end_ && long_line_.empty()) return false;
      long_line_.append(start, end_ - begin_);
      begin_ = end_;
      std::string_view l = long_line_;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      unterminated_ = true;
      ++lineno_;
      *line = l;
      eof_ = true;
      return true;
    }
    if (begin_ == 0 && end_ == buf_.size()) {  // a line longer than the buffer
      long_line_.append(buf_.data(), end_);
      base_ += end_;
      begin_ = end_ = 0;
    }
    if (!Fill()) return false;
  }
}

}  // namespace tb
