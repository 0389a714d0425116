// End-to-end: `tb search` with the query language, modes, scopes and
// ranking, on a small fixed history.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "storage/spool.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

class CliSearch : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    repo_ = root() + "/w/repo";
    fs::create_directories(repo_ + "/.git");
    fs::create_directories(repo_ + "/src");
    auto rec = [&](const std::string& cmd, const std::string& cwd, const std::string& session, const std::string& exit,
                   const std::string& at) {
      Record(cmd, {"--cwd", cwd, "--session", session, "--exit", exit, "--started-at", at});
    };
    rec("git status", repo_, "sA", "0", "2026-03-01T10:00:00Z");
    rec("git commit -m 'Fix'", repo_ + "/src", "sA", "1", "2026-03-02T10:00:00Z");
    rec("git commit -m 'Fix'", repo_ + "/src", "sA", "0", "2026-03-03T10:00:00Z");
    rec("make test", repo_, "sB", "2", "2026-03-04T10:00:00Z");
    rec("ls -la", "/tmp", "sB", "0", "2026-03-05T10:00:00Z");
    rec("grep -r TODO .", root() + "/w/other", "sC", "0", "2026-03-06T10:00:00Z");
  }
  Lines Search(const std::vector<std::string>& args, const TbCall& call = {}) {
    std::vector<std::string> full{"search", "--format", "plain"};
    full.insert(full.end(), args.begin(), args.end());
    RunResult r = Tb(full, call);
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.err, "");
    return SplitLines(r.out);
  }
  TbCall In(const std::string& dir) {
    TbCall c;
    c.cwd = dir;
    c.env = {{"PWD", dir}};
    return c;
  }
  std::string repo_;
};

const std::string kCommit = "git commit -m 'Fix'";

TEST_F(CliSearch, SubstringAndUnique) {
  EXPECT_EQ(Search({"git"}), (Lines{kCommit, kCommit, "git status"}));
  EXPECT_EQ(Search({"git", "--unique"}), (Lines{kCommit, "git status"}));
  EXPECT_EQ(Search({"-u", "git", "-n", "1"}), (Lines{kCommit}));
  EXPECT_EQ(Search({"status", "git"}), (Lines{"git status"})) << "every word must match, in any order";
}

TEST_F(CliSearch, OperatorsAndSmartCase) {
  EXPECT_EQ(Search({"^git !commit"}), (Lines{"git status"}));
  EXPECT_EQ(Search({"ls | make"}), (Lines{"ls -la", "make test"}));
  EXPECT_EQ(Search({"test$"}), (Lines{"make test"}));
  EXPECT_EQ(Search({"'TODO"}), (Lines{"grep -r TODO ."}));
  EXPECT_EQ(Search({"fix", "-u"}), (Lines{kCommit}));
  EXPECT_EQ(Search({"Fix", "-u"}), (Lines{kCommit}));
  EXPECT_EQ(Search({"FIX"}), Lines{}) << "uppercase makes the query case-sensitive";
}

TEST_F(CliSearch, Modes) {
  EXPECT_EQ(Search({"--mode", "prefix", "git c"}), (Lines{kCommit, kCommit}));
  EXPECT_EQ(Search({"--mode", "exact", "ls -la"}), (Lines{"ls -la"}));
  EXPECT_EQ(Search({"--mode", "exact", "ls"}), Lines{});
  EXPECT_EQ(Search({"--mode", "regex", "^(ls|make) "}), (Lines{"ls -la", "make test"}));
  EXPECT_EQ(Search({"--mode", "fuzzy", "gst", "-u"}), (Lines{"git status"}));
  EXPECT_EQ(Search({"--mode=fuzzy", "gcm", "-u"}), (Lines{kCommit}));
}

TEST_F(CliSearch, FrecencyRanking) {
  EXPECT_EQ(Search({"g", "-u"}), (Lines{"grep -r TODO .", kCommit, "git status"}));
  // Two uses (one failed) outweigh one; equal scores go to the newer.
  EXPECT_EQ(Search({"g", "-u", "--rank", "frecency"}), (Lines{kCommit, "grep -r TODO .", "git status"}));
}

