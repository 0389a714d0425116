// Tests of core/secrets.h: a true positive for every rule (exact masked
// output), ordinary commands that must stay byte-for-byte unchanged, config
// (disable / extra), bytes that are not UTF-8, and the combination rules.
#include "core/secrets.h"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/core/secret_cases.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

using secret_cases::Case;
using secret_cases::kOrdinary;
using secret_cases::kTruePositives;

std::unique_ptr<SecretMasker> MakeMasker(const Config& cfg = Config{}) {
  std::unique_ptr<SecretMasker> m;
  Status s = SecretMasker::Create(cfg, &m);
  EXPECT_OK(s) << s.ToString();
  return m;
}

std::string Masked(const SecretMasker& m, std::string text, size_t* count = nullptr) {
  size_t n = m.Mask(&text);
  if (count != nullptr) *count = n;
  return text;
}

TEST(SecretMaskerTest, TruePositives) {
  auto m = MakeMasker();
  for (const Case& c : kTruePositives) {
    size_t n = 0;
    EXPECT_EQ(Masked(*m, c.in, &n), c.out) << c.in;
    EXPECT_GE(n, 1u) << c.in;
  }
}

TEST(SecretMaskerTest, EveryBuiltinRuleHasTruePositives) {
  for (const SecretRuleInfo& rule : BuiltinSecretRules()) {
    std::string marker = SecretMarker(rule.name);
    size_t cases = std::count_if(std::begin(kTruePositives), std::end(kTruePositives),
                                 [&](const Case& c) { return std::string(c.out).find(marker) != std::string::npos; });
    EXPECT_GE(cases, 2u) << rule.name;
    EXPECT_FALSE(rule.matches.empty()) << rule.name;
  }
  EXPECT_GE(BuiltinSecretRules().size(), 20u);
}

TEST(SecretMaskerTest, OrdinaryCommandsStayByteForByte) {
  auto m = MakeMasker();
  EXPECT_GE(std::size(kOrdinary), 150u);
  for (const char* cmd : kOrdinary) {
    size_t n = 7;
    EXPECT_EQ(Masked(*m, cmd, &n), cmd);
    EXPECT_EQ(n, 0u) << cmd;
  }
}

TEST(SecretMaskerTest, MaskingTwiceChangesNothing) {
  // A masked command re-run from history (or masked again by a later pass)
  // keeps its markers: a marker is never taken for a secret value.
  auto m = MakeMasker();
  for (const Case& c : kTruePositives) {
    size_t n = 7;
    EXPECT_EQ(Masked(*m, c.out, &n), c.out);
    EXPECT_EQ(n, 0u) << c.out;
  }
}

TEST(SecretMaskerTest, MarkerFormat) {
  EXPECT_EQ(SecretMarker("aws-access-key"), "\u2039aws-access-key\u203a");
  EXPECT_EQ(SecretMarker("x"), "\xE2\x80\xB9x\xE2\x80\xBA");
}

TEST(SecretMaskerTest, ShellExpansionsAreNotSecrets) {
  auto m = MakeMasker();
  for (const char* cmd : {
           "export GITHUB_TOKEN=$(gh auth token)",
           "export GITHUB_TOKEN=\"$(gh auth token)\"",
           "export NPM_TOKEN=\"${NPM_TOKEN}\"",
           "curl -H \"Authorization: Bearer $TOKEN\" https://x",
           "curl -H \"Authorization: Bearer ${TOKEN}\" https://x",
           "mysql -u root -p$MYSQL_PASS db",
           "docker login -u bob --password \"$REGISTRY_PASSWORD\" r.example.com",
           "git clone https://x:$GL_TOKEN@gitlab.com/g/p.git",
           "set -gx GITHUB_TOKEN (gh auth token)",
           "curl -u admin:$ADMIN_PASS https://x",
       }) {
    EXPECT_EQ(Masked(*m, cmd), cmd);
  }
  // Inside single quotes nothing expands: '$...' is the literal secret.
  EXPECT_EQ(Masked(*m, "export GITHUB_TOKEN='$ecret1'"), "export GITHUB_TOKEN='\u2039secret-env\u203a'");
  EXPECT_EQ(Masked(*m, "mysql -p'$ecret' db"), "mysql -p'\u2039mysql-password\u203a' db");
}

TEST(SecretMaskerTest, EmptyValuesAreLeftAlone) {
  auto m = MakeMasker();
  for (const char* cmd : {"export TOKEN=", "export TOKEN=\"\"", "curl -u user: https://x",
                          "echo password=", "curl -H 'Authorization: ' x", "mysql -p"}) {
    EXPECT_EQ(Masked(*m, cmd), cmd);
  }
}

