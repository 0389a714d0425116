// Encryption at rest end to end, through the real `tb` (docs/security.md,
// "Encryption at rest"): with storage.encryption = "keyfile", no file under
// the data dir (database, backups, snapshots, search index) holds a
// recorded or imported command in the clear, before and after `tb rekey`;
// a wrong key exits 3 and leaves every byte of the data dir as it was; and
// everything else works as with encryption off.
#include <sys/stat.h>

#include <filesystem>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = "MARKER_8d1f0c";

class CliEncryption : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    fs::create_directories(root() + "/keys");
    ::chmod((root() + "/keys").c_str(), 0700);
  }
  std::string KeyPath(const std::string& name) const { return root() + "/keys/" + name; }
  std::string ConfigPath() const { return xdg_config() + "/termbrain/config.toml"; }
  // Writes the config file: encryption on with `key` ("" = off).
  void UseKey(const std::string& key) const {
    fs::create_directories(xdg_config() + "/termbrain");
    WriteFile(ConfigPath(), key.empty() ? "[storage]\nencryption = \"off\"\n"
                                        : "[storage]\nencryption = \"keyfile\"\nkey_file = \"" + key + "\"\n");
  }
  std::string Generate(const std::string& name) {
    RunResult r = Tb({"key", "generate", KeyPath(name)});
    EXPECT_EXIT_CODE(r, 0);
    const size_t at = r.out.find("(key id ") + 8;
    key_ids_[KeyPath(name)] = r.out.substr(at, r.out.find(')', at) - at);
    return KeyPath(name);
  }
  std::string KeyIdOf(const std::string& path) { return key_ids_[path]; }
  std::map<std::string, std::string> key_ids_;
  // The files under the data dir whose bytes hold the marker (grep -r -a -l).
  std::vector<std::string> Holding(const std::string& needle) const {
    std::vector<std::string> out;
    for (const auto& [path, e] : Snapshot(data_dir())) {
      if (e.content.find(needle) != std::string::npos) out.push_back(path);
    }
    return out;
  }
  // Records, imports, backs up, snapshots and searches with the marker.
  void Populate() const {
    Record(std::string("echo ") + kMarker);
    const std::string hist = root() + "/bash_history";
    WriteFile(hist, "#1700000000\nls " + std::string(kMarker) + "\n#1700000001\ngit status\n");
    EXPECT_EXIT_CODE(Tb({"import", "bash", hist}), 0);
    EXPECT_EXIT_CODE(Tb({"backup", "create"}), 0);
    EXPECT_EXIT_CODE(Tb({"snapshot", "create", "s1"}), 0);
    RunResult s = Tb({"search", "--format", "plain", kMarker});
    EXPECT_EXIT_CODE(s, 0);
    EXPECT_EQ(s.out, std::string("echo ") + kMarker + "\nls " + kMarker + "\n");
  }
};