TEST_F(CliSearch, WorkspaceAndCurrentScopes) {
  EXPECT_EQ(Search({"t", "--workspace", "-u"}, In(repo_ + "/src")), (Lines{"make test", kCommit, "git status"}));
  RunResult r = Tb({"search", "t", "--workspace"}, In(root()));
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: --workspace: " + root() +
                       " is not inside a git work tree. Run it from a repository, or use --cwd DIR\n");
  TbCall sb;
  sb.env = {{"TERMBRAIN_SESSION", "sB"}};
  EXPECT_EQ(Search({"a", "--session", "current"}, sb), (Lines{"ls -la", "make test"}));
  EXPECT_EQ(Commands({"--session", "current"}, sb), (Lines{"ls -la", "make test"}));
  r = Tb({"search", "a", "--session", "current"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: --session current: this shell has no TermBrain session (TERMBRAIN_SESSION is not set). "
            "Run it in a shell with the integration (tb init), or give the session id\n");
  EXPECT_EQ(Search({"git", "--host", "current", "-u"}), (Lines{kCommit, "git status"}));
  EXPECT_EQ(Search({"git", "--host", "elsewhere"}), Lines{});
  EXPECT_EQ(Search({"git", "--host", "all", "-u"}), Search({"git", "-u"}));
  EXPECT_EQ(Commands({"--host", "all"}), Commands());
  EXPECT_EQ(Search({"git", "--failed"}), (Lines{kCommit}));
  EXPECT_EQ(Search({"git", "--cwd", repo_ + "/src", "--succeeded"}), (Lines{kCommit}));
}

