// ParseImport: reads bytes through a text import source (core/import/
// source.h) via a temp file, for the tests of the shells' history formats.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/import/source.h"
#include "tests/status_assert.h"

namespace tb::testutil {

struct ParsedImport {
  std::vector<std::string> commands;
  std::vector<int64_t> times;  // seconds; -1 where the entry has no time
  std::vector<std::string> problems;
};

// Writes `bytes` to a temp file and reads it back through `source`; the
// source must open and end without an error.
inline ParsedImport ParseImport(const std::string& source, const std::string& bytes) {
  char path[] = "/tmp/tb-import-source-XXXXXX";
  int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
  ParsedImport p;
  SourceOptions o;
  o.problem = [&](uint64_t line, const std::string& why) { p.problems.push_back(std::to_string(line) + ": " + why); };
  std::unique_ptr<ImportSource> src;
  Status s = OpenImportSource(source, path, o, &src);
  EXPECT_OK(s) << s.ToString();
  ImportedCommand c;
  while (s.ok() && src->Next(&c)) {
    p.commands.push_back(c.ev.command);
    p.times.push_back(c.has_time ? c.ev.time_ns / 1000000000 : -1);
  }
  if (s.ok()) {
    EXPECT_OK(src->status()) << src->status().ToString();
  }
  ::unlink(path);
  return p;
}

}  // namespace tb::testutil
