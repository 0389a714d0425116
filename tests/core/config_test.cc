#include "core/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/secrets.h"
#include "tests/core/config_fixture.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

namespace fs = std::filesystem;

void ExpectDefaults(const Config& c) {
  EXPECT_EQ(c.storage.block_cache_mb, 32);
  EXPECT_EQ(c.storage.write_buffer_mb, 16);
  EXPECT_EQ(c.storage.lock_wait_ms, 2000);
  EXPECT_EQ(c.record.max_command_bytes, 65536);
  EXPECT_TRUE(c.record.ignore_space);
  EXPECT_TRUE(c.record.ignore_patterns.empty());
  EXPECT_TRUE(c.record.ignore_dirs.empty());
  EXPECT_TRUE(c.secrets.disable.empty());
  EXPECT_TRUE(c.secrets.extra.empty());
  EXPECT_EQ(c.log.level, "warn");
  EXPECT_EQ(c.log.file, "");
  EXPECT_EQ(c.log.max_file_kb, 1024);
  EXPECT_EQ(c.log.max_files, 3);
}

// --- the key table -------------------------------------------------------------

TEST(ConfigKeysTest, DefaultsAreValidAndNamesUnique) {
  Config defaults;
  std::set<std::string> dotted, env;
  for (const ConfigKey& k : ConfigKeys()) {
    EXPECT_TRUE(dotted.insert(k.DottedName()).second) << k.DottedName();
    EXPECT_TRUE(env.insert(k.EnvName()).second) << k.EnvName();
    EXPECT_FALSE(k.doc.empty()) << k.DottedName();
    // Exactly the accessor of the key's type is set.
    EXPECT_EQ(k.int_field != nullptr, k.type == ConfigKey::Type::kInt) << k.DottedName();
    EXPECT_EQ(k.string_field != nullptr, k.type == ConfigKey::Type::kString) << k.DottedName();
    EXPECT_EQ(k.bool_field != nullptr, k.type == ConfigKey::Type::kBool) << k.DottedName();
    EXPECT_EQ(k.list_field != nullptr, k.type == ConfigKey::Type::kStringList) << k.DottedName();
    if (k.type != ConfigKey::Type::kStringList && k.type != ConfigKey::Type::kString) {
      EXPECT_EQ(k.check_item, nullptr) << k.DottedName();
    }
    if (k.type == ConfigKey::Type::kString && k.check_item != nullptr) {
      EXPECT_EQ(k.check_item(k.string_field(defaults)), "") << k.DottedName();
    }
    if (k.type == ConfigKey::Type::kInt) {
      int v = k.int_field(defaults);
      EXPECT_GE(v, k.min) << k.DottedName();
      EXPECT_LE(v, k.max) << k.DottedName();
    } else if (k.type == ConfigKey::Type::kString && !k.allowed.empty()) {
      const std::string& v = k.string_field(defaults);
      EXPECT_NE(std::find(k.allowed.begin(), k.allowed.end(), v), k.allowed.end());
    } else if (k.type == ConfigKey::Type::kStringList && k.check_item != nullptr) {
      for (const std::string& item : k.list_field(defaults)) {
        EXPECT_EQ(k.check_item(item), "") << k.DottedName();
      }
    }
  }
  EXPECT_EQ(dotted.size(), 53u);
}

TEST(ConfigKeysTest, NamesAndSections) {
  const ConfigKey& first = ConfigKeys().front();
  EXPECT_EQ(first.DottedName(), "storage.block_cache_mb");
  EXPECT_EQ(first.EnvName(), "TERMBRAIN_STORAGE_BLOCK_CACHE_MB");
  std::vector<std::string_view> sections = ConfigSections();
  EXPECT_EQ(sections, (std::vector<std::string_view>{"storage", "record", "secrets", "log", "backup", "retention",
                                                     "search", "ui", "daemon", "sync", "telemetry"}));
}

// --- loading -------------------------------------------------------------------

