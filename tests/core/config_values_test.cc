// Config booleans and lists (core/config.h): files, environment, and the
// errors that name the line or the list index.
#include <gtest/gtest.h>

#include <string>

#include "core/config.h"
#include "core/secrets.h"
#include "tests/core/config_fixture.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

TEST_F(ConfigTest, EmptyListReplacesTheDefault) {
  ASSERT_OK(Load("[record]\nignore_patterns = []\n"));
  EXPECT_TRUE(cfg_.record.ignore_patterns.empty());
  EXPECT_EQ(origins_.Of("record.ignore_patterns"), path_ + ":2");
}

TEST_F(ConfigTest, WrongTypeBoolean) {
  for (const char* value : {"\"true\"", "1", "yes"}) {
    Status s = Load(std::string("[record]\nignore_space = ") + value + "\n");
    EXPECT_TRUE(s.IsInvalidArgument()) << value;
    if (std::string(value) == "yes") {
      // Not TOML at all: a syntax error, not a type error.
      EXPECT_NE(s.message().find("TOML syntax error"), std::string::npos) << s.message();
      continue;
    }
    std::string got = value[0] == '"' ? "string" : "integer";
    EXPECT_EQ(s.message(), "invalid config (" + path_ +
                               ":2): record.ignore_space must be a "
                               "boolean (true or false), got " +
                               got + ". Fix the value or remove the key");
  }
}

TEST_F(ConfigTest, WrongTypeList) {
  Status s = Load("[record]\nignore_patterns = \"^ls$\"\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): record.ignore_patterns must be an array of strings, got "
                             "string. Fix the value or remove the key");
}

TEST_F(ConfigTest, WrongTypeListItemNamesItsLine) {
  Status s = Load("[secrets]\nextra = [\n  \"a=b\",\n  42,\n]\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":4): secrets.extra[1] must be a string, got integer. Fix the value "
                             "or remove the key");
}

TEST_F(ConfigTest, InvalidIgnorePatternNamesItsLineAndTheRe2Error) {
  Status s = Load("[record]\nignore_patterns = [\n  \"^ls$\",\n  \"^(git\",\n]\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":4): record.ignore_patterns[1] = \"^(git\" is not a valid RE2 "
                             "pattern: missing ): ^(git. Fix the value or remove the key");
}

TEST_F(ConfigTest, InvalidIgnorePatternOnOneLine) {
  Status s = Load("[record]\n\nignore_patterns = [\"x\", \"a{2,1}\"]\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":3): record.ignore_patterns[1] = \"a{2,1}\" is not a valid RE2 "
                             "pattern: invalid repetition size: {2,1}. Fix the value or remove "
                             "the key");
}

TEST_F(ConfigTest, EmptyIgnorePatternIsAnError) {
  Status s = Load("[record]\nignore_patterns = [\"\"]\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): record.ignore_patterns[0] = \"\" is empty (it would match "
                             "every command). Fix the value or remove the key");
}

TEST_F(ConfigTest, InvalidIgnoreDir) {
  Status s = Load("[record]\nignore_dirs = [\"[z-a]\"]\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): record.ignore_dirs[0] = \"[z-a]\" is not a valid RE2 pattern: "
                             "invalid character class range: z-a. Fix the value or remove the "
                             "key");
  s = Load("[record]\nignore_dirs = [\"\"]\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): record.ignore_dirs[0] = \"\" is empty (it would match every "
                             "directory). Fix the value or remove the key");
}

// The list of known rule names, as error messages print it.
std::string KnownRules() {
  std::string out;
  for (const SecretRuleInfo& r : BuiltinSecretRules()) {
    if (!out.empty()) out += ", ";
    out += r.name;
  }
  return out;
}

TEST_F(ConfigTest, UnknownSecretRuleListsTheKnownOnes) {
  Status s = Load("[secrets]\ndisable = [\"jwt\", \"aws-key\"]\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): secrets.disable[1] = \"aws-key\" is not a built-in secret "
                             "rule (known: " +
                             KnownRules() + "). Fix the value or remove the key");
  EXPECT_NE(KnownRules().find("aws-access-key, "), std::string::npos);
}

