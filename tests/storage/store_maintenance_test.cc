// Store tests: rebuild, verification, reopen, access (fixture in
// store_fixture.h).
#include <functional>

#include "tests/status_assert.h"
#include "tests/storage/store_fixture.h"

namespace tb {
namespace {

// Its own suite name: gtest needs one fixture class per suite, and each
// test file has its own copy of StoreTest.
class StoreMaintenanceTest : public StoreTest {
 protected:
  // Closes the store, lets `edit` change its RocksDB directly (the damage a
  // test then looks for), and opens it again.
  void EditClosed(const std::function<void(RawDb&)>& edit) {
    Close();
    {
      RawDb raw(dir_);
      ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
      edit(raw);
    }
    Open();
  }
};

// ------------------------------------------------------------ rebuild / verify

TEST_F(StoreMaintenanceTest, RebuildLeavesQueriesIdentical) {
  BuildHistory();
  auto filters = SomeFilters();
  auto before = RunAll(filters);
  std::vector<ViewDiff> diffs;
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
  ASSERT_OK(store_->Rebuild(""));
  EXPECT_EQ(RunAll(filters), before);
  ASSERT_OK(store_->Rebuild("history"));
  EXPECT_EQ(RunAll(filters), before);
  ASSERT_OK(store_->Rebuild("commands"));
  EXPECT_EQ(RunAll(filters), before);
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
  std::vector<ViewInfo> views;
  ASSERT_OK(store_->Views(&views));
  for (const auto& v : views) EXPECT_EQ(v.applied_seq, 35u) << v.name;
  Status s = store_->Rebuild("nope");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("history"), std::string::npos) << "lists the known views: " << s.message();
  // Still usable after all that, and after a reopen.
  Append({Rec(300, "after rebuild", "/", "s1", "h1", 0)});
  Close();
  Open();
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
  for (const auto& f : filters) ExpectMatchesModel(f);
}

TEST_F(StoreMaintenanceTest, VerifyViewsNamesADamagedHistoryView) {
  BuildHistory();
  std::vector<ViewDiff> diffs;
  ASSERT_OK(store_->VerifyViews(&diffs));
  ASSERT_TRUE(diffs.empty());
  std::string victim;
  EditClosed([&](RawDb& raw) {
    auto entries = raw.Scan("view_history");
    ASSERT_EQ(entries.size(), 30u);
    victim = entries[7].first;
    ASSERT_TRUE(raw.Delete("view_history", victim).ok());
  });
  ASSERT_OK(store_->VerifyViews(&diffs));
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].view, "history");
  EXPECT_EQ(diffs[0].missing, 1u);
  EXPECT_EQ(diffs[0].extra, 0u);
  EXPECT_EQ(diffs[0].different, 0u);
  EXPECT_EQ(diffs[0].first_key_hex, HexOf(victim));
  // A rebuild repairs it.
  ASSERT_OK(store_->Rebuild("history"));
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
}

TEST_F(StoreMaintenanceTest, VerifyViewsNamesAnAlteredValueOrExtraKey) {
  BuildHistory();
  EditClosed([&](RawDb& raw) {
    std::string v;
    ASSERT_TRUE(raw.Get("view_commands", "make", &v).ok());
    CommandStats st;
    ASSERT_TRUE(DecodeCommandStats(v, &st));
    EXPECT_EQ(st, (CommandStats{3, 2, T(170), 23, 2}));
    st.uses += 5;
    ASSERT_TRUE(raw.Put("view_commands", "make", EncodeCommandStats(st)).ok());
    // And one key the log does not explain, in history (altering its state).
    auto entries = raw.Scan("view_history");
    ASSERT_TRUE(raw.Put("view_history", entries[0].first, EncodeHistoryState(HistoryState{42, 1, false})).ok());
  });
  std::vector<ViewDiff> diffs;
  ASSERT_OK(store_->VerifyViews(&diffs));
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0].view, "history");
  EXPECT_EQ(diffs[0].different, 1u);
  EXPECT_EQ(diffs[0].missing + diffs[0].extra, 0u);
  EXPECT_EQ(diffs[1].view, "commands");
  EXPECT_EQ(diffs[1].different, 1u);
  EXPECT_EQ(diffs[1].missing + diffs[1].extra, 0u);
  EXPECT_EQ(diffs[1].first_key_hex, HexOf("make"));
  ASSERT_OK(store_->Rebuild(""));
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
}

