#include "tools/tui/state.h"

#include <algorithm>

namespace tb {
namespace {

using K = Key::Kind;

constexpr std::string_view kScopeNames[] = {"global", "host", "session", "directory", "workspace"};

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t PrevChar(const std::string& s, size_t at) {
  if (at == 0) return 0;
  --at;
  while (at > 0 && IsContinuation(s[at])) --at;
  return at;
}

size_t NextChar(const std::string& s, size_t at) {
  if (at >= s.size()) return s.size();
  ++at;
  while (at < s.size() && IsContinuation(s[at])) ++at;
  return at;
}

// Start of the word before `at` (readline's unix-word-rubout: spaces, then
// non-spaces).
size_t WordStart(const std::string& s, size_t at) {
  while (at > 0 && s[at - 1] == ' ') --at;
  while (at > 0 && s[at - 1] != ' ') --at;
  return at;
}

UiAction Erase(UiState* s, size_t from, size_t to) {
  if (from >= to) return UiAction::kNone;
  s->query.erase(from, to - from);
  s->cursor = from;
  return UiAction::kSearch;
}

void Move(UiState* s, long delta) {
  if (s->hits.empty()) return;
  long last = static_cast<long>(s->hits.size()) - 1;
  long to = std::clamp(static_cast<long>(s->selected) + delta, 0L, last);
  s->selected = static_cast<size_t>(to);
  ScrollToSelection(s);
}

// Selection moves; in the detail view the details follow the selection.
UiAction Moved(UiState* s, size_t before) {
  if (s->selected == before) return UiAction::kNone;
  return s->details ? UiAction::kDetails : UiAction::kRedraw;
}

UiAction HandleCtrl(UiState* s, char c) {
  size_t before = s->selected;
  switch (c) {
    case 'c':
    case 'g': return UiAction::kCancel;
    case 'p': Move(s, -1); return Moved(s, before);
    case 'n': Move(s, 1); return Moved(s, before);
    case 'a': s->cursor = 0; return UiAction::kRedraw;
    case 'e': s->cursor = s->query.size(); return UiAction::kRedraw;
    case 'b': s->cursor = PrevChar(s->query, s->cursor); return UiAction::kRedraw;
    case 'f': s->cursor = NextChar(s->query, s->cursor); return UiAction::kRedraw;
    case 'w': return Erase(s, WordStart(s->query, s->cursor), s->cursor);
    case 'u': return Erase(s, 0, s->cursor);
    case 'k': return Erase(s, s->cursor, s->query.size());
    case 'r': s->scope = NextScope(s->scope, s->session_known); return UiAction::kSearch;
    case 's': s->mode = NextMode(s->mode); return UiAction::kSearch;
    case 'o': s->details = !s->details; return s->details ? UiAction::kDetails : UiAction::kRedraw;
    case 'd':
      if (s->hits.empty()) {
        s->message = "nothing selected to forget";
        return UiAction::kRedraw;
      }
      s->confirm_forget = true;
      return UiAction::kRedraw;
    default: return UiAction::kNone;
  }
}

UiAction HandleAlt(UiState* s, char c) {
  if (c >= '1' && c <= '9') {
    size_t row = s->top + static_cast<size_t>(c - '1');
    if (row >= s->hits.size() || row >= s->top + s->page) return UiAction::kNone;
    s->selected = row;
    return UiAction::kAccept;
  }
  if (c == 0x7F) return Erase(s, WordStart(s->query, s->cursor), s->cursor);
  return UiAction::kNone;
}

// The y/n answer to "forget?": any key answers; only y/Y forgets.
UiAction Confirm(UiState* s, const Key& key) {
  s->confirm_forget = false;
  if (key.kind == K::kText && (key.text == "y" || key.text == "Y")) return UiAction::kForget;
  s->message = "not forgotten";
  return UiAction::kRedraw;
}

}  // namespace

std::string_view SearchScopeName(SearchScope s) { return kScopeNames[static_cast<int>(s)]; }

Status ParseSearchScope(std::string_view s, SearchScope* out) {
  for (size_t i = 0; i < std::size(kScopeNames); ++i) {
    if (s == kScopeNames[i]) {
      *out = static_cast<SearchScope>(i);
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown scope '" + std::string(s) +
                                 "': expected global, host, session, directory or workspace");
}

SearchScope NextScope(SearchScope s, bool session_known) {
  auto next = static_cast<SearchScope>((static_cast<int>(s) + 1) % std::size(kScopeNames));
  if (next == SearchScope::kSession && !session_known) return NextScope(next, session_known);
  return next;
}

SearchMode NextMode(SearchMode m) {
  switch (m) {
    case SearchMode::kSubstring: return SearchMode::kPrefix;
    case SearchMode::kPrefix: return SearchMode::kFuzzy;
    case SearchMode::kFuzzy: return SearchMode::kRegex;
    case SearchMode::kRegex: return SearchMode::kExact;
    case SearchMode::kExact: return SearchMode::kSubstring;
  }
  return SearchMode::kSubstring;
}

void ScrollToSelection(UiState* s) {
  size_t page = std::max<size_t>(s->page, 1);
  if (s->selected < s->top) s->top = s->selected;
  if (s->selected >= s->top + page) s->top = s->selected - page + 1;
  size_t max_top = s->hits.size() > page ? s->hits.size() - page : 0;
  s->top = std::min(s->top, max_top);
}

void SetResults(UiState* s, std::vector<SearchHit> hits, bool partial, std::string error, bool keep_selection) {
  s->hits = std::move(hits);
  s->partial = partial;
  s->error = std::move(error);
  if (!keep_selection) {
    s->selected = 0;
    s->top = 0;
  }
  if (s->selected >= s->hits.size()) s->selected = s->hits.empty() ? 0 : s->hits.size() - 1;
  ScrollToSelection(s);
}

UiAction HandleKey(UiState* s, const Key& key) {
  s->message.clear();
  if (s->confirm_forget) return Confirm(s, key);
  size_t before = s->selected;
  long page = static_cast<long>(std::max<size_t>(s->page, 1));
  switch (key.kind) {
    case K::kText:
      s->query.insert(s->cursor, key.text);
      s->cursor += key.text.size();
      return UiAction::kSearch;
    case K::kEnter: return UiAction::kAccept;
    case K::kTab: return UiAction::kAcceptEdit;
    case K::kEsc:
      if (!s->details) return UiAction::kCancel;
      s->details = false;
      return UiAction::kRedraw;
    case K::kBackspace: return Erase(s, PrevChar(s->query, s->cursor), s->cursor);
    case K::kDelete: return Erase(s, s->cursor, NextChar(s->query, s->cursor));
    case K::kLeft: s->cursor = PrevChar(s->query, s->cursor); return UiAction::kRedraw;
    case K::kRight: s->cursor = NextChar(s->query, s->cursor); return UiAction::kRedraw;
    case K::kUp: Move(s, -1); return Moved(s, before);
    case K::kDown: Move(s, 1); return Moved(s, before);
    case K::kPageUp: Move(s, -page); return Moved(s, before);
    case K::kPageDown: Move(s, page); return Moved(s, before);
    case K::kHome: Move(s, -static_cast<long>(s->hits.size())); return Moved(s, before);
    case K::kEnd: Move(s, static_cast<long>(s->hits.size())); return Moved(s, before);
    case K::kCtrl: return HandleCtrl(s, key.ctrl);
    case K::kAlt: return HandleAlt(s, key.alt);
  }
  return UiAction::kNone;
}

}  // namespace tb
