// Tests for core/codec.h: Event <-> FlatBuffers bytes.
#include "core/codec.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "event_generated.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

using namespace std::string_literals;  // "..."s keeps embedded NUL bytes
namespace fb = termbrain::fb;

constexpr EventKind kAllKinds[] = {EventKind::kStarted, EventKind::kFinished, EventKind::kRecorded};

// An event with every field set to something recognisable.
Event FullEvent(EventKind kind) {
  Event ev;
  ev.id = EventId{0x0123456789abcdefull, 42};
  ev.seq = 7;
  ev.time_ns = 1'700'000'000'123'456'789;
  ev.host = "host-1";
  ev.user = "alice";
  ev.session = "sess-9";
  ev.kind = kind;
  if (kind != EventKind::kFinished) {
    ev.command = "git commit -m 'x'";
    ev.cwd = "/home/alice/src";
    ev.shell = "zsh";
    ev.truncated = true;
  }
  if (kind != EventKind::kStarted) {
    ev.exit_code = 3;
    ev.duration_ns = 1'500'000'000;
  }
  if (kind == EventKind::kFinished) ev.start = EventId{0xfeedull, 41};
  return ev;
}

// What DecodeEvent must return for `ev`: the fields a kind does not carry
// are absent, and a finish always has an exit code and a duration.
Event Canonical(Event ev) {
  switch (ev.kind) {
    case EventKind::kStarted:
      ev.exit_code.reset();
      ev.duration_ns.reset();
      ev.start = EventId{};
      break;
    case EventKind::kFinished:
      ev.command.clear();
      ev.cwd.clear();
      ev.shell.clear();
      ev.truncated = false;
      ev.exit_code = ev.exit_code.value_or(0);
      ev.duration_ns = ev.duration_ns.value_or(0);
      break;
    case EventKind::kRecorded: ev.start = EventId{}; break;
    default:  // the non-command kinds are covered by their own test below
      break;
  }
  return ev;
}

std::string Encode(const Event& ev) {
  std::string out;
  EncodeEvent(ev, &out);
  return out;
}

void ExpectRoundTrip(const Event& ev) {
  std::string bytes = Encode(ev);
  Event got;
  Status s = DecodeEvent(bytes, &got);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(got, Canonical(ev));
}

TEST(CodecTest, RoundTripsTheNonCommandKinds) {
  Event imp;
  imp.kind = EventKind::kImportCompleted;
  imp.id = EventId{7, 8};
  imp.seq = 9;
  imp.time_ns = 123;
  imp.batch = 42;
  imp.source = "zsh";
  imp.detail = std::string("/home/a/.zsh_history\xff", 21);
  imp.imported = 1000;
  imp.duplicates = 3;
  imp.malformed = 2;
  Event rev;
  rev.kind = EventKind::kBatchReverted;
  rev.batch = 42;
  Event forgot;
  forgot.kind = EventKind::kForgotten;
  forgot.targets = {5, 17, 18};
  Event admin;
  admin.kind = EventKind::kAdminAction;
  admin.source = "backup";
  admin.detail = "created backup 3";
  for (const Event& ev : {imp, rev, forgot, admin}) {
    std::string bytes = Encode(ev);
    Event got;
    got.command = "stale";  // decoding must clear what the kind does not carry
    got.targets = {99};
    ASSERT_OK(DecodeEvent(bytes, &got));
    EXPECT_EQ(got, ev);
  }
  // A recorded command keeps its import batch.
  Event rec = FullEvent(EventKind::kRecorded);
  rec.batch = 77;
  ExpectRoundTrip(rec);
}

// Sync: a received event names the host it came from, and a forget names
// its records by id too. Events without them encode as before (no bytes).
TEST(CodecTest, OriginHostAndForgottenTargetIdsRoundTripAndCostNothingWhenAbsent) {
  Event rec = FullEvent(EventKind::kRecorded);
  const std::string plain = Encode(rec);
  rec.origin_host = "0123456789abcdef0123456789abcdef";
  const std::string received = Encode(rec);
  EXPECT_GT(received.size(), plain.size());
  Event got;
  ASSERT_OK(DecodeEvent(received, &got));
  EXPECT_EQ(got, rec);
  ASSERT_OK(DecodeEvent(plain, &got));
  EXPECT_EQ(got.origin_host, "");  // cleared when decoding into a used event

  Event forgot;
  forgot.kind = EventKind::kForgotten;
  forgot.targets = {5, 17};
  const std::string seqs_only = Encode(forgot);
  forgot.target_ids = {EventId{1, 2}, EventId{0xffffffffffffffffull, 7}};
  ASSERT_OK(DecodeEvent(Encode(forgot), &got));
  EXPECT_EQ(got, forgot);
  ASSERT_OK(DecodeEvent(seqs_only, &got));
  EXPECT_TRUE(got.target_ids.empty());
}

