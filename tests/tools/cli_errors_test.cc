// End-to-end: every error path of the command line (exact one-line message
// and exit code), config errors, and the help/version texts.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

struct ErrorCase {
  std::vector<std::string> args;  // after `tb --data-dir D`
  int exit_code;
  std::string message;  // the whole stderr line after "tb: error: ", or its start when `prefix`
  bool prefix = false;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << ::testing::PrintToString(c.args); }

class CliErrors : public CliTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(CliErrors, OneLineMessageAndExitCode) {
  const ErrorCase& c = GetParam();
  RunResult r = Tb(c.args);
  EXPECT_EXIT_CODE(r, c.exit_code);
  EXPECT_EQ(r.out, "");
  ASSERT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  ASSERT_EQ(r.err.back(), '\n');
  std::string line = r.err.substr(0, r.err.size() - 1);
  const std::string expected = "tb: error: " + c.message;
  if (c.prefix) {
    EXPECT_EQ(line.substr(0, expected.size()), expected);
  } else {
    EXPECT_EQ(line, expected);
  }
  // A usage error is refused before anything is written.
  EXPECT_FALSE(std::filesystem::exists(data_dir())) << "usage errors must not create the store";
}

const std::string kIntRange = "expected a whole number from 0 to 9223372036854775807";
const std::string kExitRange = "expected a whole number from -2147483648 to 2147483647";

