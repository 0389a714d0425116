// Helpers shared by the storage tests: temporary directories, opening a
// Store, and a raw RocksDB handle to damage a closed store behind its back.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/views/registry.h"
#include "storage/rocks_util.h"
#include "storage/store.h"
#include "tests/status_assert.h"

namespace tb::testutil {

// A fresh directory under ::testing::TempDir(), removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string base = ::testing::TempDir();
    if (base.empty() || base.back() != '/') base += '/';
    std::string tmpl = base + "tb_storage_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    char* p = ::mkdtemp(buf.data());
    EXPECT_NE(p, nullptr) << "mkdtemp " << tmpl;
    if (p != nullptr) path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline StoreOptions Options(const std::string& dir, StoreOptions::Access access) {
  StoreOptions o;
  o.data_dir = dir;
  o.access = access;
  o.block_cache_bytes = 8ull << 20;
  o.write_buffer_bytes = 8ull << 20;
  o.lock_wait_ms = 2000;
  o.holder = "pid " + std::to_string(::getpid()) + ": storage test";
  return o;
}

inline Status OpenStore(const std::string& dir, StoreOptions::Access access, std::unique_ptr<Store>* out) {
  return Store::Open(Options(dir, access), out);
}

// Raw access to DIR/db with every column family, opened with the store's
// own options (so the commands view's merge operands survive recovery).
class RawDb {
 public:
  explicit RawDb(const std::string& data_dir) {
    cache_ = rocksdb::NewLRUCache(8 << 20);
    RocksTuning t;
    t.block_cache_bytes = 8 << 20;
    t.write_buffer_bytes = 8 << 20;
    rocksdb::DBOptions dbo = MakeDBOptions(t, cache_);
    dbo.create_if_missing = false;
    std::string path = data_dir + "/db";
    std::vector<std::string> names;
    status_ = rocksdb::DB::ListColumnFamilies(dbo, path, &names);
    if (!status_.ok()) return;
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (const auto& n : names) {
      const View* view = n.starts_with("view_") ? FindView(n.substr(5)) : nullptr;
      descs.emplace_back(n, MakeCFOptions(t, cache_, view));
    }
    rocksdb::DB* db = nullptr;
    status_ = rocksdb::DB::Open(dbo, path, descs, &handles_, &db);
    if (!status_.ok()) return;
    db_.reset(db);
    for (size_t i = 0; i < names.size(); ++i) cfs_[names[i]] = handles_[i];
  }
  ~RawDb() { Close(); }
  void Close() {
    if (!db_) return;
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    handles_.clear();
    db_->Close().PermitUncheckedError();
    db_.reset();
  }
  const rocksdb::Status& status() const { return status_; }
  bool Has(const std::string& cf) const { return cfs_.count(cf) != 0; }
  rocksdb::Status Put(const std::string& cf, const std::string& k, const std::string& v) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return db_->Put(wo, cfs_.at(cf), k, v);
  }
  rocksdb::Status Delete(const std::string& cf, const std::string& k) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return db_->Delete(wo, cfs_.at(cf), k);
  }
  rocksdb::Status Get(const std::string& cf, const std::string& k, std::string* v) {
    return db_->Get(rocksdb::ReadOptions(), cfs_.at(cf), k, v);
  }
  std::vector<std::pair<std::string, std::string>> Scan(const std::string& cf) {
    std::vector<std::pair<std::string, std::string>> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_.at(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key().ToString(), it->value().ToString());
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }

 private:
  std::shared_ptr<rocksdb::Cache> cache_;
  rocksdb::Status status_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> cfs_;
};

// The log verifies and every view equals a replay of it.
inline void ExpectVerifies(Store& s) {
  LogVerifyReport r;
  ASSERT_OK(s.VerifyLog(&r));
  EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems[0]);
  std::vector<ViewDiff> diffs;
  ASSERT_OK(s.VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
}

inline std::string HexOf(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace tb::testutil