// Origins and counters of unequal length are damage, not a partial list.
TEST(CodecTest, ForgottenTargetIdsOfUnequalLengthAreCorruption) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<uint64_t> origins{1, 2}, counters{3};
  auto f = termbrain::fb::CreateForgotten(b, b.CreateVector(std::vector<uint64_t>{4}), b.CreateVector(origins),
                                          b.CreateVector(counters));
  termbrain::fb::EventBuilder eb(b);
  eb.add_payload_type(termbrain::fb::Payload::Forgotten);
  eb.add_payload(f.Union());
  b.Finish(eb.Finish(), termbrain::fb::EventIdentifier());
  Event got;
  Status s = DecodeEvent(std::string_view(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()), &got);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_EQ(s.message(), "event has forgotten target ids of unequal lengths");
}

TEST(CodecTest, RoundTripsEveryKindWithEveryOptionalFieldPresentOrAbsent) {
  int cases = 0;
  for (EventKind kind : kAllKinds) {
    for (unsigned mask = 0; mask < 64; ++mask) {
      Event ev = FullEvent(kind);
      if (mask & 1) ev.exit_code.reset();
      if (mask & 2) ev.duration_ns.reset();
      if (mask & 4) ev.truncated = false;
      if (mask & 8) ev.id = EventId{};
      if (mask & 16) {
        ev.host.clear();
        ev.user.clear();
        ev.session.clear();
      }
      if (mask & 32) {
        ev.command.clear();
        ev.cwd.clear();
        ev.shell.clear();
        ev.start = EventId{};
        ev.seq = 0;
        ev.time_ns = 0;
      }
      SCOPED_TRACE("kind " + std::to_string(static_cast<int>(kind)) + " mask " + std::to_string(mask));
      ExpectRoundTrip(ev);
      ++cases;
    }
  }
  EXPECT_EQ(cases, 3 * 64);
}

TEST(CodecTest, OptionalFieldsOfRecordedKeepPresenceExactly) {
  Event ev = FullEvent(EventKind::kRecorded);
  // Zero is a real value, distinct from "unknown".
  ev.exit_code = 0;
  ev.duration_ns = 0;
  Event got;
  ASSERT_OK(DecodeEvent(Encode(ev), &got));
  ASSERT_TRUE(got.exit_code.has_value());
  ASSERT_TRUE(got.duration_ns.has_value());
  EXPECT_EQ(*got.exit_code, 0);
  EXPECT_EQ(*got.duration_ns, 0);

  ev.exit_code.reset();
  ev.duration_ns = 5;
  ASSERT_OK(DecodeEvent(Encode(ev), &got));
  EXPECT_FALSE(got.exit_code.has_value());
  EXPECT_EQ(got.duration_ns, std::optional<int64_t>(5));

  ev.exit_code = -1;
  ev.duration_ns.reset();
  ASSERT_OK(DecodeEvent(Encode(ev), &got));
  EXPECT_EQ(got.exit_code, std::optional<int32_t>(-1));
  EXPECT_FALSE(got.duration_ns.has_value());
}

TEST(CodecTest, FinishWithoutExitDecodesAsZero) {
  // Documented in core/event.h: a finish always carries exit and duration.
  Event ev = FullEvent(EventKind::kFinished);
  ev.exit_code.reset();
  ev.duration_ns.reset();
  Event got;
  ASSERT_OK(DecodeEvent(Encode(ev), &got));
  EXPECT_EQ(got.exit_code, std::optional<int32_t>(0));
  EXPECT_EQ(got.duration_ns, std::optional<int64_t>(0));
  EXPECT_EQ(got.start, (EventId{0xfeedull, 41}));
}

TEST(CodecTest, ExtremeNumbers) {
  for (EventKind kind : kAllKinds) {
    Event ev = FullEvent(kind);
    ev.id = EventId{UINT64_MAX, UINT64_MAX};
    ev.seq = UINT64_MAX;
    ev.time_ns = INT64_MIN;
    ev.exit_code = INT32_MIN;
    ev.duration_ns = INT64_MAX;
    if (kind == EventKind::kFinished) ev.start = EventId{UINT64_MAX, 0};
    ExpectRoundTrip(ev);
    ev.time_ns = INT64_MAX;
    ev.exit_code = INT32_MAX;
    ev.duration_ns = INT64_MIN;
    ExpectRoundTrip(ev);
    ev.time_ns = -1;  // before the epoch
    ExpectRoundTrip(ev);
  }
}