TEST(SecretMaskerTest, SecretNamesMustEndAWord) {
  // Decision: NAME=value is a secret when a keyword (TOKEN, SECRET,
  // PASSWORD, PASSWD, API_KEY) ends a word of NAME; names of where a secret
  // is kept (*_FILE, *_PATH, *_DIR, *_NAME) hold no secret.
  auto m = MakeMasker();
  for (const char* cmd :
       {"TOKEN_FILE=~/.token ./deploy.sh", "SECRET_PATH=/run/secrets ./x", "GH_TOKEN_DIR=/tmp/t ./x",
        "SECRET_NAME=db-creds kubectl apply -f x", "MAX_TOKENS=4096 python app.py", "tokenizer=bpe python train.py",
        "PASSWORDLESS=1 ./login", "export PASSWORD_STORE_DIR=~/.pass"}) {
    EXPECT_EQ(Masked(*m, cmd), cmd);
  }
  const std::string kSecretEnv = "\u2039secret-env\u203a";
  EXPECT_EQ(Masked(*m, "accessToken=abc ./x"), "accessToken=" + kSecretEnv + " ./x");
  EXPECT_EQ(Masked(*m, "SECRETKEY=abc ./x"), "SECRETKEY=" + kSecretEnv + " ./x");
  EXPECT_EQ(Masked(*m, "export TOKEN_V2=abc"), "export TOKEN_V2=" + kSecretEnv);
  EXPECT_EQ(Masked(*m, "export db.password=abc"), "export db.password=" + kSecretEnv);
  // The suffixes must be words of their own.
  EXPECT_EQ(Masked(*m, "tokenFile=x.txt ./a"), "tokenFile=x.txt ./a");
  EXPECT_EQ(Masked(*m, "SECRET_PROFILE=abc ./x"), "SECRET_PROFILE=" + kSecretEnv + " ./x");
}

TEST(SecretMaskerTest, DashPIsAPasswordOnlyForMysqlTools) {
  auto m = MakeMasker();
  for (const char* cmd : {"psql -p5432 -h db app", "ssh -p2222 host", "grep -pfoo x", "tar -xzpf a.tgz",
                          "mysql -u root -p", "mysql -h db -u root -p app", "mysql --port=3306 -u root app",
                          "mysql -P3306 app", "echo mysql; ls -pa", "mysqlrouter -pfoo"}) {
    EXPECT_EQ(Masked(*m, cmd), cmd);
  }
  EXPECT_EQ(Masked(*m, "mysql -P3306 -uroot -pS3cret app; ls -p"),
            "mysql -P3306 -uroot -p\u2039mysql-password\u203a app; ls -p");
}

TEST(SecretMaskerTest, OverlappingSpansBecomeOneMarker) {
  auto m = MakeMasker();
  // Same span: the rule that comes first names it.
  size_t n = 0;
  EXPECT_EQ(Masked(*m, "export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789", &n),
            "export GITHUB_TOKEN=\u2039github-token\u203a");
  EXPECT_EQ(n, 1u);
  // One span inside another: the longer one names it.
  EXPECT_EQ(Masked(*m, "DB_PASSWORD=postgres://u:hunter2@h/db ./x", &n), "DB_PASSWORD=\u2039secret-env\u203a ./x");
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(Masked(*m,
                   "curl -H \"Authorization: Digest username=x, "
                   "opaque=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc\" https://x"),
            "curl -H \"Authorization: Digest \u2039authorization\u203a\" https://x");
}

TEST(SecretMaskerTest, CountsEveryMarker) {
  auto m = MakeMasker();
  size_t n = 0;
  std::string out = Masked(*m,
                           "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE "
                           "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY "
                           "GITHUB_TOKEN=x ./deploy --password hunter2",
                           &n);
  EXPECT_EQ(out,
            "AWS_ACCESS_KEY_ID=\u2039aws-access-key\u203a "
            "AWS_SECRET_ACCESS_KEY=\u2039aws-secret-key\u203a "
            "GITHUB_TOKEN=\u2039secret-env\u203a ./deploy --password \u2039password-flag\u203a");
  EXPECT_EQ(n, 4u);
}

