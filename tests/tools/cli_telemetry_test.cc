// tb telemetry (docs/telemetry.md): off by default and then no file at all;
// enabled, each command counted by name, bucket and error kind, and nothing
// else (a marker command, directory, the host and the user never appear);
// disable stops it; send posts exactly what show printed and starts the
// window again, and every failure to send is one line and keeps the counts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

// A local HTTP receiver on 127.0.0.1 (an ephemeral port) answering every
// POST with `answer`, keeping what it got.
class Receiver {
 public:
  explicit Receiver(int answer) {
    server_.Post(".*", [this, answer](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(req.body);
      content_type_ = req.get_header_value("Content-Type");
      path_ = req.path;
      res.status = answer;
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");  // listening from here on
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/counts"; }
  std::vector<std::string> Bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::string ContentType() {
    std::lock_guard<std::mutex> lock(mu_);
    return content_type_;
  }
  std::string Path() {
    std::lock_guard<std::mutex> lock(mu_);
    return path_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::string content_type_, path_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string Today() {
  const time_t now = ::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  return date;
}

class CliTelemetry : public CliTest {
 protected:
  std::string StateDir() const { return root() + "/xdg/state/termbrain"; }  // $XDG_STATE_HOME/termbrain
  std::string CountsFile() const { return StateDir() + "/telemetry"; }
  std::string Version() const {
    std::string v = Tb({"--version"}).out;  // "tb 0.1.0 (store format 1)"
    return v.substr(3, v.find(' ', 3) - 3);
  }
  // `tb telemetry show --format json`, asserted to exit 0 quietly.
  std::string Document(const EnvVars& env = {}) const {
    RunResult r = TbEnv({"telemetry", "show", "--format", "json"}, env);
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.err, "");
    return r.out;
  }
  // The commands a marker session runs: a record of a marker command in a
  // marker directory, searches, a listing and a failure.
  void RunMarkerCommands() const {
    const std::string marker_dir = root() + "/secret-project-dir";
    fs::create_directories(marker_dir);
    TbCall in_dir;
    in_dir.cwd = marker_dir;
    Record("deploy --token MARKER-7f3a2 prod.example.internal", {"--cwd", marker_dir}, in_dir);
    EXPECT_EXIT_CODE(Tb({"search", "MARKER-7f3a2"}, in_dir), 0);
    EXPECT_EXIT_CODE(Tb({"search", "MARKER-7f3a2"}, in_dir), 0);
    EXPECT_EXIT_CODE(Tb({"history"}, in_dir), 0);
    EXPECT_EXIT_CODE(Tb({"workflow", "show", "MARKER-7f3a2"}, in_dir), 1);
  }
  // Nothing of the marker session, the host or the user in `text`.
  void ExpectAnonymous(const std::string& text) const {
    for (const std::string& secret : {std::string("MARKER"), std::string("secret-project-dir"),
                                      std::string("example.internal"), root(), ThisHost(), ThisUser()}) {
      if (secret.empty()) continue;
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
    }
  }
};

TEST_F(CliTelemetry, OffByDefaultNothingIsWritten) {
  RunMarkerCommands();
  EXPECT_FALSE(fs::exists(CountsFile()));
  EXPECT_FALSE(fs::exists(StateDir()));  // not even the state directory
  RunResult r = Tb({"telemetry", "show"});
  ASSERT_EXIT_CODE(r, 0);
  const std::string empty = R"({"schema":"termbrain-telemetry/1","tb_version":")" + Version() +
                            R"(","since":null,"duration_buckets":["<10ms","<100ms","<1s","<10s",">=10s"],)"
                            R"("commands":{}})"
                            "\n";
  EXPECT_EQ(r.out,
            "telemetry: off (tb telemetry enable)\nendpoint:  none (telemetry.endpoint is empty)\n"
            "document (what tb telemetry send posts, byte for byte, without the final newline):\n" +
                empty);
  EXPECT_EQ(Document(), empty);
  EXPECT_FALSE(fs::exists(CountsFile()));
  r = Tb({"telemetry", "send"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: telemetry is off: nothing is counted, so nothing is sent\n");
  EXPECT_EQ(Tb({"telemetry", "disable"}).out, "Telemetry is already off.\n");
  EXPECT_FALSE(fs::exists(CountsFile()));
}

TEST_F(CliTelemetry, EnabledCountsNamesBucketsAndErrorKindsOnly) {
  RunResult r = Tb({"telemetry", "enable"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;  // one paragraph
  EXPECT_TRUE(r.out.starts_with("Telemetry is on. From now on tb counts, in " + CountsFile() + " on this machine"))
      << r.out;
  EXPECT_NE(r.out.find("posts these counts to telemetry.endpoint (not set: nothing can be sent until you set it). "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(fs::status(CountsFile()).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(Tb({"telemetry", "enable"}).out,
            "Telemetry is already on: counting in " + CountsFile() + " (tb telemetry show).\n");

  RunMarkerCommands();
  const std::string file = ReadFile(CountsFile());
  EXPECT_EQ(SplitLines(file).size(), 1u + 5u) << file;  // the header, one line per command
  ExpectAnonymous(file);

  const std::string doc = Document();
  ExpectAnonymous(doc);
  // Durations depend on the machine: each command's add up to its runs, and
  // the rest of the document is exact.
  nlohmann::json j = nlohmann::json::parse(doc);
  std::map<std::string, std::string> durations;
  for (const auto& [name, c] : j["commands"].items()) {
    uint64_t sum = 0;
    for (const auto& n : c["durations"]) sum += n.get<uint64_t>();
    EXPECT_EQ(sum, c["runs"].get<uint64_t>()) << name;
    durations[name] = c["durations"].dump();
  }
  EXPECT_EQ(doc, R"({"schema":"termbrain-telemetry/1","tb_version":")" + Version() + R"(","since":")" + Today() +
                     R"(","duration_buckets":["<10ms","<100ms","<1s","<10s",">=10s"],"commands":{)"
                     R"("history":{"runs":1,"durations":)" +
                     durations["history"] +
                     R"(,"errors":{}},)"
                     R"("record":{"runs":1,"durations":)" +
                     durations["record"] +
                     R"(,"errors":{}},)"
                     R"("search":{"runs":2,"durations":)" +
                     durations["search"] +
                     R"(,"errors":{}},)"
                     R"("workflow show":{"runs":1,"durations":)" +
                     durations["workflow show"] +
                     R"(,"errors":{"not found":1}}}})"
                     "\n");

  // The table format: the setting and the endpoint above the same document.
  r = TbEnv({"telemetry", "show"}, {{"TERMBRAIN_TELEMETRY_ENDPOINT", "http://127.0.0.1:9/x"}});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "telemetry: on, counting in " + CountsFile() +
                       "\nendpoint:  http://127.0.0.1:9/x\n"
                       "document (what tb telemetry send posts, byte for byte, without the final newline):\n" +
                       doc);
  EXPECT_EQ(Document(), doc);  // showing counts nothing

  // Disable: the counts are gone and nothing more is counted.
  EXPECT_EQ(Tb({"telemetry", "disable"}).out,
            "Telemetry is off: the counts in " + CountsFile() + " were deleted and nothing more is counted.\n");
  EXPECT_FALSE(fs::exists(CountsFile()));
  RunMarkerCommands();
  EXPECT_FALSE(fs::exists(CountsFile()));
}

TEST_F(CliTelemetry, SendPostsExactlyTheShownDocumentThenStartsAgain) {
  ASSERT_EXIT_CODE(Tb({"telemetry", "enable"}), 0);
  RunMarkerCommands();
  Receiver receiver(200);
  const EnvVars env = {{"TERMBRAIN_TELEMETRY_ENDPOINT", receiver.Url()}};
  const std::string doc = Document(env);
  RunResult r = TbEnv({"telemetry", "send"}, env);
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "Sent the counts of 5 runs to " + receiver.Url() + "; counting starts again.\n");
  ASSERT_EQ(receiver.Bodies().size(), 1u);
  EXPECT_EQ(receiver.Bodies()[0] + "\n", doc);
  EXPECT_EQ(receiver.ContentType(), "application/json");
  EXPECT_EQ(receiver.Path(), "/v1/counts");
  ExpectAnonymous(receiver.Bodies()[0]);

  const std::string reset = R"({"schema":"termbrain-telemetry/1","tb_version":")" + Version() + R"(","since":")" +
                            Today() +
                            R"(","duration_buckets":["<10ms","<100ms","<1s","<10s",">=10s"],)"
                            R"("commands":{}})"
                            "\n";
  EXPECT_EQ(Document(env), reset);
  EXPECT_EQ(SplitLines(ReadFile(CountsFile())).size(), 1u);  // the header alone
}

TEST_F(CliTelemetry, FailuresToSendAreOneLineAndKeepTheCounts) {
  ASSERT_EXIT_CODE(Tb({"telemetry", "enable"}), 0);
  RunMarkerCommands();
  const std::string file = ReadFile(CountsFile());

  RunResult r = Tb({"telemetry", "send"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "tb: error: no telemetry endpoint: telemetry.endpoint is empty, so nothing is sent; the counts are kept\n");
  EXPECT_EQ(ReadFile(CountsFile()), file);

  const std::string closed = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/";
  r = TbEnv({"telemetry", "send"}, {{"TERMBRAIN_TELEMETRY_ENDPOINT", closed}});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: error: telemetry not sent: " + closed + ": cannot connect; the counts are kept\n");
  EXPECT_EQ(ReadFile(CountsFile()), file);

  Receiver failing(500);
  r = TbEnv({"telemetry", "send"}, {{"TERMBRAIN_TELEMETRY_ENDPOINT", failing.Url()}});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "tb: error: telemetry not sent: " + failing.Url() + " answered HTTP 500; the counts are kept\n");
  EXPECT_EQ(failing.Bodies().size(), 1u);
  EXPECT_EQ(ReadFile(CountsFile()), file);

  // A config naming something else than an http(s) URL does not load.
  r = TbEnv({"telemetry", "show"}, {{"TERMBRAIN_TELEMETRY_ENDPOINT", "ftp://example.org/"}});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_NE(r.err.find("is not an http:// or https:// URL with a host"), std::string::npos) << r.err;
}

TEST_F(CliTelemetry, ADamagedFileIsReportedAndReplaced) {
  ASSERT_EXIT_CODE(Tb({"telemetry", "enable"}), 0);
  WriteFile(CountsFile(), "{\"this is\": \"not ours\"}\n");
  ASSERT_EXIT_CODE(Tb({"config", "check"}), 0);  // counting into it: one more line, never a crash or a message
  RunResult r = Tb({"telemetry", "show", "--format", "json"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "tb: warning: the telemetry counts file " + CountsFile() +
                       " could not be believed (not a telemetry counts file (it does not start with "
                       "'termbrain-telemetry')); its counts were dropped and counting starts again\n");
  EXPECT_NE(r.out.find(R"("commands":{}})"), std::string::npos) << r.out;
  EXPECT_EQ(Tb({"telemetry", "show", "--format", "json"}).err, "");  // replaced: believed from now on
  ASSERT_EXIT_CODE(Tb({"config", "check"}), 0);
  EXPECT_NE(Document().find(R"("commands":{"config check":{"runs":1,)"), std::string::npos);
}

}  // namespace
}  // namespace tb::testing