INSTANTIATE_TEST_SUITE_P(
    CliUsage, CliErrors,
    ::testing::Values(
        ErrorCase{{"hisory"},
                  2,
                  "unknown command 'hisory'. Did you mean 'tb history'? Run 'tb help' for the "
                  "list of commands"},
        ErrorCase{{"serch", "x"},
                  2,
                  "unknown command 'serch'. Did you mean 'tb search'? Run 'tb help' for the "
                  "list of commands"},
        ErrorCase{{"hist"},
                  2,
                  "unknown command 'hist'. Did you mean 'tb history'? Run 'tb help' for the "
                  "list of commands"},
        ErrorCase{{"wor", "list"},
                  2,
                  "unknown command 'wor'. Did you mean 'tb workflow create', 'tb workflow list', "
                  "'tb workflow show', 'tb workflow run', 'tb workflow delete' or 'tb workflow "
                  "suggest'? Run 'tb help' for the list of commands"},
        ErrorCase{{"versoin"},
                  2,
                  "unknown command 'versoin'. Did you mean 'tb version'? Run 'tb help' for the "
                  "list of commands"},
        ErrorCase{{"frobnicate"}, 2, "unknown command 'frobnicate'. Run 'tb help' for the list of commands"},
        ErrorCase{{"--frob", "history"}, 2, "unknown global option '--frob'. Run 'tb help'"},
        ErrorCase{{"history", "--lmit", "3"}, 2, "unrecognised option '--lmit' (tb history). Run 'tb help history'"},
        ErrorCase{{"history", "--limit"},
                  2,
                  "the required argument for option '--limit' is missing (tb history). Run 'tb "
                  "help history'"},
        ErrorCase{{"history", "-n"}, 2, "the required argument for option '--limit' is missing", true},
        ErrorCase{{"history", "--limit", "abc"}, 2, "tb history: invalid value 'abc' for --limit: " + kIntRange},
        ErrorCase{{"history", "--limit", "-1"}, 2, "tb history: invalid value '-1' for --limit: " + kIntRange},
        ErrorCase{{"history", "-n", "1.5"}, 2, "tb history: invalid value '1.5' for --limit: " + kIntRange},
        ErrorCase{{"history", "--exit", "x"}, 2, "tb history: invalid value 'x' for --exit: " + kExitRange},
        ErrorCase{{"search", "git", "--exit", "99999999999"},
                  2,
                  "tb search: invalid value '99999999999' for --exit: " + kExitRange},
        ErrorCase{{"history", "--since", "tomorow"},
                  2,
                  "--since: cannot parse time 'tomorow': expected RFC 3339 "
                  "(2026-01-31T12:00:00Z), a date (2026-01-31), \"2 hours ago\", \"today\" or "
                  "\"@UNIXSECONDS\""},
        ErrorCase{{"history", "--until", "2026-02-30"}, 2, "--until: ", true},
        ErrorCase{
            {"history", "--since", "2026-03-02", "--until", "2026-03-01"}, 2, "--since is after --until (tb history)"},
        ErrorCase{
            {"history", "--failed", "--succeeded"}, 2, "--failed and --succeeded exclude each other (tb history)"},
        ErrorCase{{"history", "--format", "xml"},
                  2,
                  "--format: unknown format 'xml': expected table, json, ndjson, csv or plain"},
        ErrorCase{{"history", "extra"}, 2, "too many arguments (tb history). Run 'tb help history'"},
        ErrorCase{{"status", "--format", "csv"}, 2, "unknown format 'csv' for tb status: expected table or json"},
        ErrorCase{{"views", "--format", "xml"}, 2, "unknown format 'xml' for tb views: expected table or json"},
        ErrorCase{{"status", "now"}, 2, "too many arguments (tb status). Run 'tb help status'"},
        ErrorCase{{"views", "verify", "all"}, 2, "too many arguments (tb views verify). Run 'tb help views verify'"},
        ErrorCase{{"record", "--command", "x", "--duration-ms", "-5"},
                  2,
                  "invalid value '-5' for --duration-ms: expected milliseconds >= 0 (e.g. 12 or "
                  "1.5)"},
        ErrorCase{
            {"record", "--command", "x", "--duration-ms", "12ms"}, 2, "invalid value '12ms' for --duration-ms", true},
        ErrorCase{
            {"record", "--command", "x", "--exit", "x"}, 2, "tb record: invalid value 'x' for --exit: " + kExitRange},
        ErrorCase{{"record", "--command", "echo hi", "--exit", "999"},
                  2,
                  "invalid value '999' for --exit (tb record): an exit status is 0 to 255 (a "
                  "signal n is 128 + n)"},
        ErrorCase{{"record", "--command", "echo hi", "--cwd", "rel"},
                  2,
                  "invalid value 'rel' for --cwd (tb record): the directory must be an absolute "
                  "path"},
        ErrorCase{{"record", "--command", "echo hi", "--started-at", "2099-01-01T00:00:00Z"},
                  2,
                  "invalid value '2099-01-01T00:00:00.000Z' for --started-at (tb record): it is "
                  "more than 1 hour in the future (now ",
                  true},
        ErrorCase{{"record", "--command", "x", "--started-at", "yesterdy"},
                  2,
                  "--started-at: cannot parse time 'yesterdy'",
                  true},
        ErrorCase{{"record"}, 2, "missing --command (tb record). Run 'tb help record'"},
        ErrorCase{{"record", "--cwd", "/tmp"}, 2, "missing --command (tb record). Run 'tb help record'"},
        ErrorCase{{"record", "--command", ""}, 2, "--command is empty (tb record): nothing to record"},
        ErrorCase{{"record", "--command"},
                  2,
                  "the required argument for option '--command' is missing (tb record). Run 'tb "
                  "help record'"},
        ErrorCase{{"record", "--command", "x", "stray"}, 2, "too many arguments (tb record). Run 'tb help record'"},
        ErrorCase{{"record", "--command", "x", "--command", "y"},
                  2,
                  "option '--command' cannot be specified more than once (tb record). Run 'tb "
                  "help record'"},
        ErrorCase{{"rebuild", "--view", "nope"},
                  2,
                  "unknown view 'nope' (tb rebuild). Known views: ids, history, by_cwd, "
                  "by_session, by_command, commands, batches, stats, sequences, fixes, workflows"},
        ErrorCase{{"rebuild", "--view"},
                  2,
                  "the required argument for option '--view' is missing (tb rebuild). Run 'tb "
                  "help rebuild'"},
        ErrorCase{{"log", "dump", "--from", "3", "--to", "2"}, 2, "--from is after --to (tb log dump)"},
        ErrorCase{{"log", "dump", "--from", "x"}, 2, "tb log dump: invalid value 'x' for --from: " + kIntRange},
        ErrorCase{{"log"},
                  2,
                  "'tb log' needs a subcommand: 'tb log verify', 'tb log dump', 'tb log export' or 'tb log salvage'. "
                  "Run 'tb help' "
                  "for the list of commands"},
        ErrorCase{{"config", "--format", "json"},
                  2,
                  "'tb config' needs a subcommand: 'tb config show' or 'tb config check'. Run 'tb "
                  "help' for the list of commands"},
        ErrorCase{{"log", "verfy"},
                  2,
                  "unknown command 'log verfy'. Did you mean 'tb log verify'? Run 'tb help' for "
                  "the list of commands"},
        ErrorCase{{"log", "frob"},
                  2,
                  "unknown command 'log frob': expected 'tb log verify', 'tb log dump', 'tb log export' or 'tb log "
                  "salvage'. Run 'tb "
                  "help' for the list of commands"},
        ErrorCase{{"Log", "dump"},
                  2,
                  "unknown command 'Log'. Did you mean 'tb log verify', 'tb log dump', 'tb log export' or 'tb log "
                  "salvage'? Run 'tb "
                  "help' for the list of commands"},
        ErrorCase{{"config", "show", "--format", "yaml"},
                  2,
                  "unknown format 'yaml' for tb config show: expected toml or json"},
        ErrorCase{{"config", "check", "x"}, 2, "too many arguments (tb config check). Run 'tb help config check'"}));