TEST(SecretMaskerTest, MultiLinePrivateKey) {
  auto m = MakeMasker();
  EXPECT_EQ(Masked(*m,
                   "cat > id <<'EOF'\n-----BEGIN OPENSSH PRIVATE KEY-----\n"
                   "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
                   "QyNTUxOQAAACDpQ5gVAAAAAA==\n-----END OPENSSH PRIVATE KEY-----\nEOF"),
            "cat > id <<'EOF'\n-----BEGIN OPENSSH PRIVATE KEY-----\u2039private-key\u203a"
            "-----END OPENSSH PRIVATE KEY-----\nEOF");
  // Without its END line (cut, or pasted in part) the rest is masked.
  EXPECT_EQ(Masked(*m, "echo '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn"),
            "echo '-----BEGIN RSA PRIVATE KEY-----\u2039private-key\u203a");
  // The header alone is not a key.
  const char* grep = "grep -rl -- '-----BEGIN RSA PRIVATE KEY-----' ~/src";
  EXPECT_EQ(Masked(*m, grep), grep);
}

TEST(SecretMaskerTest, InvalidUtf8IsMatchedAsBytesAndKept) {
  auto m = MakeMasker();
  // Invalid bytes before, inside and after secrets: matching goes on, the
  // bytes that are not part of a secret are kept exactly.
  EXPECT_EQ(Masked(*m, "echo \xff\xfe; export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 \xc3"),
            "echo \xff\xfe; export GITHUB_TOKEN=\u2039github-token\u203a \xc3");
  EXPECT_EQ(Masked(*m, "mysql -p\xffp\xe9ss\x80 db\xc0"), "mysql -p\u2039mysql-password\u203a db\xc0");
  EXPECT_EQ(Masked(*m, "caf\xe9 https://u:p\xe4ss@h\xf6st/"), "caf\xe9 https://u:\u2039url-password\u203a@h\xf6st/");
  // Truncated UTF-8 sequence right before a key.
  EXPECT_EQ(Masked(*m, "\xe2\x80 AKIAIOSFODNN7EXAMPLE"), "\xe2\x80 \u2039aws-access-key\u203a");
  // Nothing to mask: untouched.
  const std::string junk = "ls \xff\xfe\xfd /tmp/\xc3\x28 \xed\xa0\x80";
  EXPECT_EQ(Masked(*m, junk), junk);
}

TEST(SecretMaskerTest, NulBytesAreOrdinaryBytes) {
  auto m = MakeMasker();
  std::string in("a\0b DB_PASSWORD=x\0y ./z", 23);
  std::string out = Masked(*m, in);
  EXPECT_EQ(out, std::string("a\0b DB_PASSWORD=", 16) + "\u2039secret-env\u203a ./z");
}

TEST(SecretMaskerTest, LongCommandSecretAtTheEnd) {
  auto m = MakeMasker();
  std::string in;
  for (int i = 0; i < 100000; ++i) in += "echo 3f786850e387550fdab836ed7e6dc881de23001b; ";
  std::string tail = "curl -H 'Authorization: Bearer abcdefgh12345678' x";
  size_t n = 0;
  std::string out = Masked(*m, in + tail, &n);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(out, in + "curl -H 'Authorization: Bearer \u2039bearer-token\u203a' x");
}

TEST(SecretMaskerTest, EmptyText) {
  auto m = MakeMasker();
  std::string empty;
  EXPECT_EQ(m->Mask(&empty), 0u);
  EXPECT_EQ(empty, "");
}

// --- config: disable and extra ---------------------------------------------------

TEST(SecretMaskerConfigTest, DisabledRulesDoNotMask) {
  Config cfg;
  cfg.secrets.disable = {"jwt", "mysql-password"};
  auto m = MakeMasker(cfg);
  const char* jwt = "echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N | jwt";
  EXPECT_EQ(Masked(*m, jwt), jwt);
  EXPECT_EQ(Masked(*m, "mysql -u root -psecret db"), "mysql -u root -psecret db");
  // Other rules still apply, including to what the disabled rule used to name.
  EXPECT_EQ(Masked(*m, "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln' x"),
            "curl -H 'Authorization: Bearer \u2039bearer-token\u203a' x");
  std::vector<std::string> names = m->RuleNames();
  EXPECT_EQ(std::count(names.begin(), names.end(), "jwt"), 0);
  EXPECT_EQ(names.size(), BuiltinSecretRules().size() - 2);
}