TEST_F(ConfigTest, MissingDefaultFileGivesDefaults) {
  std::string path = dir_ + "/nope/config.toml";
  ASSERT_OK(LoadConfig(path, false, {}, &cfg_, &origins_));
  ExpectDefaults(cfg_);
  for (const ConfigKey& k : ConfigKeys()) EXPECT_EQ(origins_.Of(k.DottedName()), "default");
  EXPECT_EQ(origins_.by_key.size(), ConfigKeys().size());
}

TEST_F(ConfigTest, DefaultPathUnderAFileCountsAsMissing) {
  std::string file = Write("");
  ASSERT_OK(LoadConfig(file + "/config.toml", false, {}, &cfg_, &origins_));
  ExpectDefaults(cfg_);
}

TEST_F(ConfigTest, EmptyNonExplicitPathGivesDefaults) {
  ASSERT_OK(LoadConfig("", false, {}, &cfg_, nullptr));
  ExpectDefaults(cfg_);
}

TEST_F(ConfigTest, EmptyFileGivesDefaults) {
  ASSERT_OK(Load("# nothing here\n"));
  ExpectDefaults(cfg_);
}

TEST_F(ConfigTest, EveryKeyFromFile) {
  Status s = Load(
      "[storage]\n"
      "block_cache_mb = 64\n"
      "write_buffer_mb = 4096\n"
      "lock_wait_ms = 0\n"
      "\n"
      "[record]\n"
      "max_command_bytes = 256\n"
      "ignore_space = false\n"
      "ignore_patterns = [\"^ls$\", '^cd \\b']\n"
      "ignore_dirs = [\n"
      "  \"^/tmp/\",\n"
      "]\n"
      "\n"
      "[secrets]\n"
      "disable = [\"jwt\", \"url-password\"]\n"
      "extra = [\"corp-token=CORP-[0-9A-F]{8}\"]\n"
      "\n"
      "[log]\n"
      "level = \"debug\"\n"
      "file = \"/var/tmp/tb.jsonl\"\n"
      "max_file_kb = 16\n"
      "max_files = 100\n");
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(cfg_.storage.block_cache_mb, 64);
  EXPECT_EQ(cfg_.storage.write_buffer_mb, 4096);
  EXPECT_EQ(cfg_.storage.lock_wait_ms, 0);
  EXPECT_EQ(cfg_.record.max_command_bytes, 256);
  EXPECT_EQ(cfg_.log.level, "debug");
  EXPECT_EQ(cfg_.log.file, "/var/tmp/tb.jsonl");
  EXPECT_EQ(cfg_.log.max_file_kb, 16);
  EXPECT_EQ(cfg_.log.max_files, 100);
  EXPECT_FALSE(cfg_.record.ignore_space);
  EXPECT_EQ(cfg_.record.ignore_patterns, (std::vector<std::string>{"^ls$", "^cd \\b"}));
  EXPECT_EQ(cfg_.record.ignore_dirs, (std::vector<std::string>{"^/tmp/"}));
  EXPECT_EQ(cfg_.secrets.disable, (std::vector<std::string>{"jwt", "url-password"}));
  EXPECT_EQ(cfg_.secrets.extra, (std::vector<std::string>{"corp-token=CORP-[0-9A-F]{8}"}));
  EXPECT_EQ(origins_.Of("storage.block_cache_mb"), path_ + ":2");
  EXPECT_EQ(origins_.Of("storage.lock_wait_ms"), path_ + ":4");
  EXPECT_EQ(origins_.Of("record.max_command_bytes"), path_ + ":7");
  EXPECT_EQ(origins_.Of("record.ignore_space"), path_ + ":8");
  EXPECT_EQ(origins_.Of("record.ignore_dirs"), path_ + ":10");
  EXPECT_EQ(origins_.Of("secrets.extra"), path_ + ":16");
  EXPECT_EQ(origins_.Of("log.max_files"), path_ + ":22");
}

TEST_F(ConfigTest, DottedAndInlineTablesWork) {
  Status s = Load(
      "storage.block_cache_mb = 100\n"
      "log = { level = \"Error\" }\n");
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(cfg_.storage.block_cache_mb, 100);
  EXPECT_EQ(cfg_.log.level, "error");  // enum values are case-insensitive
  EXPECT_EQ(origins_.Of("storage.block_cache_mb"), path_ + ":1");
  EXPECT_EQ(origins_.Of("log.level"), path_ + ":2");
  EXPECT_EQ(origins_.Of("log.file"), "default");
}

