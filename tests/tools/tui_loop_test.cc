// The interactive loop (tools/tui/interactive.cc + terminal.cc) on a real
// pseudo-terminal with a fake backend: keys in, outcome and backend calls
// out, and the terminal restored on every exit path.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "tests/status_assert.h"
#include "tools/tui/backend.h"

namespace tb {
namespace {

using Clock = std::chrono::steady_clock;

class FakeBackend : public SearchBackend {
 public:
  std::vector<std::string> commands = {"make test", "make build", "git status", "ls -la"};
  std::vector<SearchRequest> searches;
  std::vector<std::string> forgotten;
  std::vector<std::string> detailed;

  Status Search(const SearchRequest& req, SearchResult* out) override {
    searches.push_back(req);
    if (req.mode == SearchMode::kRegex && req.query.find('(') != std::string::npos) {
      return Status::InvalidArgument("invalid regex: missing ): (");
    }
    for (const auto& c : commands) {
      size_t at = c.find(req.query);
      if (at == std::string::npos) continue;
      SearchHit h;
      h.record.command = c;
      h.record.exit_code = 0;
      h.matches = {{static_cast<uint32_t>(at), static_cast<uint32_t>(at + req.query.size())}};
      out->hits.push_back(h);
    }
    return Status::OK();
  }
  Status Details(std::string_view command, CommandDetails* out) override {
    detailed.emplace_back(command);
    out->uses = 3;
    return Status::OK();
  }
  Status Forget(const HistoryRecord& r) override {
    forgotten.push_back(r.command);
    std::erase(commands, r.command);
    return Status::OK();
  }
};

// A pty whose slave side the UI opens; a reader thread collects what the UI
// draws and answers its cursor position query.
class Pty {
 public:
  Pty() {
    char name[128];
    termios t{};
    ::cfmakeraw(&t);
    t.c_lflag |= ICANON | ECHO | ISIG;  // a cooked terminal, as a shell leaves it
    t.c_oflag |= OPOST;
    winsize ws{};
    ws.ws_row = 30;
    ws.ws_col = 100;
    EXPECT_EQ(::openpty(&master_, &slave_, name, &t, &ws), 0);
    path_ = name;
    ::tcgetattr(slave_, &before_);
    reader_ = std::thread([this] { Read(); });
  }
  ~Pty() {
    stop_ = true;
    reader_.join();
    ::close(slave_);
    ::close(master_);
  }
  const std::string& path() const { return path_; }
  void Send(const std::string& bytes) {
    ASSERT_EQ(::write(master_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  std::string Output() {
    std::lock_guard<std::mutex> l(mu_);
    return out_;
  }
  // Waits until the output (after `from`) contains `text`.
  bool WaitFor(const std::string& text, size_t from = 0) {
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      std::string o = Output();
      if (o.size() > from && o.find(text, from) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  // True when the slave's termios are back to what they were.
  bool Restored() {
    termios now{};
    ::tcgetattr(slave_, &now);
    return now.c_lflag == before_.c_lflag && now.c_iflag == before_.c_iflag && now.c_oflag == before_.c_oflag;
  }

 private:
  void Read() {
    while (!stop_) {
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) continue;
      std::string chunk(buf, static_cast<size_t>(n));
      if (chunk.find("\x1b[6n") != std::string::npos) Send("\x1b[4;7R");
      std::lock_guard<std::mutex> l(mu_);
      out_ += chunk;
    }
  }

  int master_ = -1, slave_ = -1;
  std::string path_;
  termios before_{};
  std::thread reader_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string out_;
};

class TuiLoopTest : public ::testing::Test {
 protected:
  InteractiveOptions Options() {
    InteractiveOptions o;
    o.tty_path = pty_.path();
    o.term = "xterm-256color";
    o.now_ns = 1795650000LL * 1000000000;
    o.inline_height = 8;
    o.deadline_ms = 0;
    return o;
  }
  // Runs the UI in a thread; `drive` types while it runs.
  InteractiveOutcome Run(const InteractiveOptions& o, const std::function<void()>& drive, Status* st = nullptr) {
    InteractiveOutcome out;
    Status s;
    size_t from = pty_.Output().size();
    std::thread ui([&] { s = RunInteractive(o, backend_, &out); });
    EXPECT_TRUE(pty_.WaitFor("results", from)) << pty_.Output();
    drive();
    ui.join();
    if (st) *st = s;
    EXPECT_OK(s) << s.ToString();
    EXPECT_TRUE(pty_.Restored());
    return out;
  }

  Pty pty_;
  FakeBackend backend_;
};

TEST_F(TuiLoopTest, TypeMoveEnterPutsTheCommandOnTheLine) {
  InteractiveOptions o = Options();
  o.query = "ma";
  InteractiveOutcome out = Run(o, [&] {
    pty_.Send("ke");  // one burst: one search
    ASSERT_TRUE(pty_.WaitFor("tb> make"));
    pty_.Send("\x1b[B\r");
  });
  EXPECT_EQ(out.action, InteractiveOutcome::Action::kEdit);
  EXPECT_EQ(out.command, "make build");
  ASSERT_EQ(backend_.searches.size(), 2u);
  EXPECT_EQ(backend_.searches[0].query, "ma");
  EXPECT_EQ(backend_.searches[1].query, "make");
  EXPECT_TRUE(backend_.searches[1].unique);
  // Drawn inline: the frame is erased, the cursor goes back up to the line
  // and column it was in (row 4, column 7: the answer to ESC [ 6 n).
  EXPECT_TRUE(pty_.WaitFor("\r\x1b[J\x1b[A\r\x1b[6C")) << pty_.Output();
}

TEST_F(TuiLoopTest, EnterRunsWhenConfiguredTabAlwaysEdits) {
  InteractiveOptions o = Options();
  o.enter_runs = true;
  InteractiveOutcome out = Run(o, [&] { pty_.Send("\r"); });
  EXPECT_EQ(out.action, InteractiveOutcome::Action::kRun);
  EXPECT_EQ(out.command, "make test");
  out = Run(o, [&] { pty_.Send("\t"); });
  EXPECT_EQ(out.action, InteractiveOutcome::Action::kEdit);
  out = Run(o, [&] {
    pty_.Send(
        "\x1b"
        "3");
  });  // Alt-3: the third row
  EXPECT_EQ(out.action, InteractiveOutcome::Action::kRun);
  EXPECT_EQ(out.command, "git status");
}

TEST_F(TuiLoopTest, EscapeCtrlCAndCtrlGCancel) {
  for (const char* key : {"\x1b", "\x03", "\x07"}) {
    InteractiveOutcome out = Run(Options(), [&] { pty_.Send(key); });
    EXPECT_EQ(out.action, InteractiveOutcome::Action::kCancel) << key;
    EXPECT_EQ(out.command, "");
    EXPECT_EQ(out.signal, 0);
  }
}

TEST_F(TuiLoopTest, InvalidRegexShowsItsErrorAndScopeModeReachTheBackend) {
  InteractiveOptions o = Options();
  o.cwd = "/w/proj";
  InteractiveOutcome out = Run(o, [&] {
    pty_.Send("\x13\x13\x13");  // Ctrl-S x3: regex
    ASSERT_TRUE(pty_.WaitFor("regex"));
    size_t from = pty_.Output().size();
    pty_.Send("(");
    ASSERT_TRUE(pty_.WaitFor("invalid regex: missing ): (", from)) << pty_.Output();
    for (const char* scope : {"host", "directory", "workspace"}) {  // Ctrl-R; no session known
      from = pty_.Output().size();
      pty_.Send("\x12");
      ASSERT_TRUE(pty_.WaitFor(std::string("  ") + scope + " · regex", from)) << pty_.Output();
    }
    pty_.Send("\x1b");
  });
  EXPECT_EQ(out.action, InteractiveOutcome::Action::kCancel);
  const SearchRequest& last = backend_.searches.back();
  EXPECT_EQ(last.mode, SearchMode::kRegex);
  EXPECT_EQ(last.under_dir, std::optional<std::string>("/w/proj"));
  bool saw_dir = false;
  for (const auto& r : backend_.searches) saw_dir = saw_dir || r.filter.cwd == std::optional<std::string>("/w/proj");
  EXPECT_TRUE(saw_dir);
}

TEST_F(TuiLoopTest, CtrlDForgetsAfterYesAndCtrlOLoadsDetails) {
  InteractiveOutcome out = Run(Options(), [&] {
    pty_.Send("\x04");
    ASSERT_TRUE(pty_.WaitFor("forget every use of 'make test'? (y/n)")) << pty_.Output();
    size_t from = pty_.Output().size();
    pty_.Send("y");
    ASSERT_TRUE(pty_.WaitFor("forgotten", from));
    pty_.Send("\x0f");
    ASSERT_TRUE(pty_.WaitFor("used      3 times"));
    pty_.Send("\r");
  });
  EXPECT_EQ(backend_.forgotten, std::vector<std::string>{"make test"});
  EXPECT_EQ(backend_.detailed, std::vector<std::string>{"make build"});
  EXPECT_EQ(out.command, "make build");
}

TEST_F(TuiLoopTest, SigtermCancelsAndRestoresTheTerminal) {
  InteractiveOutcome out = Run(Options(), [&] { ::kill(::getpid(), SIGTERM); });
  EXPECT_EQ(out.action, InteractiveOutcome::Action::kCancel);
  EXPECT_EQ(out.signal, SIGTERM);
  // The handler is gone again: SIGTERM's disposition is back to the default.
  struct sigaction sa {};
  ::sigaction(SIGTERM, nullptr, &sa);
  EXPECT_EQ(sa.sa_handler, SIG_DFL);
}

// The palette of a configured theme (core/theme.h) reaches the terminal
// as is; NO_COLOR's palette and a terminal without colours (vt100) draw
// with attributes only.
TEST_F(TuiLoopTest, DrawsWithThePalette) {
  InteractiveOptions o = Options();
  o.query = "make";
  Config::Ui ui;
  ui.theme = "light";
  ui.color_match = "underline 201";
  o.palette = ResolvePalette(ui);
  Run(o, [&] {
    ASSERT_TRUE(pty_.WaitFor("\x1b[48;5;254m>1")) << pty_.Output();
    ASSERT_TRUE(pty_.WaitFor("\x1b[4;38;5;201mmake\x1b[0m\x1b[48;5;254m test")) << pty_.Output();
    pty_.Send("\x1b");
  });
  for (const char* term : {"xterm-256color", "vt100"}) {
    o.term = term;
    o.palette = std::string(term) == "vt100" ? ResolvePalette(ui) : PlainPalette();
    size_t from = pty_.Output().size();
    Run(o, [&] {
      ASSERT_TRUE(pty_.WaitFor("\x1b[7m>1", from)) << term << pty_.Output();
      ASSERT_TRUE(pty_.WaitFor("\x1b[1mmake\x1b[0m\x1b[7m test", from)) << term << pty_.Output();
      pty_.Send("\x1b");
    });
    std::string drawn = pty_.Output().substr(from);
    for (const char* colour : {"\x1b[38;", "\x1b[48;", "\x1b[2m", "\x1b[31m", "\x1b[1;36m"}) {
      EXPECT_EQ(drawn.find(colour), std::string::npos) << term << " " << colour + 1;
    }
  }
}

TEST_F(TuiLoopTest, NoTerminalIsAnError) {
  InteractiveOptions o = Options();
  o.tty_path = "/nonexistent/tty";
  InteractiveOutcome out;
  Status s = RunInteractive(o, backend_, &out);
  EXPECT_EQ(s.ToString(),
            "io error: cannot open the terminal (/nonexistent/tty): No such file or directory. The interactive "
            "search needs one; use 'tb search QUERY' in scripts");
  o.tty_path = "/dev/null";
  s = RunInteractive(o, backend_, &out);
  EXPECT_EQ(s.message(),
            "cannot open the terminal (/dev/null): not a terminal. The interactive search needs one; "
            "use 'tb search QUERY' in scripts");
}

}  // namespace
}  // namespace tb