TEST(CodecTest, ArbitraryBytesSurvive) {
  const std::string nasty = "a\0b\xff\xfe\xc3(\x80\0"s;  // NUL + invalid UTF-8
  ASSERT_EQ(nasty.size(), 9u);
  for (EventKind kind : {EventKind::kStarted, EventKind::kRecorded}) {
    Event ev = FullEvent(kind);
    ev.command = nasty;
    ev.cwd = "/tmp/\0dir\xff"s;
    ev.shell = "fi\0sh"s;
    ev.host = "\xff\xfe"s;
    ev.user = "\0"s;
    ev.session = "s\0s"s;
    ExpectRoundTrip(ev);
    Event got;
    ASSERT_OK(DecodeEvent(Encode(ev), &got));
    EXPECT_EQ(got.command.size(), 9u);
    EXPECT_EQ(got.user, "\0"s);
  }
}

TEST(CodecTest, EmptyStringsStayEmpty) {
  for (EventKind kind : kAllKinds) {
    Event ev;
    ev.kind = kind;
    ExpectRoundTrip(ev);
    Event got;
    got.command = "left over";
    got.host = "left over";
    got.shell = "left over";
    ASSERT_OK(DecodeEvent(Encode(ev), &got));
    EXPECT_EQ(got.command, "");
    EXPECT_EQ(got.host, "");
    EXPECT_EQ(got.shell, "");
  }
}

TEST(CodecTest, HugeCommand) {
  std::string big(8u << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) ^ (i >> 9));
  Event ev = FullEvent(EventKind::kRecorded);
  ev.command = big;
  ev.cwd = std::string(70000, 'd');
  std::string bytes = Encode(ev);
  EXPECT_GT(bytes.size(), big.size());
  Event got;
  ASSERT_OK(DecodeEvent(bytes, &got));
  EXPECT_TRUE(got.command == big);
  EXPECT_EQ(got.cwd.size(), 70000u);
  // Truncating the huge buffer anywhere inside the command is detected.
  for (size_t len : {bytes.size() - 1, bytes.size() / 2, size_t{100}}) {
    Status s = DecodeEvent(std::string_view(bytes).substr(0, len), &got);
    EXPECT_TRUE(s.IsCorruption()) << len << " " << s.ToString();
  }
}

TEST(CodecTest, DecodeResetsEveryFieldOfAReusedEvent) {
  // Decoding into an event that held another kind must not leak old fields.
  Event out = FullEvent(EventKind::kRecorded);
  Event started = FullEvent(EventKind::kStarted);
  started.truncated = false;
  ASSERT_OK(DecodeEvent(Encode(started), &out));
  EXPECT_EQ(out, Canonical(started));

  out = FullEvent(EventKind::kStarted);
  Event fin = FullEvent(EventKind::kFinished);
  ASSERT_OK(DecodeEvent(Encode(fin), &out));
  EXPECT_EQ(out, Canonical(fin));

  out = FullEvent(EventKind::kFinished);
  Event rec = FullEvent(EventKind::kRecorded);
  rec.exit_code.reset();
  ASSERT_OK(DecodeEvent(Encode(rec), &out));
  EXPECT_EQ(out, Canonical(rec));
}

TEST(CodecTest, EncodingIsDeterministic) {
  for (EventKind kind : kAllKinds) {
    Event ev = FullEvent(kind);
    std::string a = Encode(ev);
    // Encode something else (bigger) in between: the reused builder must not
    // leave traces.
    Event other = FullEvent(EventKind::kRecorded);
    other.command = std::string(5000, 'z');
    std::string unrelated = Encode(other);
    std::string b = Encode(ev);
    EXPECT_EQ(a, b);
    std::string c;
    std::thread t([&] { EncodeEvent(ev, &c); });
    t.join();
    EXPECT_EQ(a, c);
    // Encoding replaces the output rather than appending to it.
    std::string d = "prefix";
    EncodeEvent(ev, &d);
    EXPECT_EQ(a, d);
    // Equal events with distinct string storage give the same bytes.
    Event copy = ev;
    copy.host = std::string(ev.host.data(), ev.host.size());
    EXPECT_EQ(Encode(copy), a);
  }
  // Different events give different bytes.
  Event x = FullEvent(EventKind::kRecorded);
  Event y = x;
  y.time_ns += 1;
  EXPECT_NE(Encode(x), Encode(y));
}

