// Tests of core/record_policy.h: what is not recorded, and the order of
// masking and truncation.
#include "core/record_policy.h"
#include "tests/status_assert.h"

#include <string>

#include <gtest/gtest.h>

namespace tb {
namespace {

std::unique_ptr<RecordPolicy> MakePolicy(const Config& cfg = Config{}) {
  std::unique_ptr<RecordPolicy> p;
  Status s = RecordPolicy::Create(cfg, &p);
  EXPECT_OK(s) << s.ToString();
  return p;
}

Event Started(std::string command, std::string cwd = "/home/u") {
  Event ev;
  ev.kind = EventKind::kStarted;
  ev.command = std::move(command);
  ev.cwd = std::move(cwd);
  return ev;
}

const std::string kOpen = "\xE2\x80\xB9";
const std::string kClose = "\xE2\x80\xBA";

TEST(RecordPolicyTest, OrdinaryCommandsAreRecorded) {
  auto p = MakePolicy();
  for (const char* cmd : {"ls", "git status", "\tls", "ls ", "echo '  '", "x\n y"}) {
    EXPECT_TRUE(p->ShouldRecord(Started(cmd))) << cmd;
  }
}

TEST(RecordPolicyTest, EmptyAndBlankCommandsAreNotRecorded) {
  auto p = MakePolicy();
  for (const char* cmd : {"", "\n", "\t", " \t \n\r\f\v", "\r\n"}) {
    EXPECT_FALSE(p->ShouldRecord(Started(cmd))) << cmd;
  }
  // Also for a complete record (imports).
  Event ev = Started("   ");
  ev.kind = EventKind::kRecorded;
  EXPECT_FALSE(p->ShouldRecord(ev));
}

TEST(RecordPolicyTest, LeadingSpace) {
  auto p = MakePolicy();
  EXPECT_FALSE(p->ShouldRecord(Started(" export X=1")));
  EXPECT_FALSE(p->ShouldRecord(Started("  ls")));
  EXPECT_TRUE(p->ShouldRecord(Started("\tls")));  // a space only, like HISTCONTROL=ignorespace

  Config cfg;
  cfg.record.ignore_space = false;
  auto keep = MakePolicy(cfg);
  EXPECT_TRUE(keep->ShouldRecord(Started(" export X=1")));
  EXPECT_FALSE(keep->ShouldRecord(Started("   ")));  // still blank
}

TEST(RecordPolicyTest, IgnorePatternsMatchAnywhereUnlessAnchored) {
  Config cfg;
  cfg.record.ignore_patterns = {"^ls$", "vault kv put", "(?i)^PASS\\b"};
  auto p = MakePolicy(cfg);
  EXPECT_FALSE(p->ShouldRecord(Started("ls")));
  EXPECT_TRUE(p->ShouldRecord(Started("ls -la")));
  EXPECT_FALSE(p->ShouldRecord(Started("sudo vault kv put secret/x a=b")));
  EXPECT_FALSE(p->ShouldRecord(Started("pass show email")));
  EXPECT_FALSE(p->ShouldRecord(Started("PASS insert x")));
  EXPECT_TRUE(p->ShouldRecord(Started("passwd")));
  // Judged on the command as typed, before masking.
  cfg.record.ignore_patterns = {"GITHUB_TOKEN=ghp_"};
  auto raw = MakePolicy(cfg);
  EXPECT_FALSE(raw->ShouldRecord(Started("export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789")));
}

TEST(RecordPolicyTest, IgnorePatternsAreUtf8AndSurviveInvalidBytes) {
  Config cfg;
  cfg.record.ignore_patterns = {"^ssh .*prod", "^cd [äöü]"};
  auto p = MakePolicy(cfg);
  // Invalid bytes do not stop '.*' (they are matched as U+FFFD).
  EXPECT_FALSE(p->ShouldRecord(Started("ssh \xff\xfe x prod")));
  EXPECT_FALSE(p->ShouldRecord(Started("ssh \xc3 prod")));
  // A character class holds characters, not bytes.
  EXPECT_FALSE(
      p->ShouldRecord(Started("cd \xc3\xbc"
                              "ber")));                           // "cd über"
  EXPECT_TRUE(p->ShouldRecord(Started("cd \xc3\xa9t\xc3\xa9")));  // "cd été"
  EXPECT_TRUE(p->ShouldRecord(Started("ssh \xff staging")));
}

TEST(RecordPolicyTest, IgnoreDirs) {
  Config cfg;
  cfg.record.ignore_dirs = {"^/tmp(/|$)", "/secret-project\\b"};
  auto p = MakePolicy(cfg);
  EXPECT_FALSE(p->ShouldRecord(Started("ls", "/tmp")));
  EXPECT_FALSE(p->ShouldRecord(Started("ls", "/tmp/x")));
  EXPECT_TRUE(p->ShouldRecord(Started("ls", "/tmpfs")));
  EXPECT_FALSE(p->ShouldRecord(Started("make", "/home/u/secret-project/src")));
  EXPECT_TRUE(p->ShouldRecord(Started("make", "/home/u/project")));
  EXPECT_FALSE(p->ShouldRecord(Started("ls", "/tmp/\xff")));
  // The command text is not a directory.
  EXPECT_TRUE(p->ShouldRecord(Started("cd /tmp/x", "/home/u")));
}

TEST(RecordPolicyTest, FinishedEventsAreNotJudged) {
  Config cfg;
  cfg.record.ignore_patterns = {"."};
  cfg.record.ignore_dirs = {"."};
  auto p = MakePolicy(cfg);
  Event fin;
  fin.kind = EventKind::kFinished;  // no command, no cwd
  fin.exit_code = 0;
  EXPECT_TRUE(p->ShouldRecord(fin));
  EXPECT_FALSE(p->ShouldRecord(Started("ls")));
}

TEST(RecordPolicyTest, PrepareMasksCommandAndDirectory) {
  auto p = MakePolicy();
  Event ev = Started("export DB_PASSWORD=hunter2", "/srv/ghp_abcdefghijklmnopqrstuvwxyz0123456789");
  EXPECT_EQ(p->Prepare(&ev), 2u);
  EXPECT_EQ(ev.command, "export DB_PASSWORD=" + kOpen + "secret-env" + kClose);
  EXPECT_EQ(ev.cwd, "/srv/" + kOpen + "github-token" + kClose);
  EXPECT_FALSE(ev.truncated);
}

TEST(RecordPolicyTest, PrepareLeavesOrdinaryEventsAlone) {
  auto p = MakePolicy();
  Event ev = Started("git log --oneline 3f78685", "/home/u/src");
  Event before = ev;
  EXPECT_EQ(p->Prepare(&ev), 0u);
  EXPECT_EQ(ev, before);
}

TEST(RecordPolicyTest, MaskBeforeTruncate) {
  // A secret that straddles record.max_command_bytes: masked as a whole,
  // then the (safe) text is cut. Truncating first would keep its first half.
  Config cfg;
  cfg.record.max_command_bytes = 256;
  auto p = MakePolicy(cfg);
  const std::string prefix(240, 'x');
  const std::string key = "AKIAIOSFODNN7EXAMPLE";  // bytes 246..265
  Event ev = Started("echo " + prefix + " " + key + " done");
  p->Prepare(&ev);
  EXPECT_TRUE(ev.truncated);
  EXPECT_LE(ev.command.size(), 256u);
  EXPECT_EQ(ev.command.find("AKIA"), std::string::npos);
  // The cut falls inside the marker, on a character boundary.
  EXPECT_EQ(ev.command.substr(0, 246), "echo " + prefix + " ");
  EXPECT_EQ(ev.command.substr(246), kOpen + "aws-acc");

  // Truncating first would have left a recognizable fragment of the key.
  std::string cut_first = "echo " + prefix + " " + key + " done";
  cut_first.resize(256);
  EXPECT_NE(cut_first.find("AKIAIOSFOD"), std::string::npos);
}

TEST(RecordPolicyTest, MaskingCanGrowTheCommandPastTheLimit) {
  Config cfg;
  cfg.record.max_command_bytes = 256;
  auto p = MakePolicy(cfg);
  std::string cmd = "mysql -pX " + std::string(240, 'y');  // 250 bytes
  Event ev = Started(cmd);
  p->Prepare(&ev);
  EXPECT_TRUE(ev.truncated);
  EXPECT_EQ(ev.command.size(), 256u);
  EXPECT_EQ(ev.command.rfind("mysql -p" + kOpen + "mysql-password" + kClose + " yyy", 0), 0u);
}

TEST(RecordPolicyTest, PrepareKeepsAnEarlierTruncatedFlag) {
  auto p = MakePolicy();
  Event ev = Started("ls");
  ev.truncated = true;
  p->Prepare(&ev);
  EXPECT_TRUE(ev.truncated);
}

TEST(RecordPolicyTest, SecretsConfigReachesTheMasker) {
  Config cfg;
  cfg.secrets.disable = {"secret-env"};
  cfg.secrets.extra = {"corp=CORP-[0-9]{4}"};
  auto p = MakePolicy(cfg);
  Event ev = Started("export DB_PASSWORD=hunter2 CORP-1234");
  EXPECT_EQ(p->Prepare(&ev), 1u);
  EXPECT_EQ(ev.command, "export DB_PASSWORD=hunter2 " + kOpen + "corp" + kClose);
}

TEST(RecordPolicyTest, HandBuiltInvalidConfigIsRefused) {
  std::unique_ptr<RecordPolicy> p;
  Config cfg;
  cfg.record.ignore_patterns = {"ok", "("};
  Status s = RecordPolicy::Create(cfg, &p);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "invalid record.ignore_patterns pattern \"(\": is not a valid RE2 "
            "pattern: missing ): (. Fix record.ignore_patterns");
  EXPECT_EQ(p, nullptr);

  cfg = Config{};
  cfg.record.ignore_dirs = {""};
  s = RecordPolicy::Create(cfg, &p);
  EXPECT_EQ(s.message(),
            "invalid record.ignore_dirs pattern \"\": is empty (it would match "
            "every directory). Fix record.ignore_dirs");

  cfg = Config{};
  cfg.secrets.disable = {"nope"};
  EXPECT_TRUE(RecordPolicy::Create(cfg, &p).IsInvalidArgument());
  EXPECT_EQ(p, nullptr);
}

TEST(RecordPolicyTest, ItemChecks) {
  EXPECT_EQ(IgnorePatternProblem("^ls$"), "");
  EXPECT_EQ(IgnorePatternProblem(""), "is empty (it would match every command)");
  EXPECT_EQ(IgnorePatternProblem("a)"), "is not a valid RE2 pattern: unexpected ): a)");
  EXPECT_EQ(IgnoreDirProblem(""), "is empty (it would match every directory)");
  EXPECT_EQ(IgnoreDirProblem("^/tmp"), "");
}

}  // namespace
}  // namespace tb
