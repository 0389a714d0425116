// The state machine of the interactive UI (tools/tui/state.h).
#include "tests/status_assert.h"
#include "tools/tui/state.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

using A = UiAction;
using K = Key::Kind;

std::vector<SearchHit> Hits(int n) {
  std::vector<SearchHit> hits;
  for (int i = 0; i < n; ++i) {
    SearchHit h;
    h.record.command = "cmd" + std::to_string(i);
    hits.push_back(h);
  }
  return hits;
}

UiState WithHits(int n, size_t page = 3) {
  UiState s;
  s.page = page;
  SetResults(&s, Hits(n), false, "", false);
  return s;
}

TEST(TuiStateTest, TypingEditsTheQueryAndAsksForASearch) {
  UiState s;
  EXPECT_EQ(HandleKey(&s, Key::Text("g")), A::kSearch);
  EXPECT_EQ(HandleKey(&s, Key::Text("é")), A::kSearch);
  EXPECT_EQ(HandleKey(&s, Key::Text("t")), A::kSearch);
  EXPECT_EQ(s.query, "gét");
  EXPECT_EQ(s.cursor, 4u);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kLeft)), A::kRedraw);
  EXPECT_EQ(s.cursor, 3u);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kBackspace)), A::kSearch);  // removes é (2 bytes)
  EXPECT_EQ(s.query, "gt");
  EXPECT_EQ(s.cursor, 1u);
  EXPECT_EQ(HandleKey(&s, Key::Text("i")), A::kSearch);
  EXPECT_EQ(s.query, "git");
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kDelete)), A::kSearch);
  EXPECT_EQ(s.query, "gi");
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kDelete)), A::kNone);  // at the end
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('a')), A::kRedraw);
  EXPECT_EQ(s.cursor, 0u);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kBackspace)), A::kNone);  // at the start
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('e')), A::kRedraw);
  EXPECT_EQ(s.cursor, 2u);
}

TEST(TuiStateTest, WordAndLineErase) {
  UiState s;
  s.query = "git  commit -m";
  s.cursor = s.query.size();
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('w')), A::kSearch);
  EXPECT_EQ(s.query, "git  commit ");
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('w')), A::kSearch);
  EXPECT_EQ(s.query, "git  ");
  s.cursor = 3;
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('k')), A::kSearch);
  EXPECT_EQ(s.query, "git");
  s.cursor = 2;
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('u')), A::kSearch);
  EXPECT_EQ(s.query, "t");
  EXPECT_EQ(s.cursor, 0u);
}

TEST(TuiStateTest, SelectionMovesAndScrolls) {
  UiState s = WithHits(10);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kUp)), A::kNone);  // already at the top
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kDown)), A::kRedraw);
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('n')), A::kRedraw);
  EXPECT_EQ(s.selected, 2u);
  EXPECT_EQ(s.top, 0u);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kDown)), A::kRedraw);
  EXPECT_EQ(s.selected, 3u);
  EXPECT_EQ(s.top, 1u);  // the selection stays visible
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kPageDown)), A::kRedraw);
  EXPECT_EQ(s.selected, 6u);
  EXPECT_EQ(s.top, 4u);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kEnd)), A::kRedraw);
  EXPECT_EQ(s.selected, 9u);
  EXPECT_EQ(s.top, 7u);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kPageUp)), A::kRedraw);
  EXPECT_EQ(s.selected, 6u);
  EXPECT_EQ(s.top, 6u);
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('p')), A::kRedraw);
  EXPECT_EQ(s.selected, 5u);
  EXPECT_EQ(s.top, 5u);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kHome)), A::kRedraw);
  EXPECT_EQ(s.selected, 0u);
  EXPECT_EQ(s.top, 0u);
  // New results put the selection back on top; kept ones are clamped.
  s.selected = 9;
  SetResults(&s, Hits(4), false, "", true);
  EXPECT_EQ(s.selected, 3u);
  EXPECT_EQ(s.top, 1u);
  SetResults(&s, Hits(4), false, "", false);
  EXPECT_EQ(s.selected, 0u);
  EXPECT_EQ(s.top, 0u);
}