TEST_F(StoreMaintenanceTest, CommandsViewCountsUsesAndFailures) {
  BuildHistory();
  auto stats = [&](const std::string& cmd) {
    std::string v;
    Status s = store_->reader().GetViewValue("commands", cmd, &v);
    EXPECT_OK(s) << cmd << ": " << s.ToString();
    CommandStats st;
    EXPECT_TRUE(DecodeCommandStats(v, &st)) << cmd;
    return st;
  };
  EXPECT_EQ(stats("git status"), (CommandStats{3, 0, T(150), seq_of_["r17"], 0}));
  EXPECT_EQ(stats("make"), (CommandStats{3, 2, T(170), seq_of_["r19"], 2}));
  EXPECT_EQ(stats("make test"), (CommandStats{2, 1, T(90), seq_of_["r29"], 1}));
  EXPECT_EQ(stats("cargo build"), (CommandStats{1, 1, T(60), seq_of_["st6"], 101}));
  EXPECT_EQ(stats("npm install"), (CommandStats{1, 1, T(220), seq_of_["st25"], 1}));
  EXPECT_EQ(stats("sleep 100"), (CommandStats{1, 0, T(80), seq_of_["st8"], std::nullopt}));
  std::string v;
  EXPECT_TRUE(store_->reader().GetViewValue("commands", "never ran", &v).IsNotFound());
  EXPECT_TRUE(store_->reader().GetViewValue("no_such_view", "x", &v).IsNotFound());
  EXPECT_EQ(store_->reader().NewViewCursor("no_such_view"), nullptr);
}

// ------------------------------------------------------------ log verification

TEST_F(StoreMaintenanceTest, VerifyLogOnAHealthyStore) {
  BuildHistory();
  LogVerifyReport r;
  ASSERT_OK(store_->VerifyLog(&r));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.events, 35u);
  EXPECT_EQ(r.first_seq, 1u);
  EXPECT_EQ(r.last_seq, 35u);
  EXPECT_TRUE(r.problems.empty());
}

TEST_F(StoreMaintenanceTest, VerifyLogDetectsAGap) {
  BuildHistory();
  EditClosed([&](RawDb& raw) { ASSERT_TRUE(raw.Delete("log", SeqKey(5)).ok()); });
  LogVerifyReport r;
  ASSERT_OK(store_->VerifyLog(&r));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.gaps, 1u);
  EXPECT_EQ(r.events, 34u);
  EXPECT_EQ(r.bad_payloads, 0u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("5..5"), std::string::npos) << r.problems[0];
}

TEST_F(StoreMaintenanceTest, VerifyLogDetectsMissingEnds) {
  BuildHistory();
  EditClosed([&](RawDb& raw) {
    ASSERT_TRUE(raw.Delete("log", SeqKey(1)).ok());
    ASSERT_TRUE(raw.Delete("log", SeqKey(35)).ok());
  });
  LogVerifyReport r;
  ASSERT_OK(store_->VerifyLog(&r));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.gaps, 2u);
  EXPECT_EQ(r.first_seq, 2u);
  EXPECT_EQ(r.last_seq, 34u);
}

