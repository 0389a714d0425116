// Tests for the `stats` view (core/views/stats_view.h) and its counters
// (core/analytics/stats_counters.h), in memory.
#include "core/views/stats_view.h"

#include <gtest/gtest.h>

#include <map>

#include "core/analytics/stats_counters.h"
#include "core/views/history_view.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

constexpr int64_t kSec = 1000000000ll;
constexpr int64_t kMs = 1000000ll;
// 2026-03-02T10:30:00Z (a Monday): day 20514, hour 10.
constexpr int64_t kT = 1772447400ll * kSec;

// Applies puts, deletes and merges (folded at once) to a map; serves as
// the lookup for removals (the `history` entries are given by the test).
class MemViews final : public ViewWriter, public ViewLookup {
 public:
  explicit MemViews(const View& v) : view_(v) {}
  void Put(std::string_view k, std::string_view v) override { kv[std::string(k)] = std::string(v); }
  void Delete(std::string_view k) override { kv.erase(std::string(k)); }
  void Merge(std::string_view k, std::string_view op) override {
    auto it = kv.find(std::string(k));
    std::string_view ex;
    if (it != kv.end()) ex = it->second;
    std::string out;
    std::string_view ops[] = {op};
    ASSERT_TRUE(view_.FullMerge(it == kv.end() ? nullptr : &ex, ops, &out));
    kv[std::string(k)] = out;
  }
  Status Get(std::string_view view, std::string_view key, std::string* value) override {
    const auto& m = view == "history" ? history : kv;
    auto it = m.find(std::string(key));
    if (it == m.end()) return Status::NotFound("no");
    *value = it->second;
    return Status::OK();
  }
  std::unique_ptr<KvCursor> Cursor(std::string_view) override { return nullptr; }
  Status GetEvent(uint64_t, Event*) override { return Status::NotFound("no"); }

  std::map<std::string, std::string> kv;
  std::map<std::string, std::string> history;

 private:
  const View& view_;
};

Event Cmd(EventKind kind, uint64_t seq, int64_t t, std::string command, std::string cwd,
          std::optional<int32_t> exit = std::nullopt, std::optional<int64_t> dur = std::nullopt) {
  Event ev;
  ev.id = EventId{7, seq};
  ev.seq = seq;
  ev.time_ns = t;
  ev.kind = kind;
  ev.command = std::move(command);
  ev.cwd = std::move(cwd);
  ev.host = "h1";
  ev.exit_code = exit;
  ev.duration_ns = dur;
  return ev;
}

ViewInput In(const Event& ev, const Event* start = nullptr) {
  ViewInput in;
  in.seq = ev.seq;
  in.event = &ev;
  in.start = start;
  in.start_seq = start ? start->seq : 0;
  return in;
}

StatsCounters Decoded(const std::map<std::string, std::string>& kv, const std::string& key) {
  StatsCounters c;
  auto it = kv.find(key);
  EXPECT_NE(it, kv.end()) << "missing key";
  if (it != kv.end()) {
    EXPECT_TRUE(DecodeStatsCounters(it->second, &c));
  }
  return c;
}

TEST(StatsCountersTest, BucketsAndQuantiles) {
  EXPECT_EQ(BucketOf(0), 0u);
  EXPECT_EQ(BucketOf(3), 3u);
  EXPECT_EQ(BucketOf(4), 4u);
  EXPECT_EQ(BucketOf(7), 7u);
  EXPECT_EQ(BucketOf(8), 8u);
  EXPECT_EQ(BucketOf(9), 8u);
  EXPECT_EQ(BucketOf(10), 9u);
  EXPECT_EQ(BucketOf(1000), 35u);  // 1000 = 0b1111101000: b=9, sub=3: 4*8+3
  EXPECT_EQ(BucketMaxMs(8), 9u);
  EXPECT_EQ(BucketMaxMs(35), 1023u);  // bucket [896, 1024)
  EXPECT_EQ(BucketMaxMs(BucketOf(3000)), 3071u);
  for (uint64_t ms : {0ull, 1ull, 5ull, 17ull, 999ull, 123456ull, 1ull << 40}) {
    EXPECT_LE(ms, BucketMaxMs(BucketOf(ms))) << ms;
    EXPECT_EQ(BucketOf(BucketMaxMs(BucketOf(ms))), BucketOf(ms)) << ms;
  }
  StatsCounters c;
  for (int i = 1; i <= 19; ++i) c.Add(StatsCounters::One(0, 2 * kMs));
  c.Add(StatsCounters::One(1, 1000 * kMs));
  EXPECT_EQ(c.uses, 20u);
  EXPECT_EQ(c.failures, 1u);
  EXPECT_EQ(c.duration_ms_sum, 19u * 2 + 1000);
  EXPECT_EQ(*c.MeanMs(), 51.9);
  EXPECT_EQ(*c.QuantileMs(0.95), 2u) << "19 of 20 are 2 ms: rank 19";
  EXPECT_EQ(*c.QuantileMs(1.0), 1000u) << "the largest, not the top of its bucket [896, 1023]";
  EXPECT_FALSE(StatsCounters{}.QuantileMs(0.95).has_value());
  EXPECT_FALSE(StatsCounters{}.MeanMs().has_value());
  EXPECT_EQ(StatsCounters::One(std::nullopt, -5 * kMs).duration_ms_sum, 0u) << "clock skew: 0";
}

