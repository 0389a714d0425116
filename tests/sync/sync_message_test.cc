// Sealing and opening sync messages (sync/sync_message.h) and the sync key's
// text form (sync/sync_identity.h).
#include "sync/sync_message.h"

#include <gtest/gtest.h>

#include "tests/status_assert.h"

namespace tb {
namespace {

SyncIdentity Identity(unsigned char key_byte, uint32_t epoch = 1) {
  SyncIdentity id;
  id.host_id = "00112233445566778899aabbccddeeff";
  id.key.account = "ffeeddccbbaa99887766554433221100";
  id.key.epoch = epoch;
  id.key.bytes.fill(key_byte);
  return id;
}

Event Command() {
  Event ev;
  ev.kind = EventKind::kRecorded;
  ev.id = EventId{0xab, 42};
  ev.seq = 7;
  ev.time_ns = 1'700'000'000'000'000'000;
  ev.command = std::string("echo MARKER\0\xff", 13);
  ev.cwd = "/srv/secret-project";
  ev.host = "laptop";
  ev.exit_code = 0;
  return ev;
}

TEST(SyncMessageTest, SealedEventOpensToTheSameEventFromItsHost) {
  const SyncIdentity self = Identity(1);
  SealedEvent m;
  SealEvent(self, Command(), &m);
  EXPECT_EQ(m.subject, "tb.ffeeddccbbaa99887766554433221100.00112233445566778899aabbccddeeff");
  EXPECT_EQ(m.msg_id, "00112233445566778899aabbccddeeff.00000000000000ab-42.1");
  EXPECT_EQ(m.data.substr(0, 8), std::string("TBS1\0\0\0\1", 8));
  // Ciphertext only: neither the command, its directory nor the host name.
  for (std::string_view plain : {"MARKER", "secret-project", "laptop"}) {
    EXPECT_EQ(m.data.find(plain), std::string::npos) << plain;
  }
  Event got;
  ASSERT_OK(OpenEvent(self.key, m.subject, m.msg_id, m.data, 9, &got));
  Event want = Command();
  want.origin_host = self.host_id;
  EXPECT_EQ(got, want);
  // Random nonces: the same event seals differently each time.
  SealedEvent again;
  SealEvent(self, Command(), &again);
  EXPECT_NE(again.data, m.data);
}

// A store opens a message with the key of its epoch: the current one or a
// retired one it holds. A newer epoch is an error saying what to import;
// an older one it never held is NotFound (skipped by the pull).
TEST(SyncMessageTest, OpenMessagePicksTheKeyOfTheMessagesEpoch) {
  SyncIdentity old_key = Identity(1, 1), new_key = Identity(2, 2);
  SealedEvent under1, under2;
  SealEvent(old_key, Command(), &under1);
  SealEvent(new_key, Command(), &under2);
  EXPECT_EQ(under2.msg_id, "00112233445566778899aabbccddeeff.00000000000000ab-42.2");
  EXPECT_EQ(SealedEpoch(under1.data), 1u);
  EXPECT_EQ(SealedEpoch(under2.data), 2u);
  EXPECT_EQ(SealedEpoch("TBS1"), 0u);
  SyncIdentity both = new_key;
  both.retired.push_back(old_key.key);
  EXPECT_EQ(both.KeyOf(1), &both.retired[0]);
  EXPECT_EQ(both.KeyOf(3), nullptr);
  Event got;
  ASSERT_OK(OpenMessage(both, under1.subject, under1.msg_id, under1.data, 5, &got));
  EXPECT_EQ(got.command, Command().command);
  ASSERT_OK(OpenMessage(both, under2.subject, under2.msg_id, under2.data, 6, &got));
  Status s = OpenMessage(new_key, under1.subject, under1.msg_id, under1.data, 5, &got);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(s.message(), "sync message (stream seq 5) is sealed with retired key epoch 1, which this store never held");
  s = OpenMessage(old_key, under2.subject, under2.msg_id, under2.data, 6, &got);
  EXPECT_EQ(s.code(), Status::Code::kIncompatible);
  EXPECT_EQ(s.message(),
            "sync message (stream seq 6) is sealed with key epoch 2, newer than this store's 1: the sync key was "
            "rotated on another machine. Run tb sync key export there and tb sync key import FILE here");
  // The epoch in the id is bound: an old message given the new id does not open.
  std::string renamed = under1.msg_id.substr(0, under1.msg_id.size() - 1) + "2";
  EXPECT_EQ(OpenMessage(both, under1.subject, renamed, under1.data, 5, &got).code(), Status::Code::kIncompatible);
  // Not a sync message: as OpenEvent says.
  EXPECT_EQ(OpenMessage(both, under1.subject, under1.msg_id, "junk", 7, &got).code(), Status::Code::kCorruption);
}

TEST(SyncMessageTest, WrongKeyAndOtherEpochAreIncompatible) {
  SealedEvent m;
  SealEvent(Identity(1), Command(), &m);
  Event got;
  Status s = OpenEvent(Identity(2).key, m.subject, m.msg_id, m.data, 9, &got);
  EXPECT_EQ(s.code(), Status::Code::kIncompatible);
  EXPECT_EQ(s.message(),
            "sync message (stream seq 9) does not open with this store's sync key: the key differs from the one it was "
            "sealed with, or the message was altered. Import the account's key (tb sync key import FILE)");
  s = OpenEvent(Identity(1, 2).key, m.subject, m.msg_id, m.data, 9, &got);
  EXPECT_EQ(s.code(), Status::Code::kIncompatible);
  EXPECT_EQ(s.message(),
            "sync message (stream seq 9) is sealed with key epoch 1, this store holds epoch 2. Import the current sync "
            "key (tb sync key import FILE)");
}

// The subject and the message id are bound to the ciphertext: a message
// replayed under another host's subject or id does not open; any flipped
// byte of it does not either.
TEST(SyncMessageTest, MovedOrAlteredMessagesDoNotOpen) {
  const SyncIdentity self = Identity(1);
  SealedEvent m;
  SealEvent(self, Command(), &m);
  Event got;
  const std::string other = "tb.ffeeddccbbaa99887766554433221100.0000000000000000000000000000beef";
  EXPECT_EQ(OpenEvent(self.key, other, m.msg_id, m.data, 9, &got).code(), Status::Code::kIncompatible);
  EXPECT_EQ(OpenEvent(self.key, m.subject, m.msg_id + "x", m.data, 9, &got).code(), Status::Code::kIncompatible);
  for (size_t i = 8; i < m.data.size(); ++i) {
    std::string flipped = m.data;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_EQ(OpenEvent(self.key, m.subject, m.msg_id, flipped, 9, &got).code(), Status::Code::kIncompatible) << i;
  }
}

TEST(SyncMessageTest, MalformedMessagesAreCorruption) {
  const SyncIdentity self = Identity(1);
  SealedEvent m;
  SealEvent(self, Command(), &m);
  Event got;
  Status s = OpenEvent(self.key, m.subject, m.msg_id, "TBS1short", 3, &got);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_EQ(s.message(), "damaged sync message (stream seq 3): not a TermBrain sync message");
  s = OpenEvent(self.key, "tb.other.subject", m.msg_id, m.data, 4, &got);
  EXPECT_EQ(s.message(), "damaged sync message (stream seq 4): subject tb.other.subject is not a host's");
}

TEST(SyncMessageTest, SubjectsAndStreamNames) {
  const std::string account = "ffeeddccbbaa99887766554433221100";
  EXPECT_EQ(AccountSubjects(account), "tb.ffeeddccbbaa99887766554433221100.>");
  EXPECT_EQ(StreamName(account), "TB_ffeeddccbbaa99887766554433221100");
  EXPECT_EQ(SubjectHost(account, "tb." + account + ".00112233445566778899aabbccddeeff"),
            "00112233445566778899aabbccddeeff");
  EXPECT_EQ(SubjectHost(account, "tb." + account + ".LAPTOP"), "");
  EXPECT_EQ(SubjectHost(account, "tb.00000000000000000000000000000000.00112233445566778899aabbccddeeff"), "");
}

TEST(SyncKeyTextTest, FormatsAndParsesAndRefusesDamage) {
  SyncKey k = Identity(0xab, 12).key;
  const std::string text = FormatSyncKey(k);
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "ab";
  EXPECT_EQ(text, "1 ffeeddccbbaa99887766554433221100 12 " + hex + "\n");
  SyncKey back;
  ASSERT_TRUE(ParseSyncKey(text, &back));
  EXPECT_EQ(back, k);
  for (std::string bad : {std::string(""), text.substr(0, text.size() - 1), "2" + text.substr(1),
                          "1 FFEEDDCCBBAA99887766554433221100" + text.substr(34),
                          text.substr(0, 35) + "0" + text.substr(37), text.substr(0, text.size() - 3) + "g\n"}) {
    EXPECT_FALSE(ParseSyncKey(bad, &back)) << bad;
  }
}

}  // namespace
}  // namespace tb