TEST_F(StoreMaintenanceTest, VerifyLogAndScanDetectABadPayload) {
  BuildHistory();
  EditClosed([&](RawDb& raw) { ASSERT_TRUE(raw.Put("log", SeqKey(6), "garbage, not an event").ok()); });
  LogVerifyReport r;
  ASSERT_OK(store_->VerifyLog(&r));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.bad_payloads, 1u);
  EXPECT_EQ(r.gaps, 0u);
  EXPECT_EQ(r.events, 35u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("log event 6"), std::string::npos) << r.problems[0];

  // Lenient: reports exactly seq 6 and goes on.
  ListReporter lenient;
  std::vector<uint64_t> visited;
  auto visit = [&](const Event& ev, std::string_view) {
    visited.push_back(ev.seq);
    return true;
  };
  ASSERT_OK(store_->ScanLog(1, 35, false, &lenient, visit));
  ASSERT_EQ(lenient.reports.size(), 1u);
  EXPECT_EQ(lenient.reports[0].first, 6u);
  EXPECT_TRUE(lenient.reports[0].second.IsCorruption());
  EXPECT_NE(lenient.reports[0].second.message().find("log event 6"), std::string::npos);
  EXPECT_FALSE(lenient.reports[0].second.message().empty());
  std::vector<uint64_t> want;
  for (uint64_t s = 1; s <= 35; ++s) {
    if (s != 6) want.push_back(s);
  }
  EXPECT_EQ(visited, want);

  // Strict: stops with Corruption at seq 6.
  ListReporter strict;
  visited.clear();
  Status s = store_->ScanLog(1, 35, true, &strict, visit);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("log event 6"), std::string::npos) << s.message();
  EXPECT_EQ(visited, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  ASSERT_EQ(strict.reports.size(), 1u);
  EXPECT_EQ(strict.reports[0].first, 6u);
  // Strict without a reporter, a range that avoids the damage, a stop.
  visited.clear();
  EXPECT_TRUE(store_->ScanLog(1, 35, true, nullptr, visit).IsCorruption());
  visited.clear();
  ASSERT_OK(store_->ScanLog(8, 10, true, nullptr, visit));
  EXPECT_EQ(visited, (std::vector<uint64_t>{8, 9, 10}));
  visited.clear();
  ASSERT_OK(store_->ScanLog(3, 35, true, nullptr, [&](const Event& ev, std::string_view) {
    visited.push_back(ev.seq);
    return ev.seq < 4;
  }));
  EXPECT_EQ(visited, (std::vector<uint64_t>{3, 4}));

  // Reading the damaged event (the start of "cargo build") is Corruption,
  // naming it; a query that needs it says so instead of skipping it.
  Event ev;
  Status g = store_->reader().GetEvent(6, &ev);
  EXPECT_TRUE(g.IsCorruption());
  EXPECT_NE(g.message().find("log event 6"), std::string::npos) << g.message();
  std::vector<HistoryRecord> got;
  EXPECT_TRUE(Query(store_->reader(), {}, &got).IsCorruption());
  HistoryFilter f;
  f.cwd = "/tmp";  // does not need seq 6
  ASSERT_OK(Query(store_->reader(), f, &got));
  EXPECT_EQ(SeqsOf(got), Labels({"r26", "r20", "r18", "r12", "st8", "r3"}));
}

TEST_F(StoreMaintenanceTest, VerifyLogDetectsAnEnvelopeSeqMismatch) {
  BuildHistory();
  EditClosed([&](RawDb& raw) {
    std::string v;
    ASSERT_TRUE(raw.Get("log", SeqKey(9), &v).ok());
    ASSERT_TRUE(raw.Put("log", SeqKey(8), v).ok());  // a valid event under the wrong key
  });
  LogVerifyReport r;
  ASSERT_OK(store_->VerifyLog(&r));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.seq_mismatches, 1u);
  EXPECT_EQ(r.bad_payloads, 0u) << "the payload itself is intact";
  ListReporter rep;
  ASSERT_OK(store_->ScanLog(1, 35, false, &rep, [](const Event&, std::string_view) { return true; }));
  ASSERT_EQ(rep.reports.size(), 1u);
  EXPECT_EQ(rep.reports[0].first, 8u);
  EXPECT_NE(rep.reports[0].second.message().find("envelope seq 9"), std::string::npos)
      << rep.reports[0].second.message();
}

