// The posting lists of the field index views (core/views/field_index_view.h):
// their encoding, the merge that unions them whatever the grouping of the
// operands, removal, and the cursor that walks one value's lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/keycode.h"
#include "core/views/field_index_view.h"
#include "tests/core/view_test_util.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

using namespace std::literals;

constexpr int64_t kBucket = int64_t{1} << kPostingBucketBits;

std::string Enc(const std::vector<Posting>& v) {
  std::string s;
  EncodePostings(v, &s);
  return s;
}

TEST(FieldIndexTest, KeyAndValueLayout) {
  EXPECT_EQ(FieldIndexKey("ab", -1),
            "\x02"
            "ab"
            "\x7f\xff\xff\xff\xff\xff\xff\xff"s);
  EXPECT_EQ(FieldIndexKey("ab", kBucket - 1),
            "\x02"
            "ab"
            "\x80\0\0\0\0\0\0\0"s);
  EXPECT_EQ(FieldIndexKey("ab", kBucket),
            "\x02"
            "ab"
            "\x80\0\0\0\0\0\0\x01"s);
  EXPECT_EQ(PostingBucket(-kBucket), -1);
  EXPECT_EQ(PostingBucket(-kBucket - 1), -2);
  // u8(scale) zigzag(time) varint(seq), then per entry varint(time delta)
  // zigzag(seq delta): the seq delta may be negative when the time grows.
  EXPECT_EQ(Enc({{5, 3}, {7, 4}}), "\x00\x0a\x03\x02\x02"s);
  EXPECT_EQ(Enc({{5, 3}, {5, 9}, {6, 1}}), "\x00\x0a\x03\x00\x0c\x01\x0f"s);
  std::vector<Posting> got;
  ASSERT_TRUE(DecodePostings("\x00\x0a\x03\x00\x0c\x01\x0f"s, &got));
  EXPECT_EQ(got, (std::vector<Posting>{{5, 3}, {5, 9}, {6, 1}}));
  // Times counted in the largest power of ten that divides them all, up to
  // whole seconds: an imported shell file's times cost a byte or two.
  const int64_t s = 1'000'000'000;
  EXPECT_EQ(Enc({{3 * s, 1}, {5 * s, 2}}), "\x09\x06\x01\x02\x02"s);
  EXPECT_EQ(Enc({{300 * s, 1}}), "\x09\xd8\x04\x01"s);
  EXPECT_EQ(Enc({{3 * s, 1}, {3 * s + 2000, 2}}), "\x03\x80\x9b\xee\x02\x01\x02\x02"s);
  ASSERT_TRUE(DecodePostings("\x03\x80\x9b\xee\x02\x01\x02\x02"s, &got));
  EXPECT_EQ(got, (std::vector<Posting>{{3 * s, 1}, {3 * s + 2000, 2}}));
}

TEST(FieldIndexTest, DecodeRejectsEveryMalformedValue) {
  std::vector<Posting> got;
  EXPECT_FALSE(DecodePostings("", &got));
  const std::string good = Enc({{-100, 1}, {40, 2}, {40, 7}, {kBucket * 3, 3}});
  ASSERT_TRUE(DecodePostings(good, &got));
  for (size_t len = 1; len < good.size(); ++len) {
    std::vector<Posting> part;
    // A cut either ends inside a varint (malformed) or between two entries
    // (a shorter valid list); never a different longer one.
    if (DecodePostings(good.substr(0, len), &part)) {
      EXPECT_LT(part.size(), got.size()) << len;
    }
  }
  EXPECT_FALSE(DecodePostings(good + "\x80"s, &got));           // trailing partial varint
  EXPECT_FALSE(DecodePostings("\x00\x0a\x03\x00\x00"s, &got));  // duplicate entry
  EXPECT_FALSE(DecodePostings("\x00\x0a\x03\x00\x01"s, &got));  // same time, smaller seq
  EXPECT_FALSE(DecodePostings("\x0a\x0a\x03"s, &got));          // scale above 9
  EXPECT_FALSE(DecodePostings("\x00"s, &got));                  // no entry
  // A time or a delta that overflows once scaled.
  EXPECT_FALSE(DecodePostings("\x09\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01\x01"s, &got));
  EXPECT_FALSE(DecodePostings("\x09\x02\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x02"s, &got));

  std::string_view field;  // points into the key: the key must outlive it
  const std::string v = Enc({{10, 1}, {20, 2}});
  const std::string key = FieldIndexKey("/w", 0);
  EXPECT_TRUE(DecodeFieldIndexEntry(key, v, &field, &got));
  EXPECT_EQ(field, "/w");
  EXPECT_FALSE(DecodeFieldIndexEntry(FieldIndexKey("/w", kBucket), v, &field, &got));  // wrong bucket
  EXPECT_FALSE(DecodeFieldIndexEntry(FieldIndexKey("/w", 0), Enc({{10, 1}, {kBucket, 2}}), &field, &got));
  EXPECT_FALSE(DecodeFieldIndexEntry(FieldIndexKey("/w", 0) + "x", v, &field, &got));
  EXPECT_FALSE(DecodeFieldIndexEntry("\x09/w"s, v, &field, &got));
}

