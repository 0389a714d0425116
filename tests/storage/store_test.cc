// Tests for storage/store.h through the public Store API and QueryHistory:
// appends, history queries on every route, rebuilds, verification, damage
// detection, migrations on open, reopen, info and access modes.
#include "storage/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/history_query.h"
#include "core/keycode.h"
#include "core/views/commands_view.h"
#include "core/views/field_index_view.h"
#include "core/views/history_view.h"
#include "storage/data_dir.h"
#include "tests/storage/store_test_util.h"

namespace tb {
namespace {

using namespace std::literals;
using testutil::HexOf;
using testutil::OpenStore;
using testutil::RawDb;
using testutil::TempDir;
using Access = StoreOptions::Access;

constexpr int64_t kT0 = 1'700'000'000'000'000'000;
constexpr int64_t kSec = 1'000'000'000;
constexpr uint64_t kShellOrigin = 0xabcdef0123456789ull;

int64_t T(int s) { return kT0 + s * kSec; }

Event Rec(int t, std::string cmd, std::string cwd, std::string session, std::string host,
          std::optional<int32_t> exit, std::optional<int64_t> dur = std::nullopt) {
  Event ev;
  ev.kind = EventKind::kRecorded;
  ev.time_ns = T(t);
  ev.command = std::move(cmd);
  ev.cwd = std::move(cwd);
  ev.session = std::move(session);
  ev.host = std::move(host);
  ev.user = "u";
  ev.shell = "bash";
  ev.exit_code = exit;
  ev.duration_ns = dur;
  return ev;
}

// A start carries an explicit shell-side id so a finish can name it before
// the store assigned anything.
Event Start(uint64_t counter, int t, std::string cmd, std::string cwd, std::string session,
            std::string host) {
  Event ev = Rec(t, std::move(cmd), std::move(cwd), std::move(session), std::move(host), std::nullopt);
  ev.kind = EventKind::kStarted;
  ev.id = EventId{kShellOrigin, counter};
  ev.shell = "zsh";
  return ev;
}

Event Fin(uint64_t counter, int t, EventId start, int32_t exit, int64_t dur) {
  Event ev;
  ev.kind = EventKind::kFinished;
  ev.id = EventId{kShellOrigin, counter};
  ev.time_ns = T(t);
  ev.session = "s";
  ev.host = "h";
  ev.start = start;
  ev.exit_code = exit;
  ev.duration_ns = dur;
  return ev;
}

EventId ShellId(uint64_t counter) { return EventId{kShellOrigin, counter}; }

// ------------------------------------------------------------ model

// The history a correct store must show for `all` (events in seq order).
std::vector<HistoryRecord> Model(const std::vector<Event>& all) {
  std::map<uint64_t, HistoryRecord> recs;
  std::map<EventId, uint64_t> starts;
  for (const Event& ev : all) {
    if (ev.kind == EventKind::kFinished) {
      auto it = starts.find(ev.start);
      if (it == starts.end()) continue;
      HistoryRecord& r = recs[it->second];
      r.exit_code = ev.exit_code;
      r.duration_ns = ev.duration_ns;
      r.running = false;
      continue;
    }
    HistoryRecord r;
    r.id = ev.id;
    r.seq = ev.seq;
    r.command = ev.command;
    r.cwd = ev.cwd;
    r.started_at_ns = ev.time_ns;
    r.session = ev.session;
    r.host = ev.host;
    r.user = ev.user;
    r.shell = ev.shell;
    r.truncated = ev.truncated;
    if (ev.kind == EventKind::kRecorded) {
      r.exit_code = ev.exit_code;
      r.duration_ns = ev.duration_ns;
    } else {
      r.running = true;
      starts[ev.id] = ev.seq;
    }
    recs[ev.seq] = r;
  }
  std::vector<HistoryRecord> out;
  for (auto& [seq, r] : recs) out.push_back(r);
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return s;
}

// A brute-force QueryHistory: filter everything, sort newest first, limit.
std::vector<HistoryRecord> BruteForce(const std::vector<HistoryRecord>& all, const HistoryFilter& f) {
  std::vector<HistoryRecord> out;
  for (const HistoryRecord& r : all) {
    if (f.cwd && r.cwd != *f.cwd) continue;
    if (f.session && r.session != *f.session) continue;
    if (f.host && r.host != *f.host) continue;
    if (f.exit_code && !(r.exit_code && *r.exit_code == *f.exit_code)) continue;
    if (f.failed && !(r.exit_code && *r.exit_code != 0)) continue;
    if (f.succeeded && !(r.exit_code && *r.exit_code == 0)) continue;
    if (f.since_ns && r.started_at_ns < *f.since_ns) continue;
    if (f.until_ns && r.started_at_ns > *f.until_ns) continue;
    if (f.text && Lower(r.command).find(Lower(*f.text)) == std::string::npos) continue;
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const HistoryRecord& a, const HistoryRecord& b) {
    return std::pair(a.started_at_ns, a.seq) > std::pair(b.started_at_ns, b.seq);
  });
  if (f.limit != 0 && out.size() > f.limit) out.resize(f.limit);
  return out;
}

Status Query(StoreReader& reader, const HistoryFilter& f, std::vector<HistoryRecord>* out) {
  out->clear();
  return QueryHistory(reader, f, [&](const HistoryRecord& r) {
    out->push_back(r);
    return true;
  });
}

std::vector<uint64_t> SeqsOf(const std::vector<HistoryRecord>& recs) {
  std::vector<uint64_t> s;
  for (const auto& r : recs) s.push_back(r.seq);
  return s;
}

std::string Describe(const HistoryFilter& f) {
  std::string d;
  if (f.limit) d += " limit=" + std::to_string(f.limit);
  if (f.cwd) d += " cwd=" + *f.cwd;
  if (f.session) d += " session=" + *f.session;
  if (f.host) d += " host=" + *f.host;
  if (f.exit_code) d += " exit=" + std::to_string(*f.exit_code);
  if (f.failed) d += " failed";
  if (f.succeeded) d += " succeeded";
  if (f.since_ns) d += " since=" + std::to_string((*f.since_ns - kT0) / kSec);
  if (f.until_ns) d += " until=" + std::to_string((*f.until_ns - kT0) / kSec);
  if (f.text) d += " text='" + *f.text + "'";
  return d;
}

// Counts the cursors a query opens per view (which route it took).
class CountingReader final : public StoreReader {
 public:
  explicit CountingReader(StoreReader& inner) : inner_(inner) {}
  Status GetEvent(uint64_t seq, Event* out) override { return inner_.GetEvent(seq, out); }
  std::unique_ptr<KvCursor> NewViewCursor(std::string_view view) override {
    ++cursors[std::string(view)];
    return inner_.NewViewCursor(view);
  }
  Status GetViewValue(std::string_view view, std::string_view key, std::string* out) override {
    return inner_.GetViewValue(view, key, out);
  }
  std::map<std::string, int> cursors;

