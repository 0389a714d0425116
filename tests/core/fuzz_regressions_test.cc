// Regressions found by the libFuzzer harnesses in fuzz/ (docs/security.md,
// "Fuzzing"): each test holds the smallest form of an input a harness
// reported, and the fixed behaviour. The reported inputs themselves are in
// the harnesses' seed corpora (fuzz/corpus/).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/import/bash_source.h"
#include "core/import/source.h"
#include "core/search/index.h"
#include "core/search/search.h"
#include "core/spool_frame.h"
#include "tests/core/config_fixture.h"
#include "tests/core/import_test_util.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

using testutil::ParseImport;

TEST(FuzzRegressionTest, SpoolTimeBeyondInt64NanosecondsIsRejected) {
  SpoolParse p;
  ParseSpool(
      "TB1\tS\tabc\t1\t9223372036.0\ts1\tbash\t/h\tls\t.\n"
      "TB1\tS\tabc\t2\t17325880000.5\ts1\tbash\t/h\tls\t.\n"
      "TB1\tS\tabc\t3\t9223372035.999999\ts1\tbash\t/h\tpwd\t.\n",
      &p);
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].time_ns, 9223372035999999000);
  EXPECT_EQ(p.events[0].command, "pwd");
  EXPECT_EQ(p.reasons, (std::vector<std::string>{"bad time", "bad time"}));
}

TEST(FuzzRegressionTest, SpoolDurationBeyondInt64NanosecondsIsRejected) {
  SpoolParse p;
  ParseSpool(
      "TB1\tF\tabc\t2\t1732580000.5\t0\t9223372036854776\t1\t.\n"
      "TB1\tF\tabc\t3\t1732580000.5\t0\t9223372036854775\t1\t.\n",
      &p);
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].duration_ns, 9223372036854775000);
  EXPECT_EQ(p.reasons, (std::vector<std::string>{"bad duration"}));
}

TEST(FuzzRegressionTest, BashStampBeyondInt64NanosecondsIsNotAStamp) {
  int64_t s = 0;
  EXPECT_TRUE(ParseBashStamp("#9223372035", &s));
  EXPECT_EQ(s, 9223372035);
  EXPECT_FALSE(ParseBashStamp("#9223372036", &s));
  EXPECT_FALSE(ParseBashStamp("#9999999999999999999", &s));
  auto p = ParseImport("bash", "#17325890000\nls -la\n");
  EXPECT_EQ(p.commands, (std::vector<std::string>{"#17325890000", "ls -la"}));
  EXPECT_EQ(p.times, (std::vector<int64_t>{-1, -1}));
}

TEST(FuzzRegressionTest, ZshHeaderBeyondInt64NanosecondsIsAPlainCommand) {
  auto p = ParseImport("zsh", ": 17000000000:3;git status\n: 1700000000:9223372036;ls\n: 1700000000:3;pwd\n");
  EXPECT_EQ(p.commands, (std::vector<std::string>{": 17000000000:3;git status", ": 1700000000:9223372036;ls", "pwd"}));
  EXPECT_EQ(p.times, (std::vector<int64_t>{-1, -1, 1700000000}));
  EXPECT_TRUE(p.problems.empty());
}

TEST(FuzzRegressionTest, FishWhenBeyondInt64NanosecondsIsInvalid) {
  auto p = ParseImport("fish", "- cmd: ls\n  when: 170000000000000000\n- cmd: pwd\n  when: 9223372035\n");
  EXPECT_EQ(p.commands, (std::vector<std::string>{"ls", "pwd"}));
  EXPECT_EQ(p.times, (std::vector<int64_t>{-1, 9223372035}));
  EXPECT_EQ(p.problems, (std::vector<std::string>{"2: invalid 'when:' value"}));
}

