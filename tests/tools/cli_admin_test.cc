// End-to-end: tb status, tb views, tb log verify / dump, tb config show /
// check, where the data dir and config come from, and file permissions.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/config.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const char* const kViewNames[] = {"ids",     "history", "by_cwd",    "by_session", "by_command", "commands",
                                  "batches", "stats",   "sequences", "fixes",      "workflows"};
// Entries after the fixture's 3 recorded commands (no import, no fix, no
// workflow; stats: group, hour x host and directory keys per day and the
// all-time group, host and directory keys; sequences: 3
// directory keys, 3 unigram buckets, the bucket and the followers of the
// one template followed by another, the outcome key of the one that failed;
// the field indexes: one posting list per directory, session and command
// text, the fixture's 3 commands sharing one session and two directories).
const int kViewEntries[] = {3, 3, 2, 2, 3, 3, 0, 14, 9, 0, 0};
// Layout versions (a view's version changes with its layout).
int ViewVersion(const std::string& name) {
  if (name == "sequences") return 3;
  return name == "batches" || name == "stats" || name.starts_with("by_") ? 2 : 1;
}

class CliAdmin : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    UseSharedStore("admin-three", [this] {
      Record("git status", {"--cwd", "/tmp", "--exit", "0", "--session", "s1", "--started-at", "2026-02-01T10:00:00Z"});
      Record("make", {"--cwd", "/src", "--exit", "1", "--session", "s1", "--started-at", "2026-02-01T11:00:00Z"});
      Record("ls -la", {"--cwd", "/src", "--exit", "0", "--session", "s2", "--started-at", "2026-02-01T12:00:00Z"});
    });
  }
  std::string StoreId() {
    std::smatch m;
    std::string identity = ReadFile(data_dir() + "/TERMBRAIN");
    EXPECT_TRUE(std::regex_match(identity, m, std::regex("termbrain-store\nformat 1\nstore_id ([0-9a-f]{32})\n")))
        << identity;
    return m.size() > 1 ? m[1].str() : "";
  }
};

TEST_F(CliAdmin, StatusTable) {
  RunResult r = Tb({"status"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  std::vector<std::string> lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 9u) << r.out;
  EXPECT_EQ(lines[0], "data dir     " + data_dir());
  EXPECT_EQ(lines[1], "store id     " + StoreId());
  EXPECT_EQ(lines[2], "format       1");
  EXPECT_EQ(lines[3], "events       3");
  EXPECT_EQ(lines[4], "head seq     3");
  EXPECT_TRUE(std::regex_match(lines[5], std::regex(R"(disk usage   [0-9.]+ (B|KiB|MiB) \(\d+ bytes/event\))")))
      << lines[5];
  EXPECT_EQ(lines[6], "lock         free");
  EXPECT_EQ(lines[7],
            "daemon       not running; recording works: commands wait in the spool until the next tb command (or tb "
            "drain)");
  EXPECT_EQ(lines[8],
            "views        ids v1 history v1 by_cwd v2 by_session v2 by_command v2 commands v1 batches v2 "
            "stats v2 sequences v3 fixes v1 workflows v1");
}

TEST_F(CliAdmin, StatusJson) {
  RunResult r = Tb({"status", "--format", "json"});
  EXPECT_EXIT_CODE(r, 0);
  Json j = Json::parse(r.out);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"data_dir", "store_id", "format", "events", "head_seq", "disk_bytes",
                                            "lock_holder", "daemon", "views"}));
  EXPECT_EQ(j["data_dir"], data_dir());
  EXPECT_EQ(j["store_id"], StoreId());
  EXPECT_EQ(j["format"], 1);
  EXPECT_EQ(j["events"], 3);
  EXPECT_EQ(j["head_seq"], 3);
  EXPECT_TRUE(j["disk_bytes"].is_number_unsigned());
  EXPECT_GT(j["disk_bytes"].get<uint64_t>(), 0u);
  EXPECT_TRUE(j["lock_holder"].is_null());
  ASSERT_EQ(j["views"].size(), std::size(kViewNames));
  for (size_t i = 0; i < std::size(kViewNames); ++i) {
    EXPECT_EQ(j["views"][i]["name"], kViewNames[i]);
    EXPECT_EQ(j["views"][i]["version"], ViewVersion(kViewNames[i]));
    EXPECT_EQ(j["views"][i]["applied_seq"], 3);
  }
}

