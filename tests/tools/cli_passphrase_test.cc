// Passphrase mode of encryption at rest end to end, through the real `tb`
// (docs/security.md, "Passphrase"): no file under the data dir or the
// runtime dir holds a recorded or imported command, nor the passphrase;
// while locked every command that needs the store exits 3 with one line and
// changes nothing; a wrong passphrase exits 3 and changes nothing; the
// passphrase changes without a rekey; tb rekey moves a store between
// passphrase, key file and plaintext; help and tb doctor need no key.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <regex>

#include "storage/spool.h"
#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = "MARKER_PASS_51c7";

class CliPassphraseSecurity : public CliTest {
 protected:
  std::string ConfigPath() const { return xdg_config() + "/termbrain/config.toml"; }
  // The config: `mode` with the smallest Argon2id cost (the tests are
  // about behaviour; the default cost is checked in wrapped_key_test.cc).
  void UseMode(const std::string& mode, const std::string& key_file = "") const {
    fs::create_directories(xdg_config() + "/termbrain");
    WriteFile(ConfigPath(), "[storage]\nencryption = \"" + mode + "\"\nkdf_ops = 1\nkdf_memory_mb = 1\n" +
                                (key_file.empty() ? "" : "key_file = \"" + key_file + "\"\n"));
  }
  RunResult WithStdin(const std::vector<std::string>& args, const std::string& in) const {
    TbCall c;
    c.in = in;
    return Tb(args, c);
  }
  RunResult Unlock(const std::string& passphrase) const { return WithStdin({"unlock"}, passphrase + "\n"); }
  std::string UnlockedKey() const { return SpoolDirFor(runtime_dir() + "/termbrain/unlocked", data_dir()) + ".key"; }
  std::string Locked() const {
    return "tb: error: the store " + data_dir() + " is locked (its key is wrapped by a passphrase). Run 'tb unlock'\n";
  }
  // The files under `root` whose bytes hold `needle` (grep -r -a -l).
  static std::vector<std::string> Holding(const std::string& root, const std::string& needle) {
    std::vector<std::string> out;
    for (const auto& [path, e] : Snapshot(root)) {
      if (e.content.find(needle) != std::string::npos) out.push_back(path);
    }
    return out;
  }
  static std::string KeyIdIn(const std::string& out) {
    std::smatch m;
    return std::regex_search(out, m, std::regex("key id ([0-9a-f]{32})")) ? m[1].str() : "";
  }
};

