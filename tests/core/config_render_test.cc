// RenderConfig (core/config.h): `tb config show` as text and json.
#include <gtest/gtest.h>

#include <string>

#include "core/config.h"

namespace tb {
namespace {

TEST(ConfigRenderTest, DefaultsAsText) {
  EXPECT_EQ(RenderConfig(Config{}, ConfigOrigins{}, false),
            "[storage]\n"
            "block_cache_mb = 32  # default\n"
            "write_buffer_mb = 16  # default\n"
            "lock_wait_ms = 2000  # default\n"
            "reserve_mb = 8  # default\n"
            "encryption = \"off\"  # default\n"
            "key_file = \"\"  # default\n"
            "kdf_ops = 4  # default\n"
            "kdf_memory_mb = 96  # default\n"
            "\n"
            "[record]\n"
            "max_command_bytes = 65536  # default\n"
            "ignore_space = true  # default\n"
            "ignore_patterns = []  # default\n"
            "ignore_dirs = []  # default\n"
            "\n"
            "[secrets]\n"
            "disable = []  # default\n"
            "extra = []  # default\n"
            "\n"
            "[log]\n"
            "level = \"warn\"  # default\n"
            "file = \"\"  # default\n"
            "max_file_kb = 1024  # default\n"
            "max_files = 3  # default\n"
            "\n"
            "[backup]\n"
            "dir = \"\"  # default\n"
            "interval = \"0\"  # default\n"
            "\n"
            "[retention]\n"
            "max_age = \"0\"  # default\n"
            "max_events = 0  # default\n"
            "\n"
            "[search]\n"
            "inline_height = 12  # default\n"
            "enter_runs = false  # default\n"
            "up_arrow = false  # default\n"
            "deadline_ms = 2000  # default\n"
            "mode = \"substring\"  # default\n"
            "rank = \"recent\"  # default\n"
            "scope = \"global\"  # default\n"
            "\n"
            "[daemon]\n"
            "autostart = true  # default\n"
            "compact_min_events = 100000  # default\n"
            "spool_max_mb = 64  # default\n"
            "linger_ms = 60000  # default\n"
            "memory_mb = 128  # default\n"
            "tcp_port = 0  # default\n"
            "max_connections = 8  # default\n"
            "rate_per_second = 20  # default\n"
            "rate_burst = 40  # default\n"
            "\n"
            "[sync]\n"
            "server = \"\"  # default\n"
            "creds_file = \"\"  # default\n"
            "ca_file = \"\"  # default\n"
            "replicas = 1  # default\n"
            "timeout_ms = 5000  # default\n"
            "publish_rate = 0  # default\n"
            "max_in_flight = 4096  # default\n"
            "otlp_endpoint = \"\"  # default\n"
            "\n"
            "[telemetry]\n"
            "endpoint = \"\"  # default\n");
}

// A config with one value from a file, one from env and an awkward string.
void MakeMixed(Config* cfg, ConfigOrigins* origins) {
  cfg->storage.block_cache_mb = 64;
  cfg->log.level = "debug";
  cfg->log.file = "/tmp/a \"b\"\\c\xff.log";
  cfg->record.ignore_space = false;
  cfg->record.ignore_patterns = {"^ls$", "\\bsecret\\b", "a\"b"};
  cfg->secrets.disable = {"jwt"};
  origins->by_key["storage.block_cache_mb"] = "/h/config.toml:2";
  origins->by_key["record.ignore_space"] = "env TERMBRAIN_RECORD_IGNORE_SPACE";
  origins->by_key["record.ignore_patterns"] = "/h/config.toml:4";
  origins->by_key["secrets.disable"] = "/h/config.toml:9";
  origins->by_key["log.level"] = "env TERMBRAIN_LOG_LEVEL";
  origins->by_key["log.file"] = "/h/config.toml:7";
}

TEST(ConfigRenderTest, MixedAsText) {
  Config cfg;
  ConfigOrigins origins;
  MakeMixed(&cfg, &origins);
  EXPECT_EQ(RenderConfig(cfg, origins, false),
            "[storage]\n"
            "block_cache_mb = 64  # /h/config.toml:2\n"
            "write_buffer_mb = 16  # default\n"
            "lock_wait_ms = 2000  # default\n"
            "reserve_mb = 8  # default\n"
            "encryption = \"off\"  # default\n"
            "key_file = \"\"  # default\n"
            "kdf_ops = 4  # default\n"
            "kdf_memory_mb = 96  # default\n"
            "\n"
            "[record]\n"
            "max_command_bytes = 65536  # default\n"
            "ignore_space = false  # env TERMBRAIN_RECORD_IGNORE_SPACE\n"
            "ignore_patterns = [\"^ls$\", \"\\\\bsecret\\\\b\", \"a\\\"b\"]  # /h/config.toml:4\n"
            "ignore_dirs = []  # default\n"
            "\n"
            "[secrets]\n"
            "disable = [\"jwt\"]  # /h/config.toml:9\n"
            "extra = []  # default\n"
            "\n"
            "[log]\n"
            "level = \"debug\"  # env TERMBRAIN_LOG_LEVEL\n"
            "file = \"/tmp/a \\\"b\\\"\\\\c\xEF\xBF\xBD.log\"  # /h/config.toml:7\n"
            "max_file_kb = 1024  # default\n"
            "max_files = 3  # default\n"
            "\n"
            "[backup]\n"
            "dir = \"\"  # default\n"
            "interval = \"0\"  # default\n"
            "\n"
            "[retention]\n"
            "max_age = \"0\"  # default\n"
            "max_events = 0  # default\n"
            "\n"
            "[search]\n"
            "inline_height = 12  # default\n"
            "enter_runs = false  # default\n"
            "up_arrow = false  # default\n"
            "deadline_ms = 2000  # default\n"
            "mode = \"substring\"  # default\n"
            "rank = \"recent\"  # default\n"
            "scope = \"global\"  # default\n"
            "\n"
            "[daemon]\n"
            "autostart = true  # default\n"
            "compact_min_events = 100000  # default\n"
            "spool_max_mb = 64  # default\n"
            "linger_ms = 60000  # default\n"
            "memory_mb = 128  # default\n"
            "tcp_port = 0  # default\n"
            "max_connections = 8  # default\n"
            "rate_per_second = 20  # default\n"
            "rate_burst = 40  # default\n"
            "\n"
            "[sync]\n"
            "server = \"\"  # default\n"
            "creds_file = \"\"  # default\n"
            "ca_file = \"\"  # default\n"
            "replicas = 1  # default\n"
            "timeout_ms = 5000  # default\n"
            "publish_rate = 0  # default\n"
            "max_in_flight = 4096  # default\n"
            "otlp_endpoint = \"\"  # default\n"
            "\n"
            "[telemetry]\n"
            "endpoint = \"\"  # default\n");
}

TEST(ConfigRenderTest, MixedAsJson) {
  Config cfg;
  ConfigOrigins origins;
  MakeMixed(&cfg, &origins);
  EXPECT_EQ(RenderConfig(cfg, origins, true),
            "{\"storage\":{"
            "\"block_cache_mb\":{\"value\":64,\"source\":\"/h/config.toml:2\"},"
            "\"write_buffer_mb\":{\"value\":16,\"source\":\"default\"},"
            "\"lock_wait_ms\":{\"value\":2000,\"source\":\"default\"},"
            "\"reserve_mb\":{\"value\":8,\"source\":\"default\"},"
            "\"encryption\":{\"value\":\"off\",\"source\":\"default\"},"
            "\"key_file\":{\"value\":\"\",\"source\":\"default\"},"
            "\"kdf_ops\":{\"value\":4,\"source\":\"default\"},"
            "\"kdf_memory_mb\":{\"value\":96,\"source\":\"default\"}},"
            "\"record\":{"
            "\"max_command_bytes\":{\"value\":65536,\"source\":\"default\"},"
            "\"ignore_space\":{\"value\":false,\"source\":\"env TERMBRAIN_RECORD_IGNORE_SPACE\"},"
            "\"ignore_patterns\":{\"value\":[\"^ls$\",\"\\\\bsecret\\\\b\",\"a\\\"b\"],"
            "\"source\":\"/h/config.toml:4\"},"
            "\"ignore_dirs\":{\"value\":[],\"source\":\"default\"}},"
            "\"secrets\":{"
            "\"disable\":{\"value\":[\"jwt\"],\"source\":\"/h/config.toml:9\"},"
            "\"extra\":{\"value\":[],\"source\":\"default\"}},"
            "\"log\":{"
            "\"level\":{\"value\":\"debug\",\"source\":\"env TERMBRAIN_LOG_LEVEL\"},"
            "\"file\":{\"value\":\"/tmp/a \\\"b\\\"\\\\c\xEF\xBF\xBD.log\","
            "\"source\":\"/h/config.toml:7\"},"
            "\"max_file_kb\":{\"value\":1024,\"source\":\"default\"},"
            "\"max_files\":{\"value\":3,\"source\":\"default\"}},"
            "\"backup\":{"
            "\"dir\":{\"value\":\"\",\"source\":\"default\"},"
            "\"interval\":{\"value\":\"0\",\"source\":\"default\"}},"
            "\"retention\":{"
            "\"max_age\":{\"value\":\"0\",\"source\":\"default\"},"
            "\"max_events\":{\"value\":0,\"source\":\"default\"}},"
            "\"search\":{"
            "\"inline_height\":{\"value\":12,\"source\":\"default\"},"
            "\"enter_runs\":{\"value\":false,\"source\":\"default\"},"
            "\"up_arrow\":{\"value\":false,\"source\":\"default\"},"
            "\"deadline_ms\":{\"value\":2000,\"source\":\"default\"},"
            "\"mode\":{\"value\":\"substring\",\"source\":\"default\"},"
            "\"rank\":{\"value\":\"recent\",\"source\":\"default\"},"
            "\"scope\":{\"value\":\"global\",\"source\":\"default\"}},"
            "\"daemon\":{"
            "\"autostart\":{\"value\":true,\"source\":\"default\"},"
            "\"compact_min_events\":{\"value\":100000,\"source\":\"default\"},"
            "\"spool_max_mb\":{\"value\":64,\"source\":\"default\"},"
            "\"linger_ms\":{\"value\":60000,\"source\":\"default\"},"
            "\"memory_mb\":{\"value\":128,\"source\":\"default\"},"
            "\"tcp_port\":{\"value\":0,\"source\":\"default\"},"
            "\"max_connections\":{\"value\":8,\"source\":\"default\"},"
            "\"rate_per_second\":{\"value\":20,\"source\":\"default\"},"
            "\"rate_burst\":{\"value\":40,\"source\":\"default\"}},"
            "\"sync\":{"
            "\"server\":{\"value\":\"\",\"source\":\"default\"},"
            "\"creds_file\":{\"value\":\"\",\"source\":\"default\"},"
            "\"ca_file\":{\"value\":\"\",\"source\":\"default\"},"
            "\"replicas\":{\"value\":1,\"source\":\"default\"},"
            "\"timeout_ms\":{\"value\":5000,\"source\":\"default\"},"
            "\"publish_rate\":{\"value\":0,\"source\":\"default\"},"
            "\"max_in_flight\":{\"value\":4096,\"source\":\"default\"},"
            "\"otlp_endpoint\":{\"value\":\"\",\"source\":\"default\"}},"
            "\"telemetry\":{"
            "\"endpoint\":{\"value\":\"\",\"source\":\"default\"}}}\n");
}

}  // namespace
}  // namespace tb