TEST_F(CliAdmin, ViewsTableAndJson) {
  RunResult t = Tb({"views"});
  EXPECT_EXIT_CODE(t, 0);
  EXPECT_EQ(t.out,
            "NAME        VERSION  APPLIED SEQ  ENTRIES\n"
            "ids         1        3            3\n"
            "history     1        3            3\n"
            "by_cwd      2        3            2\n"
            "by_session  2        3            2\n"
            "by_command  2        3            3\n"
            "commands    1        3            3\n"
            "batches     2        3            0\n"
            "stats       2        3            14\n"
            "sequences   3        3            9\n"
            "fixes       1        3            0\n"
            "workflows   1        3            0\n");
  RunResult r = Tb({"views", "--format", "json"});
  EXPECT_EXIT_CODE(r, 0);
  Json j = Json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), std::size(kViewNames));
  for (size_t i = 0; i < std::size(kViewNames); ++i) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : j[i].items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"name", "version", "code_version", "applied_seq", "entries"}));
    EXPECT_EQ(j[i]["name"], kViewNames[i]);
    EXPECT_EQ(j[i]["version"], j[i]["code_version"]);
    EXPECT_EQ(j[i]["applied_seq"], 3);
    EXPECT_EQ(j[i]["entries"], kViewEntries[i]);
  }
}

TEST_F(CliAdmin, LogVerifyAndDump) {
  RunResult v = Tb({"log", "verify"});
  EXPECT_EXIT_CODE(v, 0);
  EXPECT_EQ(v.out, "events 3 (seq 1..3), bad payloads 0, gaps 0, duplicate ids 0\n");
  EXPECT_EQ(v.err, "");

  RunResult d = Tb({"log", "dump", "--from", "2", "--to", "3"});
  EXPECT_EXIT_CODE(d, 0);
  EXPECT_EQ(d.err, "");
  std::vector<std::string> lines = SplitLines(d.out);
  ASSERT_EQ(lines.size(), 2u) << d.out;
  Json a = Json::parse(lines[0]), b = Json::parse(lines[1]);
  EXPECT_EQ(a["seq"], 2);
  EXPECT_EQ(a["type"], "command_recorded");
  EXPECT_EQ(a["command"], "make");
  EXPECT_EQ(a["exit_code"], 1);
  EXPECT_EQ(a["time"], "2026-02-01T11:00:00.000Z");
  EXPECT_EQ(b["seq"], 3);
  EXPECT_EQ(b["command"], "ls -la");

  EXPECT_EQ(SplitLines(Tb({"log", "dump"}).out).size(), 3u);
  EXPECT_EQ(SplitLines(Tb({"log", "dump", "--from", "3"}).out).size(), 1u);
  EXPECT_EQ(SplitLines(Tb({"log", "dump", "--to", "1"}).out).size(), 1u);
  RunResult past = Tb({"log", "dump", "--from", "4"});
  EXPECT_EXIT_CODE(past, 0);
  EXPECT_EQ(past.out, "");
}

