// The interactive search loop: terminal events -> keys -> state machine
// (tools/tui/state.h) -> backend calls -> frames (tools/tui/render.h).
//
// Typing bursts: every byte available is read at once and all its keys are
// applied before one search runs, so a fast typist or a paste costs one
// search, not one per character. A key that reads the results (Enter, Up,
// Ctrl-D...) first runs the search its preceding edits asked for.
#include <algorithm>

#include "core/search/search.h"
#include "tools/commands.h"
#include "tools/tui/backend.h"
#include "tools/tui/keys.h"
#include "tools/tui/render.h"
#include "tools/tui/state.h"
#include "tools/tui/terminal.h"

namespace tb {
namespace {

constexpr int kEscapeDelayMs = 25;

// Keys that only edit the query or the search settings: they need no
// results, so a burst of them is searched once at the end.
bool EditsOnly(const Key& k) {
  using K = Key::Kind;
  switch (k.kind) {
    case K::kText:
    case K::kBackspace:
    case K::kDelete:
    case K::kLeft:
    case K::kRight: return true;
    case K::kCtrl: return std::string_view("abefkrsuw").find(k.ctrl) != std::string_view::npos;
    default: return false;
  }
}

class Loop {
 public:
  Loop(const InteractiveOptions& o, SearchBackend& b, Terminal& t) : o_(o), backend_(b), term_(t) {
    s_.query = o.query;
    s_.cursor = o.query.size();
    s_.scope = o.scope;
    s_.mode = o.mode;
    s_.session_known = !o.session.empty();
    s_.limit = o.limit;
    if (s_.scope == SearchScope::kSession && !s_.session_known) s_.scope = SearchScope::kGlobal;
  }

  void Run(InteractiveOutcome* out) {
    Search(false);
    Draw();
    KeyDecoder dec;
    while (true) {
      std::string bytes;
      int sig = 0;
      std::vector<Key> keys;
      switch (term_.Wait(dec.pending() ? kEscapeDelayMs : -1, &bytes, &sig)) {
        case Terminal::Event::kSignal: out->signal = sig; return;
        case Terminal::Event::kResize:
          term_.Resized();
          Draw();
          continue;
        case Terminal::Event::kContinued:
          term_.Continued();
          Draw();
          continue;
        case Terminal::Event::kTimeout: dec.Flush(&keys); break;
        case Terminal::Event::kInput: dec.Decode(bytes, &keys); break;
      }
      if (Apply(keys, out)) return;
      Draw();
    }
  }

 private:
  // Applies a burst of keys; true when the session ended (*out is set).
  bool Apply(const std::vector<Key>& keys, InteractiveOutcome* out) {
    bool pending = false;
    for (const Key& key : keys) {
      if (pending && (s_.confirm_forget || !EditsOnly(key))) {
        Search(false);
        pending = false;
      }
      switch (HandleKey(&s_, key)) {
        case UiAction::kNone:
        case UiAction::kRedraw: break;
        case UiAction::kSearch: pending = true; break;
        case UiAction::kAccept: return Accept(o_.enter_runs, out);
        case UiAction::kAcceptEdit: return Accept(false, out);
        case UiAction::kCancel: return true;
        case UiAction::kForget: Forget(); break;
        case UiAction::kDetails: LoadDetails(); break;
      }
    }
    if (pending) Search(false);
    return false;
  }

  bool Accept(bool run, InteractiveOutcome* out) {
    const SearchHit* hit = s_.Selected();
    if (hit == nullptr && s_.query.empty()) return true;  // nothing to accept: cancel
    out->action = run ? InteractiveOutcome::Action::kRun : InteractiveOutcome::Action::kEdit;
    out->command = hit != nullptr ? hit->record.command : s_.query;
    return true;
  }

  int64_t Now() const { return o_.now_ns != 0 ? o_.now_ns : NowNs(); }

  SearchRequest Request() const {
    SearchRequest r;
    r.query = s_.query;
    r.mode = s_.mode;
    r.rank = o_.rank;
    r.unique = true;
    r.filter.limit = o_.limit;
    switch (s_.scope) {
      case SearchScope::kGlobal: break;
      case SearchScope::kHost: r.filter.host = o_.host; break;
      case SearchScope::kSession: r.filter.session = o_.session; break;
      case SearchScope::kDirectory: r.filter.cwd = o_.cwd; break;
      case SearchScope::kWorkspace: r.under_dir = o_.workspace.empty() ? o_.cwd : o_.workspace; break;
    }
    r.current_cwd = o_.cwd;
    r.current_workspace = o_.workspace;
    r.now_ns = Now();
    r.deadline_mono_ns = SearchDeadline(o_.deadline_ms);
    return r;
  }

  void Search(bool keep_selection) {
    SearchResult res;
    Status st = backend_.Search(Request(), &res);
    if (!st.ok()) {
      SetResults(&s_, {}, false, st.message(), false);
    } else {
      SetResults(&s_, std::move(res.hits), res.deadline_exceeded, "", keep_selection);
    }
    if (s_.details) LoadDetails();
  }

  void LoadDetails() {
    s_.details_data = CommandDetails{};
    s_.details_error.clear();
    const SearchHit* hit = s_.Selected();
    if (!s_.details || hit == nullptr) return;
    Status st = backend_.Details(hit->record.command, &s_.details_data);
    if (!st.ok()) s_.details_error = st.message();
  }

  void Forget() {
    const SearchHit* hit = s_.Selected();
    if (hit == nullptr) return;
    Status st = backend_.Forget(hit->record);
    Search(true);
    s_.message = st.ok() ? "forgotten" : "cannot forget: " + st.message();
  }

  void Draw() {
    FrameContext ctx;
    // One column less than the terminal: a line that fills the last column
    // leaves the cursor in the "pending wrap" state, where clearing to the
    // end of the line would erase that column.
    ctx.width = std::max(term_.width() - 1, 10);
    ctx.height = term_.frame_height();
    ctx.now_ns = Now();
    ctx.home = o_.home;
    ctx.styles = term_.styles();
    int col = 0;
    if (term_.one_line()) {
      s_.page = 1;
      std::string line = RenderDumbLine(s_, ctx, &col);
      term_.DrawLine(line, col);
      return;
    }
    s_.page = static_cast<size_t>(std::max(ctx.height - 2, 1));
    ScrollToSelection(&s_);
    std::vector<std::string> lines = RenderFrame(s_, ctx, &col);
    term_.Draw(lines, col);
  }

  const InteractiveOptions& o_;
  SearchBackend& backend_;
  Terminal& term_;
  UiState s_;
};

}  // namespace

Status RunInteractive(const InteractiveOptions& options, SearchBackend& backend, InteractiveOutcome* outcome) {
  *outcome = InteractiveOutcome{};
  Terminal term;
  Terminal::Options to;
  to.path = options.tty_path;
  to.term = options.term;
  to.palette = options.palette;
  to.inline_height = options.inline_height;
  TB_RETURN_IF_ERROR(term.Open(to));
  Loop loop(options, backend, term);
  loop.Run(outcome);
  term.Restore();
  return Status::OK();
}

}  // namespace tb
