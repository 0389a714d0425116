// What the brain learns from exit statuses (core/analytics/outcomes.h): the
// rule, the counters it reads, and suggestions that leave failing templates
// out or replace them by their learned fix.
#include "core/analytics/outcomes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/analytics/suggest.h"

namespace tb {
namespace {

TEST(OutcomesTest, RuleIsThreeInFourWithTwoFailuresOrAFix) {
  EXPECT_FALSE(MostlyFails(0, 0));
  EXPECT_FALSE(MostlyFails(1, 1));  // once is not a habit
  EXPECT_TRUE(MostlyFails(1, 1, /*fixed=*/true));
  EXPECT_TRUE(MostlyFails(2, 2));
  EXPECT_TRUE(MostlyFails(4, 3));
  EXPECT_FALSE(MostlyFails(5, 3));  // a red test suite now and then
  EXPECT_FALSE(MostlyFails(3, 0, true));
  EXPECT_FALSE(MostlyFails(100, 74, true));
  EXPECT_TRUE(MostlyFails(100, 75));
}

class OutcomesModelTest : public ::testing::Test {
 protected:
  // One command of session `s` in /p, a minute after the previous one.
  void Run(const std::string& s, const std::string& cmd, int exit) {
    HistoryRecord r;
    r.seq = records_.size() + 1;
    r.command = cmd;
    r.cwd = "/p";
    r.session = s;
    r.exit_code = exit;
    r.started_at_ns = static_cast<int64_t>(records_.size()) * 60'000'000'000;
    records_.push_back(r);
  }
  MemoryCounters& Model() {
    if (!learned_) model_.Learn(records_);
    learned_ = true;
    return model_;
  }
  TemplateOutcome Outcome(const std::string& tmpl, uint64_t known = 0) {
    TemplateOutcome o;
    Status s = ReadOutcome(Model(), tmpl, known, &o);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return o;
  }
  std::vector<std::string> Suggested(size_t limit = 5) {
    SuggestInput in;
    in.cwd = "/p";
    in.limit = limit;
    std::vector<Suggestion> out;
    Status s = Suggest(Model(), in, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::vector<std::string> names;
    for (const auto& x : out) names.push_back(x.tmpl + " " + x.source);
    return names;
  }
  std::vector<HistoryRecord> records_;
  MemoryCounters model_;
  bool learned_ = false;
};

TEST_F(OutcomesModelTest, ReadsFailuresAndTheMostLearnedFix) {
  for (const char* s : {"a", "b", "c"}) {
    Run(s, "cargo biuld", 101);
    Run(s, "cargo build", 0);
  }
  Run("d", "cargo biuld", 101);
  Run("d", "cargo built", 0);  // similar: a fix too, learned once
  TemplateOutcome o = Outcome("cargo biuld");
  EXPECT_EQ(o.uses, 4u);
  EXPECT_EQ(o.failures, 4u);
  EXPECT_EQ(o.fix, "cargo build");
  EXPECT_TRUE(o.failing);
  o = Outcome("cargo build");
  EXPECT_EQ(o.failures, 0u);
  EXPECT_FALSE(o.failing);
}

TEST_F(OutcomesModelTest, AKnownLowerBoundSettlesTheRule) {
  for (int i = 0; i < 4; ++i) Run("a", "make test", i < 2 ? 2 : 0);
  TemplateOutcome o = Outcome("make test", /*known=*/3);
  EXPECT_EQ(o.failures, 2u);
  EXPECT_EQ(o.uses, 3u);  // not read: 2 of at least 3 is below 3 in 4
  EXPECT_FALSE(o.failing);
  o = Outcome("make test");
  EXPECT_EQ(o.uses, 4u);
  EXPECT_FALSE(o.failing);  // read: 2 of 4
}

TEST_F(OutcomesModelTest, SuggestReplacesATypoByItsFixOnce) {
  for (const char* s : {"a", "b", "c", "d"}) {
    Run(s, "cargo biuld", 101);
    Run(s, "cargo build", 0);
  }
  Run("e", "ls", 0);
  EXPECT_EQ(Suggested(), (std::vector<std::string>{"cargo build directory", "ls directory"}));
}

TEST_F(OutcomesModelTest, SuggestDropsAFailingTemplateWithoutAFix) {
  for (int i = 0; i < 3; ++i) Run("a", "ssh old-host", 255);
  Run("a", "ls", 0);
  EXPECT_EQ(Suggested(), (std::vector<std::string>{"ls directory"}));
}

TEST_F(OutcomesModelTest, TheFixJoinsWhenItWasNoCandidate) {
  // Three typos in /p; their fix ran in /q only, where 24 templates
  // more frequent push it out of the global candidates too.
  for (const char* s : {"a", "b", "c"}) {
    Run(s, "gti status", 127);
    Run(s, "git status", 0);
    records_.back().cwd = "/q";
  }
  for (int t = 0; t < 24; ++t) {
    for (int i = 0; i < 4; ++i) {
      Run("z", "tool" + std::to_string(t), 0);
      records_.back().cwd = "/q";
    }
  }
  EXPECT_EQ(Suggested(1), (std::vector<std::string>{"git status fix"}));
}

TEST_F(OutcomesModelTest, PatternsThroughAFailingTemplateAreDropped) {
  for (const char* s : {"a", "b", "c"}) {
    Run(s, "make", 0);
    Run(s, "cargo biuld", 101);
    Run(s, "cargo build", 0);
  }
  std::vector<Pattern> patterns{Pattern{{"make", "cargo biuld"}, 3, 1.0},
                                Pattern{{"cargo biuld", "cargo build"}, 3, 1.0},
                                Pattern{{"make", "cargo build"}, 1, 1.0}};
  Status s = DropFailingPatterns(Model(), &patterns);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(patterns, (std::vector<Pattern>{Pattern{{"make", "cargo build"}, 1, 1.0}}));
}

}  // namespace
}  // namespace tb
