// Tests for storage/importer.h: one batch per file, duplicates of earlier
// imports, chunks with drains between them, revert of a partial batch on
// failure, and a file of which nothing parsed.
#include "storage/importer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <span>

#include "core/config.h"
#include "core/history_query.h"
#include "tests/status_assert.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

using testutil::TempDir;

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(testutil::OpenStore(dir_.Sub("data"), StoreOptions::Access::kReadWrite, &store_));
    ASSERT_OK(RecordPolicy::Create(Config{}, &policy_));
  }
  std::string WriteHistory(const std::string& name, const std::string& text) {
    std::string path = dir_.Sub(name);
    std::ofstream(path) << text;
    return path;
  }
  ImporterOptions Options(const std::string& source, const std::string& path) {
    ImporterOptions o;
    o.open = [source, path](const SourceOptions& so, std::unique_ptr<ImportSource>* out) {
      return OpenImportSource(source, path, so, out);
    };
    o.policy = policy_.get();
    o.host = "h";
    o.user = "u";
    o.now = [] { return int64_t{1'800'000'000'000'000'000}; };
    return o;
  }
  size_t Records() {
    size_t n = 0;
    EXPECT_OK(QueryHistory(store_->reader(), HistoryFilter{}, [&](const HistoryRecord&) { return ++n, true; }));
    return n;
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RecordPolicy> policy_;
};

const char* const kFive =
    "#1700000001\ngit status\n#1700000002\nmake\n#1700000003\nmake test\n#1700000004\nls\n#1700000005\ncd /\n";

TEST_F(ImporterTest, ImportsAFileAsOneBatchAndCountsItsDuplicatesLater) {
  const std::string path = WriteHistory("bash_history", kFive);
  ImportCounts counts;
  uint64_t batch = 0;
  ASSERT_OK(Importer(*store_, Options("bash", path)).Run({"bash", path, false}, &counts, &batch));
  EXPECT_EQ(counts.imported, 5u);
  EXPECT_EQ(counts.duplicates, 0u);
  EXPECT_EQ(batch, 1u);
  EXPECT_EQ(Records(), 5u);
  ASSERT_OK(Importer(*store_, Options("bash", path)).Run({"bash", path, false}, &counts, &batch));
  EXPECT_EQ(counts.imported, 0u);
  EXPECT_EQ(counts.duplicates, 5u);
  EXPECT_EQ(Records(), 5u);
}

TEST_F(ImporterTest, DrainsBetweenChunksOfAStoreThatIsNotEmpty) {
  Event ev;
  ev.kind = EventKind::kRecorded;
  ev.time_ns = 1'600'000'000'000'000'000;
  ev.command = "true";
  ASSERT_OK(store_->Append(std::span<Event>(&ev, 1), true));
  const std::string path = WriteHistory("bash_history", kFive);
  ImporterOptions o = Options("bash", path);
  o.chunk_events = 2;
  int drains = 0, checks = 0;
  o.drain = [&] { return ++drains, Status::OK(); };
  o.before_chunk = [&] { return ++checks, Status::OK(); };
  ImportCounts counts;
  uint64_t batch = 0;
  ASSERT_OK(Importer(*store_, o).Run({"bash", path, false}, &counts, &batch));
  EXPECT_EQ(counts.imported, 5u);
  EXPECT_EQ(checks, 4);  // 2 + 2 + 1 records, then the closing event
  EXPECT_EQ(drains, 4);  // after each (an empty store keeps seqs: one drain at the end)
}

TEST_F(ImporterTest, AFailurePartWayRevertsThePartialBatch) {
  const std::string path = WriteHistory("bash_history", kFive);
  ImporterOptions o = Options("bash", path);
  o.chunk_events = 2;
  int checks = 0;
  o.before_chunk = [&] { return ++checks == 2 ? Status::NoSpace("disk full") : Status::OK(); };
  ImportCounts counts;
  uint64_t batch = 0;
  Status s = Importer(*store_, o).Run({"bash", path, false}, &counts, &batch);
  EXPECT_EQ(s.code(), Status::Code::kNoSpace);
  EXPECT_EQ(Records(), 0u);  // the two records written are reverted
  std::vector<uint64_t> reverted;
  o = Options("bash", path);
  o.reverted = [&](uint64_t b) { reverted.push_back(b); };
  ASSERT_OK(Importer(*store_, o).Run({"bash", path, false}, &counts, &batch));
  EXPECT_TRUE(reverted.empty());  // already reverted, not left incomplete
  EXPECT_EQ(counts.imported, 5u);
  EXPECT_EQ(Records(), 5u);
}

TEST_F(ImporterTest, AFileOfWhichNothingParsedIsRefusedAndNothingWritten) {
  const std::string path = WriteHistory("export.ndjson", "not json\nnor this\n");
  std::vector<uint64_t> lines;
  ImporterOptions o = Options("ndjson", path);
  o.problem = [&](uint64_t line, const std::string&) { lines.push_back(line); };
  ImportCounts counts;
  uint64_t batch = 0;
  Status s = Importer(*store_, o).Run({"ndjson", path, false}, &counts, &batch);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.message().rfind("cannot import " + path + " as ndjson history: nothing in it parsed (2 malformed", 0), 0u)
      << s.message();
  EXPECT_EQ(lines, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(store_->head(), 0u);
}

TEST_F(ImporterTest, StrictStopsAtTheFirstProblemBeforeWriting) {
  const std::string path = WriteHistory("export.ndjson", "not json\n");
  ImportCounts counts;
  uint64_t batch = 0;
  Status s = Importer(*store_, Options("ndjson", path)).Run({"ndjson", path, true}, &counts, &batch);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find(" (--strict: nothing was imported)"), std::string::npos) << s.message();
  EXPECT_EQ(store_->head(), 0u);
}

}  // namespace
}  // namespace tb
