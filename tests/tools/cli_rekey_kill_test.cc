// `tb rekey` killed at random points (storage/rekey.h): a real `tb rekey`
// gets SIGKILL, SIGTERM, SIGINT or SIGHUP after a random delay within its
// measured duration. After each, the store must open under exactly one of
// the two keys (the old one: the swap had not happened; the new one: it
// had), hold exactly the history it held before, and pass `tb log verify`
// and `tb views verify`; no half-built store is left once a writable
// command ran.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "tests/tools/kill_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kRuns = 8;

class RekeyKillFault : public KillTest {
 protected:
  void SetUp() override {
    KillTest::SetUp();
    fs::create_directories(root() + "/keys");
    for (const char* k : {"a", "b"}) ASSERT_EXIT_CODE(Tb({"key", "generate", Key(k)}), 0);
  }
  std::string Key(const std::string& name) const { return root() + "/keys/" + name; }
  // The config names `key` ("" = encryption off).
  void UseKey(const std::string& key) const {
    fs::create_directories(xdg_config() + "/termbrain");
    WriteFile(xdg_config() + "/termbrain/config.toml",
              key.empty() ? "" : "[storage]\nencryption = \"keyfile\"\nkey_file = \"" + key + "\"\n");
  }
  std::mt19937 rng_{0x5e4e7};
};

TEST_F(RekeyKillFault, AKilledRekeyLeavesTheOldOrTheNewStore) {
  Populate(3000, 1'700'000'000'000'000'000LL);  // plaintext
  UseKey("");
  const std::vector<std::string> history = History();
  std::string current;  // the key the store is under ("" = plaintext)
  const std::chrono::milliseconds full = TimeRun({"rekey", "--new-key-file", Key("a")});
  current = Key("a");
  int killed = 0, swapped = 0;
  for (int i = 0; i <= kRuns; ++i) {
    const std::string next = current == Key("a") ? Key("b") : Key("a");
    const int sig = RandomSignal(rng_);
    // Spread over the whole run (the swap comes last, after the replay and
    // the verification), then one more run that is not killed.
    const auto delay =
        i == kRuns
            ? full * 3
            : std::chrono::milliseconds((i * full.count() + static_cast<int64_t>(rng_() % (full.count() + 1))) / kRuns);
    const std::string what = "rekey " + std::to_string(i) + " (" + SignalName(sig) + " after " +
                             std::to_string(delay.count()) + " ms of " + std::to_string(full.count()) + ")";
    UseKey(current);
    killed += RunAndKill({"rekey", "--new-key-file", next}, {}, sig, delay);
    RunResult r = Tb({"history", "-n", "1"});
    if (r.exit_code == 3) {
      EXPECT_NE(r.err.find("wrong key"), std::string::npos) << what << ": " << r.err;
      UseKey(next);
      current = next;
      ++swapped;
      r = Tb({"history", "-n", "1"});
    }
    ASSERT_EXIT_CODE(r, 0) << what;
    EXPECT_EQ(History(), history) << what;
    ExpectHealthy(what);  // views verify opens writable: leftovers go
    EXPECT_FALSE(fs::exists(data_dir() + "/rekey.new")) << what;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GE(killed, kRuns / 2) << "only " << killed << " of " << kRuns << " runs were interrupted";
  EXPECT_GE(swapped, 1) << "no run reached the new key";  // the last one at least
}

}  // namespace
}  // namespace tb::testing