TEST_F(StoreMaintenanceTest, VerifyLogDetectsADuplicateId) {
  Open();
  Event a = Rec(1, "a", "/", "s", "h", 0);
  a.id = EventId{5, 5};
  Event b = Rec(2, "b", "/", "s", "h", 0);
  b.id = EventId{5, 5};
  Append({Rec(0, "first", "/", "s", "h", 0), a});
  Append({b});
  LogVerifyReport r;
  ASSERT_OK(store_->VerifyLog(&r));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.duplicate_ids, 1u);
  EXPECT_EQ(r.gaps, 0u);
  EXPECT_EQ(r.bad_payloads, 0u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find(EventId{5, 5}.ToString()), std::string::npos) << r.problems[0];
}

TEST_F(StoreMaintenanceTest, MalformedViewKeyIsReportedNotSkipped) {
  BuildHistory();
  EditClosed([&](RawDb& raw) {
    // Sorts before every real key, so a newest-first walk meets it last.
    ASSERT_TRUE(raw.Put("view_history", "\x01\x02\x03"s, "\x00"s).ok());
    ASSERT_TRUE(raw.Put("view_by_cwd", "\x04/tmp"s + "xx", ""s).ok());
  });
  std::vector<HistoryRecord> got;
  Status s = Query(store_->reader(), {}, &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString() << " after " << got.size() << " records";
  HistoryFilter f;
  f.cwd = "/tmp";
  s = Query(store_->reader(), f, &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString() << " after " << got.size() << " records";
}

// ------------------------------------------------------------ open / reopen

TEST_F(StoreMaintenanceTest, ChangedViewVersionIsRebuiltOnOpen) {
  BuildHistory();
  auto filters = SomeFilters();
  auto before = RunAll(filters);
  Close();
  std::string victim;
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok());
    std::string meta;
    ASSERT_TRUE(raw.Get("meta", "view/history", &meta).ok());
    std::string_view mv = meta;
    uint64_t version, applied;
    ASSERT_TRUE(GetU64BE(&mv, &version));
    ASSERT_TRUE(GetU64BE(&mv, &applied));
    EXPECT_EQ(version, 1u);
    EXPECT_EQ(applied, 35u);
    std::string v999;
    PutU64BE(&v999, 999);
    PutU64BE(&v999, 35);
    ASSERT_TRUE(raw.Put("meta", "view/history", v999).ok());
    // Damage the view too: only a rebuild can repair it.
    auto entries = raw.Scan("view_history");
    victim = entries[3].first;
    ASSERT_TRUE(raw.Delete("view_history", victim).ok());
    ASSERT_TRUE(raw.Put("view_history", "stale junk", "x").ok());
  }
  std::map<std::string, uint64_t> progress;
  StoreOptions o = testutil::Options(dir_, Access::kReadWrite);
  o.progress = [&](std::string_view view, uint64_t done, uint64_t total) {
    progress[std::string(view)] = done;
    EXPECT_EQ(total, 35u);
  };
  ASSERT_OK(Store::Open(o, &store_));
  EXPECT_EQ(progress, (std::map<std::string, uint64_t>{{"history", 35}}));
  std::vector<ViewInfo> views;
  ASSERT_OK(store_->Views(&views));
  for (const auto& v : views) {
    EXPECT_EQ(v.stored_version, v.code_version) << v.name;
    EXPECT_EQ(v.applied_seq, 35u) << v.name;
  }
  EXPECT_EQ(RunAll(filters), before);
  std::vector<ViewDiff> diffs;
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
}

