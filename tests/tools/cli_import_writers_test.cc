// Imports beside the rest of the store's life: de-duplication against what
// was recorded before (core/import/existing_records.h), kept ids repeated in
// one file, and commands recorded while an import holds the store (spooled,
// then written between the import's chunks, each exactly once).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <thread>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

class ImportWritersTest : public CliTest {
 protected:
  std::string WriteBashFile(const std::string& name, const std::string& content) {
    std::string path = root() + "/" + name;
    WriteFile(path, content);
    return path;
  }
};

TEST_F(ImportWritersTest, ARecordedCommandAndTheSameStampedLineAreOneRecord) {
  Record("echo after-on-XQ", {"--started-at", "2023-11-14T22:13:20Z", "--exit", "0"});
  std::string file = WriteBashFile("bash_history",
                                   "#1700000000\necho after-on-XQ\n#1700000000\necho same-second-other-text\n"
                                   "#1700000005\necho after-on-XQ\n");
  RunResult r = Tb({"import", "bash", file});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, file + ": 2 imported, 1 duplicates, 0 malformed (bash, batch 2)\n");
  EXPECT_EQ(Commands(),
            (std::vector<std::string>{"echo after-on-XQ", "echo same-second-other-text", "echo after-on-XQ"}));
  RunResult again = Tb({"import", "bash", file});
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_EQ(again.out, file + ": 0 imported, 3 duplicates, 0 malformed (bash, batch 5)\n");
}

TEST_F(ImportWritersTest, AKeptIdRepeatedInOneFileIsImportedOnce) {
  const std::string line =
      R"({"id":"b37f2c7fa0f0ec73-1","command":"echo a","cwd":"/tmp","exit_code":0,"duration_ms":null,)"
      R"("started_at":"2023-11-14T22:13:20.000Z","session":"","host":"vm","user":"root","shell":""})";
  std::string other = line;
  other.replace(other.find("echo a"), 6, "echo b");
  std::string file = WriteBashFile("export.ndjson", line + "\n" + other + "\n");
  RunResult r = Tb({"import", "ndjson", file});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, file + ": 1 imported, 1 duplicates, 0 malformed (ndjson, batch 1)\n");
  EXPECT_EQ(Commands(), (std::vector<std::string>{"echo a"}));
  RunResult verify = Tb({"log", "verify"});
  ASSERT_EXIT_CODE(verify, 0);
  EXPECT_NE(verify.out.find("duplicate ids 0"), std::string::npos) << verify.out;
}

// Several processes record while an import of three chunks runs: every
// record call exits 0 (spooled when the import holds the store), every
// command is stored exactly once, and the import imports what it imports
// alone. Timing decides where each record lands, so the test runs the race
// several times with different record paces.
class ImportWritersFaultTest : public ImportWritersTest {};

TEST_F(ImportWritersFaultTest, RecordsDuringAnImportAreEachStoredOnce) {
  constexpr int kLines = 40000, kWriters = 4, kEach = 25;
  std::string content;
  for (int i = 0; i < kLines; ++i) {
    content += "#" + std::to_string(1600000000 + i) + "\nimported-" + std::to_string(i) + "\n";
  }
  std::string file = WriteBashFile("big_history", content);
  for (int round = 0; round < 2; ++round) {
    std::filesystem::remove_all(data_dir());
    Record("before-import");
    RunResult import_result;
    std::thread importer([&] {
      TbCall c;
      c.timeout = std::chrono::milliseconds(240000);
      import_result = Tb({"import", "bash", file}, c);
    });
    std::vector<RunResult> records(kWriters * kEach);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20 * w * (round + 1)));
        for (int i = 0; i < kEach; ++i) {
          records[w * kEach + i] = Tb({"record", "--command", "rec-" + std::to_string(w) + "-" + std::to_string(i)});
        }
      });
    }
    for (auto& t : writers) t.join();
    importer.join();
    ASSERT_EXIT_CODE(import_result, 0);
    // The batch number is the import's first seq: records may come first.
    EXPECT_TRUE(import_result.out.starts_with(file + ": 40000 imported, 0 duplicates, 0 malformed (bash, batch "))
        << import_result.out;
    int spooled = 0;
    for (const RunResult& r : records) {
      EXPECT_EXIT_CODE(r, 0);
      spooled += r.err.find("the command was spooled") != std::string::npos;
    }
    EXPECT_GT(spooled, 0) << "no record met the import: the race was not run";
    std::map<std::string, int> seen;
    for (const std::string& c : Commands({"-n", "100000"})) seen[c]++;
    EXPECT_EQ(seen.size(), static_cast<size_t>(kLines + kWriters * kEach + 1));
    for (int w = 0; w < kWriters; ++w) {
      for (int i = 0; i < kEach; ++i) {
        EXPECT_EQ(seen["rec-" + std::to_string(w) + "-" + std::to_string(i)], 1) << w << " " << i;
      }
    }
    for (int i = 0; i < kLines; ++i) ASSERT_EQ(seen["imported-" + std::to_string(i)], 1) << i;
    // A replay of 40k events: a debug or coverage build beside the other
    // fault tests on two cores needs more than the default 20 s.
    TbCall slow;
    slow.timeout = std::chrono::milliseconds(240000);
    RunResult verify = Tb({"views", "verify"}, slow);
    EXPECT_EXIT_CODE(verify, 0);
  }
}

// An input of 4 MiB or more loads in bulk (no compaction until the end,
// then one): the result is the same store an ordinary import makes.
TEST_F(ImportWritersFaultTest, ABulkImportGivesTheSameRecordsAndVerifies) {
  constexpr int kLines = 115000;
  std::string content;
  for (int i = 0; i < kLines; ++i) {
    content += "#" + std::to_string(1600000000 + i) + "\nbulk-command-number-" + std::to_string(i) + "\n";
  }
  ASSERT_GE(content.size(), 4u << 20);
  std::string file = WriteBashFile("bulk_history", content);
  Record("before-the-import");
  TbCall c;
  c.timeout = std::chrono::milliseconds(240000);
  RunResult r = Tb({"import", "bash", file}, c);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, file + ": 115000 imported, 0 duplicates, 0 malformed (bash, batch 2)\n");
  EXPECT_EQ(r.err, "");
  std::vector<std::string> newest = Commands({"-n", "2"});
  EXPECT_EQ(newest, (std::vector<std::string>{"before-the-import", "bulk-command-number-114999"}));
  EXPECT_EQ(Commands({"-n", "200000"}).size(), static_cast<size_t>(kLines + 1));
  RunResult again = Tb({"import", "bash", file}, c);
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_EQ(again.out, file + ": 0 imported, 115000 duplicates, 0 malformed (bash, batch 115003)\n");
  RunResult verify = Tb({"views", "verify"}, c);
  EXPECT_EXIT_CODE(verify, 0);
  RunResult log = Tb({"log", "verify"}, c);
  EXPECT_EXIT_CODE(log, 0);
}

}  // namespace
}  // namespace tb::testing