TEST_F(CliSearch, BadInputIsAUsageError) {
  RunResult r = Tb({"search", "--mode", "regex", "a("});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: error: tb search: invalid regex: missing ): a(\n");
  r = Tb({"search", "--mode", "glob", "a"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: --mode: unknown search mode 'glob': expected substring, prefix, fuzzy, regex or exact\n");
  r = Tb({"search", "--rank", "best", "a"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: --rank: unknown ranking 'best': expected recent or frecency\n");
}

TEST_F(CliSearch, NoQueryListsLikeHistory) {
  EXPECT_EQ(Search({}), Commands());
  EXPECT_EQ(Search({}), (Lines{"grep -r TODO .", "ls -la", "make test", kCommit, kCommit, "git status"}));
  EXPECT_EQ(Search({"--failed"}), Commands({"--failed"}));
  EXPECT_EQ(Search({"-n", "2", "--cwd", repo_}), Commands({"-n", "2", "--cwd", repo_}));
  EXPECT_EQ(Search({"--session", "sA", "-u"}), (Lines{kCommit, "git status"}));
  RunResult search = Tb({"search", "--format", "json"});
  RunResult history = Tb({"history", "--format", "json"});
  EXPECT_EXIT_CODE(search, 0);
  EXPECT_EQ(search.err, "");
  EXPECT_EQ(search.out, history.out);
}

TEST_F(CliSearch, ExactModeIsCaseSensitive) {
  Record("GIT status", {"--cwd", "/tmp", "--exit", "0", "--started-at", "2026-03-07T10:00:00Z"});
  EXPECT_EQ(Search({"--mode", "exact", "git status"}), (Lines{"git status"}));
  EXPECT_EQ(Search({"--mode", "exact", "GIT status"}), (Lines{"GIT status"}));
  EXPECT_EQ(Search({"--mode", "exact", "git Status"}), Lines{});
  EXPECT_EQ(Search({"git status"}), (Lines{"GIT status", "git status"})) << "substring mode keeps smart case";
}

TEST_F(CliSearch, GluedBarIsPartOfTheWordAndAHintSaysSo) {
  RunResult r = Tb({"search", "--format", "plain", "ls|make"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: hint: no match for 'ls|make'; '|' means OR only between spaces: tb search 'ls | make'\n");
  r = Tb({"search", "--format", "plain", "--mode", "fuzzy", "^git", "ls|mk"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: hint: no match for '^git ls|mk'; '|' means OR only between spaces: tb search '^git ls | mk'\n");
  EXPECT_EQ(Search({"ls | make"}), (Lines{"ls -la", "make test"}));
  EXPECT_EQ(Search({"--mode", "regex", "ls|make"}), (Lines{"ls -la", "make test"})) << "regex has its own |";
  Record("ps aux|grep tb", {"--cwd", "/tmp", "--exit", "0", "--started-at", "2026-03-07T10:00:00Z"});
  EXPECT_EQ(Search({"aux|grep"}), (Lines{"ps aux|grep tb"})) << "found as typed, no hint";
}

TEST_F(CliSearch, LeavesOutItsOwnRunningCommandLine) {
  // What the bash hook spools as `tb search git` starts in session sZ.
  const std::string spool = SpoolDirFor(runtime_dir() + "/termbrain", data_dir());
  fs::create_directories(spool);
  std::ofstream(spool + "/sZ.spool", std::ios::binary)
      << "TB1\tS\tabc\t1\t1772877600.000000\tsZ\tbash\t/tmp\ttb search git\t.\n";
  TbCall in_shell;
  in_shell.env = {{"TERMBRAIN_SESSION", "sZ"}};
  EXPECT_EQ(Search({"git"}, in_shell), (Lines{kCommit, kCommit, "git status"}));
  EXPECT_EQ(Search({"git", "-u", "-n", "1"}, in_shell), (Lines{kCommit}));
  EXPECT_EQ(Search({"git", "--rank", "frecency", "-u"}, in_shell), (Lines{kCommit, "git status"}));
  Lines all = Commands();
  ASSERT_EQ(all.front(), "tb search git") << "history shows the running line";
  EXPECT_EQ(Search({}, in_shell), Lines(all.begin() + 1, all.end()));
  // From another shell it is a running command like any other.
  TbCall other;
  other.env = {{"TERMBRAIN_SESSION", "sOther"}};
  EXPECT_EQ(Search({"git"}, other), (Lines{"tb search git", kCommit, kCommit, "git status"}));
  EXPECT_EQ(Search({"git"}), (Lines{"tb search git", kCommit, kCommit, "git status"}));
}

TEST_F(CliSearch, HelpDocumentsTheQueryLanguage) {
  TbCall no_store;
  no_store.data_dir = false;
  RunResult r = Tb({"search", "--help"}, no_store);
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(
      r.out.starts_with("usage: tb search [QUERY...] [--mode M] [--rank R] [--unique] [--workspace] "
                        "[filters] [--format F] | search -i [QUERY]\n\nOptions:\n"))
      << r.out;
  const std::string kLanguage = R"(
Query (substring mode, the default; quote it for the shell):
  docker compose   every word must match, in any order (AND)
  docker | podman  either word: '|' is OR between spaces ('a|b' is one word)
  ^git             starts with git
  .tar.gz$         ends with .tar.gz
  ^make$           the whole command is make
  'ls              contains ls (an exact substring, also in fuzzy mode)
  !sudo            does not contain sudo (also !^word, !word$)
  git\ st          a literal space inside a word
  Smart case: a query in lowercase ignores case; any uppercase letter makes
  it case-sensitive. No query: every command, newest first, as tb history.

Modes (--mode; default: search.mode in the config):
  substring  the words and operators above
  fuzzy      as substring, but a plain word matches its letters in order
             (gco finds git checkout); best match first, then frecency
  prefix     the command starts with the whole query
  exact      the command is the whole query, case included
  regex      the query is an RE2 regular expression (partial match)

Examples:
  tb search docker --cwd .
  tb search '^git !push' -u --workspace
  tb search 'make | ninja' --failed --since yesterday
  tb search --mode fuzzy gco --rank frecency
  tb search --mode exact 'git status' -n 1 --format json
  tb search -i                     interactive (Ctrl-R in a shell with tb init)
)";
  EXPECT_TRUE(r.out.ends_with(kLanguage)) << r.out;
  EXPECT_EQ(Tb({"help", "search"}, no_store).out, r.out);
  EXPECT_FALSE(fs::exists(xdg_data())) << "help never touches a store";
}

TEST_F(CliSearch, IndexFileIsPrivateAndForgetRemovesIt) {
  EXPECT_EQ(Search({"grep"}), (Lines{"grep -r TODO ."}));
  struct stat st {};
  ASSERT_EQ(::stat((data_dir() + "/search.idx").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  RunResult r = Tb({"forget", "--match", "TODO", "--yes"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_FALSE(fs::exists(data_dir() + "/search.idx"));
  EXPECT_EQ(Search({"grep"}), Lines{});
  EXPECT_EQ(ReadFile(data_dir() + "/search.idx").find("TODO"), std::string::npos);
  // A new command reaches the next search (the index is brought up to date).
  Record("grep again", {"--cwd", "/tmp"});
  EXPECT_EQ(Search({"grep"}), (Lines{"grep again"}));
}

TEST_F(CliSearch, DamagedIndexIsRebuiltWithAWarning) {
  const Lines expected = Search({"t"});
  ASSERT_EQ(expected.size(), 5u);
  std::string path = data_dir() + "/search.idx";
  std::string bytes = ReadFile(path);
  ASSERT_GT(bytes.size(), 200u);
  bytes[bytes.size() / 2] ^= 0x04;
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << bytes;
  }
  RunResult r = Tb({"search", "--format", "plain", "t"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(SplitLines(r.out), expected);
  EXPECT_TRUE(r.err.starts_with("tb: warning: search index (" + path + ") is damaged: ")) << r.err;
  EXPECT_TRUE(r.err.ends_with("; rebuilt from the store\n")) << r.err;
  EXPECT_NE(ReadFile(path), bytes) << "the damaged file is replaced";
  EXPECT_EQ(Search({"t"}), expected);  // quietly, from the rebuilt file
}

}  // namespace
}  // namespace tb::testing