TEST(CodecTest, DecodesFromAnyAlignment) {
  // Storage hands out values at arbitrary addresses (RocksDB slices). The
  // decoder must not read FlatBuffers scalars misaligned (UB; caught by
  // -fsanitize=alignment) and must give the same event at every offset.
  for (EventKind kind : kAllKinds) {
    Event ev = FullEvent(kind);
    if (kind != EventKind::kFinished) ev.command = "make -j8";  // no trailing padding
    std::string bytes = Encode(ev);
    std::string storage(bytes.size() + 16, '\0');
    for (size_t offset = 0; offset < 8; ++offset) {
      std::memcpy(storage.data() + offset, bytes.data(), bytes.size());
      std::string_view view(storage.data() + offset, bytes.size());
      Event got;
      Status s = DecodeEvent(view, &got);
      ASSERT_OK(s) << "offset " << offset << ": " << s.ToString();
      EXPECT_EQ(got, Canonical(ev)) << "offset " << offset;
      // Damage is still detected at an odd address.
      Status t = DecodeEvent(view.substr(0, view.size() - 1), &got);
      EXPECT_TRUE(t.IsCorruption()) << "offset " << offset;
    }
  }
}

TEST(CodecTest, EncodingCarriesTheIdentifier) {
  std::string bytes = Encode(FullEvent(EventKind::kStarted));
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(4, 4), "TBEV");
}

// ------------------------------------------------------------ corruption

TEST(CodecTest, EveryTruncationIsCorruption) {
  // Fixtures whose last bytes are payload data (FlatBuffers builds back to
  // front, so the first vector created -- the command -- ends the buffer;
  // its length is a multiple of 4 so no alignment padding trails it).
  std::vector<Event> fixtures;
  for (EventKind kind : kAllKinds) {
    Event ev = FullEvent(kind);
    ev.command = "make -j8";  // 8 bytes: no trailing padding (see the next test)
    fixtures.push_back(ev);
    Event empty;
    empty.kind = kind;
    fixtures.push_back(empty);
  }
  for (const Event& ev : fixtures) {
    std::string bytes = Encode(ev);
    SCOPED_TRACE("kind " + std::to_string(static_cast<int>(ev.kind)) + " size " + std::to_string(bytes.size()));
    for (size_t len = 0; len < bytes.size(); ++len) {
      std::string cut = bytes.substr(0, len);  // own buffer: ASan sees overreads
      Event got;
      Status s = DecodeEvent(cut, &got);
      EXPECT_TRUE(s.IsCorruption()) << "length " << len << ": " << s.ToString();
      EXPECT_FALSE(s.message().empty());
    }
  }
}

TEST(CodecTest, TruncatingOnlyAlignmentPaddingLosesNothing) {
  // A command whose length is not a multiple of 4 is followed by zero
  // padding at the very end of the buffer. Cutting that padding leaves every
  // byte the event needs: either a clean Corruption or the identical event
  // is acceptable, never anything else.
  Event ev = FullEvent(EventKind::kStarted);
  ev.command = "ls -la";  // 6 bytes -> 2 bytes of padding
  std::string bytes = Encode(ev);
  int ok = 0;
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::string cut = bytes.substr(0, len);
    Event got;
    Status s = DecodeEvent(cut, &got);
    if (s.ok()) {
      ++ok;
      EXPECT_GE(len, bytes.size() - 3) << "only padding may be cut";
      EXPECT_EQ(got, Canonical(ev));
    } else {
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    }
  }
  EXPECT_LE(ok, 2);
}

TEST(CodecTest, EverySingleByteFlipIsCorruptionOrDecodes) {
  int total = 0, corrupt = 0, decoded = 0, changed = 0;
  for (EventKind kind : kAllKinds) {
    Event ev = FullEvent(kind);
    if (kind != EventKind::kFinished) ev.command = "ABCDEFGHIJKL";
    const std::string bytes = Encode(ev);
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(static_cast<uint8_t>(flipped[i]) ^ mask);
        Event got;
        Status s = DecodeEvent(flipped, &got);
        ++total;
        if (s.ok()) {
          ++decoded;
          if (!(got == Canonical(ev))) ++changed;
        } else {
          ++corrupt;
          EXPECT_TRUE(s.IsCorruption()) << i << " " << s.ToString();
          EXPECT_FALSE(s.message().empty());
        }
        if (i >= 4 && i < 8) {
          EXPECT_TRUE(s.IsCorruption()) << "identifier byte " << i;
        }
      }
    }
    // A flip inside the command text decodes to exactly that change.
    size_t at = bytes.find("ABCDEFGHIJKL");
    if (kind != EventKind::kFinished) {
      ASSERT_NE(at, std::string::npos);
      std::string flipped = bytes;
      flipped[at + 2] = static_cast<char>(flipped[at + 2] ^ 0x20);
      Event got;
      ASSERT_OK(DecodeEvent(flipped, &got));
      Event want = Canonical(ev);
      want.command = "ABcDEFGHIJKL";
      EXPECT_EQ(got, want);
    }
  }
  // Both outcomes occur: header/offset flips are caught, data flips decode.
  EXPECT_GT(corrupt, total / 10) << "corrupt " << corrupt << " of " << total;
  EXPECT_GT(decoded, total / 10) << "decoded " << decoded << " of " << total;
  EXPECT_GT(changed, 0);
  RecordProperty("flips", total);
  RecordProperty("flips_corrupt", corrupt);
  RecordProperty("flips_decoded", decoded);
}

