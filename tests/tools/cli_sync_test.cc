// tb sync through the real binary against a real nats-server on loopback:
// hosts (separate data dirs) that share a sync key see each other's
// commands exactly once; the stream holds only ciphertext; a forget on one
// host purges the text on the others; errors are one line.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "storage/daemon_lock.h"
#include "storage/spool.h"
#include "tests/tools/cli_sync_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

TEST_F(CliSync, TwoHostsSeeEachOthersCommandsExactlyOnce) {
  RunResult r = On("A", {"sync", "init"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_TRUE(r.out.starts_with("created a sync key (account ")) << r.out;
  RecordOn("A", "make build");
  RecordOn("A", "make test");
  Join("B");
  RecordOn("B", "cargo test");
  EXPECT_EQ(SyncNow("A"), "published 2 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(SyncNow("B"), "published 1 event(s); received 2 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(SyncNow("A"), "published 0 event(s); received 1 event(s) (0 already here, 0 record(s) forgotten)\n");
  const std::vector<std::string> all{"cargo test", "make build", "make test"};
  EXPECT_EQ(History("A"), all);
  EXPECT_EQ(History("B"), all);
  // Nothing new either way: nothing moves twice.
  EXPECT_EQ(SyncNow("B"), "published 0 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(SyncNow("A"), "published 0 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(History("B"), all);
  // A received record keeps what it was on the host that ran it.
  Json a = Json::parse(On("A", {"history", "--format", "json", "--session", "s-A"}).out);
  Json b = Json::parse(On("B", {"history", "--format", "json", "--session", "s-A"}).out);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    for (const char* key : {"id", "command", "cwd", "started_at", "session", "host", "user", "shell", "exit_code"}) {
      EXPECT_EQ(b[i][key], a[i][key]) << key;
    }
  }
  // Status on B: all published, all pulled.
  Json st = Json::parse(On("B", {"sync", "status", "--format", "json"}).out);
  EXPECT_EQ(st["unpublished"], 0);
  EXPECT_EQ(st["head_seq"], 3);
  EXPECT_EQ(st["consumed_stream_seq"], 3);
  EXPECT_EQ(st["server"]["reachable"], true);
  EXPECT_EQ(st["server"]["stream_messages"], 3);
  EXPECT_EQ(st["server"]["to_pull"], 0);
}

TEST_F(CliSync, ThreeHostsAgreeAndTheStreamHoldsOnlyCiphertext) {
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  Join("B");
  Join("C");
  for (const std::string h : {"A", "B", "C"}) {
    for (int i = 0; i < 5; ++i) RecordOn(h, "echo MARKER-" + h + "-" + std::to_string(i));
  }
  for (int round = 0; round < 2; ++round) {
    for (const std::string h : {"A", "B", "C"}) SyncNow(h);
  }
  const std::vector<std::string> a = History("A");
  EXPECT_EQ(a.size(), 15u);
  EXPECT_EQ(History("B"), a);
  EXPECT_EQ(History("C"), a);
  // The host name only when long enough not to turn up in random bytes by
  // chance (a two-letter name does, in a few kilobytes of ciphertext).
  std::vector<std::string> needles{"MARKER-", "/work/A"};
  if (ThisHost().size() >= 6) needles.push_back(ThisHost());
  for (const std::string& needle : needles) {
    EXPECT_EQ(FilesHolding(nats_.dir(), needle), std::vector<std::string>{}) << needle;
  }
}

// Key rotation with three hosts: A rotates and publishes its history again
// under the new key; a host holding only the old key gets a clear error
// until it imports the new one, then does the same; a host that joins with
// the new key skips what it cannot read until its host takes the key. In
// the end every host reads everything and the stream holds only messages
// of the new key.
TEST_F(CliSync, KeyRotationReachesEveryHostAndLeavesOnlyTheNewKeyOnTheStream) {
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  Join("B");
  Join("C");
  for (const std::string h : {"A", "B", "C"}) {
    for (int i = 0; i < 4; ++i) RecordOn(h, "echo " + h + "-" + std::to_string(i));
  }
  for (int round = 0; round < 2; ++round) {
    for (const std::string h : {"A", "B", "C"}) SyncNow(h);
  }
  const std::string account = Json::parse(On("A", {"sync", "status", "--format", "json"}).out)["account"];

  RunResult r = On("A", {"sync", "key", "rotate"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "rotated the sync key of account " + account +
                       " to key epoch 2.\n"
                       "published 4 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten); purged this "
                       "host's messages under its replaced key from the stream\n"
                       "On each other machine: run tb sync key export > FILE here, copy FILE there, and run tb sync "
                       "key import FILE; until then they cannot read what this host publishes.\n");
  Json st = Json::parse(On("A", {"sync", "status", "--format", "json"}).out);
  EXPECT_EQ(st["key_epoch"], 2);
  EXPECT_EQ(st["retired_key_epochs"], Json::array({1}));
  EXPECT_EQ(st["purge_pending"], false);

  // B still holds only epoch 1: a clear error, and nothing half-read.
  RecordOn("B", "echo B-after");
  r = On("B", {"sync", "now"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.err,
            "tb: error: sync message (stream seq 13) is sealed with key epoch 2, newer than this store's 1: the "
            "sync key was rotated on another machine. Run tb sync key export there and tb sync key import "
            "FILE here\n");
  Join("B");
  r = On("B", {"sync", "status"});
  EXPECT_NE(r.out.find("\nrotation     this host's messages under its replaced key leave the stream once all is "
                       "published again\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(SyncNow("B"),
            "published 5 event(s); received 0 event(s) (4 already here, 0 record(s) forgotten); purged "
            "this host's messages under its replaced key from the stream\n");

  // D joins with the new key while C has not taken it: C's messages are
  // skipped, not misread.
  Join("D");
  EXPECT_EQ(SyncNow("D"),
            "published 0 event(s); received 9 event(s) (0 already here, 0 record(s) forgotten); skipped "
            "4 message(s) under a retired key this store never held\n");
  r = On("D", {"sync", "verify"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_NE(r.out.find("4 message(s) sealed with retired key epoch 1, which this store never held: that host has not "
                       "taken the current key yet"),
            std::string::npos)
      << r.out;

  Join("C");
  SyncNow("C");
  for (int round = 0; round < 2; ++round) {
    for (const std::string h : {"A", "B", "C", "D"}) SyncNow(h);
  }
  const std::vector<std::string> a = History("A");
  EXPECT_EQ(a.size(), 13u);
  for (const std::string h : {"B", "C", "D"}) EXPECT_EQ(History(h), a) << h;
  for (const std::string h : {"A", "B", "C", "D"}) {
    r = On(h, {"sync", "verify", "--format", "json"});
    EXPECT_EXIT_CODE(r, 0) << h;
    Json v = Json::parse(r.out);
    EXPECT_EQ(v["ok"], true) << h;
    int publishing = 0;  // D published nothing
    for (const Json& host : v["hosts"]) {
      if (host["stream_events"] == 0) continue;
      ++publishing;
      EXPECT_EQ(host["key_epochs"], Json::array({2})) << h << " " << host;
    }
    EXPECT_EQ(publishing, 3) << h;
  }
}

// sync.publish_rate paces the publish (a burst of as many, then that many
// per second); sync.max_in_flight bounds what awaits an acknowledgement.
// Everything still arrives, once.
TEST_F(CliSync, PublishRateAndInFlightLimitsAreKept) {
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  Join("B");
  for (int i = 0; i < 30; ++i) RecordOn("A", "echo paced-" + std::to_string(i));
  TbCall c;
  c.data_dir = false;
  c.env = {{"TERMBRAIN_SYNC_SERVER", nats_.url()},
           {"TERMBRAIN_SYNC_PUBLISH_RATE", "20"},
           {"TERMBRAIN_SYNC_MAX_IN_FLIGHT", "3"}};
  const auto begin = std::chrono::steady_clock::now();
  RunResult r = Tb({"--data-dir", Dir("A"), "sync", "now"}, c);
  const auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "published 30 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten)\n");
  // 30 events at 20 per second after a burst of 20: half a second at least.
  EXPECT_GE(took, std::chrono::milliseconds(450));
  SyncNow("B");
  EXPECT_EQ(History("B"), History("A"));
  EXPECT_EQ(History("B").size(), 30u);
  c.env = {{"TERMBRAIN_SYNC_MAX_IN_FLIGHT", "0"}};
  r = Tb({"--data-dir", Dir("B"), "sync", "now"}, c);
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: invalid config (env TERMBRAIN_SYNC_MAX_IN_FLIGHT): sync.max_in_flight = 0 is out of range "
            "1..65536. Fix or unset the variable\n");
}

TEST_F(CliSync, AForgetOnOneHostPurgesTheTextOnTheOthers) {
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  Join("B");
  RecordOn("A", "echo MARKER-secret");
  RecordOn("A", "ls");
  SyncNow("A");
  SyncNow("B");
  ASSERT_EQ(History("B"), (std::vector<std::string>{"echo MARKER-secret", "ls"}));
  RunResult r = On("B", {"forget", "--match", "MARKER-secret", "--yes"});
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(SyncNow("B"), "published 1 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(SyncNow("A"), "published 0 event(s); received 1 event(s) (0 already here, 1 record(s) forgotten)\n");
  EXPECT_EQ(History("A"), std::vector<std::string>{"ls"});
  EXPECT_EQ(FilesHolding(Dir("A"), "MARKER-secret"), std::vector<std::string>{});
  EXPECT_EQ(FilesHolding(Dir("B"), "MARKER-secret"), std::vector<std::string>{});
}

TEST_F(CliSync, SetUpErrorsAreOneLine) {
  RunResult r = On("A", {"sync", "now"});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.err,
            "tb: error: sync is not set up for this store. Run tb sync init on your first machine, then tb sync key "
            "export there and tb sync key import FILE on the others\n");
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  r = On("A", {"sync", "init"});
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: this store already has a sync key (tb sync status shows it); one store syncs one history\n");
  WriteFile(root() + "/not-a-key.txt", "hello\n");
  r = On("B", {"sync", "key", "import", root() + "/not-a-key.txt"}, kPassphrase);
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: not an exported sync key (a line that starts with tbsynckey1:, as tb sync key export prints "
            "it)\n");
  WriteFile(root() + "/key.txt", On("A", {"sync", "key", "export"}, kPassphrase).out);
  r = On("B", {"sync", "key", "import", root() + "/key.txt"}, std::string("wrong\n"));
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_EQ(r.err, "tb: error: wrong passphrase for " + root() + "/key.txt. Nothing was changed\n");
  EXPECT_FALSE(fs::exists(Dir("B")));  // nothing was created
  r = On("B", {"sync", "key", "import", root() + "/key.txt"}, std::string(""));
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err, "tb: error: no passphrase on stdin (tb reads one line per passphrase)\n");
  // No server configured.
  TbCall c;
  c.data_dir = false;
  r = Tb({"--data-dir", Dir("A"), "sync", "now"}, c);
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err,
            "tb: error: sync.server is not set. Set it in the config file ([sync] server = \"nats://HOST:4222\") or "
            "TERMBRAIN_SYNC_SERVER\n");
}

// With the server down, recording is untouched and sync says why it cannot
// run, in one line; status reports the server as unreachable.
TEST_F(CliSync, ServerDownIsOneLineAndRecordingGoesOn) {
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  nats_.Stop();
  RecordOn("A", "make");
  RunResult r = On("A", {"sync", "now"});
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_TRUE(r.err.starts_with("tb: error: cannot reach the sync server (" + nats_.url() + "): ")) << r.err;
  EXPECT_EQ(SplitLines(r.err).size(), 1u) << r.err;
  Json st = Json::parse(On("A", {"sync", "status", "--format", "json"}).out);
  EXPECT_EQ(st["unpublished"], 1);
  EXPECT_EQ(st["server"]["reachable"], false);
  // Back up: what waited is published.
  ASSERT_TRUE(nats_.Start(root() + "/nats", nats_.port()));
  EXPECT_EQ(SyncNow("A"), "published 1 event(s); received 0 event(s) (0 already here, 0 record(s) forgotten)\n");
}

// With daemons running, a command typed on one machine reaches the other
// with nobody running tb there: the hook's frames are drained and
// published, and the other daemon is woken by the stream and pulls.
TEST_F(CliSync, DaemonsCarryCommandsBothWaysUnasked) {
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  Join("B");
  Child a, b;
  StartDaemon("A", &a);
  StartDaemon("B", &b);
  AppendHookCommand(SpoolOf("A"), "aaaa000000000001", 1, "make deploy");
  EXPECT_TRUE(Arrives("B", "make deploy"));
  AppendHookCommand(SpoolOf("B"), "bbbb000000000001", 1, "kubectl get pods");
  EXPECT_TRUE(Arrives("A", "kubectl get pods"));
  for (Child* d : {&a, &b}) {
    ::kill(d->pid(), SIGTERM);
    EXPECT_EQ(d->Finish(std::chrono::seconds(30)), 0);
  }
  EXPECT_EQ(History("A"), (std::vector<std::string>{"kubectl get pods", "make deploy"}));
  EXPECT_EQ(History("B"), History("A"));
}

// tb sync verify agrees when both sides hold the same; a data dir copied
// to a second machine (the same host id publishing two histories) is
// caught and named, exit 3.
TEST_F(CliSync, VerifyAgreesAndCatchesACopiedDataDir) {
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  Join("B");
  RecordOn("A", "make");
  RecordOn("B", "make test");
  SyncNow("A");
  SyncNow("B");
  SyncNow("A");
  for (const std::string h : {"A", "B"}) {
    RunResult r = On(h, {"sync", "verify", "--format", "json"});
    EXPECT_EXIT_CODE(r, 0);
    Json j = Json::parse(r.out);
    EXPECT_EQ(j["ok"], true);
    ASSERT_EQ(j["hosts"].size(), 2u);
    EXPECT_EQ(j["hosts"][0]["self"], true);
    for (const auto& host : j["hosts"]) {
      EXPECT_EQ(host["local_events"], 1);
      EXPECT_EQ(host["stream_events"], 1);
      EXPECT_EQ(host["local_hash"], host["stream_hash"]);
      EXPECT_EQ(host["difference"], nullptr);
    }
  }
  RunResult table = On("A", {"sync", "verify"});
  ASSERT_EQ(SplitLines(table.out).size(), 4u) << table.out;
  EXPECT_EQ(SplitLines(table.out)[0], "HOST                                LOCAL     STREAM    RESULT");
  EXPECT_TRUE(SplitLines(table.out)[1].ends_with(
      " *  1         1         same (hash " +
      Json::parse(On("A", {"sync", "verify", "--format", "json"}).out)["hosts"][0]["local_hash"].get<std::string>() +
      ")"))
      << table.out;
  // A copy of A's data dir publishes under A's host id.
  fs::copy(Dir("A"), Dir("A2"), fs::copy_options::recursive);
  RecordOn("A2", "from the copy");
  SyncNow("A2");
  RunResult r = On("A", {"sync", "verify"});
  EXPECT_EXIT_CODE(r, 3);
  EXPECT_NE(r.out.find("(number 2) is on the stream, not here"), std::string::npos) << r.out;
  EXPECT_EQ(r.err,
            "tb: error: 1 host(s) differ between this store and the stream. Run tb sync now, then tb sync verify "
            "again; a difference that stays is a bug to report\n");
}

// A rollback on one host drops the events it had received too; the next
// sync brings them back (the stream is where they live), exactly once.
TEST_F(CliSync, AfterARollbackTheOtherHostsEventsComeBack) {
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  Join("B");
  RecordOn("B", "mine");
  for (const std::string c : {"one", "two", "three"}) RecordOn("A", c);
  SyncNow("A");
  SyncNow("B");
  ASSERT_EQ(History("B").size(), 4u);
  ASSERT_EXIT_CODE(On("B", {"rollback", "--to", "1", "--yes"}), 0);
  ASSERT_EQ(History("B"), std::vector<std::string>{"mine"});
  EXPECT_EQ(SyncNow("B"), "published 0 event(s); received 3 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(History("B"), (std::vector<std::string>{"mine", "one", "three", "two"}));
  EXPECT_EXIT_CODE(On("B", {"sync", "verify"}), 0);
}

// The daemon's last cycle (logout, shutdown) publishes what it drained
// even while it was backing off from a lost server: the other machine gets
// it without waiting for this one's next login.
TEST_F(CliSync, TheDaemonsLastCyclePublishesWhatItDrained) {
  ASSERT_EXIT_CODE(On("A", {"sync", "init"}), 0);
  Join("B");
  Child a;
  StartDaemon("A", &a);
  nats_.Stop();
  AppendHookCommand(SpoolOf("A"), "aaaa000000000001", 1, "typed before logout");
  for (int i = 0; i < 200 && History("A").empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(History("A"), std::vector<std::string>{"typed before logout"});  // drained; not published
  ASSERT_TRUE(nats_.Restart());
  ::kill(a.pid(), SIGTERM);
  EXPECT_EQ(a.Finish(std::chrono::seconds(30)), 0);
  EXPECT_EQ(SyncNow("B"), "published 0 event(s); received 2 event(s) (0 already here, 0 record(s) forgotten)\n");
  EXPECT_EQ(History("B"), std::vector<std::string>{"typed before logout"});
}

}  // namespace
}  // namespace tb::testing