TEST_F(CliPassphraseSecurity, MarkerIsNowhereAndALockedStoreIsNotTouched) {
  UseMode("passphrase");
  RunResult r = Tb({"history"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.err, "tb: error: the store " + data_dir() +
                       " is locked (storage.encryption is \"passphrase\" and no passphrase is set). Run 'tb unlock'\n");
  r = Unlock("correct horse battery");
  EXPECT_EXIT_CODE(r, 0);
  const std::string id = KeyIdIn(r.out);
  EXPECT_EQ(r.out,
            "set the passphrase of the new store " + data_dir() + " (key id " + id + ") until logout or 'tb lock'\n");
  // Record, import, back up, snapshot, search: the marker everywhere.
  Record(std::string("echo ") + kMarker);
  const std::string hist = root() + "/bash_history";
  WriteFile(hist, "#1700000000\nls " + std::string(kMarker) + "\n");
  EXPECT_EXIT_CODE(Tb({"import", "bash", hist}), 0);
  EXPECT_EXIT_CODE(Tb({"backup", "create"}), 0);
  EXPECT_EXIT_CODE(Tb({"snapshot", "create", "s1"}), 0);
  r = Tb({"search", "--format", "plain", kMarker});
  EXPECT_EQ(r.out, std::string("echo ") + kMarker + "\nls " + kMarker + "\n");
  ASSERT_TRUE(fs::exists(data_dir() + "/search.idx"));
  ASSERT_TRUE(fs::exists(data_dir() + "/backups/meta/1"));
  ASSERT_TRUE(fs::exists(data_dir() + "/snapshots/s1/db/CURRENT"));
  for (const std::string& dir : {data_dir(), runtime_dir()}) {
    EXPECT_EQ(Holding(dir, kMarker), std::vector<std::string>{}) << dir;
    EXPECT_EQ(Holding(dir, "correct horse"), std::vector<std::string>{}) << dir;
  }
  struct stat st {};
  ASSERT_EQ(::stat((data_dir() + "/key.wrapped").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(UnlockedKey().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EXIT_CODE(Tb({"backup", "verify", "latest"}), 0);
  // A backup restored into a new data dir opens with the same passphrase.
  EXPECT_EXIT_CODE(Tb({"backup", "restore", "latest", "--to", root() + "/restored"}), 0);
  TbCall other;
  other.data_dir = false;
  other.in = "correct horse battery\n";
  EXPECT_EXIT_CODE(Tb({"--data-dir", root() + "/restored", "unlock"}, other), 0);
  RunResult h = Tb({"--data-dir", root() + "/restored", "history", "--format", "plain"}, other);
  EXPECT_EXIT_CODE(h, 0);
  EXPECT_EQ(h.out, std::string("echo ") + kMarker + "\nls " + kMarker + "\n");
  EXPECT_EXIT_CODE(Tb({"--data-dir", root() + "/restored", "lock"}, other), 0);

  // Locked: every command that needs the store exits 3 with one line.
  r = Tb({"lock"});
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "locked " + data_dir() + "\n");
  EXPECT_FALSE(fs::exists(UnlockedKey()));
  const TreeSnapshot before = Snapshot(data_dir());
  for (const std::vector<std::string>& args : {std::vector<std::string>{"history"},
                                               {"search", "x"},
                                               {"stats"},
                                               {"status"},
                                               {"record", "--command", "ls"},
                                               {"import", "bash", hist},
                                               {"backup", "create"},
                                               {"views", "verify"},
                                               {"drain"},
                                               {"rekey", "--decrypt"}}) {
    r = Tb(args);
    EXPECT_EXIT_CODE(r, 3);
    EXPECT_EQ(r.err, Locked()) << args[0];
  }
  // A wrong passphrase: exit 3, one line, nothing written anywhere.
  const TreeSnapshot run_before = Snapshot(runtime_dir());
  r = Unlock("wrong horse");
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.err, "tb: error: wrong passphrase for " + data_dir() + "/key.wrapped. Nothing was changed\n");
  r = Unlock("");
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: empty passphrase refused\n");
  r = Tb({"unlock"});  // stdin at its end
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: no passphrase on stdin (tb reads one line per passphrase)\n");
  EXPECT_EQ(DiffSnapshots(before, Snapshot(data_dir())), "");
  EXPECT_EQ(DiffSnapshots(run_before, Snapshot(runtime_dir())), "");

  r = Unlock("correct horse battery");
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "unlocked " + data_dir() + " (key id " + id + ") until logout or 'tb lock'\n");
  EXPECT_EQ(Commands(), (std::vector<std::string>{std::string("echo ") + kMarker, std::string("ls ") + kMarker}));
  EXPECT_EQ(Tb({"lock"}).out, "locked " + data_dir() + "\n");
  EXPECT_EQ(Tb({"lock"}).out, "was not unlocked: " + data_dir() + "\n");

  // The wrapped key lost: the error says so and what to put back, not
  // that a passphrase is to be set.
  fs::rename(data_dir() + "/key.wrapped", root() + "/key.wrapped.copy");
  r = Tb({"status"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.err, "tb: error: the store " + data_dir() + " is under a passphrase but its wrapped key " + data_dir() +
                       "/key.wrapped is missing. Put back the key.wrapped that came with the store (a backup or copy "
                       "of the data dir holds it)\n");
  fs::rename(root() + "/key.wrapped.copy", data_dir() + "/key.wrapped");
  EXPECT_EXIT_CODE(Unlock("correct horse battery"), 0);
}

TEST_F(CliPassphraseSecurity, ATerminalIsAskedWithEchoOffAndTwiceForANewPassphrase) {
  UseMode("passphrase");
  const std::string pw = "zq9-tty-secret";
  auto [shown, code] = OnTerminal({"unlock"}, {pw, pw + "x"});
  EXPECT_EQ(code, 2) << shown;
  EXPECT_EQ(shown, "New passphrase for " + data_dir() + ": \r\nNew passphrase for " + data_dir() +
                       " (again): \r\ntb: error: the two passphrases differ. Nothing was changed\r\n");
  EXPECT_FALSE(fs::exists(data_dir() + "/key.wrapped"));
  std::tie(shown, code) = OnTerminal({"unlock"}, {pw, pw});
  EXPECT_EQ(code, 0) << shown;
  EXPECT_EQ(shown.find(pw), std::string::npos) << shown;  // never echoed
  EXPECT_EQ(shown.rfind("New passphrase for " + data_dir() + ": \r\nNew passphrase for " + data_dir() +
                            " (again): \r\nset the passphrase of the new store ",
                        0),
            0u)
      << shown;
  ASSERT_EXIT_CODE(Tb({"lock"}), 0);
  std::tie(shown, code) = OnTerminal({"unlock"}, {pw});
  EXPECT_EQ(code, 0) << shown;
  EXPECT_EQ(shown.rfind("Passphrase for " + data_dir() + ": \r\nunlocked ", 0), 0u) << shown;
}

TEST_F(CliPassphraseSecurity, RefusalsOutsidePassphraseModeAndWithoutARuntimeDir) {
  RunResult r = Unlock("pw");
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: tb unlock is for storage.encryption = \"passphrase\", and it is \"off\" (default)\n");
  r = WithStdin({"key", "passphrase"}, "a\nb\n");
  EXPECT_EXIT_CODE(r, 2);
  UseMode("passphrase");
  r = WithStdin({"key", "passphrase"}, "a\nb\n");
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.err, "tb: error: no passphrase is set for " + data_dir() + ": 'tb unlock' sets one for a new store\n");
  TbCall no_runtime;
  no_runtime.env = {{"XDG_RUNTIME_DIR", ""}};
  no_runtime.in = "pw\n";
  r = Tb({"unlock"}, no_runtime);
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: no runtime dir for the unlocked key: XDG_RUNTIME_DIR is not set to an absolute path (it is "
            "set at login, in memory). Log in with a session that sets it\n");
  // A plaintext store is converted by a rekey, not by tb unlock.
  UseMode("off");
  Record("ls");
  UseMode("passphrase");
  r = Unlock("pw");
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.err, "tb: error: the store " + data_dir() + " has no wrapped key (" + data_dir() +
                       "/key.wrapped). If it was under a passphrase, put back the key.wrapped that came with "
                       "it; if not, convert it with 'tb rekey --passphrase' run with its current "
                       "storage.encryption\n");
}

