// The search engine (core/search/search.h) on a fixed history: every mode,
// operator, filter and ranking with the exact records expected.
#include "core/search/search.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstring>

#include "core/search/index.h"
#include "core/search/matcher.h"
#include "core/search/scan.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

constexpr int64_t kSec = 1000000000;

HistoryRecord Rec(uint64_t seq, std::string cmd, std::string cwd, std::optional<int32_t> exit, std::string session,
                  std::string host, int64_t t_sec) {
  HistoryRecord r;
  r.id = {7, seq};
  r.seq = seq;
  r.command = std::move(cmd);
  r.cwd = std::move(cwd);
  r.exit_code = exit;
  r.running = !exit;
  if (exit) r.duration_ns = static_cast<int64_t>(seq) * 1000;
  r.started_at_ns = t_sec * kSec;
  r.session = std::move(session);
  r.host = std::move(host);
  r.user = "u";
  r.shell = "zsh";
  return r;
}

std::vector<HistoryRecord> History() {
  return {
      Rec(1, "git status", "/home/u/proj", 0, "s1", "h1", 1000),
      Rec(2, "git commit -m 'Fix bug'", "/home/u/proj", 1, "s1", "h1", 1010),
      Rec(3, "git commit -m 'Fix bug'", "/home/u/proj", 0, "s1", "h1", 1020),
      Rec(4, "make test", "/home/u/proj/build", 2, "s1", "h1", 1030),
      Rec(5, "ls -la", "/tmp", 0, "s2", "h2", 1040),
      Rec(6, "echo héllo 日本", "/tmp", 0, "s2", "h2", 1050),
      Rec(7, "grep -r TODO src", "/home/u/proj", 1, "s2", "h2", 1060),
      Rec(8, "git status", "/home/u/other", 0, "s3", "h1", 1070),
      Rec(9, "docker ps", "/home/u", std::nullopt, "s3", "h1", 1080),
      Rec(10, "cat README.md | grep Fix", "/home/u/proj", 0, "s1", "h1", 1090),
  };
}

std::unique_ptr<SearchIndex> Build(const std::vector<HistoryRecord>& recs, std::string* bytes) {
  IndexBuilder b(IndexStamp{"0123456789abcdef0123456789abcdef", 10, 1090 * kSec, {7, 10}});
  for (const auto& r : recs) b.Add(r);
  b.Serialize(bytes);
  std::unique_ptr<SearchIndex> ix;
  Status s = SearchIndex::Open(*bytes, nullptr, &ix);
  EXPECT_OK(s) << s.ToString();
  return ix;
}

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override { ix_ = Build(History(), &bytes_); }
  std::vector<uint64_t> Seqs(SearchRequest req, const IndexOverlay* ov = nullptr) {
    req.now_ns = 1100 * kSec;
    Searcher s(*ix_, ov);
    SearchResult res;
    Status st = s.Search(req, &res);
    EXPECT_OK(st) << st.ToString();
    std::vector<uint64_t> out;
    for (const auto& h : res.hits) out.push_back(h.record.seq);
    return out;
  }
  std::vector<uint64_t> Q(std::string q, SearchMode mode = SearchMode::kSubstring, bool unique = false) {
    SearchRequest r;
    r.query = std::move(q);
    r.mode = mode;
    r.unique = unique;
    return Seqs(r);
  }
  std::string bytes_;
  std::unique_ptr<SearchIndex> ix_;
};

using V = std::vector<uint64_t>;

TEST_F(SearchTest, IndexRoundTripsEveryRecord) {
  auto h = History();
  ASSERT_EQ(ix_->rows(), h.size());
  for (size_t r = 0; r < h.size(); ++r) EXPECT_EQ(ix_->Record(r), h[h.size() - 1 - r]) << r;
  EXPECT_EQ(ix_->stamp().head_seq, 10u);
  EXPECT_EQ(ix_->commands().size(), 8u);
  auto git = ix_->commands().Find("git status");
  ASSERT_TRUE(git);
  EXPECT_EQ(ix_->uses(*git), 2u);
  EXPECT_EQ(ix_->failures(*ix_->commands().Find("git commit -m 'Fix bug'")), 1u);
  EXPECT_EQ(ix_->last_row(*git), 2u);
  EXPECT_EQ(std::vector<uint64_t>(ix_->running_seqs().begin(), ix_->running_seqs().end()), V{9});
}