// An ids view interrupted behind another view that starts over: both replay
// together, so every finish still finds its start.
TEST_F(StoreMaintenanceTest, IdsBehindAnotherViewStillJoinsFinishes) {
  BuildHistory();
  EditClosed([&](RawDb& raw) {
    std::string ids_meta, stale;
    PutU64BE(&ids_meta, 1);
    PutU64BE(&ids_meta, 2);
    ASSERT_TRUE(raw.Put("meta", "view/ids", ids_meta).ok());
    for (const auto& [k, v] : raw.Scan("view_ids")) {
      std::string_view sv = v;
      uint64_t seq = 0;
      ASSERT_TRUE(GetVarint(&sv, &seq));
      if (seq > 2) {
        ASSERT_TRUE(raw.Delete("view_ids", k).ok());
      }
    }
    PutU64BE(&stale, 999);
    PutU64BE(&stale, 35);
    ASSERT_TRUE(raw.Put("meta", "view/commands", stale).ok());
  });
  std::vector<ViewDiff> diffs;
  ASSERT_OK(store_->VerifyViews(&diffs));
  for (const auto& d : diffs) {
    ADD_FAILURE() << d.view << " differs: " << d.missing << " missing, " << d.extra << " extra, " << d.different
                  << " different";
  }
}

TEST_F(StoreMaintenanceTest, MissingViewMetaRebuildsThatViewWithoutDoubleCounting) {
  BuildHistory();
  EditClosed([&](RawDb& raw) { ASSERT_TRUE(raw.Delete("meta", "view/commands").ok()); });
  std::string v;
  ASSERT_OK(store_->reader().GetViewValue("commands", "make", &v));
  CommandStats st;
  ASSERT_TRUE(DecodeCommandStats(v, &st));
  EXPECT_EQ(st.uses, 3u);
  std::vector<ViewDiff> diffs;
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
}

TEST_F(StoreMaintenanceTest, ReopenPreservesHeadAndData) {
  BuildHistory();
  uint64_t origin = store_->origin();
  auto filters = SomeFilters();
  auto before = RunAll(filters);
  for (int i = 0; i < 3; ++i) {
    Close();
    Open();
    EXPECT_EQ(store_->head(), 35u);
    EXPECT_EQ(store_->origin(), origin);
    EXPECT_EQ(RunAll(filters), before);
  }
  // Appends continue where the log ended; a finish joins a start from
  // before the reopen.
  Append({Start(500, 300, "long job", "/srv/app", "s1", "h1")}, {"st500"});
  Close();
  Open();
  Append({Fin(501, 310, ShellId(500), 7, kSec), Rec(320, "after", "/", "s1", "h1", 0)}, {"f500", "r501"});
  EXPECT_EQ(seq_of_["st500"], 36u);
  EXPECT_EQ(all_.back().id, (EventId{origin, 38}));
  for (const auto& f : filters) ExpectMatchesModel(f);
  HistoryFilter f;
  f.exit_code = 7;
  EXPECT_EQ(QuerySeqs(f), Labels({"st500"}));
  Close();
  Open(Access::kReadOnly);
  EXPECT_EQ(store_->head(), 38u);
  EXPECT_EQ(QuerySeqs(f), Labels({"st500"}));
}