TEST_F(CliAdmin, ConfigShowDefaults) {
  const std::string file = xdg_config() + "/termbrain/config.toml";
  RunResult r = Tb({"config", "show"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.err, "");
  // Keys are added as features land, so the body is compared with the
  // library's rendering of the defaults; the CLI adds the two header lines.
  ConfigOrigins defaults;
  EXPECT_EQ(r.out, "# config file: " + file + "\n# data dir: " + data_dir() + "\n" +
                       RenderConfig(Config{}, defaults, /*json=*/false));
  EXPECT_EQ(r.out.find("# config file: " + file + "\n# data dir: " + data_dir() +
                       "\n[storage]\nblock_cache_mb = 32  # default\n"
                       "write_buffer_mb = 16  # default\nlock_wait_ms = 2000  # default\n"
                       "reserve_mb = 8  # default\nencryption = \"off\"  # default\nkey_file = \"\"  # default\n"
                       "kdf_ops = 4  # default\nkdf_memory_mb = 96  # default\n\n"
                       "[record]\nmax_command_bytes = 65536  # default\n"),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("\n[log]\nlevel = \"warn\"  # default\nfile = \"\"  # default\n"
                       "max_file_kb = 1024  # default\nmax_files = 3  # default\n"),
            std::string::npos)
      << r.out;
  for (const auto& line : SplitLines(r.out)) {
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    EXPECT_TRUE(line.ends_with("  # default")) << line;
  }

  RunResult j = Tb({"config", "show", "--format", "json"});
  EXPECT_EXIT_CODE(j, 0);
  Json cfg = Json::parse(j.out);
  EXPECT_EQ(cfg["storage"]["block_cache_mb"]["value"], 32);
  EXPECT_EQ(cfg["record"]["max_command_bytes"]["value"], 65536);
  EXPECT_EQ(cfg["log"]["level"]["value"], "warn");
  for (const auto& [section, keys] : cfg.items()) {
    for (const auto& [key, entry] : keys.items()) {
      EXPECT_EQ(entry["source"], "default") << section << "." << key;
    }
  }
  // Configuration commands never create a store.
  fs::remove_all(data_dir());
  EXPECT_EXIT_CODE(Tb({"config", "show"}), 0);
  EXPECT_FALSE(fs::exists(data_dir()));
}

TEST_F(CliAdmin, ConfigShowSources) {
  const std::string file = root() + "/my.toml";
  WriteFile(file, "# mine\n[storage]\nblock_cache_mb = 8\n\n[log]\nlevel = \"INFO\"\n");
  TbCall call;
  call.env = {{"TERMBRAIN_STORAGE_LOCK_WAIT_MS", "5"}};
  RunResult r = Tb({"--config", file, "config", "show", "--format", "json"}, call);
  EXPECT_EXIT_CODE(r, 0);
  Json cfg = Json::parse(r.out);
  EXPECT_EQ(cfg["storage"]["block_cache_mb"]["value"], 8);
  EXPECT_EQ(cfg["storage"]["block_cache_mb"]["source"], file + ":3");
  EXPECT_EQ(cfg["log"]["level"]["value"], "info");
  EXPECT_EQ(cfg["log"]["level"]["source"], file + ":6");
  EXPECT_EQ(cfg["storage"]["lock_wait_ms"]["value"], 5);
  EXPECT_EQ(cfg["storage"]["lock_wait_ms"]["source"], "env TERMBRAIN_STORAGE_LOCK_WAIT_MS");
  EXPECT_EQ(cfg["storage"]["write_buffer_mb"]["source"], "default");

  // The environment wins over the file; $TERMBRAIN_CONFIG names the file.
  TbCall via_env;
  via_env.env = {{"TERMBRAIN_CONFIG", file}, {"TERMBRAIN_STORAGE_BLOCK_CACHE_MB", "64"}};
  RunResult e = Tb({"config", "show"}, via_env);
  EXPECT_EXIT_CODE(e, 0);
  EXPECT_EQ(e.out.rfind("# config file: " + file + "\n", 0), 0u) << e.out;
  EXPECT_NE(e.out.find("block_cache_mb = 64  # env TERMBRAIN_STORAGE_BLOCK_CACHE_MB\n"), std::string::npos) << e.out;
}

TEST_F(CliAdmin, ConfigCheck) {
  RunResult r = Tb({"config", "check"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "ok: " + xdg_config() + "/termbrain/config.toml is valid\n");
  EXPECT_EQ(r.err, "");
  const std::string file = root() + "/ok.toml";
  WriteFile(file, "[record]\nmax_command_bytes = 1024\n");
  RunResult f = Tb({"--config", file, "config", "check"});
  EXPECT_EXIT_CODE(f, 0);
  EXPECT_EQ(f.out, "ok: " + file + " is valid\n");
}

// ----------------------------------------------------- locations, permissions

class CliLocationsSecurity : public CliTest {};

TEST_F(CliLocationsSecurity, DataDirComesFromFlagEnvOrXdg) {
  TbCall bare;
  bare.data_dir = false;
  Record("in xdg", {"--cwd", "/tmp"}, bare);
  EXPECT_TRUE(fs::exists(xdg_data() + "/termbrain/TERMBRAIN"));

  TbCall env = bare;
  env.env = {{"TERMBRAIN_DATA_DIR", root() + "/from-env"}};
  Record("in env", {"--cwd", "/tmp"}, env);
  EXPECT_TRUE(fs::exists(root() + "/from-env/TERMBRAIN"));

  // --data-dir beats the environment.
  TbCall both = env;
  Record("in flag", {"--cwd", "/tmp"}, TbCall{});
  RunResult flag = Tb({"--data-dir", data_dir(), "history", "--format", "plain"}, both);
  EXPECT_EQ(flag.out, "in flag\n");
  EXPECT_EQ(Tb({"history", "--format", "plain"}, env).out, "in env\n");
  EXPECT_EQ(Tb({"history", "--format", "plain"}, bare).out, "in xdg\n");

  // Without XDG_DATA_HOME: ~/.local/share/termbrain.
  TbCall home_only = bare;
  home_only.env = {{"XDG_DATA_HOME", ""}};
  Record("in home", {"--cwd", "/tmp"}, home_only);
  EXPECT_TRUE(fs::exists(home() + "/.local/share/termbrain/TERMBRAIN"));
}

// A flag is read where it is typed: a relative --data-dir names a
// directory under the current one, and tb works with its absolute path.
TEST_F(CliLocationsSecurity, RelativeDataDirFlagIsTakenFromTheCurrentDirectory) {
  fs::create_directories(root() + "/work/sub");
  TbCall in_work;
  in_work.data_dir = false;
  in_work.cwd = root() + "/work/sub";
  RunResult rec = Tb({"--data-dir", "../store/./here", "record", "--command", "ls", "--cwd", "/tmp"}, in_work);
  EXPECT_EXIT_CODE(rec, 0);
  EXPECT_TRUE(fs::exists(root() + "/work/store/here/TERMBRAIN"));
  RunResult show = Tb({"--data-dir=../store/here/", "config", "show"}, in_work);
  EXPECT_EXIT_CODE(show, 0);
  EXPECT_NE(show.out.find("# data dir: " + root() + "/work/store/here\n"), std::string::npos) << show.out;
  RunResult hist = Tb({"--data-dir", "../store/here", "history", "--format", "plain"}, in_work);
  EXPECT_EQ(hist.out, "ls\n");
}

// The environment applies in every directory: a relative
// TERMBRAIN_DATA_DIR would make a new store wherever tb runs. Refused; a
// relative XDG_DATA_HOME is ignored, as the XDG spec says.
TEST_F(CliLocationsSecurity, RelativeDataDirFromTheEnvironment) {
  TbCall call;
  call.data_dir = false;
  call.cwd = root();
  call.env = {{"TERMBRAIN_DATA_DIR", "rel/tb"}};
  const TreeSnapshot before = Snapshot(root());
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"record", "--command", "ls", "--cwd", "/tmp"}, {"history"}, {"config", "show"}}) {
    RunResult r = Tb(args, call);
    EXPECT_EXIT_CODE(r, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "tb: error: relative data directory (TERMBRAIN_DATA_DIR=rel/tb): it would name a different "
              "store in every directory. Make it an absolute path, or pass --data-dir DIR\n");
  }
  EXPECT_EQ(DiffSnapshots(before, Snapshot(root())), "") << "nothing created";
  // --data-dir still wins over the environment.
  RunResult flag = Tb({"--data-dir", data_dir(), "history"}, call);
  EXPECT_EXIT_CODE(flag, 0);

  TbCall xdg = call;
  xdg.env = {{"XDG_DATA_HOME", "rel/xdg"}};
  Record("in home", {"--cwd", "/tmp"}, xdg);
  EXPECT_TRUE(fs::exists(home() + "/.local/share/termbrain/TERMBRAIN"));
  EXPECT_FALSE(fs::exists(root() + "/rel"));
}