TEST_F(SearchTest, SubstringNewestFirst) {
  EXPECT_EQ(Q("git"), (V{8, 3, 2, 1}));
  EXPECT_EQ(Q(""), (V{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(Q("git", SearchMode::kSubstring, true), (V{8, 3}));
  EXPECT_EQ(Q("commit fix"), (V{3, 2}));
  EXPECT_EQ(Q("nothing"), V{});
  EXPECT_EQ(Q("日本"), V{6});
  EXPECT_EQ(Q("d | ls"), (V{10, 9, 7, 5}));
}

TEST_F(SearchTest, SmartCase) {
  EXPECT_EQ(Q("fix"), (V{10, 3, 2}));
  EXPECT_EQ(Q("Fix"), (V{10, 3, 2}));
  EXPECT_EQ(Q("FIX"), V{});
  EXPECT_EQ(Q("todo"), V{7});
  EXPECT_EQ(Q("Todo"), V{});
}

TEST_F(SearchTest, Operators) {
  EXPECT_EQ(Q("^git status$"), (V{8, 1}));
  EXPECT_EQ(Q("status$"), (V{8, 1}));
  EXPECT_EQ(Q("^ls"), V{5});
  EXPECT_EQ(Q("^g !git"), V{7});
  EXPECT_EQ(Q("'grep"), (V{10, 7}));
  EXPECT_EQ(Q("ls | docker"), (V{9, 5}));
  EXPECT_EQ(Q("!git !grep !cat"), (V{9, 6, 5, 4}));
}

TEST_F(SearchTest, Modes) {
  EXPECT_EQ(Q("git c", SearchMode::kPrefix), (V{3, 2}));
  EXPECT_EQ(Q("GIT", SearchMode::kPrefix), V{});
  EXPECT_EQ(Q("git status", SearchMode::kExact), (V{8, 1}));
  EXPECT_EQ(Q("git", SearchMode::kExact), V{});
  EXPECT_EQ(Q("LS -LA", SearchMode::kExact), V{});
  EXPECT_EQ(Q("^(ls|make) ", SearchMode::kRegex), (V{5, 4}));
  EXPECT_EQ(Q("gst", SearchMode::kFuzzy, true), V{8});
  EXPECT_EQ(Q("gc", SearchMode::kFuzzy, true), (V{3, 7})) << "word starts beat a spread match";
  EXPECT_EQ(Q("gc", SearchMode::kFuzzy), (V{3, 2, 7}));
}

// A search typed in a shell finds its own line, recorded and still running:
// seq 9 ("docker ps", running) is the newest record of session s3.
TEST_F(SearchTest, LeavesOutTheCallersOwnRunningLine) {
  SearchRequest r;
  r.exclude_self = SearchRequest::Self{"s3", {"docker"}};
  EXPECT_EQ(Seqs(r), (V{10, 8, 7, 6, 5, 4, 3, 2, 1}));
  r.query = "d";
  EXPECT_EQ(Seqs(r), (V{10, 7}));
  r.filter.limit = 1;
  EXPECT_EQ(Seqs(r), V{10}) << "the left-out row does not take a place";
  r.filter.limit = 0;
  r.unique = true;
  EXPECT_EQ(Seqs(r), (V{10, 7})) << "also when unique results come from per-command totals";
  r.rank = RankMode::kFrecency;
  EXPECT_EQ(Seqs(r).size(), 2u);
  r = {};
  r.query = "docker";
  r.exclude_self = SearchRequest::Self{"s3", {"search"}};
  EXPECT_EQ(Seqs(r), V{9}) << "a running line that does not name the words stays";
  r.exclude_self = SearchRequest::Self{"s1", {}};
  EXPECT_EQ(Seqs(r), V{9}) << "the newest record of s1 has finished";
  r.exclude_self = SearchRequest::Self{"nope", {}};
  EXPECT_EQ(Seqs(r), V{9});
  // Through the overlay: a newer running line of s3 is left out, and seq 9
  // is then not the newest any more.
  IndexOverlay ov;
  ov.records.push_back(Rec(11, "tb search docker", "/home/u", std::nullopt, "s3", "h1", 1095));
  r.exclude_self = SearchRequest::Self{"s3", {"search", "docker"}};
  EXPECT_EQ(Seqs(r, &ov), V{9});
  r.exclude_self.reset();
  EXPECT_EQ(Seqs(r, &ov), (V{11, 9}));
  // The left-out line's text was used before: unique results keep that use.
  IndexOverlay again;
  again.records.push_back(Rec(12, "docker ps", "/home/u", std::nullopt, "s3", "h1", 1096));
  r = {};
  r.query = "docker";
  r.unique = true;
  r.exclude_self = SearchRequest::Self{"s3", {"docker"}};
  EXPECT_EQ(Seqs(r, &again), V{9});
  r.rank = RankMode::kFrecency;
  EXPECT_EQ(Seqs(r, &again), V{9});
  r.unique = false;
  EXPECT_EQ(Seqs(r, &again), V{9});
}

TEST_F(SearchTest, InvalidRegex) {
  Searcher s(*ix_);
  SearchRequest r;
  r.query = "a[";
  r.mode = SearchMode::kRegex;
  SearchResult res;
  Status st = s.Search(r, &res);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(st.message(), "invalid regex: missing ]: [");
}

TEST_F(SearchTest, Filters) {
  SearchRequest r;
  r.query = "git";
  r.filter.cwd = "/home/u/proj";
  EXPECT_EQ(Seqs(r), (V{3, 2, 1}));
  r = {};
  r.filter.session = "s2";
  EXPECT_EQ(Seqs(r), (V{7, 6, 5}));
  r = {};
  r.filter.host = "h2";
  r.query = "e";
  EXPECT_EQ(Seqs(r), (V{7, 6}));
  r = {};
  r.filter.exit_code = 1;
  EXPECT_EQ(Seqs(r), (V{7, 2}));
  r = {};
  r.filter.failed = true;
  EXPECT_EQ(Seqs(r), (V{7, 4, 2}));
  r = {};
  r.filter.succeeded = true;
  r.query = "git";
  EXPECT_EQ(Seqs(r), (V{8, 3, 1}));
  r = {};
  r.filter.since_ns = 1020 * kSec;
  r.filter.until_ns = 1060 * kSec;
  EXPECT_EQ(Seqs(r), (V{7, 6, 5, 4, 3}));
  r = {};
  r.under_dir = "/home/u/proj";
  EXPECT_EQ(Seqs(r), (V{10, 7, 4, 3, 2, 1}));
  r.under_dir = "/home/u/pro";
  EXPECT_EQ(Seqs(r), V{}) << "a directory prefix is not a parent";
  r = {};
  r.filter.limit = 2;
  EXPECT_EQ(Seqs(r), (V{10, 9}));
  r.unique = true;
  r.filter.limit = 3;
  r.query = "git | ls";
  EXPECT_EQ(Seqs(r), (V{8, 5, 3}));
  r = {};
  r.filter.cwd = "/nowhere";
  EXPECT_EQ(Seqs(r), V{});
  r = {};
  r.filter.session = "s1";
  r.filter.failed = true;
  r.under_dir = "/home/u/proj";
  r.query = "make | git";
  EXPECT_EQ(Seqs(r), (V{4, 2}));
}

TEST_F(SearchTest, FrecencyRanking) {
  SearchRequest r;
  r.rank = RankMode::kFrecency;
  r.unique = true;
  r.query = "git";
  // Same uses and age; the commit failed once (success factor 0.75).
  EXPECT_EQ(Seqs(r), (V{8, 3}));
  r.query = "";
  r.current_cwd = "/tmp";
  // /tmp's commands get the same-directory boost (x2); ties go to the newer.
  EXPECT_EQ(Seqs(r), (V{6, 5, 8, 3, 10, 9, 7, 4}));
  r.current_cwd.clear();
  r.current_workspace = "/home/u/proj";
  EXPECT_EQ(Seqs(r), (V{8, 3, 10, 9, 6, 5, 7, 4}));
  // With a filter, counts are within the filter: in s1 the commit has 2
  // uses (1 failed), git status 1.
  r = {};
  r.rank = RankMode::kFrecency;
  r.unique = true;
  r.filter.session = "s1";
  r.query = "git";
  EXPECT_EQ(Seqs(r), (V{3, 1}));
  r.unique = false;
  EXPECT_EQ(Seqs(r), (V{3, 2, 1}));
}

TEST_F(SearchTest, HitsCarryMatchesAndCounts) {
  Searcher s(*ix_);
  SearchRequest r;
  r.query = "fix";
  r.unique = true;
  SearchResult res;
  ASSERT_OK(s.Search(r, &res));
  ASSERT_EQ(res.hits.size(), 2u);
  EXPECT_EQ(res.hits[0].record.command, "cat README.md | grep Fix");
  EXPECT_EQ(res.hits[0].matches, (MatchRanges{{21, 24}}));
  EXPECT_EQ(res.hits[1].record, History()[2]);
  EXPECT_EQ(res.hits[1].uses, 2u);
  EXPECT_EQ(res.hits[1].failures, 1u);
}

TEST_F(SearchTest, OverlayAddsRecordsAndFinishes) {
  auto h = History();
  std::vector<HistoryRecord> base(h.begin(), h.begin() + 9);
  std::string bytes;
  auto ix = Build(base, &bytes);
  IndexOverlay ov;
  ov.records = {h[9], Rec(11, "git status", "/tmp", 1, "s2", "h2", 1095)};
  std::swap(ov.records[0], ov.records[1]);
  HistoryRecord done = h[8];
  done.exit_code = 0, done.duration_ns = 5, done.running = false;
  ov.patched = {{0, done}};  // row 0: docker ps, the newest of the base
  ix_ = std::move(ix);
  EXPECT_EQ(Seqs({}, &ov), (V{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}));
  SearchRequest r;
  r.filter.exit_code = 0;
  r.query = "docker | status";
  EXPECT_EQ(Seqs(r, &ov), (V{9, 8, 1}));
  r = {};
  r.query = "git status";
  r.unique = true;
  Searcher s(*ix_, &ov);
  SearchResult res;
  ASSERT_OK(s.Search(r, &res));
  ASSERT_EQ(res.hits.size(), 1u);
  EXPECT_EQ(res.hits[0].record.seq, 11u);
  EXPECT_EQ(res.hits[0].uses, 3u);
  EXPECT_EQ(res.hits[0].failures, 1u);
  r.query = "readme";
  r.rank = RankMode::kFrecency;
  EXPECT_EQ(Seqs(r, &ov), V{10}) << "a command only in the overlay";
  // Compaction keeps exactly the same answers.
  IndexBuilder b(IndexStamp{"x", 11, 0, {}});
  ASSERT_OK(AddIndexRecords(*ix_, ov, &b));
  std::string nb;
  b.Serialize(&nb);
  std::unique_ptr<SearchIndex> compact;
  ASSERT_OK(SearchIndex::Open(nb, nullptr, &compact));
  EXPECT_EQ(compact->rows(), 11u);
  EXPECT_EQ(compact->Record(1), h[9]);
  EXPECT_EQ(compact->Record(2), done);
  EXPECT_TRUE(compact->running_seqs().empty());
}

// Recomputes the checksums of a serialized index as docs/formats.md
// ("Search index") describes them, so a test can craft a file whose
// checksums are sound but whose values are not (a writer's bug).
void Reseal(std::string* b) {
  const size_t footer = b->size() - 112;
  uint64_t covered;
  std::memcpy(&covered, b->data() + footer + 80, 8);
  for (size_t i = 0, k = 0; i < covered; i += 4096, ++k) {
    uint64_t h = XXH3_64bits(b->data() + i, std::min<size_t>(4096, covered - i));
    std::memcpy(b->data() + covered + 8 * k, &h, 8);
  }
  uint64_t sums = XXH3_64bits(b->data() + covered, footer - covered);
  std::memcpy(b->data() + footer + 96, &sums, 8);
  std::string covered_by_footer = b->substr(0, 16) + b->substr(footer, 104);
  uint64_t f = XXH3_64bits(covered_by_footer.data(), covered_by_footer.size());
  std::memcpy(b->data() + footer + 104, &f, 8);
}

TEST_F(SearchTest, DamagedIndexIsCorruption) {
  std::unique_ptr<SearchIndex> ix;
  std::string b = bytes_;
  EXPECT_EQ(SearchIndex::Open(std::string_view(b).substr(0, b.size() - 8), nullptr, &ix).message(),
            "search index footer does not match its checksum (truncated or damaged)");
  b[0] = 'X';
  EXPECT_EQ(SearchIndex::Open(b, nullptr, &ix).message(), "not a search index (bad magic)");
  b = bytes_;
  b[8] = 1;
  Status s = SearchIndex::Open(b, nullptr, &ix);
  EXPECT_TRUE(s.IsIncompatible()) << s.ToString();
  EXPECT_EQ(s.message(), "search index format 1 is not 2");
  // A flipped stamp byte: the footer's checksum.
  b = bytes_;
  b[b.size() - 112 + 8] ^= 1;
  EXPECT_EQ(SearchIndex::Open(b, nullptr, &ix).message(),
            "search index footer does not match its checksum (truncated or damaged)");
  // A flipped block checksum.
  b = bytes_;
  b[b.size() - 112 - 3] ^= 0x40;
  EXPECT_EQ(SearchIndex::Open(b, nullptr, &ix).message(), "search index block checksums do not match their checksum");
  // A command id changed in the command column (after the prefix and the
  // five 8-byte columns of 10 rows, each behind a 16-byte section header):
  // its block also holds section headers, which are verified at open.
  const size_t cmd_col = 16 + 5 * (16 + 80) + 16;
  b = bytes_;
  b[cmd_col] = 1;
  EXPECT_EQ(SearchIndex::Open(b, nullptr, &ix).message(),
            "search index block 0 (bytes 0+) does not match its checksum");
  {
    // Rows are verified when first read, not at open: a flip in the time
    // of row 1000 of a larger index (block 1 holds only times).
    std::vector<HistoryRecord> many;
    for (uint64_t i = 1; i <= 2000; ++i)
      many.push_back(Rec(i, "cmd " + std::to_string(i % 37), "/d", 0, "s", "h", 1000 + i));
    std::string big;
    Build(many, &big);
    big[16 + 16 + 8 * 1000] ^= 0x01;
    ASSERT_OK(SearchIndex::Open(big, nullptr, &ix));
    EXPECT_FALSE(ix->damaged());
    EXPECT_TRUE(ix->RowOk(10));
    EXPECT_NE(ix->time(10), 0);
    EXPECT_EQ(ix->time(1000), 0) << "a damaged block reads as zeros";
    EXPECT_TRUE(ix->damaged());
    EXPECT_FALSE(ix->RowOk(10)) << "damage is for good";
    EXPECT_EQ(ix->damage().message(), "search index block 1 (bytes 4096+) does not match its checksum");
    ASSERT_OK(SearchIndex::Open(big, nullptr, &ix));
    Searcher searcher(*ix);
    SearchRequest r;
    r.query = "cmd 1";
    SearchResult res;
    s = searcher.Search(r, &res);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_TRUE(res.hits.empty()) << "nothing computed from a damaged index is returned";
    ASSERT_OK(SearchIndex::Open(big, nullptr, &ix));
    IndexBuilder nb(IndexStamp{});
    EXPECT_TRUE(AddIndexRecords(*ix, {}, &nb).IsCorruption());
    ASSERT_OK(SearchIndex::Open(big, nullptr, &ix));
    EXPECT_TRUE(ix->VerifyAll().IsCorruption());
  }
  // The same change with sound checksums (a writer's bug): an id past the
  // command table is still refused before it is used.
  b[cmd_col] = 100;
  Reseal(&b);
  ASSERT_OK(SearchIndex::Open(b, nullptr, &ix));
  EXPECT_OK(ix->VerifyAll());
  EXPECT_FALSE(ix->RowOk(0));
  EXPECT_TRUE(ix->RowOk(1));
  Searcher searcher(*ix);
  SearchRequest r;
  SearchResult res;
  s = searcher.Search(r, &res);
  EXPECT_TRUE(s.IsCorruption());
  // The newest-first walk checks each id as it meets it (row 0 first).
  EXPECT_EQ(s.message(), "search index row 0 is damaged");
  EXPECT_TRUE(res.hits.empty());
  r.rank = RankMode::kFrecency;  // the aggregation checks the column whole
  s = searcher.Search(r, &res);
  EXPECT_EQ(s.message(), "search index column command refers past its table");
  IndexBuilder nb(IndexStamp{});
  EXPECT_EQ(AddIndexRecords(*ix, {}, &nb).message(), "search index column command refers past its table");
  // A latest row past the rows, with sound checksums: found when read.
  // (After the id columns: exit 16+40, flags 16+16, uses and failures
  // 16+32 each for the 8 commands.)
  const size_t last_row = 16 + 5 * (16 + 80) + 6 * (16 + 40) + (16 + 40) + (16 + 16) + 2 * (16 + 32) + 16;
  b = bytes_;
  ASSERT_EQ(b[last_row + 1], 0);
  b[last_row] = 100;
  Reseal(&b);
  ASSERT_OK(SearchIndex::Open(b, nullptr, &ix));
  {
    Searcher searcher(*ix);
    SearchRequest r;
    r.unique = true;
    r.rank = RankMode::kFrecency;
    s = searcher.Search(r, &res);
    EXPECT_EQ(s.message(), "search index holds a value out of range");
  }
  // Resealing an unchanged file changes nothing (the test's reading of the format is the writer's).
  b = bytes_;
  Reseal(&b);
  EXPECT_EQ(b, bytes_);
}

TEST_F(SearchTest, DeadlineStopsAndSaysSo) {
  std::vector<HistoryRecord> many;
  for (uint64_t i = 1; i <= 70000; ++i)
    many.push_back(Rec(i, "cmd " + std::to_string(i % 50), "/", 0, "s", "h", 1000 + i));
  std::string bytes;
  auto ix = Build(many, &bytes);
  Searcher s(*ix);
  SearchRequest r;
  r.filter.exit_code = 1;  // nothing matches: the walk visits every row
  r.deadline_mono_ns = search_internal::MonoNs();
  SearchResult res;
  ASSERT_OK(s.Search(r, &res));
  EXPECT_TRUE(res.deadline_exceeded);
  r.deadline_mono_ns = 0;
  ASSERT_OK(s.Search(r, &res));
  EXPECT_FALSE(res.deadline_exceeded);
}

TEST_F(SearchTest, NewestRowsFirstThenEveryText) {
  // 70,000 rows: a common text fills a page from the newest rows; a text
  // only in the oldest row is found after the first pass gives up.
  std::vector<HistoryRecord> many;
  many.push_back(Rec(1, "the needle", "/", 0, "s", "h", 1000));
  for (uint64_t i = 2; i <= 70000; ++i)
    many.push_back(Rec(i, "cmd " + std::to_string(i % 50), "/", 0, "s", "h", 1000 + i));
  std::string bytes;
  auto ix = Build(many, &bytes);
  Searcher s(*ix);
  SearchRequest r;
  r.query = "cmd 1";
  r.unique = true;
  r.filter.limit = 3;
  SearchResult res;
  ASSERT_OK(s.Search(r, &res));
  std::vector<std::string> texts;
  for (const auto& h : res.hits) texts.push_back(h.record.command);
  EXPECT_EQ(texts, (std::vector<std::string>{"cmd 41", "cmd 31", "cmd 21"})) << "both words, in any order";
  r.query = "needle";
  ASSERT_OK(s.Search(r, &res));
  ASSERT_EQ(res.hits.size(), 1u);
  EXPECT_EQ(res.hits[0].record.seq, 1u);
  r.unique = false;
  r.query = "Needle";
  ASSERT_OK(s.Search(r, &res));
  EXPECT_TRUE(res.hits.empty());
}

TEST_F(SearchTest, Details) {
  Searcher s(*ix_);
  CommandDetails d;
  ASSERT_OK(s.Details("git status", &d));
  EXPECT_EQ(d.uses, 2u);
  EXPECT_EQ(d.failures, 0u);
  EXPECT_EQ(d.first_ns, 1000 * kSec);
  EXPECT_EQ(d.last_ns, 1070 * kSec);
  EXPECT_TRUE(d.before.empty());
  using P = std::vector<std::pair<std::string, uint32_t>>;
  EXPECT_EQ(d.after, (P{{"git commit -m 'Fix bug'", 1}, {"docker ps", 1}}));
  ASSERT_OK(s.Details("git commit -m 'Fix bug'", &d));
  EXPECT_EQ(d.before, (P{{"git status", 1}})) << "the commit before it is itself and does not count";
  EXPECT_EQ(d.after, (P{{"make test", 1}}));
  EXPECT_TRUE(s.Details("never ran", &d).IsNotFound());
}

TEST(SearchNames, ModesAndRanks) {
  SearchMode m;
  EXPECT_OK(ParseSearchMode("fuzzy", &m));
  EXPECT_EQ(m, SearchMode::kFuzzy);
  EXPECT_EQ(SearchModeName(SearchMode::kRegex), "regex");
  EXPECT_EQ(ParseSearchMode("glob", &m).message(),
            "unknown search mode 'glob': expected substring, prefix, fuzzy, regex or exact");
  RankMode r;
  EXPECT_OK(ParseRankMode("frecency", &r));
  EXPECT_EQ(RankModeName(r), "frecency");
  EXPECT_EQ(ParseRankMode("best", &r).message(), "unknown ranking 'best': expected recent or frecency");
}

}  // namespace
}  // namespace tb