TEST(StatsCountersTest, EncodingRoundTripAndSubtraction) {
  StatsCounters a = StatsCounters::One(2, 1500 * kMs);
  a.Add(StatsCounters::One(0, 3 * kMs));
  a.Add(StatsCounters::One(std::nullopt, std::nullopt));
  std::string enc;
  EncodeStatsCounters(a, &enc);
  StatsCounters b;
  ASSERT_TRUE(DecodeStatsCounters(enc, &b));
  EXPECT_EQ(a, b);
  EXPECT_EQ(b.uses, 3u);
  EXPECT_EQ(b.exits, 2u);
  EXPECT_EQ(b.timed, 2u);
  b.Subtract(StatsCounters::One(2, 1500 * kMs));
  StatsCounters expect = StatsCounters::One(0, 3 * kMs);
  expect.Add(StatsCounters::One(std::nullopt, std::nullopt));
  EXPECT_EQ(b, expect);
  // Malformed values are refused.
  EXPECT_FALSE(DecodeStatsCounters("", &b));
  EXPECT_FALSE(DecodeStatsCounters(enc + "x", &b));
  EXPECT_FALSE(DecodeStatsCounters(enc.substr(0, enc.size() - 1), &b));
  std::string zero_count = std::string("\x01\x01\x00\x01\x03\x01\x05\x00", 8);
  EXPECT_FALSE(DecodeStatsCounters(zero_count, &b));
}

TEST(StatsViewTest, KeysParse) {
  std::string k = StatsKey(-1, StatsDim::kDirectory, "/w");
  int64_t day;
  StatsDim dim;
  std::string_view name;
  ASSERT_TRUE(ParseStatsKey(k, &day, &dim, &name));
  EXPECT_EQ(day, -1);
  EXPECT_EQ(dim, StatsDim::kDirectory);
  EXPECT_EQ(name, "/w");
  EXPECT_EQ(k, "d\x7f\xff\xff\xff/w");  // dimension first, then the day
  EXPECT_LT(StatsDayPrefix(StatsDim::kGroup, -1), StatsDayPrefix(StatsDim::kGroup, 0)) << "days sort numerically";
  EXPECT_LT(StatsDayPrefix(StatsDim::kGroup, 0), StatsDayPrefix(StatsDim::kGroup, 20514));
  EXPECT_TRUE(StatsDayPrefix(StatsDim::kGroup, 20514).starts_with(StatsDimPrefix(StatsDim::kGroup)));
  const std::string total = StatsTotalKey(StatsDim::kHostTotal, "h1");  // `name` points into it
  ASSERT_TRUE(ParseStatsKey(total, &day, &dim, &name));
  EXPECT_EQ(dim, StatsDim::kHostTotal);
  EXPECT_EQ(name, "h1");
  EXPECT_EQ(StatsTotalKey(StatsDim::kGroupTotal, "git"), "Ggit");
  EXPECT_EQ(UtcDay(kT), 20514);
  EXPECT_EQ(UtcDay(-1), -1);
  EXPECT_FALSE(ParseStatsKey(StatsKey(1, StatsDim::kHourHost, "\x18h"), &day, &dim, &name));
  EXPECT_FALSE(ParseStatsKey(StatsKey(1, StatsDim::kHourHost, ""), &day, &dim, &name));
  EXPECT_FALSE(ParseStatsKey("z" + StatsDayPrefix(StatsDim::kGroup, 1).substr(1), &day, &dim, &name));
  EXPECT_FALSE(ParseStatsKey("g\x80", &day, &dim, &name));
  EXPECT_FALSE(ParseStatsKey("abc", &day, &dim, &name));
}

