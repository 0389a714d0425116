// LineReader (core/import/line_reader.h): lines through a small buffer, CRLF,
// an unterminated last line, and the longest line it reads.
#include "core/import/line_reader.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace tb {
namespace {

// A descriptor reading `text` (a pipe would block beyond its capacity: a
// memory file holds any size).
int FdOf(const std::string& text) {
  int fd = ::memfd_create("line_reader_test", 0);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

struct Read {
  std::vector<std::string> lines;
  Status status;
  bool unterminated = false;
};

Read ReadAll(const std::string& text, size_t buffer, size_t max_line) {
  LineReader reader(FdOf(text), buffer, max_line);
  Read r;
  std::string_view line;
  while (reader.Next(&line)) r.lines.emplace_back(line);
  r.status = reader.status();
  r.unterminated = reader.last_unterminated();
  return r;
}

TEST(LineReader, LinesLongerThanTheBufferAreWhole) {
  Read r = ReadAll("ab\r\n" + std::string(40, 'x') + "\nlast", 8, 64);
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.lines, (std::vector<std::string>{"ab", std::string(40, 'x'), "last"}));
  EXPECT_TRUE(r.unterminated);
}

TEST(LineReader, ALineOfTheLimitIsRead) {
  Read r = ReadAll("a\n" + std::string(64, 'y') + "\n" + std::string(64, 'z'), 8, 64);
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.lines, (std::vector<std::string>{"a", std::string(64, 'y'), std::string(64, 'z')}));
}

TEST(LineReader, ALongerLineEndsTheFileWithItsLineNumber) {
  for (const std::string& tail : {std::string("\nnext\n"), std::string()}) {
    Read r = ReadAll("a\nb\n" + std::string(65, 'y') + tail, 8, 64);
    EXPECT_EQ(r.lines, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(r.status.IsInvalidArgument());
    EXPECT_EQ(r.status.message(), "line 3 is longer than 64 bytes, the longest line tb reads");
  }
  // Within one buffer too.
  Read r = ReadAll(std::string(65, 'y') + "\n", 1024, 64);
  EXPECT_EQ(r.lines, std::vector<std::string>{});
  EXPECT_EQ(r.status.message(), "line 1 is longer than 64 bytes, the longest line tb reads");
}

TEST(LineReader, TheDefaultLimitIs16MiB) {
  EXPECT_EQ(kMaxLineBytes, 16u << 20);
  Read r = ReadAll(std::string(kMaxLineBytes + 1, 'q'), 1 << 20, kMaxLineBytes);
  EXPECT_EQ(r.status.message(), "line 1 is longer than 16 MiB, the longest line tb reads");
}

}  // namespace
}  // namespace tb