TEST_F(CliEncryption, NothingInTheDataDirHoldsTheTextAndAWrongKeyChangesNothing) {
  const std::string k1 = Generate("k1");
  UseKey(k1);
  Populate();
  ASSERT_TRUE(fs::exists(data_dir() + "/search.idx"));
  ASSERT_TRUE(fs::exists(data_dir() + "/backups/meta/1"));
  ASSERT_TRUE(fs::exists(data_dir() + "/snapshots/s1/db/CURRENT"));
  EXPECT_EQ(Holding(kMarker), std::vector<std::string>{});
  // Everything works as usual.
  const std::vector<std::string> all = {std::string("echo ") + kMarker, "git status", std::string("ls ") + kMarker};
  EXPECT_EQ(Commands(), all);
  EXPECT_EXIT_CODE(Tb({"stats"}), 0);
  RunResult v = Tb({"views", "verify"});
  EXPECT_EXIT_CODE(v, 0);
  EXPECT_EXIT_CODE(Tb({"log", "verify"}), 0);
  EXPECT_EXIT_CODE(Tb({"backup", "verify", "latest"}), 0);
  EXPECT_EXIT_CODE(Tb({"backup", "restore", "latest", "--to", root() + "/restored"}), 0);
  TbCall other;
  other.data_dir = false;
  RunResult h = Tb({"--data-dir", root() + "/restored", "history", "--format", "plain"}, other);
  EXPECT_EXIT_CODE(h, 0);
  EXPECT_EQ(h.out, "echo " + std::string(kMarker) + "\ngit status\nls " + kMarker + "\n");

  // A wrong key: exit 3, one line, not a byte changed.
  const std::string k2 = Generate("k2");
  UseKey(k2);
  const TreeSnapshot before = Snapshot(data_dir());
  for (const std::vector<std::string>& args : {std::vector<std::string>{"history"},
                                               {"search", "x"},
                                               {"stats"},
                                               {"views", "verify"},
                                               {"import", "bash", root() + "/x"}}) {
    RunResult r = Tb(args);
    EXPECT_EXIT_CODE(r, 3);
    EXPECT_EQ(r.err.rfind("tb: error: wrong key for " + data_dir() + "/db: the store is encrypted under key id ", 0),
              0u)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  RunResult missing = TbEnv({"history"}, {{"TERMBRAIN_STORAGE_KEY_FILE", root() + "/keys/none"}});
  EXPECT_EXIT_CODE(missing, 3);
  EXPECT_EQ(missing.err, "tb: error: key file " + root() +
                             "/keys/none does not exist (storage.key_file): the store cannot be read without its "
                             "key\n");
  RunResult off = TbEnv({"history"}, {{"TERMBRAIN_STORAGE_ENCRYPTION", "off"}});
  EXPECT_EXIT_CODE(off, 3);
  EXPECT_EQ(DiffSnapshots(before, Snapshot(data_dir())), "");

  // Rekey to k2 (the copies under k1 go too), then the same checks.
  UseKey(k1);
  RunResult rk = Tb({"rekey", "--new-key-file", k2, "--drop-copies"});
  EXPECT_EXIT_CODE(rk, 0);
  EXPECT_EQ(rk.out.substr(rk.out.find("\ndeleted ") + 1),
            "deleted 1 snapshot(s) and 1 backup(s) made under the old key\nNow set in " + ConfigPath() +
                " (tb reads the key from there; it never edits the file):\n  [storage]\n  encryption = "
                "\"keyfile\"\n  key_file = \"" +
                k2 + "\"\n");
  EXPECT_EXIT_CODE(Tb({"history"}), 3);  // the config still names k1
  UseKey(k2);
  EXPECT_EQ(Commands(), all);
  RunResult s = Tb({"search", "--format", "plain", kMarker});
  EXPECT_EQ(s.out, std::string("echo ") + kMarker + "\nls " + kMarker + "\n");
  EXPECT_EXIT_CODE(Tb({"backup", "create"}), 0);
  EXPECT_EXIT_CODE(Tb({"snapshot", "create", "s2"}), 0);
  EXPECT_EXIT_CODE(Tb({"views", "verify"}), 0);
  EXPECT_EQ(Holding(kMarker), std::vector<std::string>{});
}

TEST_F(CliEncryption, PlaintextToEncryptedAndBack) {
  Record("make test");
  const std::string k = Generate("k");
  RunResult r = Tb({"rekey", "--new-key-file", k});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(Tb({"history"}).exit_code, 3);  // still off
  UseKey(k);
  EXPECT_EQ(Commands(), std::vector<std::string>{"make test"});
  RunResult audit = Tb({"audit"});  // the rekey is in the new store's audit trail
  EXPECT_EQ(SplitLines(audit.out).back().substr(SplitLines(audit.out).back().find("rekey")),
            "rekey              drop_copies=false key_id=" + KeyIdOf(k) + " passphrase=false previous_key_id=")
      << audit.out;
  r = Tb({"rekey", "--decrypt"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out.substr(r.out.find("Now")), "Now set in " + ConfigPath() + ":\n  [storage]\n  encryption = \"off\"\n");
  UseKey("");
  EXPECT_EQ(Commands(), std::vector<std::string>{"make test"});
}

TEST_F(CliEncryption, KeyAndConfigErrors) {
  const std::string k = Generate("k");
  RunResult r = Tb({"key", "generate", k});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: key file " + k + " already exists: tb never overwrites a key\n");
  r = Tb({"key", "generate", data_dir() + "/k"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: key file " + data_dir() + "/k is inside the data dir " + data_dir() +
                       ": a key kept beside the data it protects protects nothing. Keep it elsewhere\n");
  r = Tb({"key", "generate"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: tb key generate needs the PATH of the new key file\n");
  ::chmod(k.c_str(), 0604);
  r = TbEnv({"history"}, {{"TERMBRAIN_STORAGE_ENCRYPTION", "keyfile"}, {"TERMBRAIN_STORAGE_KEY_FILE", k}});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: key file " + k + " is accessible to group or others (mode 0604). Run 'chmod 600 " + k + "'\n");
  r = TbEnv({"history"}, {{"TERMBRAIN_STORAGE_ENCRYPTION", "keyfile"}});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: storage.encryption = \"keyfile\" needs storage.key_file, the absolute path of the key (create "
            "one with 'tb key generate PATH')\n");
  r = Tb({"rekey"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: tb rekey needs exactly one of --new-key-file PATH, --passphrase and --decrypt\n");
  r = Tb({"rekey", "--passphrase", "--decrypt"});
  EXPECT_EXIT_CODE(r, 2);
  // Help never needs the key, even when the key file is missing.
  for (const std::vector<std::string>& args : {std::vector<std::string>{"rekey", "--help"}, {"history", "-h"}}) {
    r = TbEnv(args, {{"TERMBRAIN_STORAGE_ENCRYPTION", "keyfile"}, {"TERMBRAIN_STORAGE_KEY_FILE", root() + "/none"}});
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.out.rfind("usage: tb " + args[0], 0), 0u) << r.out;
  }
  r = Tb({"rekey", "--decrypt"});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.err, "tb: error: no TermBrain store at " + data_dir() + " to rekey\n");
  // Commands that never read the data dir need no key.
  r = TbEnv({"config", "check"}, {{"TERMBRAIN_STORAGE_ENCRYPTION", "keyfile"}});
  EXPECT_EXIT_CODE(r, 0);
}

}  // namespace
}  // namespace tb::testing