TEST_F(ConfigTest, EnvBeatsFile) {
  Env env = {{"TERMBRAIN_STORAGE_BLOCK_CACHE_MB", "128"},
             {"TERMBRAIN_LOG_LEVEL", "DEBUG"},
             {"TERMBRAIN_LOG_FILE", "rel/tb.log"},
             {"TERMBRAIN_RECORD_MAX_COMMAND_BYTES", "16777216"}};
  Status s = Load("[storage]\nblock_cache_mb = 64\nlock_wait_ms = 5\n", env);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(cfg_.storage.block_cache_mb, 128);
  EXPECT_EQ(cfg_.storage.lock_wait_ms, 5);
  EXPECT_EQ(cfg_.log.level, "debug");
  EXPECT_EQ(cfg_.log.file, "rel/tb.log");
  EXPECT_EQ(cfg_.record.max_command_bytes, 16777216);
  EXPECT_EQ(origins_.Of("storage.block_cache_mb"), "env TERMBRAIN_STORAGE_BLOCK_CACHE_MB");
  EXPECT_EQ(origins_.Of("storage.lock_wait_ms"), path_ + ":3");
  EXPECT_EQ(origins_.Of("log.level"), "env TERMBRAIN_LOG_LEVEL");
  EXPECT_EQ(origins_.Of("storage.write_buffer_mb"), "default");
}

TEST_F(ConfigTest, EnvWithoutFile) {
  Env env = {{"TERMBRAIN_STORAGE_LOCK_WAIT_MS", "-0"}, {"TERMBRAIN_LOG_MAX_FILES", "1"}};
  ASSERT_OK(LoadConfig(dir_ + "/missing.toml", false, env, &cfg_, &origins_));
  EXPECT_EQ(cfg_.storage.lock_wait_ms, 0);
  EXPECT_EQ(cfg_.log.max_files, 1);
}

TEST_F(ConfigTest, FirstEnvOccurrenceWins) {
  Env env = {{"TERMBRAIN_STORAGE_BLOCK_CACHE_MB", "40"}, {"TERMBRAIN_STORAGE_BLOCK_CACHE_MB", "not even checked"}};
  ASSERT_OK(LoadConfig("", false, env, &cfg_, &origins_));
  EXPECT_EQ(cfg_.storage.block_cache_mb, 40);
}

TEST_F(ConfigTest, NonConfigVariablesAreIgnored) {
  Env env = {{"TERMBRAIN_DATA_DIR", "/x"},     {"TERMBRAIN_CONFIG", "/y"},       {"TERMBRAIN_SESSION", "abc"},
             {"TERMBRAIN_DISABLED", "1"},      {"TERMBRAIN_STORAGE", "1"},       {"termbrain_storage_cache", "1"},
             {"TERMBRAIN_LOGS_LEVEL", "loud"}, {"XTERMBRAIN_LOG_LEVEL", "loud"}, {"PATH", "/bin"}};
  ASSERT_OK(LoadConfig("", false, env, &cfg_, &origins_));
  ExpectDefaults(cfg_);
}

// --- errors --------------------------------------------------------------------

TEST_F(ConfigTest, ExplicitMissingFileIsAnError) {
  std::string path = dir_ + "/missing.toml";
  Status s = LoadConfig(path, true, {}, &cfg_, &origins_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "config file not found (" + path + "). Create it, or fix --config or $TERMBRAIN_CONFIG");
}

TEST_F(ConfigTest, ExplicitEmptyPathIsAnError) {
  Status s = LoadConfig("", true, {}, &cfg_, &origins_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "empty config file path. Pass a file to --config or unset $TERMBRAIN_CONFIG");
}

TEST_F(ConfigTest, DirectoryIsAnError) {
  Status s = LoadConfig(dir_, false, {}, &cfg_, &origins_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "config file is a directory (" + dir_ + "). Point --config or $TERMBRAIN_CONFIG at a file");
}

