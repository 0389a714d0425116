// The analytics views (`sequences`, `fixes`) through the Store: learned
// from hook-style start/finish pairs and complete records, identical
// whatever the batch boundaries (append one by one, in one batch, replay),
// and exact after a removal (docs/architecture.md, "Session context").
#include "core/analytics/fixes.h"
#include "core/analytics/patterns.h"
#include "tests/status_assert.h"
#include "tests/storage/store_fixture.h"

namespace tb {
namespace {

// Its own suite name: StoreTest is defined in every store_*_test.cc.
class BrainStoreTest : public StoreTest {};

std::vector<Event> HookHistory() {
  return {
      Start(1, 0, "make", "/p", "s", "h"),        Fin(101, 1, ShellId(1), 2, kSec),
      Start(2, 10, "make clean", "/p", "s", "h"), Fin(102, 11, ShellId(2), 0, kSec),
      Start(3, 20, "make", "/p", "s", "h"),       Fin(103, 21, ShellId(3), 0, kSec),
      Start(4, 30, "git psuh", "/p", "s", "h"),   Fin(104, 31, ShellId(4), 1, kSec),
      Start(5, 40, "git push", "/p", "s", "h"),   Fin(105, 41, ShellId(5), 0, kSec),
      Rec(50, "ls -la /tmp", "/p", "s", "h", 0),  Rec(60, "make", "/q", "other", "h", 0),
  };
}

// Every key and value of `view`.
std::map<std::string, std::string> Dump(Store& s, std::string_view view) {
  std::map<std::string, std::string> m;
  auto c = s.reader().NewViewCursor(view);
  for (c->SeekToFirst(); c->Valid(); c->Next()) m[std::string(c->key())] = std::string(c->value());
  EXPECT_OK(c->status());
  return m;
}

std::vector<std::string> Fixes(Store& s) {
  std::vector<FixEntry> fixes;
  EXPECT_OK(ListFixes(s.reader(), FixQuery{}, &fixes));
  std::vector<std::string> out;
  for (const auto& f : fixes) out.push_back(f.failed + " -> " + f.fix + " x" + std::to_string(f.count));
  return out;
}

std::vector<std::string> Patterns(Store& s) {
  std::vector<Pattern> ps;
  PatternQuery q;
  q.min_support = 1;
  q.limit = 0;
  auto src = ViewCounters(s.reader());
  EXPECT_OK(ListPatterns(*src, q, &ps));
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(std::to_string(p.support) + " " + JoinPattern(p.templates));
  return out;
}

void ExpectVerified(Store& s) {
  std::vector<ViewDiff> diffs;
  ASSERT_OK(s.VerifyViews(&diffs));
  for (const auto& d : diffs) ADD_FAILURE() << "view " << d.view << " differs at " << d.first_key_hex;
}

TEST_F(BrainStoreTest, LearnsFixesAndPatternsFromHookPairs) {
  Open();
  for (const Event& ev : HookHistory()) Append({ev});
  EXPECT_EQ(Fixes(*store_), (std::vector<std::string>{"git psuh -> git push x1", "make -> make clean x1"}));
  // Ties: longer first, then the templates bytewise.
  EXPECT_EQ(Patterns(*store_),
            (std::vector<std::string>{
                "1 make -> git psuh -> git push -> ls -la <path>", "1 make -> make clean -> make -> git psuh",
                "1 make clean -> make -> git psuh -> git push", "1 git psuh -> git push -> ls -la <path>",
                "1 make -> git psuh -> git push", "1 make -> make clean -> make", "1 make clean -> make -> git psuh",
                "1 git psuh -> git push", "1 git push -> ls -la <path>", "1 make clean -> make", "1 make -> git psuh",
                "1 make -> make clean"}));
  ExpectVerified(*store_);
}

// Appends `all` in batches of `batch` events into a fresh store; returns
// the sequences and fixes views, before and after a full rebuild.
void BuildInBatches(const std::vector<Event>& all, size_t batch, std::map<std::string, std::string>* seqs,
                    std::map<std::string, std::string>* fixes) {
  TempDir tmp;
  std::unique_ptr<Store> s;
  ASSERT_OK(OpenStore(tmp.Sub("s"), Access::kReadWrite, &s));
  for (size_t i = 0; i < all.size(); i += batch) {
    std::vector<Event> part(all.begin() + i, all.begin() + std::min(all.size(), i + batch));
    ASSERT_OK(s->Append(part, false));
  }
  *seqs = Dump(*s, "sequences");
  *fixes = Dump(*s, "fixes");
  ASSERT_OK(s->Rebuild(""));
  EXPECT_EQ(Dump(*s, "sequences"), *seqs) << "rebuilt, batch " << batch;
  EXPECT_EQ(Dump(*s, "fixes"), *fixes) << "rebuilt, batch " << batch;
}

TEST_F(BrainStoreTest, ViewsAreTheSameWhateverTheBatches) {
  std::vector<Event> all = HookHistory();
  // Also: a record of the session arriving late with an earlier start
  // time, a command still running, and a finish after later commands.
  all.push_back(Rec(15, "vim x.c", "/p", "s", "h", 0));
  all.push_back(Start(6, 70, "sleep 100", "/p", "s", "h"));
  all.push_back(Start(7, 80, "make", "/p", "s", "h"));
  all.push_back(Rec(90, "ls", "/p", "s", "h", 0));
  all.push_back(Fin(107, 95, ShellId(7), 2, kSec));
  all.push_back(Rec(100, "make", "/p", "s", "h", 0));
  for (size_t n : {HookHistory().size(), all.size()}) {
    std::vector<Event> events(all.begin(), all.begin() + n);
    std::map<std::string, std::string> seq_ref, fix_ref;
    BuildInBatches(events, events.size(), &seq_ref, &fix_ref);
    // 8 completions: 6 directory keys, 5 unigram buckets and 4 "followed"
    // buckets (one per template here), 4 keys of templates followed by
    // another (holding the 5 bigrams), 4 keys of pairs followed by another
    // (holding the 4 trigrams and 3 4-grams), and 2 outcome keys (the
    // failures of `git psuh` and `make`, each with its fix).
    if (n == HookHistory().size()) {
      EXPECT_EQ(seq_ref.size(), 25u);
    }
    for (size_t batch : {size_t{1}, size_t{2}, size_t{3}, size_t{5}}) {
      std::map<std::string, std::string> seqs, fixes;
      BuildInBatches(events, batch, &seqs, &fixes);
      EXPECT_EQ(seqs, seq_ref) << n << " events, batch " << batch;
      EXPECT_EQ(fixes, fix_ref) << n << " events, batch " << batch;
    }
  }
}

TEST_F(BrainStoreTest, ForgetRecomputesTheSession) {
  Open();
  std::vector<Event> all = HookHistory();
  for (const Event& ev : all) Append({ev});
  // Forget "make clean" (seq 3): the make failure is then followed by a
  // plain retry, which teaches nothing.
  Event forget;
  forget.kind = EventKind::kForgotten;
  forget.time_ns = T(100);
  forget.targets = {3};
  Append({forget});
  EXPECT_EQ(Fixes(*store_), (std::vector<std::string>{"git psuh -> git push x1"}));
  std::vector<std::string> p = Patterns(*store_);
  EXPECT_NE(std::find(p.begin(), p.end(), "1 make -> make -> git psuh -> git push"), p.end());
  EXPECT_EQ(std::count_if(p.begin(), p.end(), [](const std::string& s) { return s.find("clean") != s.npos; }), 0);
  ExpectVerified(*store_);
  // Forget the first record of the session and the last one too.
  forget.targets = {1, 11};
  Append({forget});
  ExpectVerified(*store_);
  EXPECT_EQ(Patterns(*store_), (std::vector<std::string>{"1 make -> git psuh -> git push", "1 git psuh -> git push",
                                                         "1 make -> git psuh"}));
}

}  // namespace
}  // namespace tb