 private:
  StoreReader& inner_;
};

// Collects what a scan reported.
class ListReporter final : public CorruptionReporter {
 public:
  void Corrupt(uint64_t seq, const Status& why) override { reports.emplace_back(seq, why); }
  std::vector<std::pair<uint64_t, Status>> reports;
};

// ------------------------------------------------------------ fixture

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.Sub("store"); }

  void Open(Access access = Access::kReadWrite) {
    store_.reset();
    Status s = OpenStore(dir_, access, &store_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Close() { store_.reset(); }

  // Appends one batch; remembers the events (with their seq and id).
  void Append(std::vector<Event> batch, const std::vector<std::string>& labels = {}) {
    uint64_t head = store_->head();
    Status s = store_->Append(batch, false);
    ASSERT_TRUE(s.ok()) << s.ToString();
    for (size_t i = 0; i < batch.size(); ++i) {
      ASSERT_EQ(batch[i].seq, head + 1 + i);
      if (i < labels.size() && !labels[i].empty()) seq_of_[labels[i]] = batch[i].seq;
      all_.push_back(batch[i]);
    }
    ASSERT_EQ(store_->head(), head + batch.size());
  }

  // The crafted ~30-command history (see the table in each call).
  void BuildHistory() {
    Open();
    //      t    command                cwd          session host exit dur
    Append({Rec(10, "git status", "/home/u", "s1", "h1", 0, 5'000'000),
            Rec(20, "make", "/srv/app", "s1", "h1", 2, kSec),
            Rec(30, "ls -la", "/tmp", "s2", "h2", 0, 1'000'000),
            Rec(40, "GIT Push origin", "/srv/app", "s2", "h1", 1, 2 * kSec),
            Rec(50, "echo h\xc3\xa9llo", "/home/u", "s3", "h2", std::nullopt)},
           {"r1", "r2", "r3", "r4", "r5"});
    // Starts finished in the same batch.
    Append({Start(6, 60, "cargo build", "/srv/app", "s1", "h1"), Fin(7, 63, ShellId(6), 101, 3 * kSec),
            Start(8, 70, "git status", "/srv/app", "s2", "h2"), Fin(9, 70, ShellId(8), 0, 10'000'000)},
           {"st6", "f6", "st7", "f7"});
    // A command left running, and one finished in a later batch.
    Append({Start(10, 80, "sleep 100", "/tmp", "s3", "h1"), Start(11, 90, "make test", "/srv/app", "s1", "h1")},
           {"st8", "st9"});
    Append({Fin(12, 92, ShellId(11), 0, 2 * kSec),
            Fin(13, 95, EventId{12345, 1}, 3, kSec),  // start never seen: ignored
            Rec(100, "git log", "/home/u", "s1", "h1", 0), Rec(100, "git diff", "/home/u", "s2", "h1", 0),
            Rec(100, "Git Stash", "/tmp", "s2", "h2", 1)},
           {"f9", "fX", "r10", "r11", "r12"});
    Append({Rec(110, "vim README.md", "/home/u", "s1", "h1", 0),
            Rec(120, "grep -r TODO .", "/srv/app", "s3", "h2", 1),
            Rec(130, "make", "/srv/app", "s1", "h1", 0),
            Rec(140, "docker ps", "/home/u", "s3", "h2", 0),
            Rec(150, "git status", "/home/u", "s1", "h1", 0),
            Rec(160, "python3 -c 'print(1)'", "/tmp", "s2", "h1", 0),
            Rec(170, "make", "/srv/app", "s2", "h2", 2),
            Rec(180, "cat /etc/hosts", "/tmp", "s3", "h1", 0),
            Rec(190, "git checkout -b feature", "/srv/app", "s1", "h1", 128),
            Rec(200, "ls", "/home/u", "s1", "h2", 0),
            Rec(5, "history", "/home/u", "s3", "h2", 0),  // old time, new seq
            Rec(210, "echo $PATH", "/home/u", "s2", "h1", 0),
            Start(25, 220, "npm install", "/srv/app", "s3", "h1"),
            Rec(230, "printf 'a\0b'"s, "/tmp", "s1", "h1", 0)},
           {"r13", "r14", "r15", "r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23", "r24", "st25", "r26"});
    Append({Fin(26, 250, ShellId(25), 1, 30 * kSec), Rec(240, "GIT STATUS", "/home/u", "s2", "h2", 0),
            Rec(250, "make clean", "/srv/app", "s1", "h1", 0),
            Rec(90, "make test", "/srv/app", "s2", "h2", 1),  // same time as st9
            Rec(260, "tb search git", "/home/u", "s1", "h1", 0)},
           {"f25", "r27", "r28", "r29", "r30"});
    ASSERT_EQ(store_->head(), 35u);
    ASSERT_EQ(Model(all_).size(), 30u);
  }

  std::vector<uint64_t> Labels(const std::vector<std::string>& labels) {
    std::vector<uint64_t> out;
    for (const auto& l : labels) {
      EXPECT_TRUE(seq_of_.count(l)) << l;
      out.push_back(seq_of_[l]);
    }
    return out;
  }

  std::vector<uint64_t> QuerySeqs(const HistoryFilter& f) {
    std::vector<HistoryRecord> got;
    Status s = Query(store_->reader(), f, &got);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return SeqsOf(got);
  }

  // Every filter the tests below check, for before/after comparisons.
  std::vector<HistoryFilter> SomeFilters() {
    std::vector<HistoryFilter> fs;
    fs.emplace_back();
    HistoryFilter f;
    f.cwd = "/tmp";
    fs.push_back(f);
    f = {};
    f.session = "s3";
    fs.push_back(f);
    f = {};
    f.text = "git";
    fs.push_back(f);
    f = {};
    f.text = "make t";
    fs.push_back(f);
    f = {};
    f.failed = true;
    f.limit = 4;
    fs.push_back(f);
    f = {};
    f.since_ns = T(100);
    f.until_ns = T(150);
    fs.push_back(f);
    return fs;
  }

  std::vector<std::vector<HistoryRecord>> RunAll(const std::vector<HistoryFilter>& fs) {
    std::vector<std::vector<HistoryRecord>> out;
    for (const auto& f : fs) {
      std::vector<HistoryRecord> got;
      Status s = Query(store_->reader(), f, &got);
      EXPECT_TRUE(s.ok()) << Describe(f) << ": " << s.ToString();
      out.push_back(got);
    }
    return out;
  }

  void ExpectMatchesModel(const HistoryFilter& f) {
    std::vector<HistoryRecord> got;
    Status s = Query(store_->reader(), f, &got);
    ASSERT_TRUE(s.ok()) << Describe(f) << ": " << s.ToString();
    std::vector<HistoryRecord> want = BruteForce(Model(all_), f);
    ASSERT_EQ(SeqsOf(got), SeqsOf(want)) << Describe(f);
    EXPECT_EQ(got, want) << Describe(f);
  }

  TempDir tmp_;
  std::string dir_;
  std::unique_ptr<Store> store_;
  std::vector<Event> all_;
  std::map<std::string, uint64_t> seq_of_;
};

// ------------------------------------------------------------ append

TEST_F(StoreTest, AppendAssignsSeqAndIds) {
  Open();
  EXPECT_EQ(store_->head(), 0u);
  EXPECT_NE(store_->origin(), 0u);
  std::vector<Event> batch = {Rec(1, "a", "/", "s", "h", 0), Rec(2, "b", "/", "s", "h", 0),
                              Start(77, 3, "c", "/", "s", "h")};
  ASSERT_TRUE(store_->Append(batch, true).ok());
  EXPECT_EQ(batch[0].seq, 1u);
  EXPECT_EQ(batch[1].seq, 2u);
  EXPECT_EQ(batch[2].seq, 3u);
  EXPECT_EQ(batch[0].id, (EventId{store_->origin(), 1}));
  EXPECT_EQ(batch[1].id, (EventId{store_->origin(), 2}));
  EXPECT_EQ(batch[2].id, ShellId(77)) << "an explicit id is kept";
  std::vector<Event> more = {Rec(4, "d", "/", "s", "h", 0)};
  ASSERT_TRUE(store_->Append(more, false).ok());
  EXPECT_EQ(more[0].seq, 4u);
  EXPECT_EQ(more[0].id, (EventId{store_->origin(), 4}));
  std::vector<Event> none;
  ASSERT_TRUE(store_->Append(none, false).ok());
  EXPECT_EQ(store_->head(), 4u);

  // The log holds exactly what was appended, seq in the envelope.
  std::vector<Event> scanned;
  ASSERT_TRUE(store_->ScanLog(0, UINT64_MAX, true, nullptr, [&](const Event& ev, std::string_view raw) {
    Event again;
    EXPECT_TRUE(DecodeEvent(raw, &again).ok());
    EXPECT_EQ(again, ev);
    scanned.push_back(ev);
    return true;
  }).ok());
  ASSERT_EQ(scanned.size(), 4u);
  EXPECT_EQ(scanned[0], batch[0]);
  EXPECT_EQ(scanned[2].kind, EventKind::kStarted);
  EXPECT_EQ(scanned[3], more[0]);
  Event ev;
  ASSERT_TRUE(store_->reader().GetEvent(2, &ev).ok());
  EXPECT_EQ(ev, batch[1]);
  EXPECT_TRUE(store_->reader().GetEvent(5, &ev).IsNotFound());
  EXPECT_TRUE(store_->reader().GetEvent(0, &ev).IsNotFound());
}

// ------------------------------------------------------------ queries

TEST_F(StoreTest, HistoryNewestFirstWithJoinedFinishes) {
  BuildHistory();
  std::vector<HistoryRecord> got;
  ASSERT_TRUE(Query(store_->reader(), {}, &got).ok());
  EXPECT_EQ(SeqsOf(got),
            Labels({"r30", "r28", "r27", "r26", "st25", "r24", "r22", "r21", "r20", "r19", "r18", "r17",
                    "r16", "r15", "r14", "r13", "r12", "r11", "r10", "r29", "st9", "st8", "st7", "st6", "r5",
                    "r4", "r3", "r2", "r1", "r23"}));
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
  EXPECT_EQ(QuerySeqs(f), Labels({"r30", "r28", "r27", "r26", "r24", "r22", "r20", "r18", "r17", "r16", "r15",
                                  "r13", "r11", "r10", "st9", "st7", "r3", "r1", "r23"}));
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
  ASSERT_TRUE(s.ok());
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
    ASSERT_TRUE(Query(reader, f, &got).ok());
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
    ASSERT_TRUE(Query(reader, f, &got).ok());
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

  std::vector<std::string> needles = {"hot1", "HOT", "rare3", "rare", "tool1", "tool12", "tool123 arg",
                                      " run", "arg", "o", "zzz"};
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
    ASSERT_TRUE(s.ok()) << Describe(f) << ": " << s.ToString();
    std::vector<HistoryRecord> want = BruteForce(model, f);
    ASSERT_EQ(SeqsOf(got), SeqsOf(want)) << Describe(f);
    ASSERT_EQ(got, want) << Describe(f);
    if (reader.cursors["by_command"] > 0) ++merge_routes;
    if (reader.cursors["history"] > 0 && f.text && !f.cwd && !f.session) ++walk_routes;
  }
  EXPECT_GT(merge_routes, 20);
  EXPECT_GT(walk_routes, 20);
}