TEST_F(ConfigTest, UnopenableFileIsAnIOError) {
  // A symlink loop fails to open even for root (unlike a chmod 000 file).
  std::string path = dir_ + "/loop.toml";
  ASSERT_EQ(::symlink(path.c_str(), path.c_str()), 0);
  Status s = LoadConfig(path, false, {}, &cfg_, &origins_);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(),
            "cannot read config file (" + path + "): Too many levels of symbolic links. Check its permissions");
}

TEST_F(ConfigTest, ReadFailureIsAnIOError) {
  // Reading offset 0 of our own address space fails with EIO.
  Status s = LoadConfig("/proc/self/mem", true, {}, &cfg_, &origins_);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "cannot read config file (/proc/self/mem): Input/output error. Check the file");
}

TEST_F(ConfigTest, HugeFileIsAnError) {
  Status s = LoadConfig("/dev/zero", true, {}, &cfg_, &origins_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "config file too large (/dev/zero): over 4 MiB. Point --config at a TOML config file");
}

TEST_F(ConfigTest, SyntaxErrorNamesLineAndColumn) {
  Status s = Load("[storage]\nblock_cache_mb = 64x\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2:20): TOML syntax error: Error while parsing decimal integer: "
                             "expected digit, saw 'x'. Fix the syntax");
}