TEST(SecretMaskerConfigTest, EverythingDisabledMasksNothing) {
  Config cfg;
  for (const SecretRuleInfo& r : BuiltinSecretRules()) cfg.secrets.disable.emplace_back(r.name);
  auto m = MakeMasker(cfg);
  EXPECT_TRUE(m->RuleNames().empty());
  for (const Case& c : kTruePositives) EXPECT_EQ(Masked(*m, c.in), c.in);
}

TEST(SecretMaskerConfigTest, ExtraRules) {
  Config cfg;
  cfg.secrets.extra = {
      "corp-token=CORP-[0-9A-F]{8}",          // no group: the whole match
      "door-pin=(?i)pin[: ]([0-9]{4,8})\\b",  // a group: only the group
      "two-ways=alpha=(\\w+)|beta=(\\w+)",    // first group that took part
  };
  auto m = MakeMasker(cfg);
  EXPECT_EQ(Masked(*m, "deploy --key CORP-0A1B2C3D now"), "deploy --key \u2039corp-token\u203a now");
  EXPECT_EQ(Masked(*m, "unlock PIN:123456 door"), "unlock PIN:\u2039door-pin\u203a door");
  EXPECT_EQ(Masked(*m, "x beta=abc alpha=def"), "x beta=\u2039two-ways\u203a alpha=\u2039two-ways\u203a");
  // Extra rules come first: on the same span, they name the marker.
  EXPECT_EQ(Masked(*m, "export CORP_TOKEN=CORP-0A1B2C3D"), "export CORP_TOKEN=\u2039corp-token\u203a");
  std::vector<std::string> names = m->RuleNames();
  ASSERT_EQ(names.size(), BuiltinSecretRules().size() + 3);
  EXPECT_EQ(names[0], "corp-token");
  EXPECT_EQ(names[2], "two-ways");
  EXPECT_EQ(names[3], BuiltinSecretRules()[0].name);
  // Built-in rules are unaffected.
  for (const Case& c : kTruePositives) EXPECT_EQ(Masked(*m, c.in), c.out) << c.in;
}

TEST(SecretMaskerConfigTest, ExtraRulesMatchBytes) {
  // Latin-1 mode: '.' is one byte, so it matches an invalid byte and each
  // byte of a multi-byte character; UTF-8 literals match as their bytes.
  Config cfg;
  cfg.secrets.extra = {"one-byte=key:(.)!", "literal=clé-[0-9]+"};
  auto m = MakeMasker(cfg);
  EXPECT_EQ(Masked(*m, "key:\xff! key:\xc3\xa9!"), "key:\u2039one-byte\u203a! key:\xc3\xa9!");
  EXPECT_EQ(Masked(*m, "use clé-42 now"), "use \u2039literal\u203a now");
}

TEST(SecretMaskerConfigTest, HandBuiltInvalidConfigIsRefused) {
  std::unique_ptr<SecretMasker> m;
  Config cfg;
  cfg.secrets.disable = {"nope"};
  Status s = SecretMasker::Create(cfg, &m);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message().rfind("unknown secret rule 'nope' in secrets.disable. Known rules: "
                              "private-key, aws-access-key, ",
                              0),
            0u)
      << s.message();
  EXPECT_EQ(m, nullptr);

  cfg = Config{};
  cfg.secrets.extra = {"bad=("};
  s = SecretMasker::Create(cfg, &m);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "invalid secret rule in secrets.extra: \"bad=(\" has an invalid RE2 "
            "pattern: missing ): (. Fix secrets.extra");
  EXPECT_EQ(m, nullptr);
}

TEST(SecretMaskerConfigTest, ItemChecks) {
  EXPECT_EQ(SecretRuleNameProblem("jwt"), "");
  EXPECT_NE(SecretRuleNameProblem("JWT"), "");
  EXPECT_EQ(ExtraSecretRuleProblem("a=b"), "");
  EXPECT_EQ(ExtraSecretRuleProblem("corp-2=x=y"), "");
  EXPECT_NE(ExtraSecretRuleProblem(std::string(65, 'a') + "=x"), "");
  EXPECT_EQ(ExtraSecretRuleProblem(std::string(64, 'a') + "=x"), "");
}

// --- concurrency -------------------------------------------------------------------

TEST(SecretMaskerTest, ConcurrentMaskingOnAFreshMasker) {
  // Rules are compiled on first use (call_once): many threads hitting the
  // same fresh masker must all see complete rules.
  auto m = MakeMasker();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < std::size(kTruePositives); ++i) {
          const Case& c = kTruePositives[(i + static_cast<size_t>(t) * 37) % std::size(kTruePositives)];
          if (Masked(*m, c.in) != c.out) ++failures[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace tb
