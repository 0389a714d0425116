// End-to-end: bad input is data. Invalid UTF-8, NUL bytes, newlines and
// over-long commands are stored and shown as the formats promise.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "storage/store.h"
#include "tests/status_assert.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

using Json = nlohmann::ordered_json;

const std::string kFffd = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

class CliBadInput : public CliTest {
 protected:
  Json HistoryJson(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"history", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = Tb(args);
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.err, "");
    Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not valid JSON: " << r.out;
    return j;
  }
};

TEST_F(CliBadInput, InvalidUtf8IsStoredExactly) {
  const std::string cmd = "\xff\xfe ok";
  Record(cmd, {"--cwd", "/tmp/\xc3(dir", "--session", "s\x80"});

  RunResult plain = Tb({"history", "--format", "plain"});
  EXPECT_EXIT_CODE(plain, 0);
  EXPECT_EQ(plain.out, cmd + "\n");

  Json j = HistoryJson();
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["command"], kFffd + kFffd + " ok");
  EXPECT_EQ(j[0]["cwd"], "/tmp/" + kFffd + "(dir");
  EXPECT_EQ(j[0]["session"], "s" + kFffd);

  RunResult nd = Tb({"history", "--format", "ndjson"});
  EXPECT_FALSE(Json::parse(nd.out, nullptr, false).is_discarded()) << nd.out;
  RunResult csv = Tb({"history", "--format", "csv"});
  EXPECT_NE(csv.out.find("," + kFffd + kFffd + " ok,"), std::string::npos) << csv.out;
  // Tables escape what a terminal cannot show.
  RunResult table = Tb({"history"});
  EXPECT_EXIT_CODE(table, 0);
  EXPECT_NE(table.out.find("\\xff\\xfe ok\n"), std::string::npos) << table.out;
  // Search matches the raw bytes.
  RunResult found = Tb({"search", "\xfe ok", "--format", "plain"});
  EXPECT_EXIT_CODE(found, 0);
  EXPECT_EQ(found.out, cmd + "\n");
  // The log keeps the bytes too (and dumps valid JSON).
  RunResult dump = Tb({"log", "dump"});
  EXPECT_EXIT_CODE(dump, 0);
  Json ev = Json::parse(dump.out, nullptr, false);
  ASSERT_FALSE(ev.is_discarded()) << dump.out;
  EXPECT_EQ(ev["command"], kFffd + kFffd + " ok");
}

TEST_F(CliBadInput, NulByteThroughTheLibrary) {
  {
    StoreOptions o;
    o.data_dir = data_dir();
    o.access = StoreOptions::Access::kReadWrite;
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(o, &store));
    Event ev;
    ev.kind = EventKind::kRecorded;
    ev.command = std::string("a\0b", 3);
    ev.cwd = "/tmp";
    ev.time_ns = 1767225600000000000;  // 2026-01-01T00:00:00Z
    ev.host = "h";
    ev.user = "u";
    ev.session = "s";
    ev.exit_code = 0;
    ev.duration_ns = 1000000;
    Status s = store->Append(std::span<Event>(&ev, 1), true);
    ASSERT_OK(s) << s.ToString();
  }
  RunResult plain = Tb({"history", "--format", "plain"});
  EXPECT_EXIT_CODE(plain, 0);
  EXPECT_EQ(plain.out, std::string("a\0b\n", 4));

  RunResult nd = Tb({"history", "--format", "ndjson"});
  EXPECT_EXIT_CODE(nd, 0);
  EXPECT_NE(nd.out.find("\"command\":\"a\\u0000b\""), std::string::npos) << nd.out;
  Json j = HistoryJson();
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["command"], std::string("a\0b", 3));
  EXPECT_EQ(j[0]["started_at"], "2026-01-01T00:00:00.000Z");

  RunResult table = Tb({"history"});
  EXPECT_EXIT_CODE(table, 0);
  EXPECT_EQ(table.out.find('\0'), std::string::npos) << "a raw NUL reached the terminal";
  RunResult csv = Tb({"history", "--format", "csv"});
  EXPECT_NE(csv.out.find(std::string(",a\0b,", 5)), std::string::npos);
}