TEST_F(ConfigTest, UnknownSection) {
  Status s = Load("[storage]\nblock_cache_mb = 64\n\n[storgae]\nx = 1\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "unknown config section '[storgae]' (" + path_ +
                             ":4). Known sections: storage, record, secrets, log, backup, retention, search, ui, "
                             "daemon, sync, telemetry");
}

TEST_F(ConfigTest, UnknownKey) {
  Status s = Load("[storage]\nblock_cache_mb = 64\ncache = 1\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "unknown config key 'storage.cache' (" + path_ +
                             ":3). Known keys in [storage]: block_cache_mb, write_buffer_mb, "
                             "lock_wait_ms, reserve_mb, encryption, key_file, kdf_ops, kdf_memory_mb");
}

TEST_F(ConfigTest, KeyOutsideASection) {
  Status s = Load("level = \"debug\"\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "unknown config key 'level' (" + path_ +
                             ":1). Keys belong in a section: storage, record, secrets, log, backup, retention, search, "
                             "ui, daemon, sync, telemetry");
}

TEST_F(ConfigTest, SectionThatIsNotATable) {
  Status s = Load("log = \"debug\"\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "invalid config (" + path_ + ":1): log must be a table, got string. Write it as a [log] section");
}

TEST_F(ConfigTest, FirstProblemInFileOrderIsReported) {
  // toml++ iterates tables by name ([log] before [storage]); the error must
  // still be the first one in the file.
  Status s = Load("[storage]\ncache = 1\n[log]\nlevel = \"loud\"\n");
  EXPECT_EQ(s.message(), "unknown config key 'storage.cache' (" + path_ +
                             ":2). Known keys in [storage]: block_cache_mb, write_buffer_mb, "
                             "lock_wait_ms, reserve_mb, encryption, key_file, kdf_ops, kdf_memory_mb");
}

TEST_F(ConfigTest, WrongTypeInteger) {
  Status s = Load("[storage]\nblock_cache_mb = \"64\"\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): storage.block_cache_mb must be an integer, got string. Fix "
                             "the value or remove the key");
}

TEST_F(ConfigTest, WrongTypeFloat) {
  Status s = Load("[log]\nmax_files = 3.0\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): log.max_files must be an integer, got floating-point. Fix "
                             "the value or remove the key");
}

TEST_F(ConfigTest, WrongTypeString) {
  Status s = Load("[log]\nlevel = 3\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): log.level must be a string, got integer. Fix the value or "
                             "remove the key");
}

TEST_F(ConfigTest, NestedTableInSectionIsUnknownKey) {
  Status s = Load("[storage.extra]\nx = 1\n");
  EXPECT_EQ(s.message(), "unknown config key 'storage.extra' (" + path_ +
                             ":1). Known keys in [storage]: block_cache_mb, write_buffer_mb, "
                             "lock_wait_ms, reserve_mb, encryption, key_file, kdf_ops, kdf_memory_mb");
}

TEST_F(ConfigTest, OutOfRangeLow) {
  Status s = Load("[storage]\n\nblock_cache_mb = 0\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":3): storage.block_cache_mb = 0 is out of range 1..65536. Fix the "
                             "value or remove the key");
}

TEST_F(ConfigTest, OutOfRangeHigh) {
  Status s = Load("[record]\nmax_command_bytes = 9223372036854775807\n");
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): record.max_command_bytes = 9223372036854775807 is out of "
                             "range 256..16777216. Fix the value or remove the key");
}

TEST_F(ConfigTest, BadEnumValue) {
  Status s = Load("[log]\nlevel = \"loud\"\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid config (" + path_ +
                             ":2): log.level = \"loud\" is not one of trace, debug, info, warn, "
                             "error, off. Fix the value or remove the key");
}

TEST_F(ConfigTest, ErrorLeavesOutputUntouched) {
  cfg_.storage.block_cache_mb = 7;
  origins_.by_key["x"] = "y";
  ASSERT_FALSE(Load("[storage]\nblock_cache_mb = 0\n").ok());
  EXPECT_EQ(cfg_.storage.block_cache_mb, 7);
  EXPECT_EQ(origins_.by_key.size(), 1u);
}

TEST_F(ConfigTest, BadEnvInteger) {
  for (const char* bad : {"64x", "", " 64", "+64", "6 4", "0x40", "-"}) {
    Env env = {{"TERMBRAIN_STORAGE_BLOCK_CACHE_MB", bad}};
    Status s = LoadConfig("", false, env, &cfg_, &origins_);
    EXPECT_TRUE(s.IsInvalidArgument()) << bad;
    EXPECT_EQ(s.message(),
              "invalid config (env TERMBRAIN_STORAGE_BLOCK_CACHE_MB): "
              "storage.block_cache_mb must be an integer, got \"" +
                  std::string(bad) + "\". Fix or unset the variable");
  }
}

TEST_F(ConfigTest, BadEnvValueIsQuotedAndCut) {
  Env env = {{"TERMBRAIN_LOG_LEVEL", "a\"b\n" + std::string(100, 'x')}};
  Status s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_EQ(s.message(), "invalid config (env TERMBRAIN_LOG_LEVEL): log.level = \"a\\\"b\\n" + std::string(76, 'x') +
                             "\"... is not one of trace, debug, info, warn, error, off. Fix or "
                             "unset the variable");
}

TEST_F(ConfigTest, EnvOutOfRange) {
  Env env = {{"TERMBRAIN_LOG_MAX_FILES", "101"}};
  Status s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_LOG_MAX_FILES): log.max_files = 101 is "
            "out of range 1..100. Fix or unset the variable");
}

TEST_F(ConfigTest, EnvIntegerOverflowIsOutOfRange) {
  Env env = {{"TERMBRAIN_STORAGE_LOCK_WAIT_MS", "99999999999999999999"}};
  Status s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_STORAGE_LOCK_WAIT_MS): "
            "storage.lock_wait_ms = 99999999999999999999 is out of range "
            "0..600000. Fix or unset the variable");
}

TEST_F(ConfigTest, BadEnvEnum) {
  Env env = {{"TERMBRAIN_LOG_LEVEL", "verbose"}};
  Status s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_LOG_LEVEL): log.level = \"verbose\" is "
            "not one of trace, debug, info, warn, error, off. Fix or unset the "
            "variable");
}