TEST_F(CliLocationsSecurity, PrivatePermissions) {
  Record("git status", {"--cwd", "/tmp", "--exit", "0"});
  Record("ls", {"--cwd", "/tmp", "--exit", "0"});
  EXPECT_EXIT_CODE(Tb({"history"}), 0);
  EXPECT_EXIT_CODE(Tb({"status"}), 0);
  EXPECT_EXIT_CODE(Tb({"rebuild"}), 0);
  // Also a warning in the file log.
  EXPECT_EXIT_CODE(TbEnv({"record", "--command", std::string(400, 'y'), "--cwd", "/tmp"},
                         {{"TERMBRAIN_RECORD_MAX_COMMAND_BYTES", "256"}}),
                   0);
  size_t files = 0;
  for (const auto& [path, e] : Snapshot(data_dir())) {
    if (e.type == 'd') {
      EXPECT_EQ(e.mode, 0700u) << path << " mode " << std::oct << e.mode;
    } else {
      EXPECT_EQ(e.type, 'f') << path;
      EXPECT_EQ(e.mode, 0600u) << path << " mode " << std::oct << e.mode;
      ++files;
    }
  }
  EXPECT_GT(files, 5u);
  EXPECT_TRUE(fs::exists(data_dir() + "/db/CURRENT"));
  EXPECT_TRUE(fs::exists(data_dir() + "/TERMBRAIN"));
}

TEST_F(CliLocationsSecurity, NestedDataDirIsCreatedPrivate) {
  const std::string nested = root() + "/a/b/c/store";
  TbCall call;
  call.data_dir = false;
  EXPECT_EXIT_CODE(Tb({"--data-dir", nested, "record", "--command", "x", "--cwd", "/tmp"}, call), 0);
  struct stat st;
  ASSERT_EQ(::stat(nested.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  // An existing empty directory becomes a private store too.
  const std::string open_dir = root() + "/open";
  fs::create_directories(open_dir);
  fs::permissions(open_dir, fs::perms(0755), fs::perm_options::replace);
  EXPECT_EXIT_CODE(Tb({"--data-dir", open_dir, "record", "--command", "x", "--cwd", "/tmp"}, call), 0);
  ASSERT_EQ(::stat(open_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

}  // namespace
}  // namespace tb::testing