// ------------------------------------------------------------ rebuild / verify

TEST_F(StoreTest, RebuildLeavesQueriesIdentical) {
  BuildHistory();
  auto filters = SomeFilters();
  auto before = RunAll(filters);
  std::vector<ViewDiff> diffs;
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  EXPECT_TRUE(diffs.empty());
  ASSERT_TRUE(store_->Rebuild("").ok());
  EXPECT_EQ(RunAll(filters), before);
  ASSERT_TRUE(store_->Rebuild("history").ok());
  EXPECT_EQ(RunAll(filters), before);
  ASSERT_TRUE(store_->Rebuild("commands").ok());
  EXPECT_EQ(RunAll(filters), before);
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  EXPECT_TRUE(diffs.empty());
  std::vector<ViewInfo> views;
  ASSERT_TRUE(store_->Views(&views).ok());
  for (const auto& v : views) EXPECT_EQ(v.applied_seq, 35u) << v.name;
  Status s = store_->Rebuild("nope");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("history"), std::string::npos) << "lists the known views: " << s.message();
  // Still usable after all that, and after a reopen.
  Append({Rec(300, "after rebuild", "/", "s1", "h1", 0)});
  Close();
  Open();
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  EXPECT_TRUE(diffs.empty());
  for (const auto& f : filters) ExpectMatchesModel(f);
}

