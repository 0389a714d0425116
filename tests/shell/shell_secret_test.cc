// Secrets typed into real shells never reach the data dir: after the spool
// is drained, no byte sequence of any test secret is left anywhere under it
// (log, views, WAL, logs, rejected frames...), and the spool files that held
// the raw frames are gone.
#include <gtest/gtest.h>

#include "tests/shell/shell_sandbox.h"

namespace tb::testing {
namespace {

struct Secret {
  std::string command;  // as typed
  std::string secret;   // must not be found on disk
};

std::vector<Secret> SecretsFor(const std::string& shell) {
  // Distinct per shell, so a leak is traced to its shell.
  std::string tag = shell == "bash" ? "B" : shell == "zsh" ? "Z" : "F";
  std::string gh = "ghp_" + tag + "1a2b3c4d5e6f7g8h9i0jKLMNOPQRSTUVWXYZab";
  std::string aws = "AKIA" + tag + "BCDEFGHIJKLMNOP";
  std::string bearer = "eyJ" + tag + "zdWIiOiIxMjM0NTY3ODkwIn0dozjgNryP4J3jVmNHl0w5N";
  return {
      {"export GITHUB_TOKEN=" + gh, gh},
      {"echo aws_access_key_id " + aws, aws},
      {"echo curl -H 'Authorization: Bearer " + bearer + "' https://example.com", bearer},
  };
}

TEST(ShellSecretTest, SecretsTypedInAShellLeaveNoTraceInTheDataDir) {
  std::string missing = MissingShellTools({"bash", "zsh", "fish"});
  if (!missing.empty()) GTEST_SKIP() << "not installed: " << missing << " (scripts/deps.sh --test)";
  ShellSandbox sb;
  std::vector<Secret> all;
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    std::string error;
    ASSERT_TRUE(sb.Start(shell, shell, &error)) << error;
    for (const Secret& s : SecretsFor(shell)) {
      ASSERT_TRUE(sb.Run(shell, s.command)) << sb.Dump();
      all.push_back(s);
    }
  }
  std::vector<nlohmann::json> records = sb.History();  // drains the spool
  ASSERT_EQ(records.size(), all.size());
  for (const auto& r : records) {
    std::string cmd = r.at("command");
    EXPECT_NE(cmd.find("\u2039"), std::string::npos) << "not masked: " << cmd;  // ‹rule›
    for (const Secret& s : all) EXPECT_EQ(cmd.find(s.secret), std::string::npos) << cmd;
  }
  // `tb history` must have committed everything; force the rest of the
  // store's files to settle by running another writer.
  RunResult st = sb.Tb({"status"});
  EXPECT_EQ(st.exit_code, 0) << st.Describe();
  for (const Secret& s : all) {
    std::string where;
    EXPECT_FALSE(TreeContains(sb.data_dir(), s.secret, &where)) << s.secret << " found in " << where;
    EXPECT_FALSE(TreeContains(sb.spool_dir(), s.secret, &where)) << s.secret << " left in the spool: " << where;
  }
}

}  // namespace
}  // namespace tb::testing