TEST_F(ConfigTest, UnknownEnvKey) {
  Env env = {{"TERMBRAIN_STORAGE_CACHE_MB", "64"}};
  Status s = LoadConfig("", false, env, &cfg_, &origins_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "unknown config variable TERMBRAIN_STORAGE_CACHE_MB. Known: "
            "TERMBRAIN_STORAGE_BLOCK_CACHE_MB, TERMBRAIN_STORAGE_WRITE_BUFFER_MB, "
            "TERMBRAIN_STORAGE_LOCK_WAIT_MS, TERMBRAIN_STORAGE_RESERVE_MB, TERMBRAIN_STORAGE_ENCRYPTION, "
            "TERMBRAIN_STORAGE_KEY_FILE, TERMBRAIN_STORAGE_KDF_OPS, TERMBRAIN_STORAGE_KDF_MEMORY_MB");
}

TEST_F(ConfigTest, EnvErrorWinsEvenWithValidFile) {
  Env env = {{"TERMBRAIN_LOG_MAX_FILE_KB", "8"}};
  Status s = Load("[log]\nmax_file_kb = 64\n", env);
  EXPECT_EQ(s.message(),
            "invalid config (env TERMBRAIN_LOG_MAX_FILE_KB): log.max_file_kb = 8 "
            "is out of range 16..1048576. Fix or unset the variable");
}

// --- paths ---------------------------------------------------------------------

TEST(ConfigPathsTest, ConfigPathPrecedence) {
  Env all = {{"TERMBRAIN_CONFIG", "/etc/tb.toml"}, {"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/h"}};
  ConfigSource s = DefaultConfigPath(all);
  EXPECT_EQ(s.path, "/etc/tb.toml");
  EXPECT_TRUE(s.explicit_path);

  s = DefaultConfigPath({{"TERMBRAIN_CONFIG", ""}, {"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/h"}});
  EXPECT_EQ(s.path, "/xdg/termbrain/config.toml");
  EXPECT_FALSE(s.explicit_path);

  s = DefaultConfigPath({{"XDG_CONFIG_HOME", "relative"}, {"HOME", "/h"}});
  EXPECT_EQ(s.path, "/h/.config/termbrain/config.toml");
  EXPECT_FALSE(s.explicit_path);

  s = DefaultConfigPath({});
  EXPECT_EQ(s.path, "");
  EXPECT_FALSE(s.explicit_path);
}

TEST(ConfigPathsTest, DataDirPrecedence) {
  EXPECT_EQ(DefaultDataDir({{"TERMBRAIN_DATA_DIR", "/d"}, {"XDG_DATA_HOME", "/x"}, {"HOME", "/h"}}), "/d");
  EXPECT_EQ(DefaultDataDir({{"TERMBRAIN_DATA_DIR", ""}, {"XDG_DATA_HOME", "/x"}, {"HOME", "/h"}}), "/x/termbrain");
  EXPECT_EQ(DefaultDataDir({{"XDG_DATA_HOME", ""}, {"HOME", "/h"}}), "/h/.local/share/termbrain");
  EXPECT_EQ(DefaultDataDir({{"XDG_DATA_HOME", "x"}, {"HOME", "/h"}}), "/h/.local/share/termbrain");
  EXPECT_EQ(DefaultDataDir({}), "");
}

