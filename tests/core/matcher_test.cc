// The query language of core/search/search.h, term by term.
#include "core/search/matcher.h"
#include "tests/status_assert.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

bool M(std::string_view q, std::string_view text, SearchMode mode = SearchMode::kSubstring) {
  Matcher m;
  Status s = Matcher::Parse(q, mode, &m);
  EXPECT_OK(s) << s.ToString();
  return m.Match(text, nullptr, nullptr);
}

MatchRanges Ranges(std::string_view q, std::string_view text, SearchMode mode = SearchMode::kSubstring) {
  Matcher m;
  EXPECT_OK(Matcher::Parse(q, mode, &m));
  MatchRanges r;
  EXPECT_TRUE(m.Match(text, nullptr, &r));
  return r;
}

TEST(Matcher, SubstringWordsAreAnded) {
  EXPECT_TRUE(M("git", "git status"));
  EXPECT_TRUE(M("status git", "git status"));
  EXPECT_FALSE(M("git push", "git status"));
  EXPECT_TRUE(M("", "anything"));
  EXPECT_TRUE(M("   ", "anything"));
}

TEST(Matcher, SmartCase) {
  EXPECT_TRUE(M("readme", "cat README.md"));
  EXPECT_TRUE(M("README", "cat README.md"));
  EXPECT_FALSE(M("Readme", "cat README.md")) << "an uppercase letter makes the query case-sensitive";
  EXPECT_FALSE(M("GIT", "git status"));
  EXPECT_TRUE(M("é", "echo É é")) << "only ASCII folds";
  EXPECT_FALSE(M("é", "echo É"));
}

TEST(Matcher, Operators) {
  EXPECT_TRUE(M("^git", "git status"));
  EXPECT_FALSE(M("^status", "git status"));
  EXPECT_TRUE(M("status$", "git status"));
  EXPECT_FALSE(M("git$", "git status"));
  EXPECT_TRUE(M("^git status$", "git status")) << "two terms: ^git and status$";
  EXPECT_TRUE(M("^ls$", "ls"));
  EXPECT_FALSE(M("^ls$", "ls -la"));
  EXPECT_TRUE(M("!push git", "git status"));
  EXPECT_FALSE(M("!status git", "git status"));
  EXPECT_FALSE(M("!^git", "git status"));
  EXPECT_TRUE(M("!^git", "a git"));
  EXPECT_TRUE(M("!$status", "git status")) << "'$status' is a literal, absent here";
  EXPECT_TRUE(M("'gst", "xgsty"));
  EXPECT_TRUE(M("ls | docker", "docker ps"));
  EXPECT_TRUE(M("ls | docker", "ls -la"));
  EXPECT_FALSE(M("ls | docker", "git status"));
  // `|` joins the neighbouring terms only: ^git AND (status$ OR ^ls).
  EXPECT_FALSE(M("^git status$ | ^ls", "ls -la"));
  EXPECT_TRUE(M("^git status$ | ^ls", "git x status"));
  EXPECT_TRUE(M("a\\ b", "xa by"));
  EXPECT_FALSE(M("a\\ b", "ab"));
  EXPECT_TRUE(M("^", "^x")) << "a lone operator is a literal";
  EXPECT_TRUE(M("!", "a!"));
  EXPECT_TRUE(M("$", "echo $HOME"));
}

TEST(Matcher, PrefixExactRegexModes) {
  EXPECT_TRUE(M("git st", "git status", SearchMode::kPrefix));
  EXPECT_FALSE(M("st", "git status", SearchMode::kPrefix));
  EXPECT_TRUE(M("git status", "git status", SearchMode::kExact));
  EXPECT_FALSE(M("git status", "Git Status", SearchMode::kExact)) << "exact mode is case-sensitive";
  EXPECT_FALSE(M("git status", "GIT status", SearchMode::kExact));
  EXPECT_FALSE(M("git", "git status", SearchMode::kExact));
  EXPECT_TRUE(M("^(ls|make) ", "make test", SearchMode::kRegex));
  EXPECT_FALSE(M("^(ls|make) ", "cmake .", SearchMode::kRegex));
  EXPECT_TRUE(M("todo", "grep TODO", SearchMode::kRegex));
  EXPECT_FALSE(M("Todo", "grep TODO", SearchMode::kRegex));
  EXPECT_TRUE(M("!x | y", "!x | y", SearchMode::kPrefix)) << "no operators outside substring/fuzzy";
}

TEST(Matcher, InvalidRegexIsAnError) {
  Matcher m;
  Status s = Matcher::Parse("(unclosed", SearchMode::kRegex, &m);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid regex: missing ): (unclosed");
}

TEST(Matcher, FuzzySubsequence) {
  EXPECT_TRUE(M("gst", "git status", SearchMode::kFuzzy));
  EXPECT_FALSE(M("gsx", "git status", SearchMode::kFuzzy));
  EXPECT_FALSE(M("tsg", "git status", SearchMode::kFuzzy)) << "order matters";
  EXPECT_TRUE(M("'git", "git status", SearchMode::kFuzzy));
  EXPECT_FALSE(M("'gst", "git status", SearchMode::kFuzzy)) << "a quoted term is an exact substring";
  EXPECT_FALSE(M("!gi gst", "git status", SearchMode::kFuzzy)) << "negation is exact";
}

