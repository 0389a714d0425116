// The secrets corpus (tests/core/secret_cases.h) through every way a command
// enters the store: a shell hook's spool frame drained by `tb`, `tb record`,
// and `tb import` of bash, zsh, fish and ndjson files. Afterwards no file
// under the data dir or the spool holds any of the secrets, and neither do
// the decoded log (`tb log dump`) nor the history: RocksDB may compress its
// tables, so the byte search of the files alone would not prove it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/spool_frame.h"
#include "storage/spool.h"
#include "tests/core/secret_cases.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kOpen = "\u2039";   // ‹
constexpr std::string_view kClose = "\u203a";  // ›

// The spans of `in` that masking replaced with the markers of `out`: the
// literal pieces of `out` between markers are found in `in` in order, and
// what lies between them was a secret.
std::vector<std::string> SecretSpans(std::string_view in, std::string_view out) {
  std::vector<std::string_view> pieces;
  size_t pos = 0;
  while (true) {
    size_t open = out.find(kOpen, pos);
    if (open == std::string_view::npos) break;
    pieces.push_back(out.substr(pos, open - pos));
    size_t close = out.find(kClose, open);
    pos = close == std::string_view::npos ? out.size() : close + kClose.size();
  }
  pieces.push_back(out.substr(pos));
  std::vector<std::string> spans;
  size_t at = pieces[0].size();
  for (size_t i = 1; i < pieces.size(); ++i) {
    size_t next = pieces[i].empty() && i + 1 == pieces.size() ? in.size() : in.find(pieces[i], at);
    if (next == std::string_view::npos) break;
    spans.emplace_back(in.substr(at, next - at));
    at = next + pieces[i].size();
  }
  return spans;
}

// Every secret of the corpus that can be searched for: 6 bytes or more (a
// shorter one would also match unrelated bytes) and not left in any
// recorded text by design (e.g. the same word elsewhere in a command).
std::vector<std::string> CorpusSecrets() {
  std::string recorded;
  for (const auto& c : secret_cases::kTruePositives) recorded += std::string(c.out) + "\n";
  std::vector<std::string> secrets;
  for (const auto& c : secret_cases::kTruePositives) {
    for (auto& s : SecretSpans(c.in, c.out)) {
      if (s.size() >= 6 && recorded.find(s) == std::string::npos) secrets.push_back(s);
    }
  }
  return secrets;
}

// A fish history's `cmd:` text: fish writes a backslash as two (and a
// newline as \n, which no command of the corpus holds).
std::string FishEscape(std::string_view s) {
  std::string out;
  for (char c : s) out.append(c == '\\' ? 2 : 1, c);
  return out;
}

class CliSecretsSecurity : public CliTest {
 protected:
  static size_t Cases() { return std::size(secret_cases::kTruePositives); }

  // Every secret found in a file under `dir`, as "secret in path".
  static std::vector<std::string> FoundInFiles(const std::string& dir, const std::vector<std::string>& secrets) {
    std::vector<std::string> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const std::string bytes = ReadFile(it->path().string());
      for (const auto& s : secrets) {
        if (bytes.find(s) != std::string::npos) found.push_back(s + " in " + it->path().string());
      }
    }
    return found;
  }

  // No secret in the data dir, the spool, the decoded log or the history;
  // the store holds `records` commands.
  void ExpectNoSecret(size_t records) const {
    const std::vector<std::string> secrets = CorpusSecrets();
    ASSERT_GT(secrets.size(), Cases() / 2) << "the corpus yields too few searchable secrets";
    std::vector<std::string> found = FoundInFiles(data_dir(), secrets);
    for (auto& f : FoundInFiles(runtime_dir(), secrets)) found.push_back(f);
    RunResult dump = Tb({"log", "dump"});
    ASSERT_EXIT_CODE(dump, 0);
    RunResult history = Tb({"history", "--format", "ndjson", "-n", "100000"});
    ASSERT_EXIT_CODE(history, 0);
    for (const auto& s : secrets) {
      if (dump.out.find(s) != std::string::npos) found.push_back(s + " in tb log dump");
      if (history.out.find(s) != std::string::npos) found.push_back(s + " in tb history");
    }
    EXPECT_EQ(found, std::vector<std::string>{});
    EXPECT_EQ(SplitLines(history.out).size(), records);
  }

  void Import(const std::string& format, const std::string& text) const {
    const std::string file = root() + "/history." + format;
    WriteFile(file, text);
    RunResult r = Tb({"import", format, file});
    ASSERT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.out, file + ": " + std::to_string(Cases()) + " imported, 0 duplicates, 0 malformed (" + format +
                         ", batch 1)\n");
  }
};