TEST_F(StoreTest, VerifyViewsNamesADamagedHistoryView) {
  BuildHistory();
  std::vector<ViewDiff> diffs;
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  ASSERT_TRUE(diffs.empty());
  Close();
  std::string victim;
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    auto entries = raw.Scan("view_history");
    ASSERT_EQ(entries.size(), 30u);
    victim = entries[7].first;
    ASSERT_TRUE(raw.Delete("view_history", victim).ok());
  }
  Open();
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].view, "history");
  EXPECT_EQ(diffs[0].missing, 1u);
  EXPECT_EQ(diffs[0].extra, 0u);
  EXPECT_EQ(diffs[0].different, 0u);
  EXPECT_EQ(diffs[0].first_key_hex, HexOf(victim));
  // A rebuild repairs it.
  ASSERT_TRUE(store_->Rebuild("history").ok());
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  EXPECT_TRUE(diffs.empty());
}

TEST_F(StoreTest, VerifyViewsNamesAnAlteredValueOrExtraKey) {
  BuildHistory();
  Close();
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
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
  }
  Open();
  std::vector<ViewDiff> diffs;
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0].view, "history");
  EXPECT_EQ(diffs[0].different, 1u);
  EXPECT_EQ(diffs[0].missing + diffs[0].extra, 0u);
  EXPECT_EQ(diffs[1].view, "commands");
  EXPECT_EQ(diffs[1].different, 1u);
  EXPECT_EQ(diffs[1].missing + diffs[1].extra, 0u);
  EXPECT_EQ(diffs[1].first_key_hex, HexOf("make"));
  ASSERT_TRUE(store_->Rebuild("").ok());
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  EXPECT_TRUE(diffs.empty());
}