TEST(Matcher, FuzzyScoresPreferWordStartsAndRuns) {
  int word_start = 0, middle = 0, spread = 0, run = 0;
  std::vector<uint32_t> pos;
  ASSERT_TRUE(FuzzyMatch("git commit", "gc", &word_start, &pos));
  EXPECT_EQ(pos, (std::vector<uint32_t>{0, 4}));
  // g(16+16) gap "it " (-3-1-1) c at a word start (16+8)
  EXPECT_EQ(word_start, 51);
  ASSERT_TRUE(FuzzyMatch("grep -r todo src", "gc", &middle, nullptr));
  EXPECT_LT(middle, word_start);
  ASSERT_TRUE(FuzzyMatch("abc", "abc", &run, nullptr));
  ASSERT_TRUE(FuzzyMatch("axbxc", "abc", &spread, nullptr));
  EXPECT_GT(run, spread);
  pos.clear();
  int s = 0;
  ASSERT_TRUE(FuzzyMatch("axxab", "ab", &s, &pos));
  EXPECT_EQ(pos, (std::vector<uint32_t>{3, 4})) << "the shortest span ending first wins";
}

TEST(Matcher, Ranges) {
  EXPECT_EQ(Ranges("stat git", "git status"), (MatchRanges{{0, 3}, {4, 8}}));
  EXPECT_EQ(Ranges("^git", "git git"), (MatchRanges{{0, 3}}));
  EXPECT_EQ(Ranges("us$", "status"), (MatchRanges{{4, 6}}));
  EXPECT_EQ(Ranges("!x git", "git"), (MatchRanges{{0, 3}}));
  EXPECT_EQ(Ranges("gst", "git status", SearchMode::kFuzzy), (MatchRanges{{0, 1}, {4, 6}}));
  EXPECT_EQ(Ranges("t.t", "cat tot", SearchMode::kRegex), (MatchRanges{{2, 5}}));
  EXPECT_EQ(Ranges("GIT", "GIT x", SearchMode::kPrefix), (MatchRanges{{0, 3}}));
}

TEST(Matcher, ExactModeIsCaseSensitiveAndUsesTheWholeText) {
  Matcher m;
  ASSERT_OK(Matcher::Parse("git status", SearchMode::kExact, &m));
  EXPECT_TRUE(m.case_sensitive());
  EXPECT_EQ(m.required_literal(), "git status");
  EXPECT_TRUE(m.Match("git status", nullptr, nullptr));
  EXPECT_FALSE(m.Match("GIT status", nullptr, nullptr));
}

TEST(Matcher, SpacedOrQuery) {
  EXPECT_EQ(SpacedOrQuery("docker|make"), "docker | make");
  EXPECT_EQ(SpacedOrQuery("docker| make"), "docker | make");
  EXPECT_EQ(SpacedOrQuery("docker |make"), "docker | make");
  EXPECT_EQ(SpacedOrQuery("^git !push a|b$"), "^git !push a | b$");
  EXPECT_EQ(SpacedOrQuery("a|b|c"), "a | b | c");
  EXPECT_EQ(SpacedOrQuery("docker | make"), "") << "already spaced";
  EXPECT_EQ(SpacedOrQuery("make||true"), "") << "|| is a shell operator, searched as typed";
  EXPECT_EQ(SpacedOrQuery("|grep"), "");
  EXPECT_EQ(SpacedOrQuery("grep| "), "");
  EXPECT_EQ(SpacedOrQuery(""), "");
  // The spaced form is the OR of the two words.
  Matcher m;
  ASSERT_OK(Matcher::Parse(SpacedOrQuery("docker|make"), SearchMode::kSubstring, &m));
  EXPECT_TRUE(m.Match("make test", nullptr, nullptr));
  EXPECT_TRUE(m.Match("docker ps", nullptr, nullptr));
  EXPECT_FALSE(M("docker|make", "make test")) << "glued, the bar is part of the word";
  EXPECT_TRUE(M("aux|grep", "ps aux|grep x"));
}

TEST(Matcher, RequiredLiteral) {
  Matcher m;
  ASSERT_OK(Matcher::Parse("ab ^abcd !xyzxyz a|b", SearchMode::kSubstring, &m));
  EXPECT_EQ(m.required_literal(), "abcd");
  ASSERT_OK(Matcher::Parse("Status", SearchMode::kFuzzy, &m));
  EXPECT_EQ(m.required_literal(), "");
  EXPECT_TRUE(m.case_sensitive());
  ASSERT_OK(Matcher::Parse("Git St", SearchMode::kPrefix, &m));
  EXPECT_EQ(m.required_literal(), "Git St");
}

}  // namespace
}  // namespace tb
