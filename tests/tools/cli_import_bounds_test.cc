// Import bounds: ndjson seqs are kept (with padding) only into an empty
// store and only across bounded gaps (core/import/seq_padding.h); empty and
// whitespace-only commands are malformed for every importer and for
// `tb record`.
#include <gtest/gtest.h>

#include "core/import/seq_padding.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

class ImportBounds : public CliTest {
 protected:
  std::string Ndjson(uint64_t seq, const std::string& command) const {
    return "{\"seq\":" + std::to_string(seq) + ",\"command\":\"" + command + "\",\"started_at\":\"2024-01-01T00:00:0" +
           std::to_string(seq % 10) + "Z\"}\n";
  }
  // The seq of every event in the log ("seq kind" lines of tb log dump).
  uint64_t Head() const {
    RunResult r = Tb({"log", "verify"});
    EXPECT_EXIT_CODE(r, 0);
    size_t at = r.out.find("seq 1..");
    if (at == std::string::npos) return 0;
    return std::stoull(r.out.substr(at + 7));
  }
};

TEST(SeqPaddingTest, GapAndTotalLimits) {
  SeqPadding p(1);  // budget 2 + 65536
  uint64_t pads = 9;
  ASSERT_OK(p.Before(0, 1, &pads));
  EXPECT_EQ(pads, 0u);
  ASSERT_OK(p.Before(5, 7, &pads));  // already past: no padding
  EXPECT_EQ(pads, 0u);
  ASSERT_OK(p.Before(1 + SeqPadding::kMaxGap, 1, &pads));
  EXPECT_EQ(pads, SeqPadding::kMaxGap);
  Status over = p.Before(10, 7, &pads);  // 3 more: 65539 > 65538
  EXPECT_TRUE(over.IsInvalidArgument()) << over.ToString();
  EXPECT_EQ(over.message(),
            "seq 10 would bring the padding to 65539 events; an import of this file pads at most "
            "65538 (twice its records plus 65536)");
  SeqPadding q(1);
  Status gap = q.Before(2 + SeqPadding::kMaxGap, 1, &pads);
  EXPECT_EQ(gap.message(),
            "seq 65538 would need 65537 padding events; an import into an empty store pads at "
            "most 65536 per gap");
}

TEST_F(ImportBounds, SeqsOfAFileAreIgnoredInAStoreThatIsNotEmpty) {
  for (int i = 0; i < 3; ++i) Record("cmd " + std::to_string(i), {"--exit", "0"});
  WriteFile(root() + "/big.ndjson", Ndjson(1000000, "far away"));
  RunResult r = Tb({"import", "ndjson", root() + "/big.ndjson"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, root() + "/big.ndjson: 1 imported, 0 duplicates, 0 malformed (ndjson, batch 4)\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Head(), 5u);  // 3 records, the import's record and its ImportCompleted
  RunResult h = Tb({"history", "--format", "ndjson"});
  EXPECT_NE(h.out.find("\"seq\":4,\"command\":\"far away\""), std::string::npos) << h.out;
}

TEST_F(ImportBounds, PaddingIntoAnEmptyStoreKeepsSeqs) {
  WriteFile(root() + "/gaps.ndjson", Ndjson(3, "three") + Ndjson(7, "seven"));
  RunResult r = Tb({"import", "ndjson", root() + "/gaps.ndjson"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, root() + "/gaps.ndjson: 2 imported, 0 duplicates, 0 malformed (ndjson, batch 1)\n");
  RunResult h = Tb({"history", "--format", "ndjson"});
  EXPECT_NE(h.out.find("\"seq\":7,\"command\":\"seven\""), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("\"seq\":3,\"command\":\"three\""), std::string::npos) << h.out;
  EXPECT_EQ(Head(), 8u);
  EXPECT_EXIT_CODE(Tb({"views", "verify"}), 0);
}

TEST_F(ImportBounds, AGapOverTheLimitIsRefusedAndNothingIsWritten) {
  const std::string file = root() + "/far.ndjson";
  WriteFile(file, Ndjson(1, "one") + Ndjson(2 + SeqPadding::kMaxGap + 1, "far"));
  RunResult r = Tb({"import", "ndjson", file});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: error: cannot keep the seqs of " + file +
                       " (line 2): seq 65539 would need 65537 padding events; an import into an "
                       "empty store pads at most 65536 per gap. Nothing was imported; remove the "
                       "\"seq\" keys (jq -c 'del(.seq)') to import the records with new seqs\n");
  EXPECT_EQ(Head(), 0u);
}

TEST_F(ImportBounds, PaddingOverTheFileBudgetIsRefused) {
  const std::string file = root() + "/many.ndjson";
  WriteFile(file, Ndjson(60000, "a") + Ndjson(120000, "b"));
  RunResult r = Tb({"import", "ndjson", file});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: cannot keep the seqs of " + file +
                       " (line 2): seq 120000 would bring the padding to 119998 events; an import "
                       "of this file pads at most 65540 (twice its records plus 65536). Nothing "
                       "was imported; remove the \"seq\" keys (jq -c 'del(.seq)') to import the "
                       "records with new seqs\n");
  EXPECT_EQ(Head(), 0u);
}

TEST_F(ImportBounds, BlankCommandsAreMalformedInEveryFormat) {
  struct Case {
    std::string source, content, warning;
  };
  const std::vector<Case> cases = {
      {"ndjson", "{\"command\":\"ok\"}\n{\"command\":\"\"}\n{\"command\":\" \\t \"}\n", ""},
      {"bash", "ok\n\n   \t\n", ""},
      {"zsh", ": 1700000000:0;ok\n: 1700000001:0;   \n", ""},
      {"fish", "- cmd: ok\n  when: 1700000100\n- cmd:    \n  when: 1700000101\n", ""},
  };
  const std::vector<std::string> lines = {"2", "3", "2", "3"};
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.source);
    const std::string file = root() + "/h." + c.source;
    WriteFile(file, c.content);
    RunResult r = Tb({"import", c.source, file});
    EXPECT_EXIT_CODE(r, 0);
    const uint64_t bad = c.source == "ndjson" ? 2 : 1;
    EXPECT_EQ(r.out, file + ": 1 imported, 0 duplicates, " + std::to_string(bad) + " malformed (" + c.source +
                         ", batch " + std::to_string(1 + 2 * i) + ")\n");
    std::string want;
    if (c.source == "ndjson") {
      want = "tb: warning: " + file +
             ":2: empty or whitespace-only command (skipped)\n"
             "tb: warning: " +
             file + ":3: empty or whitespace-only command (skipped)\n";
    } else {
      want = "tb: warning: " + file + ":" + lines[i] + ": empty or whitespace-only command (skipped)\n";
    }
    EXPECT_EQ(r.err, want);
  }
  EXPECT_EQ(Commands(), (std::vector<std::string>{"ok", "ok", "ok", "ok"}));
}

TEST_F(ImportBounds, RecordRefusesWhitespaceOnlyCommands) {
  RunResult r = Tb({"record", "--command", " \t "});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: --command is only whitespace (tb record): nothing to record\n");
}

}  // namespace
}  // namespace tb::testing