// Every grouping of operands, folded or not, over any existing list gives
// the sorted union.
TEST(FieldIndexTest, MergeIsTheSortedUnionWhateverTheGrouping) {
  FieldIndexView view(IndexedField::kCwd);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::set<Posting> all;
    auto random_list = [&](size_t n) {
      std::set<Posting> s;
      for (size_t i = 0; i < n; ++i) {
        Posting p{static_cast<int64_t>(rng() % 50) - 25, rng() % 20};
        s.insert(p);
        all.insert(p);
      }
      return std::vector<Posting>(s.begin(), s.end());
    };
    std::string existing = Enc(random_list(rng() % 4));
    const bool has_existing = !existing.empty();
    if (!has_existing) all.clear();
    std::vector<std::string> ops;
    for (size_t i = 1 + rng() % 5; i > 0; --i) ops.push_back(Enc(random_list(1 + rng() % 3)));
    std::vector<std::string_view> sv(ops.begin(), ops.end());
    std::string_view ex = existing;
    std::string direct;
    ASSERT_TRUE(view.FullMerge(has_existing ? &ex : nullptr, sv, &direct));
    EXPECT_EQ(direct, Enc(std::vector<Posting>(all.begin(), all.end()))) << round;
    if (sv.size() >= 2) {
      EXPECT_EQ(testing_util::FoldedThenMerged(view, has_existing ? &ex : nullptr, sv), direct) << round;
    }
  }
  std::string out;
  std::string_view bad = "\x80"sv;
  EXPECT_FALSE(view.FullMerge(nullptr, std::span<const std::string_view>(&bad, 1), &out));
  EXPECT_FALSE(view.FullMerge(&bad, {}, &out));
}

// A ViewWriter and ViewLookup over one map: removal reads the merged lists.
class Lists final : public ViewWriter, public ViewLookup {
 public:
  void Put(std::string_view k, std::string_view v) override { kv[std::string(k)] = std::string(v); }
  void Delete(std::string_view k) override { kv.erase(std::string(k)); }
  void Merge(std::string_view k, std::string_view op) override {
    std::string& v = kv[std::string(k)];
    std::string_view ex = v, o = op;
    std::string out;
    EXPECT_TRUE(view.FullMerge(v.empty() ? nullptr : &ex, std::span<const std::string_view>(&o, 1), &out));
    v = out;
  }
  Status Get(std::string_view, std::string_view key, std::string* value) override {
    auto it = kv.find(std::string(key));
    if (it == kv.end()) return Status::NotFound("no key");
    *value = it->second;
    return Status::OK();
  }
  std::unique_ptr<KvCursor> Cursor(std::string_view) override;
  Status GetEvent(uint64_t, Event*) override { return Status::NotFound("no log"); }

  FieldIndexView view{IndexedField::kSession};
  std::map<std::string, std::string> kv;
};

using testing_util::MapCursor;

std::unique_ptr<KvCursor> Lists::Cursor(std::string_view) { return std::make_unique<MapCursor>(kv); }

Event At(int64_t time_ns, uint64_t seq, std::string session) {
  Event ev;
  ev.kind = EventKind::kRecorded;
  ev.seq = seq;
  ev.time_ns = time_ns;
  ev.session = std::move(session);
  return ev;
}

