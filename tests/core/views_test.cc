// Tests for the views in core/views/ and for core/projector.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include "core/keycode.h"
#include "core/projector.h"
#include "core/views/commands_view.h"
#include "core/views/field_index_view.h"
#include "core/views/history_view.h"
#include "core/views/ids_view.h"
#include "core/views/registry.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

using namespace std::literals;

// A ViewWriter over maps: puts/deletes give the final key space, merges are
// kept as operand lists per key (in order) and folded on demand.
class MapWriter final : public ViewWriter {
 public:
  void Put(std::string_view k, std::string_view v) override {
    ops.emplace_back('P', std::string(k), std::string(v));
    kv[std::string(k)] = std::string(v);
    merges.erase(std::string(k));
  }
  void Delete(std::string_view k) override {
    ops.emplace_back('D', std::string(k), "");
    kv.erase(std::string(k));
    merges.erase(std::string(k));
  }
  void Merge(std::string_view k, std::string_view v) override {
    ops.emplace_back('M', std::string(k), std::string(v));
    merges[std::string(k)].emplace_back(v);
  }
  // Folds the operands of `key` over its put value (if any) with `view`.
  bool Folded(const View& view, const std::string& key, std::string* out) const {
    auto it = merges.find(key);
    std::vector<std::string_view> operands;
    if (it != merges.end()) operands.assign(it->second.begin(), it->second.end());
    auto base = kv.find(key);
    std::string_view existing;
    const std::string_view* ex = nullptr;
    if (base != kv.end()) {
      existing = base->second;
      ex = &existing;
    }
    return view.FullMerge(ex, operands, out);
  }

  std::vector<std::tuple<char, std::string, std::string>> ops;
  std::map<std::string, std::string> kv;
  std::map<std::string, std::vector<std::string>> merges;
};

Event Started(EventId id, uint64_t seq, int64_t t, std::string cmd, std::string cwd = "/w",
              std::string session = "s1") {
  Event ev;
  ev.id = id;
  ev.seq = seq;
  ev.time_ns = t;
  ev.kind = EventKind::kStarted;
  ev.command = std::move(cmd);
  ev.cwd = std::move(cwd);
  ev.session = std::move(session);
  ev.host = "h";
  return ev;
}

Event Recorded(EventId id, uint64_t seq, int64_t t, std::string cmd, std::optional<int32_t> exit,
               std::optional<int64_t> dur = std::nullopt, std::string cwd = "/w", std::string session = "s1") {
  Event ev = Started(id, seq, t, std::move(cmd), std::move(cwd), std::move(session));
  ev.kind = EventKind::kRecorded;
  ev.exit_code = exit;
  ev.duration_ns = dur;
  return ev;
}

Event Finished(EventId id, uint64_t seq, int64_t t, EventId start, int32_t exit, int64_t dur) {
  Event ev;
  ev.id = id;
  ev.seq = seq;
  ev.time_ns = t;
  ev.kind = EventKind::kFinished;
  ev.start = start;
  ev.exit_code = exit;
  ev.duration_ns = dur;
  return ev;
}

ViewInput In(const Event& ev, const Event* start = nullptr, uint64_t start_seq = 0) {
  ViewInput in;
  in.seq = ev.seq;
  in.event = &ev;
  in.start = start;
  in.start_seq = start_seq;
  return in;
}

std::string Zz(int64_t v) {
  std::string s;
  PutZigzag(&s, v);
  return s;
}

std::string Vi(uint64_t v) {
  std::string s;
  PutVarint(&s, v);
  return s;
}

std::string UseOp(int64_t t, uint64_t seq, std::optional<int32_t> exit) {
  std::string op = "u" + Zz(t) + Vi(seq) + (exit ? "\x01"s + Zz(*exit) : "\0"s);
  return op;
}

std::string EndOp(uint64_t start_seq, int32_t exit) { return "x" + Vi(start_seq) + Zz(exit); }

bool Merge(const std::string* existing, const std::vector<std::string>& ops, CommandStats* out) {
  CommandsView view;
  std::vector<std::string_view> sv(ops.begin(), ops.end());
  std::string_view ex;
  if (existing) ex = *existing;
  std::string merged = "sentinel";
  if (!view.FullMerge(existing ? &ex : nullptr, sv, &merged)) return false;
  EXPECT_TRUE(DecodeCommandStats(merged, out)) << testing::PrintToString(merged);
  return true;
}