TEST_F(CliPassphraseSecurity, PassphraseChangesAndRekeysBetweenModes) {
  UseMode("passphrase");
  ASSERT_EXIT_CODE(Unlock("one"), 0);
  Record("make test");
  const std::string wrapped = data_dir() + "/key.wrapped";
  const std::string before = ReadFile(wrapped);
  RunResult r = WithStdin({"key", "passphrase"}, "wrong\ntwo\n");
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.err, "tb: error: wrong passphrase for " + wrapped + ". Nothing was changed\n");
  EXPECT_EQ(ReadFile(wrapped), before);
  r = WithStdin({"key", "passphrase"}, "one\n\n");
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(ReadFile(wrapped), before);
  r = WithStdin({"key", "passphrase"}, "one\ntwo\n");
  EXPECT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "changed the passphrase of " + data_dir() +
                       " (the data key is the same: backups, snapshots and the unlocked key stay valid)\n");
  EXPECT_NE(ReadFile(wrapped), before);
  EXPECT_EQ(Commands(), std::vector<std::string>{"make test"});  // still unlocked
  EXPECT_EXIT_CODE(Tb({"lock"}), 0);
  EXPECT_EXIT_CODE(Unlock("one"), 3);
  EXPECT_EXIT_CODE(Unlock("two"), 0);

  // A new key under a new passphrase (a leaked passphrase).
  const std::string old_id = KeyIdIn(Unlock("two").out);
  r = WithStdin({"rekey", "--passphrase"}, "three\n");
  EXPECT_EXIT_CODE(r, 0);
  const std::string new_id = KeyIdIn(r.out);
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(r.out.substr(r.out.find("\nNow ") + 1),
            "Now set in " + ConfigPath() +
                ":\n  [storage]\n  encryption = \"passphrase\"\nThe store is unlocked until logout or 'tb lock'.\n");
  EXPECT_EQ(Commands(), std::vector<std::string>{"make test"});
  EXPECT_EXIT_CODE(Tb({"lock"}), 0);
  EXPECT_EXIT_CODE(Unlock("two"), 3);
  EXPECT_EXIT_CODE(Unlock("three"), 0);

  // To a key file: the wrapped key and the unlocked key go.
  fs::create_directories(root() + "/keys");
  ::chmod((root() + "/keys").c_str(), 0700);
  const std::string k = root() + "/keys/k";
  ASSERT_EXIT_CODE(Tb({"key", "generate", k}), 0);
  ASSERT_EXIT_CODE(Tb({"rekey", "--new-key-file", k}), 0);
  EXPECT_FALSE(fs::exists(wrapped));
  EXPECT_FALSE(fs::exists(UnlockedKey()));
  UseMode("keyfile", k);
  EXPECT_EQ(Commands(), std::vector<std::string>{"make test"});
  // Back to a passphrase: unlocked by the rekey itself.
  ASSERT_EXIT_CODE(WithStdin({"rekey", "--passphrase"}, "four\n"), 0);
  UseMode("passphrase");
  EXPECT_EQ(Commands(), std::vector<std::string>{"make test"});
  ASSERT_EXIT_CODE(Tb({"rekey", "--decrypt"}), 0);
  UseMode("off");
  EXPECT_EQ(Commands(), std::vector<std::string>{"make test"});
  EXPECT_FALSE(fs::exists(wrapped));
}

