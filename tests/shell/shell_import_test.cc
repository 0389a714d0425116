// History files written by the real shells import exactly: bash with HISTTIMEFORMAT (`#<epoch>` lines) and plain,
// zsh with EXTENDED_HISTORY (`: start:elapsed;cmd`) and plain, fish
// (`- cmd:` / `when:`). Each test types tricky commands into the real shell
// under tmux (unicode that zsh metafies, quotes, backslash-newline
// continuations, a quoted string spanning two lines, literal backslashes
// and `\n`, a final backslash, a leading ':'), makes the shell write its
// history file, imports that file into a fresh data dir (not the one the tb
// integration of the sandboxed shell records into) and checks:
//   - the imported command texts, oldest first, are the entries the shell
//     keeps for what was typed (exact bytes, in order);
//   - stamped files: every started_at is the epoch the shell wrote, inside
//     the wall-clock window between sending the command and its next
//     prompt, in file order (zsh: the elapsed seconds are the duration);
//   - plain files: the synthetic timestamps keep file order;
//   - importing the file again adds 0 and leaves the history byte-identical.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/timefmt.h"
#include "tests/shell/shell_sandbox.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

// One command typed at the prompt.
struct Typed {
  std::vector<std::string> lines;   // typed, Enter after each
  std::vector<std::string> stored;  // the history entries the shell keeps for it
};

// How one shell is set up to write its history file.
struct Variant {
  std::string shell;     // bash | zsh | fish
  std::string rc;        // rc lines (before `tb init`)
  std::string file;      // the history file, relative to HOME
  std::string flush;     // typed with a leading space (kept out of history)
  bool stamped = false;  // the file carries start times
};

// A start time the shell wrote, and zsh's elapsed seconds (else 0).
struct Stamp {
  int64_t start = 0, elapsed = 0;
};

const std::string kTwoLines = "echo 'two\nlines'";