void Apply(Lists& l, const Event& ev) {
  ViewInput in;
  in.seq = ev.seq;
  in.event = &ev;
  l.view.Apply(in, l);
}

// The cursor visits exactly the value's entries, in order, from any
// position, across buckets and beside neighbouring values' lists.
TEST(FieldIndexTest, CursorWalksOneValueAcrossBuckets) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 200; ++round) {
    Lists l;
    std::vector<Posting> want;
    for (int i = 0; i < 60; ++i) {
      const int64_t t =
          static_cast<int64_t>(rng() % 8) * kBucket / 2 - 2 * kBucket + static_cast<int64_t>(rng() % 1000);
      const uint64_t seq = 1 + rng() % 100000;
      const char* session = (rng() % 3 == 0) ? "s" : (rng() % 2 ? "r" : "t");
      Apply(l, At(t, seq, session));
      if (std::string_view(session) == "s") want.push_back({t, seq});
    }
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    auto c = NewFieldIndexCursor(static_cast<ViewLookup&>(l), IndexedField::kSession, "s");
    ASSERT_NE(c, nullptr);
    std::vector<Posting> fwd, back;
    for (c->SeekToFirst(); c->Valid(); c->Next()) fwd.push_back(c->posting());
    for (c->SeekToLast(); c->Valid(); c->Prev()) back.push_back(c->posting());
    std::reverse(back.begin(), back.end());
    EXPECT_EQ(fwd, want);
    EXPECT_EQ(back, want);
    for (int q = 0; q < 20; ++q) {
      const Posting p{static_cast<int64_t>(rng() % 8) * kBucket / 2 - 2 * kBucket + static_cast<int64_t>(rng() % 1000),
                      rng() % 100001};
      auto ge = std::lower_bound(want.begin(), want.end(), p);
      c->Seek(p);
      ASSERT_EQ(c->Valid(), ge != want.end());
      if (c->Valid()) {
        EXPECT_EQ(c->posting(), *ge);
      }
      auto gt = std::upper_bound(want.begin(), want.end(), p);
      c->SeekForPrev(p);
      ASSERT_EQ(c->Valid(), gt != want.begin());
      if (c->Valid()) {
        EXPECT_EQ(c->posting(), *std::prev(gt));
      }
    }
    EXPECT_OK(c->status());
  }
}

TEST(FieldIndexTest, CursorReportsAMalformedList) {
  Lists l;
  Apply(l, At(5, 1, "s"));
  Apply(l, At(kBucket * 2, 2, "s"));
  l.kv[FieldIndexKey("s", kBucket)] = "\x80"s;  // between the two good lists
  auto c = NewFieldIndexCursor(static_cast<ViewLookup&>(l), IndexedField::kSession, "s");
  std::vector<Posting> seen;
  for (c->SeekToLast(); c->Valid(); c->Prev()) seen.push_back(c->posting());
  EXPECT_EQ(seen, (std::vector<Posting>{{kBucket * 2, 2}}));
  EXPECT_TRUE(c->status().IsCorruption()) << c->status().ToString();
}

TEST(FieldIndexTest, RemovalRewritesOrDeletesTheLists) {
  Lists l;
  std::vector<Event> evs = {At(5, 1, "s"), At(6, 2, "s"), At(kBucket + 1, 3, "s"), At(7, 4, "t")};
  for (const Event& ev : evs) Apply(l, ev);
  std::vector<RemovedRecord> gone = {{2, &evs[1], 0}, {3, &evs[2], 0}};
  RemovalInput in;
  in.records = gone;
  ASSERT_OK(l.view.ApplyRemoval(in, l, l));
  std::map<std::string, std::string> want = {{FieldIndexKey("s", 0), Enc({{5, 1}})},
                                             {FieldIndexKey("t", 0), Enc({{7, 4}})}};
  EXPECT_EQ(l.kv, want);
  // Removing what is not there changes nothing.
  ASSERT_OK(l.view.ApplyRemoval(in, l, l));
  EXPECT_EQ(l.kv, want);
  l.kv[FieldIndexKey("s", 0)] = "\x80"s;
  std::vector<RemovedRecord> first = {{1, &evs[0], 0}};
  in.records = first;
  EXPECT_TRUE(l.view.ApplyRemoval(in, l, l).IsCorruption());
}

}  // namespace
}  // namespace tb