TEST_F(StoreTest, CommandsViewCountsUsesAndFailures) {
  BuildHistory();
  auto stats = [&](const std::string& cmd) {
    std::string v;
    Status s = store_->reader().GetViewValue("commands", cmd, &v);
    EXPECT_TRUE(s.ok()) << cmd << ": " << s.ToString();
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

TEST_F(StoreTest, VerifyLogOnAHealthyStore) {
  BuildHistory();
  LogVerifyReport r;
  ASSERT_TRUE(store_->VerifyLog(&r).ok());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.events, 35u);
  EXPECT_EQ(r.first_seq, 1u);
  EXPECT_EQ(r.last_seq, 35u);
  EXPECT_TRUE(r.problems.empty());
}

TEST_F(StoreTest, VerifyLogDetectsAGap) {
  BuildHistory();
  Close();
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok());
    ASSERT_TRUE(raw.Delete("log", SeqKey(5)).ok());
  }
  Open();
  LogVerifyReport r;
  ASSERT_TRUE(store_->VerifyLog(&r).ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.gaps, 1u);
  EXPECT_EQ(r.events, 34u);
  EXPECT_EQ(r.bad_payloads, 0u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("5..5"), std::string::npos) << r.problems[0];
}

TEST_F(StoreTest, VerifyLogDetectsMissingEnds) {
  BuildHistory();
  Close();
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok());
    ASSERT_TRUE(raw.Delete("log", SeqKey(1)).ok());
    ASSERT_TRUE(raw.Delete("log", SeqKey(35)).ok());
  }
  Open();
  LogVerifyReport r;
  ASSERT_TRUE(store_->VerifyLog(&r).ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.gaps, 2u);
  EXPECT_EQ(r.first_seq, 2u);
  EXPECT_EQ(r.last_seq, 34u);
}