std::vector<Typed> CommandsFor(const Variant& v) {
  const bool bash = v.shell == "bash", fish = v.shell == "fish";
  std::vector<Typed> c;
  // 日 (E6 97 A5), → (E2 86 92) and ℃ (E2 84 83) hold bytes zsh metafies.
  c.push_back({{"echo h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xe2\x86\x92 \xe2\x84\x83"}, {}});
  c.push_back(
      {{fish ? R"(echo 'it\'s' "say \"hi\"" \$HOME 'a"b')" : R"(echo 'it'"'"'s' "say \"hi\"" \$HOME 'a"b')"}, {}});
  c.push_back({{R"(printf '%s|\n' 'a\b' 'lit\n' c\\d)"}, {}});
  // bash drops a backslash-newline from the line it keeps; zsh and fish
  // keep both characters.
  c.push_back({{"echo cont \\", "inued"}, {bash ? "echo cont inued" : "echo cont \\\ninued"}});
  // A plain bash file has no way to mark a multi-line entry: bash itself
  // reads the two lines back as two entries, and so does the importer.
  if (bash && !v.stamped) {
    c.push_back({{"echo 'two", "lines'"}, {"echo 'two", "lines'"}});
  } else {
    c.push_back({{"echo 'two", "lines'"}, {kTwoLines}});
  }
  if (bash)
    c.push_back({{"for i in 1 2", "do echo $i", "done"}, {"for i in 1 2; do echo $i; done"}});
  else if (fish)
    c.push_back({{"for i in 1 2", "echo $i", "end"}, {"for i in 1 2\necho $i\nend"}});
  else
    c.push_back({{"for i in 1 2", "do echo $i", "done"}, {"for i in 1 2\ndo echo $i\ndone"}});
  // zsh writes a guard space after a final backslash.
  c.push_back({{"echo trail\\\\"}, {}});
  // zsh escapes a leading ':' in plain files ("\:").
  c.push_back({{": colon first"}, {}});
  c.push_back({{"echo x; echo y | tr y z"}, {}});
  for (Typed& t : c) {
    if (t.stored.empty()) t.stored = t.lines;
  }
  return c;
}

int64_t EpochSeconds(bool round_up) {
  auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return ns / 1000000000 + (round_up && ns % 1000000000 != 0 ? 1 : 0);
}

int64_t Number(const std::string& s, size_t from, size_t* end) {
  int64_t v = 0;
  size_t i = from;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
  *end = i;
  return i == from ? -1 : v;
}

// The start times in a stamped history file, read independently of the
// importer (our commands never put a stamp-like line inside an entry).
std::vector<Stamp> FileStamps(const std::string& shell, const std::string& text) {
  std::vector<Stamp> out;
  for (const std::string& l : SplitLines(text)) {
    size_t end = 0;
    if (shell == "bash" && l.starts_with("#")) {
      int64_t v = Number(l, 1, &end);
      if (v >= 0 && end == l.size()) out.push_back({v, 0});
    } else if (shell == "zsh" && l.starts_with(": ")) {
      int64_t start = Number(l, 2, &end);
      if (start < 0 || end >= l.size() || l[end] != ':') continue;
      int64_t elapsed = Number(l, end + 1, &end);
      if (elapsed >= 0 && end < l.size() && l[end] == ';') out.push_back({start, elapsed});
    } else if (shell == "fish" && l.starts_with("  when: ")) {
      int64_t v = Number(l, 8, &end);
      if (v >= 0 && end == l.size()) out.push_back({v, 0});
    }
  }
  return out;
}

std::vector<nlohmann::json> ParseNdjson(const std::string& out) {
  std::vector<nlohmann::json> records;
  for (const std::string& l : SplitLines(out)) {
    if (!l.empty()) records.push_back(nlohmann::json::parse(l, nullptr, false));
  }
  std::reverse(records.begin(), records.end());  // newest first -> oldest first
  return records;
}

// Waits (bounded) until the shell's file holds `entries` entries: bash and
// zsh write synchronously, fish may finish its write just after the prompt.
bool WaitForFile(const Variant& v, const std::string& path, size_t entries) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (true) {
    std::string text = SlurpFile(path);
    size_t n = 0;
    if (v.stamped) {
      n = FileStamps(v.shell, text).size();
    } else {
      n = text.empty() ? 0 : entries;  // plain files: written whole by the flush
    }
    if (n >= entries) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string Rfc3339Seconds(int64_t s) { return FormatRfc3339Millis(s * 1000000000LL); }

// One shell in a sandbox, the entries it should have written, and a data
// dir of its own to import into (the integration records into
// sandbox.data_dir()).
class ImportCase {
 public:
  explicit ImportCase(const Variant& v) : v_(v), path_(sb_.home() + "/" + v.file), dir_(sb_.root() + "/imported") {}

  // Starts the shell, types every command, makes the shell write its file.
  void TypeAndFlush() {
    sb_.AddRcLines(v_.shell, v_.rc);
    std::string error;
    ASSERT_TRUE(sb_.Start(v_.shell, "sh", &error)) << error;
    for (const Typed& t : CommandsFor(v_)) {
      int64_t sent = EpochSeconds(false);
      ASSERT_TRUE(sb_.RunLines("sh", t.lines)) << sb_.Screen("sh");
      int64_t done = EpochSeconds(true);
      for (const std::string& s : t.stored) {
        want_.push_back(s);
        windows_.emplace_back(sent, done);
      }
    }
    Flush(want_.size());
  }

  void Flush(size_t entries) {
    ASSERT_TRUE(sb_.Run("sh", " " + v_.flush)) << sb_.Screen("sh");
    ASSERT_TRUE(WaitForFile(v_, path_, entries)) << path_ << ":\n" << SlurpFile(path_) << sb_.Screen("sh");
  }

  // `tb import`: exit 0, nothing on stderr, one line of counts.
  void Import(size_t imported, size_t duplicates) {
    RunResult r = sb_.Tb({"--data-dir", dir_, "import", v_.shell, path_});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(r.err, "");
    std::string counts = path_ + ": " + std::to_string(imported) + " imported, " + std::to_string(duplicates) +
                         " duplicates, 0 malformed (" + v_.shell + ", batch ";
    EXPECT_TRUE(r.out.starts_with(counts) && r.out.ends_with(")\n") && SplitLines(r.out).size() == 1)
        << r.out << "\nfile:\n"
        << SlurpFile(path_);
  }

  // `tb history --format ndjson` of the import data dir (raw).
  std::string History() {
    RunResult h = sb_.Tb({"--data-dir", dir_, "history", "--format", "ndjson", "-n", "100000"});
    EXPECT_EQ(h.exit_code, 0) << h.Describe();
    return h.out;
  }

  // Exact texts in order, the shell of every record, and the times.
  void CheckRecords(const std::vector<nlohmann::json>& records) {
    std::string file = SlurpFile(path_);
    std::vector<std::string> got;
    for (const auto& rec : records) {
      ASSERT_TRUE(rec.is_object());
      got.push_back(rec.at("command").get<std::string>());
      EXPECT_EQ(rec.at("shell"), v_.shell);
    }
    ASSERT_EQ(got, want_) << "file:\n" << file;
    if (v_.stamped) {
      CheckStamps(records, FileStamps(v_.shell, file));
    } else {
      CheckSynthetic(records);
    }
  }

  // Every started_at is the epoch the shell wrote, inside the command's
  // wall-clock window, in file order; zsh's elapsed is the duration.
  void CheckStamps(const std::vector<nlohmann::json>& records, const std::vector<Stamp>& stamps) {
    ASSERT_EQ(stamps.size(), want_.size()) << SlurpFile(path_);
    for (size_t i = 0; i < stamps.size(); ++i) {
      SCOPED_TRACE(want_[i]);
      EXPECT_EQ(records[i].at("started_at"), Rfc3339Seconds(stamps[i].start));
      EXPECT_GE(stamps[i].start, windows_[i].first);
      EXPECT_LE(stamps[i].start, windows_[i].second);
      if (i > 0) {
        EXPECT_GE(stamps[i].start, stamps[i - 1].start);
      }
      if (v_.shell == "zsh") {
        EXPECT_EQ(records[i].at("duration_ms"), stamps[i].elapsed * 1000);
      }
    }
  }

  // Synthetic times: in file order (the listing order is checked by the
  // texts), never decreasing, ending before the file's mtime. They are
  // microseconds apart, so equal at the millisecond precision of started_at.
  void CheckSynthetic(const std::vector<nlohmann::json>& records) {
    struct stat st {};
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    std::string mtime = FormatRfc3339Millis(st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
    for (size_t i = 0; i < records.size(); ++i) {
      std::string at = records[i].at("started_at");
      EXPECT_LE(at, mtime) << want_[i];
      if (i > 0) {
        EXPECT_LE(records[i - 1].at("started_at").get<std::string>(), at) << want_[i];
      }
    }
  }

  ShellSandbox& sb() { return sb_; }
  size_t size() const { return want_.size(); }

 private:
  ShellSandbox sb_;
  Variant v_;
  std::string path_, dir_;
  std::vector<std::string> want_;
  std::vector<std::pair<int64_t, int64_t>> windows_;  // [sent, done] in epoch seconds
};

void RunImportCase(const Variant& v) {
  std::string missing = MissingShellTools({v.shell});
  if (!missing.empty()) GTEST_SKIP() << "not installed: " << missing << " (scripts/deps.sh --test)";
  ImportCase c(v);
  ASSERT_NO_FATAL_FAILURE(c.TypeAndFlush());
  ASSERT_NO_FATAL_FAILURE(c.Import(c.size(), 0));
  std::string before = c.History();
  ASSERT_NO_FATAL_FAILURE(c.CheckRecords(ParseNdjson(before)));

  // Importing the same file again adds nothing and changes nothing.
  ASSERT_NO_FATAL_FAILURE(c.Import(0, c.size()));
  EXPECT_EQ(c.History(), before);
  if (!v.stamped) return;

  // The shell goes on writing the same file: the next import adds only the
  // new command.
  ASSERT_TRUE(c.sb().Run("sh", "echo one more")) << c.sb().Screen("sh");
  ASSERT_NO_FATAL_FAILURE(c.Flush(c.size() + 1));
  ASSERT_NO_FATAL_FAILURE(c.Import(1, c.size()));
  std::vector<nlohmann::json> now = ParseNdjson(c.History());
  ASSERT_EQ(now.size(), c.size() + 1);
  EXPECT_EQ(now.back().at("command"), "echo one more");
}

TEST(ShellImportTest, BashWithHistTimeFormat) {
  RunImportCase(
      {"bash", "HISTFILE=\"$HOME/bash_stamped\"\nHISTTIMEFORMAT='%F %T '\n", "bash_stamped", "history -a", true});
}

TEST(ShellImportTest, BashPlain) {
  RunImportCase({"bash", "HISTFILE=\"$HOME/bash_plain\"\nunset HISTTIMEFORMAT\n", "bash_plain", "history -a", false});
}

TEST(ShellImportTest, ZshExtendedHistory) {
  RunImportCase({"zsh", "setopt EXTENDED_HISTORY\n", ".zsh_history", "fc -W", true});
}

TEST(ShellImportTest, ZshPlain) {
  RunImportCase({"zsh", "unsetopt EXTENDED_HISTORY\n", ".zsh_history", "fc -W", false});
}

TEST(ShellImportTest, Fish) { RunImportCase({"fish", "", ".local/share/fish/fish_history", "history save", true}); }

}  // namespace
}  // namespace tb::testing