TEST_F(ConfigTest, ExtraRuleErrors) {
  struct Case {
    const char* item;
    const char* why;
  } cases[] = {
      {"CORP-[0-9]+", "is not name=REGEX (e.g. \"corp-token=CORP-[0-9A-F]{32}\")"},
      {"=CORP-[0-9]+",
       "has an invalid rule name (use 1 to 64 lowercase letters, digits and '-', not starting "
       "with '-')"},
      {"Corp=x",
       "has an invalid rule name (use 1 to 64 lowercase letters, digits and '-', not starting "
       "with '-')"},
      {"-corp=x",
       "has an invalid rule name (use 1 to 64 lowercase letters, digits and '-', not starting "
       "with '-')"},
      {"jwt=eyJ.*",
       "reuses the name of a built-in rule (pick another name; to replace a built-in rule, list "
       "it in secrets.disable and add yours under a new name)"},
      {"corp=", "has an empty pattern"},
      {"corp=CORP-(", "has an invalid RE2 pattern: missing ): CORP-("},
  };
  for (const Case& c : cases) {
    Status s = Load(std::string("[secrets]\nextra = ['") + c.item + "']\n");
    EXPECT_TRUE(s.IsInvalidArgument()) << c.item;
    std::string quoted = std::string(c.item);
    EXPECT_EQ(s.message(), "invalid config (" + path_ + ":2): secrets.extra[0] = \"" + quoted + "\" " + c.why +
                               ". Fix the value or remove the key")
        << c.item;
  }
}

TEST_F(ConfigTest, ExtraRuleMayContainEquals) {
  ASSERT_OK(Load("[secrets]\nextra = ['corp-token=token=([A-Z]{8})']\n"));
  EXPECT_EQ(cfg_.secrets.extra, (std::vector<std::string>{"corp-token=token=([A-Z]{8})"}));
}

TEST_F(ConfigTest, EnvBooleans) {
  for (auto [text, value] : std::vector<std::pair<std::string, bool>>{{"true", true},
                                                                      {"TRUE", true},
                                                                      {"True", true},
                                                                      {"1", true},
                                                                      {"false", false},
                                                                      {"FALSE", false},
                                                                      {"0", false}}) {
    Config cfg;
    cfg.record.ignore_space = !value;
    Env env = {{"TERMBRAIN_RECORD_IGNORE_SPACE", text}};
    ASSERT_OK(LoadConfig("", false, env, &cfg, &origins_)) << text;
    EXPECT_EQ(cfg.record.ignore_space, value) << text;
    EXPECT_EQ(origins_.Of("record.ignore_space"), "env TERMBRAIN_RECORD_IGNORE_SPACE");
  }
}

TEST_F(ConfigTest, BadEnvBoolean) {
  for (const char* bad : {"", "yes", "no", "on", " true", "2", "t"}) {
    Env env = {{"TERMBRAIN_RECORD_IGNORE_SPACE", bad}};
    Status s = LoadConfig("", false, env, &cfg_, &origins_);
    EXPECT_TRUE(s.IsInvalidArgument()) << bad;
    EXPECT_EQ(s.message(),
              "invalid config (env TERMBRAIN_RECORD_IGNORE_SPACE): "
              "record.ignore_space must be true, false, 1 or 0, got \"" +
                  std::string(bad) + "\". Fix or unset the variable");
  }
}

TEST_F(ConfigTest, EnvListIsOneItemPerLine) {
  Env env = {{"TERMBRAIN_RECORD_IGNORE_PATTERNS", "^ls$\n\n\\bsecret\\b\n^cd \n"},
             {"TERMBRAIN_RECORD_IGNORE_DIRS", "^/tmp/"},
             {"TERMBRAIN_SECRETS_EXTRA", "corp=CORP-[0-9]{4}"}};
  ASSERT_OK(LoadConfig("", false, env, &cfg_, &origins_));
  // Empty lines are skipped; backslashes and trailing spaces are kept as typed.
  EXPECT_EQ(cfg_.record.ignore_patterns, (std::vector<std::string>{"^ls$", "\\bsecret\\b", "^cd "}));
  EXPECT_EQ(cfg_.record.ignore_dirs, (std::vector<std::string>{"^/tmp/"}));
  EXPECT_EQ(cfg_.secrets.extra, (std::vector<std::string>{"corp=CORP-[0-9]{4}"}));
  EXPECT_EQ(origins_.Of("record.ignore_patterns"), "env TERMBRAIN_RECORD_IGNORE_PATTERNS");
}

TEST_F(ConfigTest, EmptyEnvListClearsTheFileList) {
  Env env = {{"TERMBRAIN_SECRETS_DISABLE", ""}, {"TERMBRAIN_RECORD_IGNORE_SPACE", "0"}};
  ASSERT_OK(Load("[secrets]\ndisable = [\"jwt\"]\n[record]\nignore_space = true\n", env));
  EXPECT_TRUE(cfg_.secrets.disable.empty());
  EXPECT_FALSE(cfg_.record.ignore_space);
  EXPECT_EQ(origins_.Of("secrets.disable"), "env TERMBRAIN_SECRETS_DISABLE");
}

