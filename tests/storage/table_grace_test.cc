// Tests for storage/table_grace.h: a read-only instance opened before a
// writer's compaction still reads the table files the compaction deleted,
// and the kept files go when their grace period is over.
#include "storage/table_grace.h"

#include <gtest/gtest.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "storage/rocks_util.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

using testutil::TempDir;

size_t KeptFiles(const std::string& data_dir) {
  std::error_code ec;
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/db/obsolete", ec)) n += e.is_regular_file();
  return n;
}

// RocksDB directly, with the store's options (MakeDBOptions sets the
// file system): a writer that made kFiles table files, a read-only
// instance opened on them (RocksDB opens at most 16 table files at open, the
// rest when first read), then a full compaction by the writer that deletes
// every one of them.
class TableGraceRaceTest : public ::testing::Test {
 protected:
  static constexpr int kFiles = 40;

  void SetUp() override {
    tuning_.block_cache_bytes = 8 << 20;
    tuning_.write_buffer_bytes = 8 << 20;
    cache_ = rocksdb::NewLRUCache(8 << 20);
    rocksdb::Options o(MakeDBOptions(tuning_, cache_), rocksdb::ColumnFamilyOptions());
    o.disable_auto_compactions = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir_.Sub("db"), &db).ok());
    writer_.reset(db);
    for (int f = 0; f < kFiles; ++f) {
      for (int k = 0; k < 10; ++k) {
        ASSERT_TRUE(writer_->Put(rocksdb::WriteOptions(), Key(f, k), "value").ok());
      }
      ASSERT_TRUE(writer_->Flush(rocksdb::FlushOptions()).ok());
    }
    ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(o, dir_.Sub("db"), &db).ok());
    reader_.reset(db);
    rocksdb::CompactRangeOptions c;
    c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    ASSERT_TRUE(writer_->CompactRange(c, nullptr, nullptr).ok());
  }

  static std::string Key(int file, int k) { return "k" + std::to_string(file * 100 + k); }

  // Counts every key the reader sees; its error, if any.
  rocksdb::Status ReadAll(size_t* keys) {
    *keys = 0;
    std::unique_ptr<rocksdb::Iterator> it(reader_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++*keys;
    return it->status();
  }

  TempDir dir_;
  RocksTuning tuning_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<rocksdb::DB> writer_, reader_;
};

TEST_F(TableGraceRaceTest, AReaderOpenedBeforeACompactionReadsTheFilesItDeleted) {
  EXPECT_EQ(KeptFiles(dir_.path()), static_cast<size_t>(kFiles));
  size_t keys = 0;
  rocksdb::Status s = ReadAll(&keys);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(keys, static_cast<size_t>(kFiles * 10));
}

TEST_F(TableGraceRaceTest, WithoutTheKeptFilesTheReaderFails) {
  PurgeObsoleteTables(dir_.Sub("db"), 0);  // what deleting at once did
  size_t keys = 0;
  rocksdb::Status s = ReadAll(&keys);
  ASSERT_FALSE(s.ok()) << "the reader opened every file at open: the race needs more files";
  EXPECT_NE(s.ToString().find("No such file"), std::string::npos) << s.ToString();
}

// The file system itself: a deleted table file moves to obsolete/ and still
// opens by its old name; other files go at once; past the grace period the
// old name fails with the error a missing file gives.
TEST(TableGraceFileSystem, KeepsTableFilesOnlyAndOnlyForTheGrace) {
  TempDir dir;
  rocksdb::Env* env = TableGraceEnv();
  const std::string table = dir.path() + "/000123.sst", wal = dir.path() + "/000124.log";
  std::ofstream(table) << "table bytes";
  std::ofstream(wal) << "wal bytes";
  ASSERT_TRUE(env->DeleteFile(table).ok());
  ASSERT_TRUE(env->DeleteFile(wal).ok());
  EXPECT_FALSE(std::filesystem::exists(table));
  EXPECT_FALSE(std::filesystem::exists(wal));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/obsolete/000123.sst"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/obsolete/000124.log"));
  std::unique_ptr<rocksdb::RandomAccessFile> f;
  ASSERT_TRUE(env->NewRandomAccessFile(table, &f, rocksdb::EnvOptions()).ok());
  char buf[16];
  rocksdb::Slice got;
  ASSERT_TRUE(f->Read(0, 11, &got, buf).ok());
  EXPECT_EQ(got.ToString(), "table bytes");
  PurgeObsoleteTables(dir.path(), 60);  // within the grace: kept
  EXPECT_TRUE(env->NewRandomAccessFile(table, &f, rocksdb::EnvOptions()).ok());
  PurgeObsoleteTables(dir.path(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/obsolete"));
  rocksdb::Status s = env->NewRandomAccessFile(table, &f, rocksdb::EnvOptions());
  EXPECT_TRUE(s.IsPathNotFound() || s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("No such file"), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("000123.sst"), std::string::npos) << s.ToString();
  EXPECT_EQ(s.ToString().find("obsolete"), std::string::npos) << "the error names the file asked for";
}

TEST(TableGracePurge, KeepsFilesWithinTheGraceAndRemovesTheRest) {
  TempDir dir;
  const std::string kept = dir.path() + "/obsolete";
  ASSERT_EQ(::mkdir(kept.c_str(), 0700), 0);
  std::ofstream(kept + "/000007.sst") << "x";
  PurgeObsoleteTables(dir.path(), 60);
  EXPECT_TRUE(std::filesystem::exists(kept + "/000007.sst"));
  PurgeObsoleteTables(dir.path(), 0);
  EXPECT_FALSE(std::filesystem::exists(kept));
  PurgeObsoleteTables(dir.path(), 0);  // nothing there: nothing happens
  EXPECT_TRUE(std::filesystem::exists(dir.path()));
}

}  // namespace
}  // namespace tb