TEST(StatsViewTest, RecordedAndFinishedCommandsCountOnce) {
  StatsView v;
  MemViews m(v);
  Event rec = Cmd(EventKind::kRecorded, 1, kT, "git commit -m x", "/p", 0, 250 * kMs);
  Event start = Cmd(EventKind::kStarted, 2, kT + 3600 * kSec, "sudo make -j8", "/p");
  Event fin;
  fin.kind = EventKind::kFinished;
  fin.seq = 3;
  fin.time_ns = kT + 3601 * kSec;
  fin.exit_code = 2;
  fin.duration_ns = 4000 * kMs;
  v.Apply(In(rec), m);
  v.Apply(In(start), m);
  EXPECT_EQ(m.kv.size(), 6u) << "a started command is counted when it finishes";
  v.Apply(In(fin, &start), m);
  Event orphan = fin;
  orphan.seq = 4;
  v.Apply(In(orphan), m);      // finish without a known start: ignored
  EXPECT_EQ(m.kv.size(), 9u);  // per day 2 groups, 2 hour-hosts, 1 dir; all time 2 groups, 1 host, 1 dir
  StatsCounters both = StatsCounters::One(0, 250 * kMs);
  both.Add(StatsCounters::One(2, 4000 * kMs));
  EXPECT_EQ(Decoded(m.kv, StatsTotalKey(StatsDim::kHostTotal, "h1")), both);
  EXPECT_EQ(Decoded(m.kv, StatsTotalKey(StatsDim::kDirectoryTotal, "/p")), both);
  EXPECT_EQ(Decoded(m.kv, StatsTotalKey(StatsDim::kGroupTotal, "make")), StatsCounters::One(2, 4000 * kMs));
  EXPECT_EQ(Decoded(m.kv, StatsKey(20514, StatsDim::kGroup, "git commit")), StatsCounters::One(0, 250 * kMs));
  EXPECT_EQ(Decoded(m.kv, StatsKey(20514, StatsDim::kGroup, "make")), StatsCounters::One(2, 4000 * kMs));
  EXPECT_EQ(Decoded(m.kv, StatsKey(20514, StatsDim::kHourHost, "\x0ah1")), StatsCounters::One(0, 250 * kMs));
  EXPECT_EQ(Decoded(m.kv, StatsKey(20514, StatsDim::kHourHost, "\x0bh1")), StatsCounters::One(2, 4000 * kMs));
  StatsCounters dir = Decoded(m.kv, StatsKey(20514, StatsDim::kDirectory, "/p"));
  EXPECT_EQ(dir.uses, 2u);
  EXPECT_EQ(dir.failures, 1u);
  EXPECT_EQ(dir.duration_ms_sum, 4250u);
  std::string bad = "x";
  std::string out;
  std::string_view ops[] = {bad};
  EXPECT_FALSE(v.FullMerge(nullptr, ops, &out));
}

TEST(StatsViewTest, RemovalGivesWhatAReplayGives) {
  StatsView v;
  Event a = Cmd(EventKind::kRecorded, 1, kT, "git status", "/p", 0, 5 * kMs);
  Event b = Cmd(EventKind::kRecorded, 2, kT + kSec, "git status", "/p", 1, 700 * kMs);
  Event c = Cmd(EventKind::kRecorded, 3, kT + 2 * kSec, "ls", "/q", std::nullopt, std::nullopt);
  Event s = Cmd(EventKind::kStarted, 4, kT + 3 * kSec, "make", "/p");
  Event f;
  f.kind = EventKind::kFinished;
  f.seq = 5;
  f.exit_code = 0;
  f.duration_ns = 9000 * kMs;
  Event running = Cmd(EventKind::kStarted, 6, kT + 4 * kSec, "sleep 100", "/p");
  MemViews all(v);
  for (const Event* e : {&a, &b, &c, &s}) v.Apply(In(*e), all);
  v.Apply(In(f, &s), all);
  v.Apply(In(running), all);
  all.history[HistoryKey(s.time_ns, s.seq)] = EncodeHistoryState(HistoryState{0, 9000 * kMs, false});
  // Remove b, c, the finished start and the running one.
  RemovedRecord recs[] = {{2, &b, 1}, {3, &c, std::nullopt}, {4, &s, 0}, {6, &running, std::nullopt}};
  RemovalInput in;
  in.seq = 7;
  in.records = recs;
  ASSERT_OK(v.ApplyRemoval(in, all, all));
  MemViews replay(v);
  v.Apply(In(a), replay);
  EXPECT_EQ(all.kv, replay.kv);
}

}  // namespace
}  // namespace tb