TEST_F(CliBadInput, MultiLineCommand) {
  Record("for i in 1 2; do\n  echo \"$i\"\ndone", {"--cwd", "/tmp", "--exit", "0"});
  RunResult plain = Tb({"history", "--format", "plain"});
  EXPECT_EQ(plain.out, "for i in 1 2; do\n  echo \"$i\"\ndone\n");
  Json j = HistoryJson();
  EXPECT_EQ(j[0]["command"], "for i in 1 2; do\n  echo \"$i\"\ndone");
  RunResult nd = Tb({"history", "--format", "ndjson"});
  EXPECT_EQ(SplitLines(nd.out).size(), 1u) << "one record, one line";
  RunResult csv = Tb({"history", "--format", "csv"});
  EXPECT_NE(csv.out.find(",\"for i in 1 2; do\n  echo \"\"$i\"\"\ndone\",/tmp,0,"), std::string::npos) << csv.out;
  RunResult table = Tb({"history"});
  std::vector<std::string> rows = SplitLines(table.out);
  ASSERT_EQ(rows.size(), 2u) << table.out;
  EXPECT_NE(rows[1].find("for i in 1 2; do\\n  echo \"$i\"\\ndone"), std::string::npos) << rows[1];
}

TEST_F(CliBadInput, OverLongCommandIsTruncatedWithOneWarning) {
  const EnvVars env = {{"TERMBRAIN_RECORD_MAX_COMMAND_BYTES", "300"}};
  RunResult r = TbEnv({"record", "--command", std::string(1000, 'x'), "--cwd", "/tmp"}, env);
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "");
  ASSERT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("tb: warning: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("300"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("xxxx"), std::string::npos) << "command text must not be echoed";

  RunResult plain = Tb({"history", "--format", "plain"});
  EXPECT_EQ(plain.out, std::string(300, 'x') + "\n");
  RunResult dump = Tb({"log", "dump"});
  EXPECT_EQ(Json::parse(dump.out)["truncated"], true);

  // A cut never splits a UTF-8 sequence: 299 ASCII bytes + "é" (2 bytes).
  RunResult utf = TbEnv({"record", "--command", std::string(299, 'a') + "\xc3\xa9tail", "--cwd", "/tmp"}, env);
  EXPECT_EXIT_CODE(utf, 0);
  EXPECT_EQ(Tb({"history", "--format", "plain", "-n", "1"}).out, std::string(299, 'a') + "\n");

  // Exactly at the limit: stored whole, no warning.
  RunResult exact = TbEnv({"record", "--command", std::string(300, 'b'), "--cwd", "/tmp"}, env);
  EXPECT_EXIT_CODE(exact, 0);
  EXPECT_EQ(exact.err, "");
  EXPECT_EQ(Tb({"history", "--format", "plain", "-n", "1"}).out, std::string(300, 'b') + "\n");
}

TEST_F(CliBadInput, ControlCharactersDoNotReachTheTerminalInTables) {
  Record("echo \x1b[31mred\x1b[0m\tdone\r", {"--cwd", "/tmp/\x1b]0;title\x07"});
  RunResult table = Tb({"history"});
  EXPECT_EXIT_CODE(table, 0);
  EXPECT_EQ(table.out.find('\x1b'), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find('\r'), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find('\x07'), std::string::npos) << table.out;
  // Plain is byte-exact by contract.
  EXPECT_EQ(Tb({"history", "--format", "plain"}).out, "echo \x1b[31mred\x1b[0m\tdone\r\n");
}

// `tb history | head -c 1`: the reader leaves while tb still has output.
TEST_F(CliBadInput, ReaderGoingAwayIsNotAnError) {
  // More than a pipe buffer (64 KiB), so tb must write after head has gone.
  Record(std::string(60000, 'a'), {"--cwd", "/tmp"});
  Record(std::string(60000, 'b'), {"--cwd", "/tmp"});
  for (const char* format : {"plain", "ndjson", "table"}) {
    RunOptions o;
    o.env = BaseEnv();
    RunResult r = RunProcess({"/bin/bash", "-c",
                              std::string("\"$0\" --data-dir \"$1\" history --format ") + format +
                                  " | head -c 1 >/dev/null; echo \"${PIPESTATUS[0]}\"",
                              TbBinary(), data_dir()},
                             o);
    EXPECT_EQ(r.out, "0\n") << format << ": tb's exit status; " << r.Describe();
    EXPECT_EQ(r.err, "") << format;
  }
  RunOptions o;
  o.env = BaseEnv();
  RunResult dump = RunProcess({"/bin/bash", "-c",
                               "\"$0\" --data-dir \"$1\" log dump | head -c 1 >/dev/null; echo "
                               "\"${PIPESTATUS[0]}\"",
                               TbBinary(), data_dir()},
                              o);
  EXPECT_EQ(dump.out, "0\n") << dump.Describe();
}

}  // namespace
}  // namespace tb::testing