TEST(TuiStateTest, AcceptCancelAndAltDigits) {
  UiState s = WithHits(10);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kEnter)), A::kAccept);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kTab)), A::kAcceptEdit);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kEsc)), A::kCancel);
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('c')), A::kCancel);
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('g')), A::kCancel);
  s.top = 4;
  EXPECT_EQ(HandleKey(&s, Key::Alt('2')), A::kAccept);
  EXPECT_EQ(s.selected, 5u);                          // the second visible row
  EXPECT_EQ(HandleKey(&s, Key::Alt('4')), A::kNone);  // only 3 rows are visible
  s.top = 9;
  EXPECT_EQ(HandleKey(&s, Key::Alt('2')), A::kNone);  // past the last hit
}

TEST(TuiStateTest, ScopeAndModeCycle) {
  UiState s;
  std::vector<std::string> scopes;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(HandleKey(&s, Key::Ctrl('r')), A::kSearch);
    scopes.emplace_back(SearchScopeName(s.scope));
  }
  EXPECT_EQ(scopes, (std::vector<std::string>{"host", "session", "directory", "workspace", "global"}));
  s.session_known = false;
  HandleKey(&s, Key::Ctrl('r'));
  HandleKey(&s, Key::Ctrl('r'));
  EXPECT_EQ(s.scope, SearchScope::kDirectory);  // session skipped
  std::vector<std::string> modes;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(HandleKey(&s, Key::Ctrl('s')), A::kSearch);
    modes.emplace_back(SearchModeName(s.mode));
  }
  EXPECT_EQ(modes, (std::vector<std::string>{"prefix", "fuzzy", "regex", "exact", "substring"}));
  SearchScope parsed;
  EXPECT_OK(ParseSearchScope("workspace", &parsed));
  EXPECT_EQ(parsed, SearchScope::kWorkspace);
  EXPECT_EQ(ParseSearchScope("galaxy", &parsed).message(),
            "unknown scope 'galaxy': expected global, host, session, directory or workspace");
}

TEST(TuiStateTest, ForgetAsksFirst) {
  UiState s = WithHits(2);
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('d')), A::kRedraw);
  EXPECT_TRUE(s.confirm_forget);
  EXPECT_EQ(HandleKey(&s, Key::Text("n")), A::kRedraw);  // any other key: no
  EXPECT_FALSE(s.confirm_forget);
  EXPECT_EQ(s.message, "not forgotten");
  EXPECT_EQ(s.query, "");  // the answer is not typed into the query
  HandleKey(&s, Key::Ctrl('d'));
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kEsc)), A::kRedraw);  // Esc says no, does not cancel
  HandleKey(&s, Key::Ctrl('d'));
  EXPECT_EQ(HandleKey(&s, Key::Text("y")), A::kForget);
  EXPECT_FALSE(s.confirm_forget);
  UiState empty;
  EXPECT_EQ(HandleKey(&empty, Key::Ctrl('d')), A::kRedraw);
  EXPECT_FALSE(empty.confirm_forget);
  EXPECT_EQ(empty.message, "nothing selected to forget");
}

TEST(TuiStateTest, DetailViewFollowsTheSelection) {
  UiState s = WithHits(3);
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('o')), A::kDetails);
  EXPECT_TRUE(s.details);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kDown)), A::kDetails);
  EXPECT_EQ(HandleKey(&s, Key::Of(K::kEsc)), A::kRedraw);  // closes the view only
  EXPECT_FALSE(s.details);
  HandleKey(&s, Key::Ctrl('o'));
  EXPECT_EQ(HandleKey(&s, Key::Ctrl('o')), A::kRedraw);
  EXPECT_FALSE(s.details);
}

}  // namespace
}  // namespace tb