TEST_F(StoreTest, VerifyLogAndScanDetectABadPayload) {
  BuildHistory();
  Close();
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok());
    ASSERT_TRUE(raw.Put("log", SeqKey(6), "garbage, not an event").ok());
  }
  Open();
  LogVerifyReport r;
  ASSERT_TRUE(store_->VerifyLog(&r).ok());
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
  ASSERT_TRUE(store_->ScanLog(1, 35, false, &lenient, visit).ok());
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
  ASSERT_TRUE(store_->ScanLog(8, 10, true, nullptr, visit).ok());
  EXPECT_EQ(visited, (std::vector<uint64_t>{8, 9, 10}));
  visited.clear();
  ASSERT_TRUE(store_->ScanLog(3, 35, true, nullptr, [&](const Event& ev, std::string_view) {
    visited.push_back(ev.seq);
    return ev.seq < 4;
  }).ok());
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
  ASSERT_TRUE(Query(store_->reader(), f, &got).ok());
  EXPECT_EQ(SeqsOf(got), Labels({"r26", "r20", "r18", "r12", "st8", "r3"}));
}

TEST_F(StoreTest, VerifyLogDetectsAnEnvelopeSeqMismatch) {
  BuildHistory();
  Close();
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok());
    std::string v;
    ASSERT_TRUE(raw.Get("log", SeqKey(9), &v).ok());
    ASSERT_TRUE(raw.Put("log", SeqKey(8), v).ok());  // a valid event under the wrong key
  }
  Open();
  LogVerifyReport r;
  ASSERT_TRUE(store_->VerifyLog(&r).ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.seq_mismatches, 1u);
  EXPECT_EQ(r.bad_payloads, 0u) << "the payload itself is intact";
  ListReporter rep;
  ASSERT_TRUE(store_->ScanLog(1, 35, false, &rep, [](const Event&, std::string_view) { return true; }).ok());
  ASSERT_EQ(rep.reports.size(), 1u);
  EXPECT_EQ(rep.reports[0].first, 8u);
  EXPECT_NE(rep.reports[0].second.message().find("envelope seq 9"), std::string::npos)
      << rep.reports[0].second.message();
}