// Global flags without their value: no data dir is involved at all.
class CliGlobalErrors : public CliTest {};

TEST_F(CliGlobalErrors, DataDirWithoutValue) {
  TbCall call;
  call.data_dir = false;
  for (const auto& args : std::vector<std::vector<std::string>>{{"--data-dir"}, {"history", "--data-dir"}}) {
    RunResult r = Tb(args, call);
    SCOPED_TRACE(::testing::PrintToString(args));
    if (args[0] == "--data-dir") {
      EXPECT_EXIT_CODE(r, 2);
      EXPECT_EQ(r.err, "tb: error: option --data-dir needs a value. Run 'tb help'\n");
    } else {
      // After the subcommand it is an unknown option of that command.
      EXPECT_EXIT_CODE(r, 2);
      EXPECT_EQ(r.err,
                "tb: error: unrecognised option '--data-dir' (tb history). Run 'tb help "
                "history'\n");
    }
    EXPECT_EQ(r.out, "");
  }
  RunResult empty = Tb({"--data-dir=", "history"}, call);
  EXPECT_EXIT_CODE(empty, 2);
  EXPECT_EQ(empty.err, "tb: error: option --data-dir needs a non-empty value\n");
  RunResult config = Tb({"--config"}, call);
  EXPECT_EXIT_CODE(config, 2);
  EXPECT_EQ(config.err, "tb: error: option --config needs a value. Run 'tb help'\n");
}

TEST_F(CliGlobalErrors, NoArgumentsPrintsHelpWithUsageExit) {
  TbCall call;
  call.data_dir = false;
  RunResult r = Tb({}, call);
  EXPECT_EXIT_CODE(r, 2);
  RunResult help = Tb({"help"}, call);
  EXPECT_EXIT_CODE(help, 0);
  EXPECT_EQ(r.out, help.out);
  EXPECT_EQ(r.out.rfind("tb 0.1.0 - TermBrain, your terminal command memory\n", 0), 0u);
  // Only the data dir flag: still no command.
  RunResult dir_only = Tb({});
  EXPECT_EXIT_CODE(dir_only, 2);
  EXPECT_FALSE(std::filesystem::exists(data_dir()));
}

// ------------------------------------------------------------ config errors

class CliConfigErrors : public CliTest {
 protected:
  // Runs `tb --config FILE history` with `content` in FILE and expects a
  // usage error whose one line names FILE:line and `key`.
  void ExpectConfigError(const std::string& content, int line, const std::string& key,
                         const std::string& message_start) {
    std::string file = root() + "/cfg/config.toml";
    WriteFile(file, content);
    RunResult r = Tb({"--config", file, "history"});
    EXPECT_EXIT_CODE(r, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("tb: error: " + message_start, 0), 0u) << r.err;
    EXPECT_NE(r.err.find(file + ":" + std::to_string(line)), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(data_dir()));
  }
};

TEST_F(CliConfigErrors, UnknownKey) {
  ExpectConfigError("[storage]\nblock_cache_mb = 8\nbogus = 1\n", 3, "storage.bogus",
                    "unknown config key 'storage.bogus'");
}

TEST_F(CliConfigErrors, UnknownSection) {
  ExpectConfigError("# comment\n[nonsense]\nx = 1\n", 2, "nonsense", "unknown config");
}

TEST_F(CliConfigErrors, WrongType) {
  ExpectConfigError("[storage]\nblock_cache_mb = \"big\"\n", 2, "storage.block_cache_mb", "invalid config (");
}

TEST_F(CliConfigErrors, OutOfRange) {
  ExpectConfigError("\n[record]\nmax_command_bytes = 10\n", 3, "record.max_command_bytes", "invalid config (");
}

TEST_F(CliConfigErrors, ValueNotAllowed) {
  ExpectConfigError("[log]\nlevel = \"loud\"\n", 2, "log.level", "invalid config (");
}

