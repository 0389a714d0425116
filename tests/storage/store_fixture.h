// Shared fixture of the store tests: a hand-built history model, reader
// and reporter helpers, and StoreTest. Included by store_*_test.cc only
// (everything has internal linkage).
#pragma once

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
#include "tests/status_assert.h"
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

Event Rec(int t, std::string cmd, std::string cwd, std::string session, std::string host, std::optional<int32_t> exit,
          std::optional<int64_t> dur = std::nullopt) {
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
Event Start(uint64_t counter, int t, std::string cmd, std::string cwd, std::string session, std::string host) {
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
    ASSERT_OK(s) << s.ToString();
  }
  void Close() { store_.reset(); }

  // Appends one batch; remembers the events (with their seq and id).
  void Append(std::vector<Event> batch, const std::vector<std::string>& labels = {}) {
    uint64_t head = store_->head();
    Status s = store_->Append(batch, false);
    ASSERT_OK(s) << s.ToString();
    for (size_t i = 0; i < batch.size(); ++i) {
      ASSERT_EQ(batch[i].seq, head + 1 + i);
      if (i < labels.size() && !labels[i].empty()) seq_of_[labels[i]] = batch[i].seq;
      all_.push_back(batch[i]);
    }
    ASSERT_EQ(store_->head(), head + batch.size());
  }

  // A new store in `dir` holding the same events as this one (so the same
  // head seq and texts) under its own identity and ids.
  std::unique_ptr<Store> SameEventsInAnotherStore(const std::string& dir) {
    std::unique_ptr<Store> other;
    Status s = OpenStore(dir, Access::kReadWrite, &other);
    EXPECT_OK(s) << s.ToString();
    if (!s.ok()) return nullptr;
    std::vector<Event> evs;
    for (const Event& e : all_) {
      Event x = e;
      x.seq = 0;
      if (x.kind == EventKind::kRecorded) x.id = {};
      evs.push_back(x);
    }
    s = other->Append(evs, false);
    EXPECT_OK(s) << s.ToString();
    return other;
  }

  // The crafted ~30-command history (see the table in each call).
  void BuildHistory() {
    Open();
    //      t    command                cwd          session host exit dur
    Append({Rec(10, "git status", "/home/u", "s1", "h1", 0, 5'000'000),
            Rec(20, "make", "/srv/app", "s1", "h1", 2, kSec), Rec(30, "ls -la", "/tmp", "s2", "h2", 0, 1'000'000),
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
    Append(
        {Fin(12, 92, ShellId(11), 0, 2 * kSec), Fin(13, 95, EventId{12345, 1}, 3, kSec),  // start never seen: ignored
         Rec(100, "git log", "/home/u", "s1", "h1", 0), Rec(100, "git diff", "/home/u", "s2", "h1", 0),
         Rec(100, "Git Stash", "/tmp", "s2", "h2", 1)},
        {"f9", "fX", "r10", "r11", "r12"});
    Append({Rec(110, "vim README.md", "/home/u", "s1", "h1", 0), Rec(120, "grep -r TODO .", "/srv/app", "s3", "h2", 1),
            Rec(130, "make", "/srv/app", "s1", "h1", 0), Rec(140, "docker ps", "/home/u", "s3", "h2", 0),
            Rec(150, "git status", "/home/u", "s1", "h1", 0), Rec(160, "python3 -c 'print(1)'", "/tmp", "s2", "h1", 0),
            Rec(170, "make", "/srv/app", "s2", "h2", 2), Rec(180, "cat /etc/hosts", "/tmp", "s3", "h1", 0),
            Rec(190, "git checkout -b feature", "/srv/app", "s1", "h1", 128), Rec(200, "ls", "/home/u", "s1", "h2", 0),
            Rec(5, "history", "/home/u", "s3", "h2", 0),  // old time, new seq
            Rec(210, "echo $PATH", "/home/u", "s2", "h1", 0), Start(25, 220, "npm install", "/srv/app", "s3", "h1"),
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
    EXPECT_OK(s) << s.ToString();
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
      EXPECT_OK(s) << Describe(f) << ": " << s.ToString();
      out.push_back(got);
    }
    return out;
  }

  void ExpectMatchesModel(const HistoryFilter& f) {
    std::vector<HistoryRecord> got;
    Status s = Query(store_->reader(), f, &got);
    ASSERT_OK(s) << Describe(f) << ": " << s.ToString();
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

}  // namespace
}  // namespace tb
