// Store tests: append and queries (fixture in store_fixture.h).
#include "tests/status_assert.h"
#include "tests/storage/store_fixture.h"

namespace tb {
namespace {

// ------------------------------------------------------------ append

TEST_F(StoreTest, AppendAssignsSeqAndIds) {
  Open();
  EXPECT_EQ(store_->head(), 0u);
  EXPECT_NE(store_->origin(), 0u);
  std::vector<Event> batch = {Rec(1, "a", "/", "s", "h", 0), Rec(2, "b", "/", "s", "h", 0),
                              Start(77, 3, "c", "/", "s", "h")};
  ASSERT_OK(store_->Append(batch, true));
  EXPECT_EQ(batch[0].seq, 1u);
  EXPECT_EQ(batch[1].seq, 2u);
  EXPECT_EQ(batch[2].seq, 3u);
  EXPECT_EQ(batch[0].id, (EventId{store_->origin(), 1}));
  EXPECT_EQ(batch[1].id, (EventId{store_->origin(), 2}));
  EXPECT_EQ(batch[2].id, ShellId(77)) << "an explicit id is kept";
  std::vector<Event> more = {Rec(4, "d", "/", "s", "h", 0)};
  ASSERT_OK(store_->Append(more, false));
  EXPECT_EQ(more[0].seq, 4u);
  EXPECT_EQ(more[0].id, (EventId{store_->origin(), 4}));
  std::vector<Event> none;
  ASSERT_OK(store_->Append(none, false));
  EXPECT_EQ(store_->head(), 4u);

  // The log holds exactly what was appended, seq in the envelope.
  std::vector<Event> scanned;
  ASSERT_OK(store_->ScanLog(0, UINT64_MAX, true, nullptr, [&](const Event& ev, std::string_view raw) {
    Event again;
    EXPECT_TRUE(DecodeEvent(raw, &again).ok());
    EXPECT_EQ(again, ev);
    scanned.push_back(ev);
    return true;
  }));
  ASSERT_EQ(scanned.size(), 4u);
  EXPECT_EQ(scanned[0], batch[0]);
  EXPECT_EQ(scanned[2].kind, EventKind::kStarted);
  EXPECT_EQ(scanned[3], more[0]);
  Event ev;
  ASSERT_OK(store_->reader().GetEvent(2, &ev));
  EXPECT_EQ(ev, batch[1]);
  EXPECT_TRUE(store_->reader().GetEvent(5, &ev).IsNotFound());
  EXPECT_TRUE(store_->reader().GetEvent(0, &ev).IsNotFound());
}

// ------------------------------------------------------------ queries

TEST_F(StoreTest, HistoryNewestFirstWithJoinedFinishes) {
  BuildHistory();
  std::vector<HistoryRecord> got;
  ASSERT_OK(Query(store_->reader(), {}, &got));
  EXPECT_EQ(SeqsOf(got), Labels({"r30", "r28", "r27", "r26", "st25", "r24", "r22", "r21", "r20", "r19",
                                 "r18", "r17", "r16", "r15", "r14",  "r13", "r12", "r11", "r10", "r29",
                                 "st9", "st8", "st7", "st6", "r5",   "r4",  "r3",  "r2",  "r1",  "r23"}));
  std::map<uint64_t, HistoryRecord> by_seq;
  for (const auto& r : got) by_seq[r.seq] = r;
  // Finished in the same batch.
  const HistoryRecord& cargo = by_seq[seq_of_["st6"]];
  EXPECT_EQ(cargo.command, "cargo build");
  EXPECT_EQ(cargo.exit_code, std::optional<int32_t>(101));
  EXPECT_EQ(cargo.duration_ns, std::optional<int64_t>(3 * kSec));
  EXPECT_FALSE(cargo.running);
  EXPECT_EQ(cargo.started_at_ns, T(60));
  EXPECT_EQ(cargo.id, ShellId(6));
  EXPECT_EQ(cargo.shell, "zsh");
  // Finished in a later batch (joined through the ids view).
  const HistoryRecord& mt = by_seq[seq_of_["st9"]];
  EXPECT_EQ(mt.exit_code, std::optional<int32_t>(0));
  EXPECT_EQ(mt.duration_ns, std::optional<int64_t>(2 * kSec));
  EXPECT_FALSE(mt.running);
  EXPECT_EQ(by_seq[seq_of_["st25"]].exit_code, std::optional<int32_t>(1));
  // Started only: running, exit and duration unknown.
  const HistoryRecord& sleep = by_seq[seq_of_["st8"]];
  EXPECT_TRUE(sleep.running);
  EXPECT_FALSE(sleep.exit_code.has_value());
  EXPECT_FALSE(sleep.duration_ns.has_value());
  // Recorded without an exit: unknown but not running.
  const HistoryRecord& echo = by_seq[seq_of_["r5"]];
  EXPECT_FALSE(echo.running);
  EXPECT_FALSE(echo.exit_code.has_value());
  EXPECT_EQ(echo.command, "echo h\xc3\xa9llo");
  // Bytes survive, NUL included.
  EXPECT_EQ(by_seq[seq_of_["r26"]].command, "printf 'a\0b'"s);
  // Finishes are not commands.
  for (const char* f : {"f6", "f7", "f9", "fX", "f25"}) EXPECT_EQ(by_seq.count(seq_of_[f]), 0u) << f;
  // Every field equals the model.
  EXPECT_EQ(got, BruteForce(Model(all_), {}));
}

TEST_F(StoreTest, EachFilterGivesExactlyTheExpectedRecords) {
  BuildHistory();
  HistoryFilter f;
  f.cwd = "/tmp";
  EXPECT_EQ(QuerySeqs(f), Labels({"r26", "r20", "r18", "r12", "st8", "r3"}));
  f = {};
  f.session = "s3";
  EXPECT_EQ(QuerySeqs(f), Labels({"st25", "r20", "r16", "r14", "st8", "r5", "r23"}));
  f = {};
  f.host = "h2";
  EXPECT_EQ(QuerySeqs(f), Labels({"r27", "r22", "r19", "r16", "r14", "r12", "r29", "st7", "r5", "r3", "r23"}));
  f = {};
  f.exit_code = 2;
  EXPECT_EQ(QuerySeqs(f), Labels({"r19", "r2"}));
  f = {};
  f.exit_code = 101;
  EXPECT_EQ(QuerySeqs(f), Labels({"st6"}));
  f = {};
  f.failed = true;
  EXPECT_EQ(QuerySeqs(f), Labels({"st25", "r21", "r19", "r14", "r12", "r29", "st6", "r4", "r2"}));
  f = {};
  f.succeeded = true;
  EXPECT_EQ(QuerySeqs(f), Labels({"r30", "r28", "r27", "r26", "r24", "r22", "r20", "r18", "r17", "r16", "r15", "r13",
                                  "r11", "r10", "st9", "st7", "r3", "r1", "r23"}));
  f = {};
  f.since_ns = T(100);
  f.until_ns = T(150);
  EXPECT_EQ(QuerySeqs(f), Labels({"r17", "r16", "r15", "r14", "r13", "r12", "r11", "r10"}));
  f = {};
  f.since_ns = T(230);
  EXPECT_EQ(QuerySeqs(f), Labels({"r30", "r28", "r27", "r26"}));
  f = {};
  f.until_ns = T(10);
  EXPECT_EQ(QuerySeqs(f), Labels({"r1", "r23"}));
  f = {};
  f.limit = 3;
  EXPECT_EQ(QuerySeqs(f), Labels({"r30", "r28", "r27"}));
  f = {};
  f.text = "git";
  EXPECT_EQ(QuerySeqs(f), Labels({"r30", "r27", "r21", "r17", "r12", "r11", "r10", "st7", "r4", "r1"}));
  f = {};
  f.text = "GIT STATUS";
  EXPECT_EQ(QuerySeqs(f), Labels({"r27", "r17", "st7", "r1"}));
  f = {};
  f.text = "MAKE T";  // equal start times: higher seq first
  EXPECT_EQ(QuerySeqs(f), Labels({"r29", "st9"}));
  f = {};
  f.text = "\xc3\xa9";  // non-ASCII bytes match exactly
  EXPECT_EQ(QuerySeqs(f), Labels({"r5"}));
  f = {};
  f.text = "a\0b"s;
  EXPECT_EQ(QuerySeqs(f), Labels({"r26"}));
  f = {};
  f.text = "no such command";
  EXPECT_EQ(QuerySeqs(f), Labels({}));
  f = {};
  f.text = "";  // empty text: no text filter
  EXPECT_EQ(QuerySeqs(f).size(), 30u);
  // Combinations.
  f = {};
  f.cwd = "/srv/app";
  f.failed = true;
  EXPECT_EQ(QuerySeqs(f), Labels({"st25", "r21", "r19", "r14", "r29", "st6", "r4", "r2"}));
  f = {};
  f.session = "s1";
  f.text = "git";
  EXPECT_EQ(QuerySeqs(f), Labels({"r30", "r21", "r17", "r10", "r1"}));
  f = {};
  f.text = "git";
  f.since_ns = T(70);
  f.until_ns = T(150);
  f.limit = 4;
  EXPECT_EQ(QuerySeqs(f), Labels({"r17", "r12", "r11", "r10"}));
  f = {};
  f.host = "h1";
  f.succeeded = true;
  f.limit = 2;
  EXPECT_EQ(QuerySeqs(f), Labels({"r30", "r28"}));
  f = {};
  f.cwd = "/nowhere";
  EXPECT_EQ(QuerySeqs(f), Labels({}));
  f = {};
  f.since_ns = T(200);
  f.until_ns = T(100);
  EXPECT_EQ(QuerySeqs(f), Labels({}));
}

TEST_F(StoreTest, EmitCanStopEarly) {
  BuildHistory();
  int calls = 0;
  Status s = QueryHistory(store_->reader(), {}, [&](const HistoryRecord&) { return ++calls < 2; });
  ASSERT_OK(s);
  EXPECT_EQ(calls, 2);
}

TEST_F(StoreTest, TextSearchTakesBothRoutesWithIdenticalResults) {
  BuildHistory();
  // "make t" matches one unique command: merged from by_command.
  {
    CountingReader reader(store_->reader());
    HistoryFilter f;
    f.text = "make t";
    std::vector<HistoryRecord> got;
    ASSERT_OK(Query(reader, f, &got));
    EXPECT_GE(reader.cursors["by_command"], 1);
    EXPECT_EQ(reader.cursors["history"], 0);
    EXPECT_EQ(got, BruteForce(Model(all_), f));
  }
  // "git" matches many unique commands: the history walk is cheaper.
  {
    CountingReader reader(store_->reader());
    HistoryFilter f;
    f.text = "git";
    std::vector<HistoryRecord> got;
    ASSERT_OK(Query(reader, f, &got));
    EXPECT_EQ(reader.cursors["by_command"], 0);
    EXPECT_EQ(reader.cursors["history"], 1);
    EXPECT_EQ(got, BruteForce(Model(all_), f));
  }
}

TEST_F(StoreTest, RandomFiltersMatchBruteForceOnALargerHistory) {
  Open();
  // ~2400 commands with heavy timestamp ties, a few hot and many rare
  // command texts, starts finished in the same or a later batch, or never.
  std::mt19937_64 rng(424242);
  std::vector<std::string> cwds = {"/a", "/b", "/c", "/d/e"};
  std::vector<std::string> sessions = {"s0", "s1", "s2"};
  std::vector<std::string> hosts = {"h0", "h1"};
  uint64_t counter = 1;
  std::vector<EventId> open_starts;
  for (int batch = 0; batch < 60; ++batch) {
    std::vector<Event> events;
    int n = 1 + static_cast<int>(rng() % 50);
    for (int i = 0; i < n; ++i) {
      int t = static_cast<int>(rng() % 400);  // many equal timestamps
      std::string cmd;
      uint64_t pick = rng() % 100;
      if (pick < 40) {
        cmd = "Hot" + std::to_string(rng() % 3) + " run";
      } else if (pick < 50) {
        cmd = "rare" + std::to_string(rng() % 5) + " --flag";
      } else {
        cmd = "tool" + std::to_string(rng() % 800) + " ARG";
      }
      std::string cwd = cwds[rng() % cwds.size()];
      std::string session = sessions[rng() % sessions.size()];
      std::string host = hosts[rng() % hosts.size()];
      uint64_t kind = rng() % 10;
      if (kind < 6) {
        std::optional<int32_t> exit;
        if (rng() % 5 != 0) exit = static_cast<int32_t>(rng() % 3);
        events.push_back(Rec(t, cmd, cwd, session, host, exit, static_cast<int64_t>(rng() % 1000)));
      } else if (kind < 8) {
        events.push_back(Start(counter++, t, cmd, cwd, session, host));
        open_starts.push_back(events.back().id);
      } else if (!open_starts.empty()) {
        size_t k = rng() % open_starts.size();
        events.push_back(Fin(counter++, t, open_starts[k], static_cast<int32_t>(rng() % 3), 5));
        open_starts.erase(open_starts.begin() + static_cast<long>(k));
      }
    }
    Append(events);
  }
  std::vector<HistoryRecord> model = Model(all_);
  ASSERT_GT(model.size(), 800u);

  std::vector<std::string> needles = {"hot1",        "HOT",  "rare3", "rare", "tool1", "tool12",
                                      "tool123 arg", " run", "arg",   "o",    "zzz"};
  int merge_routes = 0, walk_routes = 0;
  for (int q = 0; q < 400; ++q) {
    HistoryFilter f;
    if (rng() % 4 != 0) f.text = needles[rng() % needles.size()];
    if (rng() % 3 == 0) f.limit = 1 + rng() % 30;
    if (rng() % 4 == 0) f.since_ns = T(static_cast<int>(rng() % 400));
    if (rng() % 4 == 0) f.until_ns = T(static_cast<int>(rng() % 400));
    if (rng() % 6 == 0) f.cwd = cwds[rng() % cwds.size()];
    if (rng() % 6 == 0) f.session = sessions[rng() % sessions.size()];
    if (rng() % 6 == 0) f.host = hosts[rng() % hosts.size()];
    uint64_t e = rng() % 8;
    if (e == 0) f.exit_code = static_cast<int32_t>(rng() % 3);
    if (e == 1) f.failed = true;
    if (e == 2) f.succeeded = true;
    CountingReader reader(store_->reader());
    std::vector<HistoryRecord> got;
    Status s = Query(reader, f, &got);
    ASSERT_OK(s) << Describe(f) << ": " << s.ToString();
    std::vector<HistoryRecord> want = BruteForce(model, f);
    ASSERT_EQ(SeqsOf(got), SeqsOf(want)) << Describe(f);
    ASSERT_EQ(got, want) << Describe(f);
    if (reader.cursors["by_command"] > 0) ++merge_routes;
    if (reader.cursors["history"] > 0 && f.text && !f.cwd && !f.session) ++walk_routes;
  }
  EXPECT_GT(merge_routes, 20);
  EXPECT_GT(walk_routes, 20);
}

}  // namespace
}  // namespace tb