TEST_F(ConfigTest, TelemetryEndpoint) {
  EXPECT_EQ(cfg_.telemetry.endpoint, "");
  for (const char* good : {"http://127.0.0.1:8080/v1/counts", "https://t.example.org", "http://h/"}) {
    ASSERT_OK(Load(std::string("[telemetry]\nendpoint = \"") + good + "\"\n"));
    EXPECT_EQ(cfg_.telemetry.endpoint, good);
  }
  for (const char* bad : {"ftp://h/", "t.example.org", "http://", "http://:80/", "https://u@h/", "HTTP://h/"}) {
    Status s = Load(std::string("[telemetry]\nendpoint = \"") + bad + "\"\n");
    EXPECT_TRUE(s.IsInvalidArgument()) << bad;
    EXPECT_NE(s.message().find("telemetry.endpoint"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("is not an http:// or https:// URL with a host"), std::string::npos) << s.message();
  }
}

TEST(ConfigPathsTest, EnvFromEnviron) {
  const char* envp[] = {"A=1", "B=", "C=x=y", "NOEQUALS", nullptr};
  Env env = EnvFromEnviron(envp);
  EXPECT_EQ(env, (Env{{"A", "1"}, {"B", ""}, {"C", "x=y"}}));
  EXPECT_TRUE(EnvFromEnviron(nullptr).empty());
}

TEST_F(ConfigTest, SyncKeys) {
  ASSERT_OK(
      Load("[sync]\nserver = \"nats://a:4222,tls://b:4222\"\ncreds_file = \"/c/user.creds\"\n"
           "ca_file = \"/c/ca.pem\"\nreplicas = 3\ntimeout_ms = 250\npublish_rate = 500\nmax_in_flight = 64\n"
           "otlp_endpoint = \"http://127.0.0.1:4318\"\n"));
  EXPECT_EQ(cfg_.sync.server, "nats://a:4222,tls://b:4222");
  EXPECT_EQ(cfg_.sync.creds_file, "/c/user.creds");
  EXPECT_EQ(cfg_.sync.ca_file, "/c/ca.pem");
  EXPECT_EQ(cfg_.sync.replicas, 3);
  EXPECT_EQ(cfg_.sync.timeout_ms, 250);
  EXPECT_EQ(cfg_.sync.publish_rate, 500);
  EXPECT_EQ(cfg_.sync.max_in_flight, 64);
  EXPECT_EQ(cfg_.sync.otlp_endpoint, "http://127.0.0.1:4318");
  for (const char* bad : {"localhost:4222", "nats://", "nats://a:1,", "http://a:4222"}) {
    Status s = Load(std::string("[sync]\nserver = \"") + bad + "\"\n");
    EXPECT_TRUE(s.IsInvalidArgument()) << bad;
    EXPECT_NE(s.message().find("sync.server"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("is not a NATS URL list: expected nats://HOST:PORT or tls://HOST:PORT"),
              std::string::npos)
        << s.message();
  }
  Status s = Load("[sync]\ncreds_file = \"user.creds\"\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("is not an absolute path"), std::string::npos) << s.message();
  EXPECT_TRUE(Load("[sync]\nreplicas = 6\n").IsInvalidArgument());
}

TEST_F(ConfigTest, BackupAndRetentionKeys) {
  ASSERT_OK(
      Load("[backup]\ndir = \"/b\"\ninterval = \"12h\"\n[retention]\nmax_age = \"365d\"\n"
           "max_events = 1000\n"));
  EXPECT_EQ(cfg_.backup.dir, "/b");
  EXPECT_EQ(cfg_.backup.interval, "12h");
  EXPECT_EQ(cfg_.retention.max_age, "365d");
  EXPECT_EQ(cfg_.retention.max_events, 1000);
  for (const char* bad : {"1y", "-1d", "d", "12", "1.5d", ""}) {
    Status s = Load(std::string("[retention]\nmax_age = \"") + bad + "\"\n");
    EXPECT_TRUE(s.IsInvalidArgument()) << bad;
    EXPECT_NE(s.message().find("retention.max_age"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("is not a duration"), std::string::npos) << s.message();
  }
  Status s = Load("[retention]\nmax_events = -1\n");
  EXPECT_TRUE(s.IsInvalidArgument());
  Env env = {{"TERMBRAIN_BACKUP_INTERVAL", "2w"}};
  ASSERT_OK(Load("", env));
  EXPECT_EQ(cfg_.backup.interval, "2w");
  env = {{"TERMBRAIN_BACKUP_INTERVAL", "often"}};
  EXPECT_TRUE(Load("", env).IsInvalidArgument());
}

TEST_F(ConfigTest, RenderAfterLoadShowsFileAndEnvOrigins) {
  Env env = {{"TERMBRAIN_LOG_MAX_FILES", "5"}};
  ASSERT_OK(Load("[record]\nmax_command_bytes = 1000\n", env));
  std::string text = RenderConfig(cfg_, origins_, false);
  EXPECT_NE(text.find("max_command_bytes = 1000  # " + path_ + ":2\n"), std::string::npos);
  EXPECT_NE(text.find("max_files = 5  # env TERMBRAIN_LOG_MAX_FILES\n"), std::string::npos);
}

}  // namespace
}  // namespace tb