TEST_F(StoreTest, VerifyLogDetectsADuplicateId) {
  Open();
  Event a = Rec(1, "a", "/", "s", "h", 0);
  a.id = EventId{5, 5};
  Event b = Rec(2, "b", "/", "s", "h", 0);
  b.id = EventId{5, 5};
  Append({Rec(0, "first", "/", "s", "h", 0), a});
  Append({b});
  LogVerifyReport r;
  ASSERT_TRUE(store_->VerifyLog(&r).ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.duplicate_ids, 1u);
  EXPECT_EQ(r.gaps, 0u);
  EXPECT_EQ(r.bad_payloads, 0u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find(EventId{5, 5}.ToString()), std::string::npos) << r.problems[0];
}

TEST_F(StoreTest, MalformedViewKeyIsReportedNotSkipped) {
  BuildHistory();
  Close();
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok());
    // Sorts before every real key, so a newest-first walk meets it last.
    ASSERT_TRUE(raw.Put("view_history", "\x01\x02\x03"s, "\x00"s).ok());
    ASSERT_TRUE(raw.Put("view_by_cwd", FieldIndexPrefix("/tmp") + "xx", ""s).ok());
  }
  Open();
  std::vector<HistoryRecord> got;
  Status s = Query(store_->reader(), {}, &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString() << " after " << got.size() << " records";
  HistoryFilter f;
  f.cwd = "/tmp";
  s = Query(store_->reader(), f, &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString() << " after " << got.size() << " records";
}

// ------------------------------------------------------------ open / reopen

TEST_F(StoreTest, ChangedViewVersionIsRebuiltOnOpen) {
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
  ASSERT_TRUE(Store::Open(o, &store_).ok());
  EXPECT_EQ(progress, (std::map<std::string, uint64_t>{{"history", 35}}));
  std::vector<ViewInfo> views;
  ASSERT_TRUE(store_->Views(&views).ok());
  for (const auto& v : views) {
    EXPECT_EQ(v.stored_version, v.code_version) << v.name;
    EXPECT_EQ(v.applied_seq, 35u) << v.name;
  }
  EXPECT_EQ(RunAll(filters), before);
  std::vector<ViewDiff> diffs;
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  EXPECT_TRUE(diffs.empty());
}

// An ids view interrupted behind another view that starts over: both replay
// together, so every finish still finds its start.
TEST_F(StoreTest, IdsBehindAnotherViewStillJoinsFinishes) {
  BuildHistory();
  Close();
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok());
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
  }
  Open();
  std::vector<ViewDiff> diffs;
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  for (const auto& d : diffs) {
    ADD_FAILURE() << d.view << " differs: " << d.missing << " missing, " << d.extra << " extra, "
                  << d.different << " different";
  }
}

