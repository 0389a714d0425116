// SearchBackend: what the interactive search UI (tools/tui/) asks of the
// search engine, and the options and outcome of one interactive session.
//
// The UI never touches the store: it calls a backend. tools/cmd_search_ui.cc
// gives it one over the store; tests give it a fake.
// Thread safety: the UI calls a backend from one thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/record.h"
#include "core/search/search.h"
#include "core/status.h"
#include "core/theme.h"

namespace tb {

class SearchBackend {
 public:
  virtual ~SearchBackend() = default;
  // Runs `req` (query, mode, filters, limit, deadline). An invalid query
  // (e.g. a bad regex) is InvalidArgument with a one-line reason, which the
  // UI shows in its status line instead of results.
  virtual Status Search(const SearchRequest& req, SearchResult* out) = 0;
  // Usage details of one command text (for the Ctrl-O view).
  virtual Status Details(std::string_view command, CommandDetails* out) = 0;
  // Forgets the command of `record` (every use of its text). A backend
  // that cannot forget returns an error whose message says why; the UI
  // shows it and goes on.
  virtual Status Forget(const HistoryRecord& record) = 0;
};

// Which records the UI searches; Ctrl-R cycles them in this order.
enum class SearchScope { kGlobal, kHost, kSession, kDirectory, kWorkspace };
std::string_view SearchScopeName(SearchScope s);
// "global" | "host" | "session" | "directory" | "workspace".
Status ParseSearchScope(std::string_view s, SearchScope* out);

struct InteractiveOptions {
  std::string query;  // initial query (the shell's current line)
  SearchScope scope = SearchScope::kGlobal;
  SearchMode mode = SearchMode::kSubstring;
  RankMode rank = RankMode::kRecent;
  // What the scopes filter on.
  std::string cwd;          // directory scope (and frecency context)
  std::string workspace;    // workspace scope root ("" = cwd)
  std::string host;         // host scope
  std::string session;      // session scope ("" = the scope is skipped)
  std::string home;         // directories under it are shown as ~/...
  bool enter_runs = false;  // Enter: run at once (else: put on the line)
  int inline_height = 12;   // lines drawn under the prompt; 0 = full screen
  int deadline_ms = 2000;   // per search; 0 = none
  size_t limit = 1000;      // rows fetched per search
  // The terminal: `tty_path` is opened for keys and drawing (stdout stays
  // free for the result). `term` is $TERM; `palette` the styles of the
  // configured theme, or PlainPalette() when colour is off (NO_COLOR:
  // tools/cmd_search_ui.cc decides with ColorWanted, core/theme.h).
  std::string tty_path = "/dev/tty";
  std::string term;
  Palette palette = ResolvePalette(Config::Ui{});
  // Current UTC time in ns ("time ago" column, frecency); 0 = read the clock.
  int64_t now_ns = 0;
};

struct InteractiveOutcome {
  enum class Action { kCancel, kRun, kEdit };
  Action action = Action::kCancel;
  std::string command;  // kRun / kEdit: the command text chosen
  int signal = 0;       // kCancel because of this signal (SIGINT, SIGTERM...)
};

// Runs the UI on the terminal until the user accepts or cancels. The
// terminal is put back as it was on every exit path (also on SIGINT,
// SIGTERM, SIGHUP, SIGQUIT, which cancel). Errors: IOError when the
// terminal cannot be opened or set up; a backend error is shown in the UI,
// not returned.
Status RunInteractive(const InteractiveOptions& options, SearchBackend& backend, InteractiveOutcome* outcome);

}  // namespace tb