TEST_F(CliSecretsSecurity, SpanExtraction) {
  EXPECT_EQ(SecretSpans("a -pX1 b", "a -p\u2039m\u203a b"), (std::vector<std::string>{"X1"}));
  EXPECT_EQ(SecretSpans("k=AB t=CD", "k=\u2039a\u203a t=\u2039b\u203a"), (std::vector<std::string>{"AB", "CD"}));
  EXPECT_EQ(SecretSpans("echo ghp_x", "echo \u2039g\u203a"), (std::vector<std::string>{"ghp_x"}));
}

TEST_F(CliSecretsSecurity, HookFramesDrained) {
  std::string frames;
  uint64_t counter = 0;
  for (const auto& c : secret_cases::kTruePositives) {
    Event ev;
    ev.kind = EventKind::kStarted;
    ev.id = {0xabc, ++counter};
    ev.time_ns = 1732580000000000000 + static_cast<int64_t>(counter) * 1000000000;
    ev.session = "s1";
    ev.shell = "bash";
    ev.cwd = "/home/u";
    ev.command = c.in;
    frames += EncodeSpoolFrame(ev);
  }
  const std::string spool = SpoolDirFor(runtime_dir() + "/termbrain", data_dir());
  fs::create_directories(spool);
  WriteFile(spool + "/0000000000000abc.spool", frames);
  RunResult r = Tb({"drain"});
  ASSERT_EXIT_CODE(r, 0);
  ExpectNoSecret(Cases());
}

TEST_F(CliSecretsSecurity, Record) {
  for (const auto& c : secret_cases::kTruePositives) {
    RunResult r = Tb({"record", "--command", c.in, "--cwd", "/tmp"});
    ASSERT_EXIT_CODE(r, 0);
  }
  ExpectNoSecret(Cases());
}

TEST_F(CliSecretsSecurity, ImportBash) {
  std::string text;
  for (const auto& c : secret_cases::kTruePositives) text += std::string(c.in) + "\n";
  Import("bash", text);
  ExpectNoSecret(Cases());
}

TEST_F(CliSecretsSecurity, ImportZsh) {
  std::string text;
  int64_t t = 1700000000;
  for (const auto& c : secret_cases::kTruePositives) text += ": " + std::to_string(t++) + ":0;" + c.in + "\n";
  Import("zsh", text);
  ExpectNoSecret(Cases());
}

TEST_F(CliSecretsSecurity, ImportFish) {
  std::string text;
  int64_t t = 1700000000;
  for (const auto& c : secret_cases::kTruePositives) {
    text += "- cmd: " + FishEscape(c.in) + "\n  when: " + std::to_string(t++) + "\n";
  }
  Import("fish", text);
  ExpectNoSecret(Cases());
}

TEST_F(CliSecretsSecurity, ImportNdjson) {
  std::string text;
  int n = 0;
  for (const auto& c : secret_cases::kTruePositives) {
    ++n;
    text += R"({"id":"case-)" + std::to_string(n) + R"(","command":)" + nlohmann::json(std::string(c.in)).dump() +
            R"(,"cwd":"/tmp","started_at":"2024-05-01T10:00:00.000Z"})" + "\n";
  }
  Import("ndjson", text);
  ExpectNoSecret(Cases());
}

}  // namespace
}  // namespace tb::testing