TEST_F(CliConfigErrors, SyntaxError) {
  std::string file = root() + "/cfg/config.toml";
  WriteFile(file, "[storage\nblock_cache_mb = 8\n");
  RunResult r = Tb({"--config", file, "history"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("tb: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(file + ":1"), std::string::npos) << r.err;
}

TEST_F(CliConfigErrors, DefaultConfigFileIsCheckedToo) {
  WriteFile(xdg_config() + "/termbrain/config.toml", "[storage]\nbogus = 1\n");
  RunResult r = Tb({"history"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: unknown config key 'storage.bogus' (" + xdg_config() +
                       "/termbrain/config.toml:2). Known keys in [storage]: block_cache_mb, "
                       "write_buffer_mb, lock_wait_ms, reserve_mb, encryption, key_file, kdf_ops, kdf_memory_mb\n");
  RunResult check = Tb({"config", "check"});
  EXPECT_EXIT_CODE(check, 2);
  EXPECT_EQ(check.err, r.err);
}

TEST_F(CliConfigErrors, BadEnvironmentValue) {
  RunResult r = TbEnv({"history"}, {{"TERMBRAIN_STORAGE_BLOCK_CACHE_MB", "abc"}});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: invalid config (env TERMBRAIN_STORAGE_BLOCK_CACHE_MB): "
            "storage.block_cache_mb must be an integer, got \"abc\". Fix or unset the variable\n");
  RunResult range = TbEnv({"history"}, {{"TERMBRAIN_RECORD_MAX_COMMAND_BYTES", "0"}});
  EXPECT_EXIT_CODE(range, 2);
  EXPECT_EQ(range.err.rfind("tb: error: invalid config (env TERMBRAIN_RECORD_MAX_COMMAND_BYTES)", 0), 0u) << range.err;
  RunResult unknown = TbEnv({"history"}, {{"TERMBRAIN_STORAGE_BOGUS", "1"}});
  EXPECT_EXIT_CODE(unknown, 2);
  EXPECT_NE(unknown.err.find("TERMBRAIN_STORAGE_BOGUS"), std::string::npos) << unknown.err;
  EXPECT_FALSE(std::filesystem::exists(data_dir()));
}

TEST_F(CliConfigErrors, MissingExplicitConfig) {
  RunResult r = Tb({"--config", "/missing.toml", "history"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: config file not found (/missing.toml). Create it, or fix --config or "
            "$TERMBRAIN_CONFIG\n");
  RunResult env = TbEnv({"history"}, {{"TERMBRAIN_CONFIG", "/missing.toml"}});
  EXPECT_EXIT_CODE(env, 2);
  EXPECT_EQ(env.err, r.err);
  EXPECT_FALSE(std::filesystem::exists(data_dir()));
}

// ------------------------------------------------------------ help, version

class CliHelp : public CliTest {
 protected:
  RunResult NoStore(const std::vector<std::string>& args) {
    TbCall call;
    call.data_dir = false;
    RunResult r = Tb(args, call);
    EXPECT_EQ(r.err, "");
    return r;
  }
};

TEST_F(CliHelp, TopLevelHelp) {
  RunResult r = NoStore({"help"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out.rfind("tb 0.1.0 - TermBrain, your terminal command memory\n\n"
                        "usage: tb [--data-dir DIR] [--config FILE] COMMAND [ARGS...]\n\n"
                        "commands:\n"
                        "  record            record one complete command\n"
                        "  history           list recorded commands, newest first\n",
                        0),
            0u)
      << r.out;
  for (const char* cmd : {"  search ", "  status ", "  views ", "  views verify ", "  rebuild ", "  log verify ",
                          "  log dump ", "  config show ", "  config check "}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
  EXPECT_NE(r.out.find("  telemetry disable stop counting"), std::string::npos) << "the longest name has its space";
  EXPECT_NE(r.out.find("exit codes: 0 ok, 1 error, 2 usage, 3 data corruption or foreign store, "
                       "4 store busy\n"),
            std::string::npos);
  EXPECT_EQ(NoStore({"--help"}).out, r.out);
  EXPECT_EQ(NoStore({"-h"}).out, r.out);
}

TEST_F(CliHelp, CommandHelp) {
  RunResult a = NoStore({"help", "history"});
  EXPECT_EXIT_CODE(a, 0);
  EXPECT_EQ(a.out.rfind("usage: tb history [filters] [--as-of T] [--format F]\n\nOptions:\n", 0), 0u) << a.out;
  for (const char* opt : {"--limit", "--cwd DIR", "--session ID", "--host H", "--exit N", "--failed", "--succeeded",
                          "--since T", "--until T", "--format F"}) {
    EXPECT_NE(a.out.find(opt), std::string::npos) << opt;
  }
  EXPECT_EQ(NoStore({"history", "--help"}).out, a.out);
  EXPECT_EQ(NoStore({"history", "-h"}).out, a.out);
  RunResult rec = NoStore({"help", "record"});
  EXPECT_EXIT_CODE(rec, 0);
  EXPECT_EQ(rec.out.rfind("usage: tb record --command CMD [--cwd DIR] [--exit N] [--duration-ms MS] "
                          "[--started-at TIME] [--session ID] [--shell NAME]\n",
                          0),
            0u)
      << rec.out;
  RunResult two = NoStore({"help", "log", "dump"});
  EXPECT_EXIT_CODE(two, 0);
  EXPECT_EQ(two.out.rfind("usage: tb log dump [--from SEQ] [--to SEQ]\n", 0), 0u) << two.out;
  // Help never touches a store.
  EXPECT_FALSE(std::filesystem::exists(xdg_data()));
}

TEST_F(CliHelp, HelpForAnUnknownCommand) {
  TbCall call;
  call.data_dir = false;
  RunResult r = Tb({"help", "hisory"}, call);
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: unknown command 'hisory'. Did you mean 'tb history'? Run 'tb help' for "
            "the list of commands\n");
}

TEST_F(CliHelp, Version) {
  RunResult r = NoStore({"--version"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "tb 0.1.0 (store format 1)\n");
  EXPECT_EQ(NoStore({"-V"}).out, r.out);
}

TEST_F(CliHelp, VersionWordAndShortFlag) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"version"}, {"-v"}}) {
    RunResult r = NoStore(args);
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.out, "tb 0.1.0 (store format 1)\n") << ::testing::PrintToString(args);
  }
  RunResult r = NoStore({"help", "version"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out,
            "tb 0.1.0 (store format 1)\n\nusage: tb version [--changes]\n\n  --changes  what changed, version by "
            "version (the changelog tb carries)\n");
  RunResult help = NoStore({"help", "help"});
  EXPECT_EXIT_CODE(help, 0);
  EXPECT_EQ(help.out, NoStore({"help"}).out);
}

TEST_F(CliHelp, GroupHelpListsTheSubcommands) {
  const std::string backup =
      "usage: tb backup SUBCOMMAND [ARGS...]\n\n"
      "commands:\n"
      "  backup create  back up the store (incremental; --note TEXT)\n"
      "  backup list    list backups with time, head seq, size and note\n"
      "  backup verify  check every file of a backup against its checksum (ID|latest)\n"
      "  backup restore restore a backup over the store or into --to DIR (ID|latest)\n"
      "  backup prune   delete all but the newest --keep N backups\n"
      "\n'tb help backup SUBCOMMAND' for a command's options\n";
  RunResult r = NoStore({"help", "backup"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, backup);
  EXPECT_EQ(NoStore({"backup", "--help"}).out, backup);
  EXPECT_EQ(NoStore({"backup", "-h"}).out, backup);
  RunResult retention = NoStore({"help", "retention"});
  EXPECT_EXIT_CODE(retention, 0);
  EXPECT_EQ(retention.out,
            "usage: tb retention SUBCOMMAND [ARGS...]\n\n"
            "commands:\n"
            "  retention apply remove events beyond retention.max_age / max_events (--dry-run)\n"
            "\n'tb help retention SUBCOMMAND' for a command's options\n");
  for (const char* group : {"log", "snapshot", "config", "workflow"}) {
    RunResult g = NoStore({"help", group});
    EXPECT_EXIT_CODE(g, 0);
    EXPECT_TRUE(g.out.starts_with("usage: tb " + std::string(group) + " SUBCOMMAND [ARGS...]\n\ncommands:\n")) << g.out;
    EXPECT_EQ(NoStore({group, "--help"}).out, g.out);
  }
  EXPECT_EQ(NoStore({"help", "log"}).out,
            "usage: tb log SUBCOMMAND [ARGS...]\n\n"
            "commands:\n"
            "  log verify  verify every event: payloads, sequence, unique ids\n"
            "  log dump    print raw events as ndjson (--from SEQ --to SEQ)\n"
            "  log export  write the log to a portable checksummed file (-o FILE [--from SEQ --to SEQ])\n"
            "  log salvage rebuild a damaged store from every readable event; say what was lost\n"
            "\n'tb help log SUBCOMMAND' for a command's options\n");
  EXPECT_FALSE(std::filesystem::exists(xdg_data())) << "help never touches a store";
}

}  // namespace
}  // namespace tb::testing
