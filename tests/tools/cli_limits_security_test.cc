// The size limits of tb's inputs that have no other test (docs/security.md,
// "Size limits"): each is accepted at the limit and refused with one line beyond it.
#include <gtest/gtest.h>

#include <string>

#include "core/import/line_reader.h"
#include "tests/tools/cli_fixture.h"
#include "tools/search_request.h"

namespace tb::testing {
namespace {

class CliLimitsSecurity : public CliTest {};

TEST_F(CliLimitsSecurity, SearchQueryOf4KiB) {
  Record("ls", {"--cwd", "/tmp"});
  RunResult ok = Tb({"search", "--format", "plain", std::string(kMaxQueryBytes, 'q')});
  EXPECT_EXIT_CODE(ok, 0);
  EXPECT_EQ(ok.out, "");
  RunResult r = Tb({"search", std::string(kMaxQueryBytes - 1, 'q'), "x"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: error: the query is 4097 bytes long; at most 4096 are taken\n");
}

// An import reads lines of up to 16 MiB; a longer one stops the import
// with its line number, and nothing of the file is imported.
TEST_F(CliLimitsSecurity, ImportLineOf16MiB) {
  const std::string file = root() + "/long.history";
  WriteFile(file, "ls\n" + std::string(kMaxLineBytes + 1, 'x') + "\npwd\n");
  for (const std::string format : {"bash", "zsh", "fish", "ndjson"}) {
    RunResult r = Tb({"import", format, file});
    EXPECT_EXIT_CODE(r, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "tb: error: " + file + ": line 2 is longer than 16 MiB, the longest line tb reads\n") << format;
  }
  EXPECT_EQ(Commands(), std::vector<std::string>{});
}

}  // namespace
}  // namespace tb::testing