// ------------------------------------------------------------ registry

TEST(ViewRegistryTest, NamesOrderAndLookup) {
  std::vector<std::string> names;
  for (const View* v : AllViews()) names.emplace_back(v->name());
  EXPECT_EQ(names, (std::vector<std::string>{"ids", "history", "by_cwd", "by_session", "by_command", "commands",
                                             "batches", "stats", "sequences", "fixes", "workflows"}));
  for (const View* v : AllViews()) {
    EXPECT_EQ(FindView(v->name()), v);
    EXPECT_GE(v->version(), 1u);
    bool merge = v->name() == "commands" || v->name() == "stats" || v->name() == "sequences" ||
                 v->name() == "batches" || v->name().starts_with("by_");
    EXPECT_EQ(v->HasMerge(), merge) << v->name();
  }
  EXPECT_EQ(FindView("nope"), nullptr);
  EXPECT_EQ(FindView(""), nullptr);
  EXPECT_EQ(FindView("History"), nullptr);
}

TEST(ViewRegistryTest, ViewsWithoutMergeRefuseToMerge) {
  std::string out = "unchanged";
  std::vector<std::string_view> ops = {"u"};
  EXPECT_FALSE(FindView("history")->FullMerge(nullptr, ops, &out));
  EXPECT_EQ(out, "unchanged");
}

// ------------------------------------------------------------ ids

TEST(IdsViewTest, MapsIdToSeq) {
  IdsView view;
  MapWriter w;
  Event ev = Recorded(EventId{0x0102030405060708ull, 300}, 300, 5, "ls", 0);
  view.Apply(In(ev), w);
  Event fin = Finished(EventId{0xffull, 1}, 301, 6, EventId{1, 1}, 0, 0);
  view.Apply(In(fin), w);  // every event is indexed, finishes included
  ASSERT_EQ(w.kv.size(), 2u);
  std::string key = "\x01\x02\x03\x04\x05\x06\x07\x08\0\0\0\0\0\0\x01\x2c"s;
  ASSERT_EQ(w.kv.count(key), 1u);
  EXPECT_EQ(w.kv[key], "\xac\x02");
  EXPECT_EQ(w.kv[IdKey(EventId{0xff, 1})], "\xad\x02");
}

TEST(IdsViewTest, KeyParse) {
  EventId id;
  ASSERT_TRUE(ParseIdKey(IdKey(EventId{UINT64_MAX, 7}), &id));
  EXPECT_EQ(id, (EventId{UINT64_MAX, 7}));
  EXPECT_FALSE(ParseIdKey(IdKey(EventId{1, 2}).substr(0, 15), &id));
  EXPECT_FALSE(ParseIdKey(IdKey(EventId{1, 2}) + "x", &id));
  EXPECT_LT(IdKey(EventId{1, UINT64_MAX}), IdKey(EventId{2, 0}));
}

// ------------------------------------------------------------ history

TEST(HistoryViewTest, StartedIsRunning) {
  HistoryView view;
  MapWriter w;
  Event ev = Started(EventId{1, 1}, 1, -5, "sleep 9");
  view.Apply(In(ev), w);
  ASSERT_EQ(w.ops.size(), 1u);
  EXPECT_EQ(std::get<0>(w.ops[0]), 'P');
  EXPECT_EQ(std::get<1>(w.ops[0]), HistoryKey(-5, 1));
  EXPECT_EQ(std::get<2>(w.ops[0]), "\x04");
}

TEST(HistoryViewTest, RecordedCarriesExitAndDuration) {
  HistoryView view;
  MapWriter w;
  Event a = Recorded(EventId{1, 2}, 2, 100, "make", 2, 1500);
  Event b = Recorded(EventId{1, 3}, 3, 100, "ls", std::nullopt, std::nullopt);
  Event c = Recorded(EventId{1, 4}, 4, 101, "ls", -1, std::nullopt);
  view.Apply(In(a), w);
  view.Apply(In(b), w);
  view.Apply(In(c), w);
  ASSERT_EQ(w.kv.size(), 3u);
  EXPECT_EQ(w.kv[HistoryKey(100, 2)], "\x03\x04\xb8\x17");  // flags 3, zz(2), zz(1500)
  EXPECT_EQ(w.kv[HistoryKey(100, 3)], "\0"s);               // nothing known
  EXPECT_EQ(w.kv[HistoryKey(101, 4)], "\x01\x01");          // exit -1 only
}