TEST_F(StoreTest, MissingViewMetaRebuildsThatViewWithoutDoubleCounting) {
  BuildHistory();
  Close();
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok());
    ASSERT_TRUE(raw.Delete("meta", "view/commands").ok());
  }
  Open();
  std::string v;
  ASSERT_TRUE(store_->reader().GetViewValue("commands", "make", &v).ok());
  CommandStats st;
  ASSERT_TRUE(DecodeCommandStats(v, &st));
  EXPECT_EQ(st.uses, 3u);
  std::vector<ViewDiff> diffs;
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  EXPECT_TRUE(diffs.empty());
}

TEST_F(StoreTest, ReopenPreservesHeadAndData) {
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

TEST_F(StoreTest, InfoAndViewsCounts) {
  BuildHistory();
  StoreInfo info;
  ASSERT_TRUE(store_->Info(&info).ok());
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
  ASSERT_TRUE(store_->Views(&views).ok());
  std::map<std::string, uint64_t> entries;
  for (const auto& v : views) {
    entries[v.name] = v.entries;
    EXPECT_EQ(v.code_version, v.stored_version) << v.name;
    EXPECT_EQ(v.applied_seq, 35u) << v.name;
  }
  EXPECT_EQ(entries, (std::map<std::string, uint64_t>{{"ids", 35},
                                                      {"history", 30},
                                                      {"by_cwd", 30},
                                                      {"by_session", 30},
                                                      {"by_command", 30},
                                                      {"commands", 25},
                                                      {"batches", 0}}));
  ASSERT_EQ(views.size(), 7u);
  EXPECT_EQ(views[0].name, "ids");
  EXPECT_EQ(views[5].name, "commands");

  Close();
  Open(Access::kReadOnly);
  ASSERT_TRUE(store_->Info(&info).ok());
  EXPECT_TRUE(info.read_only);
  EXPECT_EQ(info.head, 35u);
  EXPECT_EQ(info.lock_holder, "") << "nobody holds the lock";
}

TEST_F(StoreTest, EmptyStore) {
  Open();
  std::vector<HistoryRecord> got;
  ASSERT_TRUE(Query(store_->reader(), {}, &got).ok());
  EXPECT_TRUE(got.empty());
  HistoryFilter f;
  f.text = "x";
  ASSERT_TRUE(Query(store_->reader(), f, &got).ok());
  EXPECT_TRUE(got.empty());
  LogVerifyReport r;
  ASSERT_TRUE(store_->VerifyLog(&r).ok());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.events, 0u);
  std::vector<ViewDiff> diffs;
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  EXPECT_TRUE(diffs.empty());
  StoreInfo info;
  ASSERT_TRUE(store_->Info(&info).ok());
  EXPECT_EQ(info.events, 0u);
}

// ------------------------------------------------------------ access

TEST_F(StoreTest, ReadOnlyOpenOfAMissingStoreIsNotFound) {
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

TEST_F(StoreTest, ReadOnlyStoreRejectsWrites) {
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
  ASSERT_TRUE(store_->VerifyLog(&r).ok());
  EXPECT_TRUE(r.ok());
  Close();
  Open();
  EXPECT_EQ(store_->head(), 35u) << "nothing was written";
}

TEST_F(StoreTest, CompactAllKeepsEverything) {
  BuildHistory();
  auto filters = SomeFilters();
  auto before = RunAll(filters);
  ASSERT_TRUE(store_->CompactAll().ok());
  EXPECT_EQ(RunAll(filters), before);
  std::vector<ViewDiff> diffs;
  ASSERT_TRUE(store_->VerifyViews(&diffs).ok());
  EXPECT_TRUE(diffs.empty());
}

}  // namespace
}  // namespace tb