TEST_F(StoreMaintenanceTest, InfoAndViewsCounts) {
  BuildHistory();
  StoreInfo info;
  ASSERT_OK(store_->Info(&info));
  EXPECT_EQ(info.data_dir, dir_);
  EXPECT_EQ(info.head, 35u);
  EXPECT_EQ(info.events, 35u);
  EXPECT_EQ(info.format, 1);
  EXPECT_FALSE(info.read_only);
  EXPECT_GT(info.disk_bytes, 0u);
  EXPECT_EQ(info.lock_holder, "");  // this process holds the lock: free for others
  ASSERT_EQ(info.store_id.size(), 32u);
  std::ifstream id_file(dir_ + "/TERMBRAIN");
  std::string content((std::istreambuf_iterator<char>(id_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(content.find("store_id " + info.store_id), std::string::npos) << content;

  std::vector<ViewInfo> views;
  ASSERT_OK(store_->Views(&views));
  std::map<std::string, uint64_t> entries;
  for (const auto& v : views) {
    entries[v.name] = v.entries;
    EXPECT_EQ(v.code_version, v.stored_version) << v.name;
    EXPECT_EQ(v.applied_seq, 35u) << v.name;
  }
  EXPECT_EQ(entries, (std::map<std::string, uint64_t>{{"ids", 35},
                                                      {"history", 30},
                                                      {"by_cwd", 3},  // posting lists: one per value
                                                      {"by_session", 3},
                                                      {"by_command", 25},
                                                      {"commands", 25},
                                                      {"batches", 0},
                                                      {"stats", 52},
                                                      {"sequences", 113},
                                                      {"fixes", 0},
                                                      {"workflows", 0}}));
  ASSERT_EQ(views.size(), 11u);
  EXPECT_EQ(views[0].name, "ids");
  EXPECT_EQ(views[5].name, "commands");

  Close();
  Open(Access::kReadOnly);
  ASSERT_OK(store_->Info(&info));
  EXPECT_TRUE(info.read_only);
  EXPECT_EQ(info.head, 35u);
  EXPECT_EQ(info.lock_holder, "") << "nobody holds the lock";
}

TEST_F(StoreMaintenanceTest, EmptyStore) {
  Open();
  std::vector<HistoryRecord> got;
  ASSERT_OK(Query(store_->reader(), {}, &got));
  EXPECT_TRUE(got.empty());
  HistoryFilter f;
  f.text = "x";
  ASSERT_OK(Query(store_->reader(), f, &got));
  EXPECT_TRUE(got.empty());
  LogVerifyReport r;
  ASSERT_OK(store_->VerifyLog(&r));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.events, 0u);
  std::vector<ViewDiff> diffs;
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
  StoreInfo info;
  ASSERT_OK(store_->Info(&info));
  EXPECT_EQ(info.events, 0u);
}

// ------------------------------------------------------------ access

TEST_F(StoreMaintenanceTest, ReadOnlyOpenOfAMissingStoreIsNotFound) {
  std::unique_ptr<Store> s;
  Status st = OpenStore(dir_, Access::kReadOnly, &s);
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
  EXPECT_FALSE(s);
  EXPECT_FALSE(std::filesystem::exists(dir_)) << "a read-only open must not create the store";
  // Also for an existing empty directory.
  std::filesystem::create_directory(dir_);
  st = OpenStore(dir_, Access::kReadOnly, &s);
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
  // create_if_missing=false refuses too.
  StoreOptions o = testutil::Options(dir_, Access::kReadWrite);
  o.create_if_missing = false;
  st = Store::Open(o, &s);
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(StoreMaintenanceTest, ReadOnlyStoreRejectsWrites) {
  BuildHistory();
  Close();
  Open(Access::kReadOnly);
  EXPECT_TRUE(store_->read_only());
  EXPECT_EQ(store_->head(), 35u);
  std::vector<Event> batch = {Rec(1, "nope", "/", "s", "h", 0)};
  Status s = store_->Append(batch, false);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ(s.ExitCode(), 4);
  EXPECT_EQ(batch[0].seq, 0u);
  EXPECT_TRUE(store_->Rebuild("").IsBusy());
  std::vector<ViewDiff> diffs;
  EXPECT_TRUE(store_->VerifyViews(&diffs).IsBusy());
  EXPECT_TRUE(store_->CompactAll().IsBusy());
  // Reads work.
  for (const auto& f : SomeFilters()) ExpectMatchesModel(f);
  LogVerifyReport r;
  ASSERT_OK(store_->VerifyLog(&r));
  EXPECT_TRUE(r.ok());
  Close();
  Open();
  EXPECT_EQ(store_->head(), 35u) << "nothing was written";
}

TEST_F(StoreMaintenanceTest, CompactAllKeepsEverything) {
  BuildHistory();
  auto filters = SomeFilters();
  auto before = RunAll(filters);
  ASSERT_OK(store_->CompactAll());
  EXPECT_EQ(RunAll(filters), before);
  std::vector<ViewDiff> diffs;
  ASSERT_OK(store_->VerifyViews(&diffs));
  EXPECT_TRUE(diffs.empty());
}

}  // namespace
}  // namespace tb