TEST(HistoryViewTest, FinishCompletesItsStartAtTheStartsKey) {
  HistoryView view;
  MapWriter w;
  Event start = Started(EventId{1, 1}, 4, 1000, "cargo build");
  Event fin = Finished(EventId{1, 9}, 9, 5000, start.id, 101, 3'000'000'000);
  view.Apply(In(start), w);
  view.Apply(In(fin, &start, 4), w);
  ASSERT_EQ(w.kv.size(), 1u);
  HistoryState st;
  ASSERT_TRUE(DecodeHistoryState(w.kv[HistoryKey(1000, 4)], &st));
  EXPECT_EQ(st, (HistoryState{101, 3'000'000'000, false}));
  // The key comes from the start (time 1000, seq 4), not from the finish.
  EXPECT_EQ(w.kv.count(HistoryKey(5000, 9)), 0u);
}

TEST(HistoryViewTest, FinishWithUnknownStartWritesNothing) {
  HistoryView view;
  MapWriter w;
  Event fin = Finished(EventId{1, 9}, 9, 5000, EventId{1, 1}, 1, 1);
  view.Apply(In(fin), w);
  EXPECT_TRUE(w.ops.empty());
}

TEST(HistoryViewTest, KeyOrderAndParse) {
  int64_t t;
  uint64_t s;
  for (auto [time, seq] : std::vector<std::pair<int64_t, uint64_t>>{
           {INT64_MIN, 0}, {-1, UINT64_MAX}, {0, 1}, {1'700'000'000'000'000'000, 42}, {INT64_MAX, UINT64_MAX}}) {
    ASSERT_TRUE(ParseHistoryKey(HistoryKey(time, seq), &t, &s));
    EXPECT_EQ(t, time);
    EXPECT_EQ(s, seq);
  }
  EXPECT_FALSE(ParseHistoryKey(HistoryKey(1, 2).substr(0, 15), &t, &s));
  EXPECT_FALSE(ParseHistoryKey(HistoryKey(1, 2) + "x", &t, &s));
  EXPECT_FALSE(ParseHistoryKey("", &t, &s));
  EXPECT_LT(HistoryKey(-1, 99), HistoryKey(0, 1));
  EXPECT_LT(HistoryKey(5, 1), HistoryKey(5, 2));
  EXPECT_LT(HistoryKey(5, UINT64_MAX), HistoryKey(6, 0));
}

TEST(HistoryStateTest, RoundTripsEveryCombination) {
  for (int mask = 0; mask < 8; ++mask) {
    for (int32_t exit : {0, 1, -1, INT32_MIN, INT32_MAX}) {
      for (int64_t dur : {int64_t{0}, int64_t{1}, int64_t{-7}, INT64_MAX, INT64_MIN}) {
        HistoryState st;
        if (mask & 1) st.exit_code = exit;
        if (mask & 2) st.duration_ns = dur;
        st.running = (mask & 4) != 0;
        std::string enc = EncodeHistoryState(st);
        EXPECT_EQ(static_cast<uint8_t>(enc[0]), mask);
        HistoryState got{7, 7, true};
        ASSERT_TRUE(DecodeHistoryState(enc, &got)) << mask;
        EXPECT_EQ(got, st);
      }
    }
  }
  EXPECT_EQ(EncodeHistoryState(HistoryState{-1, 5, false}), "\x03\x01\x0a");
}

TEST(HistoryStateTest, RejectsMalformedValues) {
  HistoryState st;
  std::vector<std::string> bad = {
      ""s,                                   // no flags
      "\x08"s,                               // unknown flag
      "\x80"s,                               // unknown flag
      "\x01"s,                               // exit flag without exit
      "\x02"s,                               // duration flag without duration
      "\x03\x02"s,                           // exit but no duration
      "\x02\x80"s,                           // truncated varint
      "\x00\x00"s,                           // trailing byte
      "\x04\x05"s,                           // trailing byte
      "\x01"s + Zz(int64_t{INT32_MAX} + 1),  // exit out of int32 range
      "\x01"s + Zz(int64_t{INT32_MIN} - 1),
  };
  for (const auto& v : bad) {
    EXPECT_FALSE(DecodeHistoryState(v, &st)) << testing::PrintToString(v);
  }
  // Every proper prefix of a full value is malformed.
  std::string full = EncodeHistoryState(HistoryState{-300, 123456789, false});
  for (size_t len = 0; len < full.size(); ++len) {
    EXPECT_FALSE(DecodeHistoryState(full.substr(0, len), &st)) << len;
  }
}

// ------------------------------------------------------------ field indexes

TEST(FieldIndexViewTest, Names) {
  EXPECT_EQ(FieldIndexView(IndexedField::kCwd).name(), "by_cwd");
  EXPECT_EQ(FieldIndexView(IndexedField::kSession).name(), "by_session");
  EXPECT_EQ(FieldIndexView(IndexedField::kCommand).name(), "by_command");
}

TEST(FieldIndexViewTest, IndexesStartsAndRecordsButNotFinishes) {
  Event st = Started(EventId{1, 1}, 1, 10, "vim a\0b"s, "/home/\xff"s, "sess");
  Event rec = Recorded(EventId{1, 2}, 2, -20, "ls", 0, 1, "", "");
  Event fin = Finished(EventId{1, 3}, 3, 30, st.id, 0, 5);
  for (auto [field, v1, v2] :
       std::vector<std::tuple<IndexedField, std::string, std::string>>{{IndexedField::kCwd, "/home/\xff"s, ""},
                                                                       {IndexedField::kSession, "sess", ""},
                                                                       {IndexedField::kCommand, "vim a\0b"s, "ls"}}) {
    FieldIndexView view(field);
    MapWriter w;
    view.Apply(In(st), w);
    view.Apply(In(rec), w);
    view.Apply(In(fin, &st, 1), w);
    ASSERT_EQ(w.ops.size(), 2u) << view.name();
    // One operand each: u8(scale 1) zigzag(time / 10) varint(seq).
    std::map<std::string, std::vector<std::string>> want = {{FieldIndexKey(v1, 10), {"\x01\x02\x01"s}},
                                                            {FieldIndexKey(v2, -20), {"\x01\x03\x02"s}}};
    EXPECT_EQ(w.merges, want) << view.name();
  }
}

// ------------------------------------------------------------ commands

TEST(CommandsViewTest, ApplyEmitsOneOperandPerEvent) {
  CommandsView view;
  MapWriter w;
  Event rec = Recorded(EventId{1, 5}, 5, 100, "make", 1);
  Event st = Started(EventId{1, 6}, 6, -3, "sleep 1");
  Event rec_unknown = Recorded(EventId{1, 7}, 7, 0, "make", std::nullopt);
  Event fin = Finished(EventId{1, 8}, 8, 50, st.id, -1, 5);
  Event orphan = Finished(EventId{1, 9}, 9, 50, EventId{7, 7}, 2, 5);
  view.Apply(In(rec), w);
  view.Apply(In(st), w);
  view.Apply(In(rec_unknown), w);
  view.Apply(In(fin, &st, 6), w);
  view.Apply(In(orphan), w);  // start unknown: nothing
  std::vector<std::tuple<char, std::string, std::string>> want = {
      {'M', "make", "u\xc8\x01\x05\x01\x02"},  // zz(100)=200, seq 5, has exit, zz(1)
      {'M', "sleep 1", "u\x05\x06\0"s},        // zz(-3)=5, seq 6, no exit
      {'M', "make", "u\0\x07\0"s},
      {'M', "sleep 1", "x\x06\x01"},  // start seq 6, zz(-1)
  };
  EXPECT_EQ(w.ops, want);
  EXPECT_EQ(UseOp(100, 5, 1), std::get<2>(want[0]));
  EXPECT_EQ(EndOp(6, -1), std::get<2>(want[3]));

  std::string folded;
  ASSERT_TRUE(w.Folded(view, "make", &folded));
  CommandStats s;
  ASSERT_TRUE(DecodeCommandStats(folded, &s));
  EXPECT_EQ(s, (CommandStats{2, 1, 100, 5, 1}));
  ASSERT_TRUE(w.Folded(view, "sleep 1", &folded));
  ASSERT_TRUE(DecodeCommandStats(folded, &s));
  EXPECT_EQ(s, (CommandStats{1, 1, -3, 6, -1}));
}

TEST(CommandStatsTest, RoundTrip) {
  for (const CommandStats& s :
       {CommandStats{}, CommandStats{1, 0, 5, 1, 0},
        CommandStats{UINT64_MAX, UINT64_MAX, INT64_MIN, UINT64_MAX, INT32_MIN}, CommandStats{3, 2, -7, 9, std::nullopt},
        CommandStats{10, 1, INT64_MAX, 0, INT32_MAX}}) {
    std::string enc = EncodeCommandStats(s);
    CommandStats got{9, 9, 9, 9, 9};
    ASSERT_TRUE(DecodeCommandStats(enc, &got));
    EXPECT_EQ(got, s);
  }
  EXPECT_EQ(EncodeCommandStats(CommandStats{2, 1, 100, 5, -1}), "\x02\x01\xc8\x01\x05\x01\x01");
  EXPECT_EQ(EncodeCommandStats(CommandStats{}), "\0\0\0\0\0"s);
}

TEST(CommandStatsTest, RejectsMalformedValues) {
  CommandStats s;
  for (const CommandStats& v : {CommandStats{2, 1, 100, 5, -1}, CommandStats{2, 1, 100, 5, std::nullopt},
                                CommandStats{300, 200, -100000, 70000, 255}}) {
    std::string full = EncodeCommandStats(v);
    for (size_t len = 0; len < full.size(); ++len) {
      EXPECT_FALSE(DecodeCommandStats(full.substr(0, len), &s)) << len;
    }
    EXPECT_FALSE(DecodeCommandStats(full + "\0"s, &s));
  }
  std::string base = Vi(1) + Vi(0) + Zz(5) + Vi(1);
  EXPECT_FALSE(DecodeCommandStats(base + "\x01" + Zz(int64_t{INT32_MAX} + 1), &s));
  EXPECT_FALSE(DecodeCommandStats(base + "\x01" + Zz(int64_t{INT32_MIN} - 1), &s));
  EXPECT_TRUE(DecodeCommandStats(base + "\x01" + Zz(INT32_MIN), &s));
  EXPECT_FALSE(DecodeCommandStats(std::string(11, '\x80'), &s));
}

TEST(CommandsMergeTest, FoldsUsesFailuresAndLastUse) {
  CommandStats s;
  ASSERT_TRUE(Merge(nullptr, {UseOp(100, 1, 0), UseOp(200, 2, 1), UseOp(150, 3, std::nullopt)}, &s));
  EXPECT_EQ(s, (CommandStats{3, 1, 200, 2, 1}));
}

TEST(CommandsMergeTest, NoOperandsAndNoValueIsEmptyStats) {
  CommandStats s{5, 5, 5, 5, 5};
  ASSERT_TRUE(Merge(nullptr, {}, &s));
  EXPECT_EQ(s, CommandStats{});
}

TEST(CommandsMergeTest, EndOfLastUseSetsItsExit) {
  CommandStats s;
  // A started use (exit unknown), then its end with a failure.
  ASSERT_TRUE(Merge(nullptr, {UseOp(100, 4, std::nullopt), EndOp(4, 2)}, &s));
  EXPECT_EQ(s, (CommandStats{1, 1, 100, 4, 2}));
  // A successful end: no failure, exit 0 known.
  ASSERT_TRUE(Merge(nullptr, {UseOp(100, 4, std::nullopt), EndOp(4, 0)}, &s));
  EXPECT_EQ(s, (CommandStats{1, 0, 100, 4, 0}));
}

TEST(CommandsMergeTest, EndOfAnOlderUseOnlyCountsTheFailure) {
  CommandStats s;
  ASSERT_TRUE(Merge(nullptr, {UseOp(100, 4, std::nullopt), UseOp(200, 5, std::nullopt), EndOp(4, 3)}, &s));
  EXPECT_EQ(s, (CommandStats{2, 1, 200, 5, std::nullopt}));
  ASSERT_TRUE(Merge(nullptr, {UseOp(100, 4, std::nullopt), UseOp(200, 5, std::nullopt), EndOp(4, 3), EndOp(5, 0)}, &s));
  EXPECT_EQ(s, (CommandStats{2, 1, 200, 5, 0}));
}

TEST(CommandsMergeTest, OutOfOrderUsesGiveTheSameStats) {
  // Uses arrive in log (seq) order, but their start times need not be
  // ordered (imports, clock changes). Every permutation folds the same.
  std::vector<std::string> ops = {UseOp(300, 1, 0), UseOp(100, 2, 1), UseOp(300, 3, 2), UseOp(-5, 4, std::nullopt),
                                  UseOp(200, 5, 0)};
  std::vector<size_t> idx(ops.size());
  std::iota(idx.begin(), idx.end(), 0);
  int perms = 0;
  do {
    std::vector<std::string> p;
    for (size_t i : idx) p.push_back(ops[i]);
    CommandStats s;
    ASSERT_TRUE(Merge(nullptr, p, &s));
    // Last use: the newest time, ties broken by the higher seq.
    ASSERT_EQ(s, (CommandStats{5, 2, 300, 3, 2})) << perms;
    ++perms;
  } while (std::next_permutation(idx.begin(), idx.end()));
  EXPECT_EQ(perms, 120);
}

TEST(CommandsMergeTest, MergingInStepsEqualsMergingAtOnce) {
  std::vector<std::string> ops = {UseOp(10, 1, std::nullopt), UseOp(20, 2, 0), EndOp(1, 4),
                                  UseOp(20, 3, std::nullopt), UseOp(5, 4, 9),  EndOp(3, 0)};
  CommandStats all;
  ASSERT_TRUE(Merge(nullptr, ops, &all));
  EXPECT_EQ(all, (CommandStats{4, 2, 20, 3, 0}));
  for (size_t k = 0; k <= ops.size(); ++k) {
    CommandStats first;
    ASSERT_TRUE(Merge(nullptr, std::vector<std::string>(ops.begin(), ops.begin() + static_cast<long>(k)), &first));
    std::string base = EncodeCommandStats(first);
    CommandStats second;
    ASSERT_TRUE(Merge(&base, std::vector<std::string>(ops.begin() + static_cast<long>(k), ops.end()), &second));
    EXPECT_EQ(second, all) << "split at " << k;
  }
}

TEST(CommandsMergeTest, ExistingValueIsTheStartingPoint) {
  std::string base = EncodeCommandStats(CommandStats{10, 3, 500, 40, 0});
  CommandStats s;
  ASSERT_TRUE(Merge(&base, {UseOp(400, 41, 1)}, &s));  // older than the last use
  EXPECT_EQ(s, (CommandStats{11, 4, 500, 40, 0}));
  ASSERT_TRUE(Merge(&base, {UseOp(500, 41, std::nullopt)}, &s));  // same time, higher seq
  EXPECT_EQ(s, (CommandStats{11, 3, 500, 41, std::nullopt}));
}

TEST(CommandsMergeTest, MalformedOperandOrValueFails) {
  CommandsView view;
  std::string good_base = EncodeCommandStats(CommandStats{1, 0, 1, 1, 0});
  std::string good_op = UseOp(1, 2, 0);
  std::vector<std::string> bad_ops = {
      ""s,                                            // empty
      "z"s,                                           // unknown kind
      "u"s,                                           // no fields
      "u\x02\x02"s,                                   // no has_exit byte
      "u\x02\x02\x01"s,                               // has_exit without exit
      "u\x02\x02\x00\x00"s,                           // trailing byte
      "u\x02\x02\x01"s + Zz(int64_t{INT32_MAX} + 1),  // exit out of range
      "x"s,                                           // no fields
      "x\x02"s,                                       // no exit
      "x\x02\x02\x02"s,                               // trailing byte
      "x\x80"s,                                       // truncated varint
  };
  for (const auto& bad : bad_ops) {
    std::string out = "unchanged";
    std::vector<std::string_view> ops = {good_op, bad, good_op};
    EXPECT_FALSE(view.FullMerge(nullptr, ops, &out)) << testing::PrintToString(bad);
    std::vector<std::string_view> alone = {bad};
    std::string_view base = good_base;
    EXPECT_FALSE(view.FullMerge(&base, alone, &out)) << testing::PrintToString(bad);
    EXPECT_EQ(out, "unchanged");
  }
  std::string_view broken = "\x01"sv;
  std::string out = "unchanged";
  std::vector<std::string_view> ops = {good_op};
  EXPECT_FALSE(view.FullMerge(&broken, ops, &out));
  std::string_view empty_value;
  EXPECT_FALSE(view.FullMerge(&empty_value, ops, &out));
  EXPECT_EQ(out, "unchanged");
}

// ------------------------------------------------------------ projector

// Records what the projector handed to a view.
struct Seen {
  uint64_t seq;
  EventKind kind;
  const Event* event;
  const Event* start;
  uint64_t start_seq;
  std::optional<EventId> start_id;
  std::string start_command;
};

class SpyView final : public View {
 public:
  std::string_view name() const override { return "spy"; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override {
    Seen s{in.seq, in.event->kind, in.event, in.start, in.start_seq, std::nullopt, ""};
    if (in.start) {
      s.start_id = in.start->id;
      s.start_command = in.start->command;
    }
    seen.push_back(s);
    out.Put("seq" + std::to_string(in.seq), "");
  }
  mutable std::vector<Seen> seen;
};

class FakeResolver final : public StartResolver {
 public:
  Status FindStart(const EventId& id, uint64_t* seq, Event* start) override {
    ++calls;
    asked.push_back(id);
    if (!error.ok()) return error;
    auto it = starts.find(id);
    if (it == starts.end()) return Status::NotFound("unknown start");
    *seq = it->second.seq;
    *start = it->second;
    return Status::OK();
  }
  std::map<EventId, Event> starts;
  Status error;
  int calls = 0;
  std::vector<EventId> asked;
};

struct Harness {
  SpyView spy;
  HistoryView history;
  CommandsView commands;
  IdsView ids;
  MapWriter w_spy, w_history, w_commands, w_ids;
  std::vector<const View*> views = {&spy, &history, &commands, &ids};
  std::vector<ViewWriter*> writers = {&w_spy, &w_history, &w_commands, &w_ids};
  Projector projector;
  FakeResolver resolver;
  Status Apply(const std::vector<Event>& events) { return projector.Apply(events, views, writers, resolver); }
};

TEST(ProjectorTest, JoinsAFinishToAStartInTheSameBatch) {
  Harness h;
  std::vector<Event> events = {Started(EventId{9, 1}, 1, 100, "cargo build"), Recorded(EventId{9, 2}, 2, 110, "ls", 0),
                               Finished(EventId{9, 3}, 3, 130, EventId{9, 1}, 101, 30)};
  ASSERT_OK(h.Apply(events));
  EXPECT_EQ(h.resolver.calls, 0) << "a start in the batch needs no lookup";
  ASSERT_EQ(h.spy.seen.size(), 3u);
  EXPECT_EQ(h.spy.seen[0].start, nullptr);
  EXPECT_EQ(h.spy.seen[1].start, nullptr);
  EXPECT_EQ(h.spy.seen[2].seq, 3u);
  EXPECT_EQ(h.spy.seen[2].event, &events[2]);
  EXPECT_EQ(h.spy.seen[2].start, &events[0]);
  EXPECT_EQ(h.spy.seen[2].start_seq, 1u);
  // Every view saw every event, through its own writer.
  EXPECT_EQ(h.w_spy.kv.size(), 3u);
  EXPECT_EQ(h.w_ids.kv.size(), 3u);
  HistoryState st;
  ASSERT_TRUE(DecodeHistoryState(h.w_history.kv.at(HistoryKey(100, 1)), &st));
  EXPECT_EQ(st, (HistoryState{101, 30, false}));
  EXPECT_EQ(h.w_history.kv.size(), 2u);
  std::string folded;
  ASSERT_TRUE(h.w_commands.Folded(h.commands, "cargo build", &folded));
  CommandStats cs;
  ASSERT_TRUE(DecodeCommandStats(folded, &cs));
  EXPECT_EQ(cs, (CommandStats{1, 1, 100, 1, 101}));
}

TEST(ProjectorTest, JoinsAFinishThroughTheResolver) {
  Harness h;
  Event start = Started(EventId{5, 4}, 4, 40, "make test");
  h.resolver.starts[start.id] = start;
  std::vector<Event> events = {Recorded(EventId{9, 10}, 10, 90, "ls", 0),
                               Finished(EventId{9, 11}, 11, 95, EventId{5, 4}, 0, 7)};
  ASSERT_OK(h.Apply(events));
  EXPECT_EQ(h.resolver.calls, 1);
  ASSERT_EQ(h.resolver.asked.size(), 1u);
  EXPECT_EQ(h.resolver.asked[0], (EventId{5, 4}));
  ASSERT_EQ(h.spy.seen.size(), 2u);
  EXPECT_EQ(h.spy.seen[1].start_seq, 4u);
  ASSERT_TRUE(h.spy.seen[1].start_id.has_value());
  EXPECT_EQ(*h.spy.seen[1].start_id, (EventId{5, 4}));
  EXPECT_EQ(h.spy.seen[1].start_command, "make test");
  EXPECT_EQ(h.w_history.kv.at(HistoryKey(40, 4)), EncodeHistoryState(HistoryState{0, 7, false}));
  std::vector<std::tuple<char, std::string, std::string>> want_cmd = {{'M', "ls", UseOp(90, 10, 0)},
                                                                      {'M', "make test", EndOp(4, 0)}};
  EXPECT_EQ(h.w_commands.ops, want_cmd);
}

TEST(ProjectorTest, IgnoresAnUnknownStart) {
  Harness h;
  std::vector<Event> events = {Finished(EventId{9, 1}, 1, 10, EventId{77, 77}, 3, 1)};
  ASSERT_OK(h.Apply(events));
  EXPECT_EQ(h.resolver.calls, 1);
  ASSERT_EQ(h.spy.seen.size(), 1u);
  EXPECT_EQ(h.spy.seen[0].start, nullptr);
  EXPECT_EQ(h.spy.seen[0].start_seq, 0u);
  EXPECT_TRUE(h.w_history.ops.empty());
  EXPECT_TRUE(h.w_commands.ops.empty());
  EXPECT_EQ(h.w_ids.kv.size(), 1u);  // the finish itself still has an id
}

TEST(ProjectorTest, PropagatesAResolverError) {
  for (Status err : {Status::IOError("disk on fire"), Status::Corruption("bad ids entry")}) {
    Harness h;
    h.resolver.error = err;
    std::vector<Event> events = {Recorded(EventId{9, 1}, 1, 10, "ls", 0),
                                 Finished(EventId{9, 2}, 2, 10, EventId{77, 77}, 3, 1)};
    Status s = h.Apply(events);
    EXPECT_EQ(s.code(), err.code());
    EXPECT_EQ(s.message(), err.message());
    // The error stops the batch before the finish reaches any view.
    EXPECT_EQ(h.spy.seen.size(), 1u);
  }
}

TEST(ProjectorTest, StartsDoNotLeakIntoTheNextBatch) {
  Harness h;
  std::vector<Event> first = {Started(EventId{9, 1}, 1, 100, "vim")};
  ASSERT_OK(h.Apply(first));
  // The next batch's finish must be resolved afresh (the storage would find
  // the start through the ids view); here the resolver does not know it.
  std::vector<Event> second = {Finished(EventId{9, 2}, 2, 120, EventId{9, 1}, 0, 20)};
  ASSERT_OK(h.Apply(second));
  EXPECT_EQ(h.resolver.calls, 1);
  ASSERT_EQ(h.spy.seen.size(), 2u);
  EXPECT_EQ(h.spy.seen[1].start, nullptr);
  // With the resolver knowing it, the join happens.
  h.resolver.starts[first[0].id] = first[0];
  ASSERT_OK(h.Apply(second));
  ASSERT_EQ(h.spy.seen.size(), 3u);
  ASSERT_NE(h.spy.seen[2].start, nullptr);
  EXPECT_EQ(h.spy.seen[2].start_seq, 1u);
  EXPECT_EQ(h.spy.seen[2].start_command, "vim");
}

TEST(ProjectorTest, TwoFinishesInOneBatchEachFindTheirStart) {
  Harness h;
  Event old_start = Started(EventId{3, 3}, 3, 30, "old");
  h.resolver.starts[old_start.id] = old_start;
  std::vector<Event> events = {Started(EventId{9, 10}, 10, 100, "new"),
                               Finished(EventId{9, 11}, 11, 101, EventId{3, 3}, 1, 1),
                               Finished(EventId{9, 12}, 12, 102, EventId{9, 10}, 2, 2)};
  ASSERT_OK(h.Apply(events));
  ASSERT_EQ(h.spy.seen.size(), 3u);
  EXPECT_EQ(h.spy.seen[1].start_seq, 3u);
  EXPECT_EQ(h.spy.seen[1].start_command, "old");
  EXPECT_EQ(h.spy.seen[2].start, &events[0]);
  EXPECT_EQ(h.w_history.kv.at(HistoryKey(30, 3)), EncodeHistoryState(HistoryState{1, 1, false}));
  EXPECT_EQ(h.w_history.kv.at(HistoryKey(100, 10)), EncodeHistoryState(HistoryState{2, 2, false}));
}

}  // namespace
}  // namespace tb