TEST_F(CliPassphraseSecurity, HelpAndDoctorNeedNoKey) {
  UseMode("passphrase");
  ASSERT_EXIT_CODE(Unlock("pw"), 0);
  Record("ls");
  ASSERT_EXIT_CODE(Tb({"lock"}), 0);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"rekey", "--help"}, {"history", "--help"}, {"key", "passphrase", "--help"}}) {
    RunResult r = Tb(args);
    EXPECT_EXIT_CODE(r, 0);
    EXPECT_EQ(r.out.rfind("usage: tb " + args[0], 0), 0u) << r.out;
  }
  RunResult d = Tb({"doctor"});
  EXPECT_EXIT_CODE(d, 1);
  EXPECT_NE(d.out.find("FAIL  key      the store " + data_dir() +
                       " is locked (its key is wrapped by a passphrase). Run 'tb unlock'; fix: tb unlock\n"
                       "warn  store    not opened: it needs the data key (see key)\nok    disk"),
            std::string::npos)
      << d.out;
  ASSERT_EXIT_CODE(Unlock("pw"), 0);
  d = Tb({"doctor"});
  EXPECT_NE(d.out.find("ok    key      unlocked (key id "), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("ok    store    " + data_dir() + ": opens, "), std::string::npos) << d.out;
  // A key file that is gone is one failed check too.
  UseMode("keyfile", root() + "/none");
  d = Tb({"doctor"});
  EXPECT_NE(d.out.find("FAIL  key      key file " + root() +
                       "/none does not exist (storage.key_file): the store cannot be read without its key; fix: tb "
                       "config check\n"),
            std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("\nok    config "), std::string::npos) << d.out;
}

}  // namespace
}  // namespace tb::testing