TEST_F(ConfigTest, BadEnvListItemNamesItsIndex) {
  Env env = {{"TERMBRAIN_RECORD_IGNORE_PATTERNS", "^ls$\n\n(unclosed"}};
  Status s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_RECORD_IGNORE_PATTERNS): "
            "record.ignore_patterns[1] = \"(unclosed\" is not a valid RE2 pattern: "
            "missing ): (unclosed. Fix or unset the variable");
  env = {{"TERMBRAIN_SECRETS_DISABLE", "jwt\nnope"}};
  s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_SECRETS_DISABLE): secrets.disable[1] = "
            "\"nope\" is not a built-in secret rule (known: " +
                KnownRules() + "). Fix or unset the variable");
  env = {{"TERMBRAIN_SECRETS_EXTRA", "nameless"}};
  s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_SECRETS_EXTRA): secrets.extra[0] = "
            "\"nameless\" is not name=REGEX (e.g. "
            "\"corp-token=CORP-[0-9A-F]{32}\"). Fix or unset the variable");
}

TEST_F(ConfigTest, EnvInvalidUtf8PatternIsAnError) {
  // Ignore patterns are UTF-8 regular expressions; the file cannot hold
  // invalid UTF-8 (TOML), the environment can.
  Env env = {{"TERMBRAIN_RECORD_IGNORE_PATTERNS", "^ab\xff"}};
  Status s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_RECORD_IGNORE_PATTERNS): "
            "record.ignore_patterns[0] = \"^ab\xEF\xBF\xBD\" is not a valid RE2 "
            "pattern: invalid UTF-8. Fix or unset the variable");
  // The RE2 error quotes the pattern: its bytes are made printable too.
  // Extra secret rules are Latin-1: any byte parses, and RE2's error quotes
  // the pattern; the message stays one line of valid UTF-8.
  env = {{"TERMBRAIN_SECRETS_EXTRA", "x=\t(\xff"}};
  s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_SECRETS_EXTRA): "
            "secrets.extra[0] = \"x=\\t(\xEF\xBF\xBD\" has an invalid RE2 "
            "pattern: missing ):  (\xEF\xBF\xBD. Fix or unset the variable");
}

TEST_F(ConfigTest, UnknownEnvKeyInNewSection) {
  Env env = {{"TERMBRAIN_SECRETS_EXTRAS", "a=b"}};
  Status s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_EQ(s.message(),
            "unknown config variable TERMBRAIN_SECRETS_EXTRAS. Known: "
            "TERMBRAIN_SECRETS_DISABLE, TERMBRAIN_SECRETS_EXTRA");
}

TEST_F(ConfigTest, UnknownKeyInNewSectionListsItsKeys) {
  Status s = Load("[secrets]\nenable = []\n");
  EXPECT_EQ(s.message(),
            "unknown config key 'secrets.enable' (" + path_ + ":2). Known keys in [secrets]: disable, extra");
}

TEST_F(ConfigTest, DaemonKeys) {
  ASSERT_OK(Load("[daemon]\ntcp_port = 9464\nmax_connections = 2\nrate_per_second = 5\nrate_burst = 10\n"));
  EXPECT_EQ(cfg_.daemon.tcp_port, 9464);
  EXPECT_EQ(cfg_.daemon.max_connections, 2);
  EXPECT_EQ(cfg_.daemon.rate_per_second, 5);
  EXPECT_EQ(cfg_.daemon.rate_burst, 10);
  EXPECT_EQ(origins_.Of("daemon.rate_burst"), path_ + ":5");
  Env env = {{"TERMBRAIN_DAEMON_MAX_CONNECTIONS", "3"}};
  ASSERT_OK(LoadConfig("", false, env, &cfg_, &origins_));
  EXPECT_EQ(cfg_.daemon.max_connections, 3);
  EXPECT_EQ(cfg_.daemon.tcp_port, 0);
  EXPECT_EQ(cfg_.daemon.rate_per_second, 20);
  EXPECT_EQ(cfg_.daemon.rate_burst, 40);
}

TEST_F(ConfigTest, DaemonKeysOutOfRange) {
  Status s = Load("[daemon]\ntcp_port = 65536\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): daemon.tcp_port = 65536 is out of range 0..65535. Fix the value or remove the key");
  s = Load("[daemon]\nmax_connections = 0\n");
  EXPECT_EQ(s.message(),
            "invalid config (" + path_ +
                ":2): daemon.max_connections = 0 is out of range 1..1024. Fix the value or remove the key");
  Env env = {{"TERMBRAIN_DAEMON_RATE_PER_SECOND", "0"}};
  s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_DAEMON_RATE_PER_SECOND): daemon.rate_per_second = 0 is out of range "
            "1..100000. Fix or unset the variable");
}

}  // namespace
}  // namespace tb