TEST(CodecTest, NotAnEvent) {
  Event got;
  for (const std::string& bad :
       {""s, "x"s, "1234567"s, "\0\0\0\0TBEV"s.substr(0, 7), std::string(64, '\0'), "garbage that is long enough"s}) {
    Status s = DecodeEvent(bad, &got);
    EXPECT_TRUE(s.IsCorruption()) << testing::PrintToString(bad);
    EXPECT_NE(s.message().find("TBEV"), std::string::npos) << s.message();
  }
  // A well-formed FlatBuffer with another identifier.
  std::string bytes = Encode(FullEvent(EventKind::kStarted));
  bytes[7] = 'X';
  Status s = DecodeEvent(bytes, &got);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("identifier"), std::string::npos) << s.message();
  // The identifier alone, with a root offset pointing outside.
  std::string header = "\xff\x00\x00\x00TBEV"s;
  s = DecodeEvent(header, &got);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("verification"), std::string::npos) << s.message();
}

// Builds an Event envelope by hand with the given payload type and table.
std::string HandBuilt(fb::Payload type, bool with_payload, bool with_identifier = true) {
  flatbuffers::FlatBufferBuilder b;
  auto cmd = b.CreateVector(reinterpret_cast<const uint8_t*>("ls"), 2);
  auto payload = fb::CreateCommandStarted(b, cmd).Union();
  auto host = b.CreateString("h");
  fb::EventBuilder eb(b);
  eb.add_origin(1);
  eb.add_counter(2);
  eb.add_seq(3);
  eb.add_host(host);
  eb.add_payload_type(type);
  if (with_payload) eb.add_payload(payload);
  if (with_identifier) {
    b.Finish(eb.Finish(), fb::EventIdentifier());
  } else {
    b.Finish(eb.Finish());
  }
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

TEST(CodecTest, HandBuiltStartedDecodes) {
  Event got;
  Status s = DecodeEvent(HandBuilt(fb::Payload::CommandStarted, true), &got);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(got.kind, EventKind::kStarted);
  EXPECT_EQ(got.command, "ls");
  EXPECT_EQ(got.cwd, "");  // absent vector reads as empty
  EXPECT_EQ(got.shell, "");
  EXPECT_EQ(got.id, (EventId{1, 2}));
  EXPECT_EQ(got.seq, 3u);
  EXPECT_EQ(got.host, "h");
  EXPECT_EQ(got.user, "");  // absent string reads as empty
}

TEST(CodecTest, UnknownPayloadTypeNamesTheType) {
  Event got;
  // The first tag no union member has (WorkflowDeleted is 9).
  Status s = DecodeEvent(HandBuilt(static_cast<fb::Payload>(10), true), &got);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("unknown payload type 10"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("newer"), std::string::npos) << s.message();

  s = DecodeEvent(HandBuilt(static_cast<fb::Payload>(255), true), &got);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("unknown payload type 255"), std::string::npos) << s.message();
}

TEST(CodecTest, NoPayloadIsCorruption) {
  Event got;
  Status s = DecodeEvent(HandBuilt(fb::Payload::NONE, false), &got);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("no payload"), std::string::npos) << s.message();
}

TEST(CodecTest, PayloadTypeWithoutPayloadTableIsCorruption) {
  // The FlatBuffers verifier accepts an absent union value whatever its
  // type tag says; the decoder must not dereference it.
  for (fb::Payload type : {fb::Payload::CommandStarted, fb::Payload::CommandFinished, fb::Payload::CommandRecorded}) {
    Event got;
    Status s = DecodeEvent(HandBuilt(type, false), &got);
    ASSERT_TRUE(s.IsCorruption()) << static_cast<int>(type) << " " << s.ToString();
    EXPECT_FALSE(s.message().empty());
  }
}

TEST(CodecTest, MissingIdentifierIsCorruption) {
  Event got;
  Status s = DecodeEvent(HandBuilt(fb::Payload::CommandStarted, true, false), &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace tb
