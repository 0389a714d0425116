// Eight shells (bash, zsh and fish) type commands at the same time while
// another process keeps draining the spool: every command must be recorded
// exactly once, under the session of the shell that ran it.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "tests/shell/shell_sandbox.h"

namespace tb::testing {
namespace {

TEST(ShellConcurrencyTest, EightShellsRecordEveryCommandExactlyOnce) {
  std::string missing = MissingShellTools({"bash", "zsh", "fish"});
  if (!missing.empty()) GTEST_SKIP() << "not installed: " << missing << " (scripts/deps.sh --test)";
  const std::vector<std::string> shells = {"bash", "zsh", "fish", "bash", "zsh", "fish", "bash", "zsh"};
  const int kCommands = 15;

  ShellSandbox sb;
  std::vector<std::string> windows;
  for (size_t i = 0; i < shells.size(); ++i) {
    std::string w = "s";
    w += std::to_string(i);  // (not "s" + ...: GCC 12's -Wrestrict misfires at -O3)
    std::string error;
    ASSERT_TRUE(sb.Start(shells[i], w, &error)) << error;
    windows.push_back(w);
  }

  // A drainer racing the shells: each `tb history` takes over the live spool
  // files while the shells keep appending to them.
  std::atomic<bool> stop{false};
  std::atomic<int> drains{0};
  std::thread drainer([&] {
    while (!stop) {
      RunResult r = sb.Tb({"history", "-n", "1", "--format", "plain"});
      if (r.exit_code == 0) ++drains;
    }
  });

  std::map<std::string, int> base;
  for (const auto& w : windows) base[w] = sb.Prompts(w);
  for (const auto& w : windows) sb.Line(w, "echo \"SID=$TERMBRAIN_SESSION\"");
  for (int i = 0; i < kCommands; ++i) {
    for (const auto& w : windows) sb.Line(w, "echo c-" + w + "-" + std::to_string(i));
  }
  bool all_done = true;
  for (const auto& w : windows) all_done &= sb.WaitPrompts(w, base[w] + kCommands + 1, std::chrono::seconds(60));
  stop = true;
  drainer.join();
  ASSERT_TRUE(all_done) << sb.Dump();
  EXPECT_GT(drains.load(), 0);

  // Which session each window has.
  std::map<std::string, std::string> session_of;  // window -> session
  static const std::regex sid_re("SID=([0-9a-f]{16})");
  for (const auto& w : windows) {
    std::smatch m;
    std::string screen = sb.Screen(w);
    ASSERT_TRUE(std::regex_search(screen, m, sid_re)) << screen;
    session_of[w] = m[1];
  }
  std::set<std::string> distinct;
  for (const auto& [w, s] : session_of) distinct.insert(s);
  EXPECT_EQ(distinct.size(), windows.size()) << "two shells share a session";

  std::vector<nlohmann::json> records = sb.History();
  std::map<std::string, int> seen;
  for (const auto& r : records) {
    std::string cmd = r.at("command");
    seen[cmd]++;
    static const std::regex cmd_re("echo c-(s[0-9])-[0-9]+");
    std::smatch m;
    if (std::regex_match(cmd, m, cmd_re)) {
      EXPECT_EQ(r.at("session"), session_of[m[1]]) << r.dump();
      EXPECT_EQ(r.at("exit_code"), 0) << r.dump();
      EXPECT_TRUE(r.at("duration_ms").is_number()) << r.dump();
    }
  }
  int wrong = 0;
  for (const auto& w : windows) {
    for (int i = 0; i < kCommands; ++i) {
      std::string cmd = "echo c-" + w + "-" + std::to_string(i);
      if (seen[cmd] != 1) {
        ++wrong;
        ADD_FAILURE() << cmd << " recorded " << seen[cmd] << " times";
      }
    }
  }
  EXPECT_EQ(records.size(), windows.size() * (kCommands + 1));
  if (wrong > 0) ADD_FAILURE() << sb.Dump();
}

}  // namespace
}  // namespace tb::testing
