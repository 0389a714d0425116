// UiState: the interactive search UI as data, and the pure state machine
// that turns keys into state changes and actions for the loop
// (tools/tui/interactive.cc), which does the I/O: searching, forgetting,
// fetching details, drawing.
//
// Keys (docs/shell-integration.md, "Interactive search"):
//   text, Backspace, Delete, Ctrl-W, Ctrl-U, Ctrl-K   edit the query
//   Left/Right, Ctrl-B/Ctrl-F, Ctrl-A/Ctrl-E           move in the query
//   Up/Down, Ctrl-P/Ctrl-N, PgUp/PgDn, Home/End        move the selection
//   Enter accept, Tab accept for editing, Alt-1..9 accept that visible row
//   Esc, Ctrl-C, Ctrl-G cancel (Esc closes the detail view first)
//   Ctrl-R next scope, Ctrl-S next mode, Ctrl-O detail view on/off
//   Ctrl-D forget the selected command, after a y/n confirmation
// Not thread-safe; pure (no I/O).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/search/search.h"
#include "tools/tui/backend.h"
#include "tools/tui/keys.h"

namespace tb {

struct UiState {
  std::string query;
  size_t cursor = 0;  // byte offset in query, on a character boundary
  SearchScope scope = SearchScope::kGlobal;
  SearchMode mode = SearchMode::kSubstring;
  bool session_known = true;  // false: Ctrl-R skips the session scope
  size_t limit = 0;           // the search limit (count shown as "N+" when reached)

  // The last search: its hits, or the error that replaced them.
  std::vector<SearchHit> hits;
  std::string error;
  bool partial = false;  // the search ran past its deadline

  size_t selected = 0;  // index into hits
  size_t top = 0;       // first visible row
  size_t page = 10;     // visible rows (set by the loop from the layout)

  bool details = false;         // Ctrl-O view shown
  CommandDetails details_data;  // for hits[selected]
  std::string details_error;
  bool confirm_forget = false;  // waiting for y/n
  std::string message;          // one-shot status text (cleared by the next key)

  const SearchHit* Selected() const { return hits.empty() ? nullptr : &hits[selected]; }
};

enum class UiAction {
  kNone,        // nothing changed
  kRedraw,      // only the display changed
  kSearch,      // query, scope or mode changed: search again
  kAccept,      // Enter / Alt-N: accept the selected row (or the query when none)
  kAcceptEdit,  // Tab: the same, for editing
  kCancel,
  kForget,   // forget the selected hit (confirmed)
  kDetails,  // (re)load details of the selected hit, then redraw
};

// Applies one key. The loop performs the returned action.
UiAction HandleKey(UiState* s, const Key& key);

// Installs the result of a search: hits or an error message; the selection
// goes back to the first row unless `keep_selection` (then it is clamped).
void SetResults(UiState* s, std::vector<SearchHit> hits, bool partial, std::string error, bool keep_selection);

// Keeps `top` such that the selection is visible in `page` rows.
void ScrollToSelection(UiState* s);

// The next scope/mode in the Ctrl-R / Ctrl-S cycles.
SearchScope NextScope(SearchScope s, bool session_known);
SearchMode NextMode(SearchMode m);

}  // namespace tb