std::string CorpusFile(const std::string& name) {
  std::ifstream in(std::string(TB_SOURCE_DIR) + "/fuzz/corpus/" + name, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(FuzzRegressionTest, MisalignedForgottenTargetsAreCorruption) {
  // A Forgotten event whose [ulong] targets start at 4 mod 8: reading it
  // would be a misaligned load. The schema's Forgotten table now has the
  // target ids too (fields 1 and 2), whose slots in this input's vtable
  // point into its other bytes: the verifier rejects it before the
  // alignment check. The same input with a one-field vtable for Forgotten
  // (the targets only) passes the verifier and meets the alignment check.
  std::string bytes = CorpusFile("codec/regress_misaligned_targets");
  ASSERT_FALSE(bytes.empty());
  Event ev;
  Status s = DecodeEvent(bytes, &ev);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(), "event failed FlatBuffers verification");
  s = DecodeEvent(CorpusFile("codec/regress_misaligned_targets_one_field"), &ev);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(), "event failed FlatBuffers verification (misaligned forgotten targets)");
}

TEST(FuzzRegressionTest, ForgottenWithoutTargetsRoundTrips) {
  // FlatBuffers does not align an empty vector: its (absent) elements may
  // sit at 4 mod 8 in an event EncodeEvent wrote, which still decodes.
  Event ev;
  ASSERT_OK(DecodeEvent(CorpusFile("codec/regress_empty_targets_roundtrip"), &ev));
  EXPECT_EQ(ev.kind, EventKind::kForgotten);
  EXPECT_TRUE(ev.targets.empty());
  std::string encoded;
  EncodeEvent(ev, &encoded);
  Event again;
  ASSERT_OK(DecodeEvent(encoded, &again));
  EXPECT_EQ(again, ev);
}

TEST(FuzzRegressionTest, FuzzySearchWithAnEmptyQueryRanksEveryCommand) {
  // The fuzzy scores were only sized for a non-empty query, and read anyway
  // (`tb search --mode fuzzy ''` crashed).
  IndexBuilder b(IndexStamp{"0123456789abcdef0123456789abcdef", 2, 2000000000, {}});
  for (uint64_t seq : {1, 2}) {
    HistoryRecord r;
    r.id = EventId{7, seq};
    r.seq = seq;
    r.command = seq == 1 ? "git status" : "make";
    r.cwd = "/home/u";
    r.exit_code = 0;
    r.started_at_ns = static_cast<int64_t>(seq) * 1000000000;
    b.Add(r);
  }
  std::vector<uint64_t> aligned;
  std::string bytes;
  b.Serialize(&bytes);
  aligned.resize(bytes.size() / 8 + 1);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  std::unique_ptr<SearchIndex> ix;
  ASSERT_OK(
      SearchIndex::Open(std::string_view(reinterpret_cast<const char*>(aligned.data()), bytes.size()), nullptr, &ix));
  Searcher searcher(*ix);
  for (bool unique : {false, true}) {
    SearchRequest req;
    req.mode = SearchMode::kFuzzy;
    req.unique = unique;
    req.now_ns = 3000000000;
    SearchResult res;
    ASSERT_OK(searcher.Search(req, &res));
    ASSERT_EQ(res.hits.size(), 2u);
    EXPECT_EQ(res.hits[0].record.command, "make");
    EXPECT_EQ(res.hits[1].record.command, "git status");
  }
}

class FuzzConfigRegressionTest : public ConfigTest {};

TEST_F(FuzzConfigRegressionTest, TableHeaderWithoutAKeyIsASyntaxError) {
  // toml++ 3.3 asserted here (an abort in builds without NDEBUG).
  Status s = Load("[=soa[storage \n");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":1:2): TOML syntax error: Error while parsing key: expected bare key starting character "
                             "or string delimiter, saw '='. Fix the syntax");
}

TEST_F(FuzzConfigRegressionTest, NonAsciiWhereWhitespaceMayBeIsASyntaxError) {
  // toml++ 3.3 reached __builtin_unreachable for U+0396 here.
  Status s = Load("[[\xce\x96]]\n");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":1:3): TOML syntax error: Error while parsing key: expected bare key starting character "
                             "or string delimiter, saw '\xce\x96'. Fix the syntax");
  // Non-ASCII whitespace is still recognized (and refused: TOML allows
  // only space and tab).
  s = Load("[storage]\n\xc2\xa0reserve_mb = 16\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2:1): TOML syntax error: Error while parsing root table: expected space or tab, saw "
                             "'\\u00A0'. Fix the syntax");
}

}  // namespace
}  // namespace tb
