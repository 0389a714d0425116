// Batch membership as runs of seqs (core/views/batches_view.h): encoding,
// the merge that unions runs whatever the grouping, and the member walk.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/keycode.h"
#include "core/views/batches_view.h"
#include "tests/core/view_test_util.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

using namespace std::literals;

std::string Runs(const std::vector<SeqRun>& r) {
  std::string s;
  EncodeSeqRuns(r, &s);
  return s;
}

TEST(BatchRunsTest, Layout) {
  // varint(first) varint(length - 1), then varint(start - previous end - 2).
  EXPECT_EQ(Runs({{5, 5}}), "\x05\x00"s);
  EXPECT_EQ(Runs({{5, 9}, {11, 11}, {300, 301}}), "\x05\x04\x00\x00\x9f\x02\x01"s);
  std::vector<SeqRun> got;
  ASSERT_TRUE(DecodeSeqRuns("\x05\x04\x00\x00\x9f\x02\x01"s, &got));
  EXPECT_EQ(got, (std::vector<SeqRun>{{5, 9}, {11, 11}, {300, 301}}));
  EXPECT_FALSE(DecodeSeqRuns("", &got));
  EXPECT_FALSE(DecodeSeqRuns("\x05"s, &got));
  EXPECT_FALSE(DecodeSeqRuns("\x05\x00\x80"s, &got));
  EXPECT_FALSE(DecodeSeqRuns("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s, &got));  // end past 2^64
}

TEST(BatchRunsTest, MergeIsTheUnionWhateverTheGrouping) {
  BatchesView view;
  std::mt19937_64 rng(3);
  for (int round = 0; round < 2000; ++round) {
    std::set<uint64_t> all;
    auto random_runs = [&](size_t n) {
      std::set<uint64_t> s;
      for (size_t i = 0; i < n; ++i) {
        uint64_t a = rng() % 60, len = rng() % 4;
        for (uint64_t x = a; x <= a + len; ++x) s.insert(x);
      }
      all.insert(s.begin(), s.end());
      std::vector<SeqRun> r;
      for (uint64_t x : s) {
        if (!r.empty() && r.back().last + 1 == x) {
          r.back().last = x;
        } else {
          r.push_back({x, x});
        }
      }
      return Runs(r);
    };
    const bool has_existing = rng() % 2;
    std::string existing = has_existing ? random_runs(1 + rng() % 3) : "";
    std::vector<std::string> ops;
    for (size_t i = 1 + rng() % 5; i > 0; --i) ops.push_back(random_runs(1 + rng() % 3));
    std::vector<std::string_view> sv(ops.begin(), ops.end());
    std::string_view ex = existing;
    std::string direct;
    ASSERT_TRUE(view.FullMerge(has_existing ? &ex : nullptr, sv, &direct));
    std::vector<SeqRun> got;
    ASSERT_TRUE(DecodeSeqRuns(direct, &got));
    std::set<uint64_t> members;
    for (size_t i = 0; i < got.size(); ++i) {
      if (i > 0) {
        EXPECT_GT(got[i].first, got[i - 1].last + 1) << round;  // maximal runs
      }
      for (uint64_t x = got[i].first; x <= got[i].last; ++x) members.insert(x);
    }
    EXPECT_EQ(members, all) << round;
    if (sv.size() >= 2) {
      EXPECT_EQ(testing_util::FoldedThenMerged(view, has_existing ? &ex : nullptr, sv), direct) << round;
    }
  }
  std::string out;
  std::string_view bad = "\x80"sv;
  EXPECT_FALSE(view.FullMerge(nullptr, std::span<const std::string_view>(&bad, 1), &out));
}

using testing_util::MapCursor;

// Folds every Apply of the view into a map, as RocksDB would.
struct Membership final : ViewWriter {
  void Put(std::string_view k, std::string_view v) override { kv[std::string(k)] = std::string(v); }
  void Delete(std::string_view k) override { kv.erase(std::string(k)); }
  void Merge(std::string_view k, std::string_view op) override {
    auto it = kv.find(std::string(k));
    std::string_view ex = it == kv.end() ? ""sv : std::string_view(it->second);
    std::string out;
    EXPECT_TRUE(view.FullMerge(it == kv.end() ? nullptr : &ex, std::span<const std::string_view>(&op, 1), &out));
    kv[std::string(k)] = out;
  }
  void Add(uint64_t batch, uint64_t seq) {
    Event ev;
    ev.kind = EventKind::kRecorded;
    ev.batch = batch;
    ev.seq = seq;
    ViewInput in;
    in.seq = seq;
    in.event = &ev;
    view.Apply(in, *this);
  }
  BatchesView view;
  std::map<std::string, std::string> kv;
};

TEST(BatchRunsTest, MembersAcrossBlocksInBothDirections) {
  Membership m;
  std::vector<uint64_t> want;
  for (uint64_t seq : {3ull, 4ull, 5ull, 9ull, 65535ull, 65536ull, 65537ull, 200000ull}) {
    m.Add(7, seq);
    want.push_back(seq);
  }
  m.Add(6, 6);  // other batches beside it
  m.Add(8, 7);
  m.Put(BatchInfoKey(7), "x");
  EXPECT_EQ(m.kv.size(), 3u + 2u + 1u);  // batch 7: blocks 0, 1, 3
  MapCursor c(m.kv);
  std::vector<uint64_t> fwd, back;
  ASSERT_OK(ForEachBatchMember(c, 7, false, [&](uint64_t s) { return fwd.push_back(s), true; }));
  ASSERT_OK(ForEachBatchMember(c, 7, true, [&](uint64_t s) { return back.push_back(s), true; }));
  EXPECT_EQ(fwd, want);
  std::reverse(want.begin(), want.end());
  EXPECT_EQ(back, want);
  // The walk stops when asked.
  std::vector<uint64_t> two;
  ASSERT_OK(ForEachBatchMember(c, 7, true, [&](uint64_t s) { return two.push_back(s), two.size() < 2; }));
  EXPECT_EQ(two, (std::vector<uint64_t>{200000, 65537}));
  std::vector<uint64_t> none;
  ASSERT_OK(ForEachBatchMember(c, 9, false, [&](uint64_t s) { return none.push_back(s), true; }));
  EXPECT_TRUE(none.empty());

  uint64_t batch = 0;
  for (const auto& [k, v] : m.kv) {
    EXPECT_TRUE(ParseBatchOfKey(k, &batch)) << k;
    EXPECT_FALSE(ParseBatchOfKey(k + "x", &batch));
  }
  // A run outside its key's block, or a malformed value, is reported.
  std::map<std::string, std::string> bad = m.kv;
  bad.begin()->second = "\x80"s;
  MapCursor cb(bad);
  EXPECT_TRUE(ForEachBatchMember(cb, 6, false, [](uint64_t) { return true; }).IsCorruption());
  bad = m.kv;
  for (auto& [k, v] : bad) {
    if (ParseBatchOfKey(k, &batch) && batch == 8) v = Runs({{70000, 70000}});
  }
  MapCursor cb2(bad);
  EXPECT_TRUE(ForEachBatchMember(cb2, 8, false, [](uint64_t) { return true; }).IsCorruption());
}

}  // namespace
}  // namespace tb
