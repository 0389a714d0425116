// Tests for core/keycode.h: the byte encodings of keys and values.
#include "core/keycode.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace tb {
namespace {

using namespace std::literals;

// Bytewise (unsigned) comparison, as RocksDB's default comparator.
int Bytewise(const std::string& a, const std::string& b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

std::string U64(uint64_t v) {
  std::string s;
  PutU64BE(&s, v);
  return s;
}

std::string I64(int64_t v) {
  std::string s;
  PutI64Key(&s, v);
  return s;
}

std::string Varint(uint64_t v) {
  std::string s;
  PutVarint(&s, v);
  return s;
}

std::string Zigzag(int64_t v) {
  std::string s;
  PutZigzag(&s, v);
  return s;
}

// ------------------------------------------------------------ u64be

TEST(KeycodeTest, U64BEIsBigEndian) {
  EXPECT_EQ(U64(0), std::string(8, '\0'));
  EXPECT_EQ(U64(1), "\0\0\0\0\0\0\0\x01"s);
  EXPECT_EQ(U64(0x0102030405060708ull), "\x01\x02\x03\x04\x05\x06\x07\x08"s);
  EXPECT_EQ(U64(UINT64_MAX), std::string(8, '\xff'));
  std::string two = U64(5);
  PutU64BE(&two, 6);  // appends
  EXPECT_EQ(two.size(), 16u);
}

TEST(KeycodeTest, U64BERoundTripAndTruncation) {
  for (uint64_t v : std::vector<uint64_t>{0, 1, 255, 256, 0x8000000000000000ull, UINT64_MAX, 0x0102030405060708ull}) {
    std::string enc = U64(v) + "tail";
    std::string_view in = enc;
    uint64_t got = 0;
    ASSERT_TRUE(GetU64BE(&in, &got));
    EXPECT_EQ(got, v);
    EXPECT_EQ(in, "tail");
    for (size_t len = 0; len < 8; ++len) {
      std::string_view shortin(enc.data(), len);
      uint64_t untouched = 77;
      EXPECT_FALSE(GetU64BE(&shortin, &untouched)) << len;
      EXPECT_EQ(shortin.size(), len) << "input consumed on failure";
      EXPECT_EQ(untouched, 77u);
    }
  }
}

TEST(KeycodeTest, U64BEByteOrderIsNumericOrder) {
  std::vector<uint64_t> edges = {
      0,         1, 2, 127, 128, 255, 256, 65535, 65536, 0x7fffffffffffffffull, 0x8000000000000000ull, UINT64_MAX - 1,
      UINT64_MAX};
  for (uint64_t a : edges) {
    for (uint64_t b : edges) {
      int want = a < b ? -1 : a > b ? 1 : 0;
      EXPECT_EQ(Bytewise(U64(a), U64(b)), want) << a << " vs " << b;
    }
  }
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 20000; ++i) {
    uint64_t a = rng(), b = rng();
    if (i % 3 == 0) b = a + (rng() % 512);  // near neighbours too
    if (i % 7 == 0) a >>= (rng() % 64);
    int want = a < b ? -1 : a > b ? 1 : 0;
    ASSERT_EQ(Bytewise(U64(a), U64(b)), want) << a << " vs " << b;
  }
}

// ------------------------------------------------------------ i64key

TEST(KeycodeTest, I64KeyFlipsTheSignBit) {
  EXPECT_EQ(I64(0), "\x80\0\0\0\0\0\0\0"s);
  EXPECT_EQ(I64(-1), "\x7f\xff\xff\xff\xff\xff\xff\xff"s);
  EXPECT_EQ(I64(INT64_MIN), std::string(8, '\0'));
  EXPECT_EQ(I64(INT64_MAX), std::string(8, '\xff'));
}

TEST(KeycodeTest, I64KeyByteOrderIsNumericOrderIncludingNegatives) {
  std::vector<int64_t> edges = {
      INT64_MIN, INT64_MIN + 1, -1'000'000'000'000'000'000, -65536,        -256,     -255, -2, -1, 0, 1, 2,
      255,       256,           1'700'000'000'000'000'000,  INT64_MAX - 1, INT64_MAX};
  for (int64_t a : edges) {
    for (int64_t b : edges) {
      int want = a < b ? -1 : a > b ? 1 : 0;
      EXPECT_EQ(Bytewise(I64(a), I64(b)), want) << a << " vs " << b;
    }
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    int64_t a = static_cast<int64_t>(rng());
    int64_t b = static_cast<int64_t>(rng());
    if (i % 2 == 0) b = -a;  // same magnitude, opposite sign
    if (i % 5 == 0) {
      a = static_cast<int64_t>(rng() % 2000) - 1000;
      b = static_cast<int64_t>(rng() % 2000) - 1000;
    }
    int want = a < b ? -1 : a > b ? 1 : 0;
    ASSERT_EQ(Bytewise(I64(a), I64(b)), want) << a << " vs " << b;
    std::string enc = I64(a);
    std::string_view in = enc;
    int64_t got;
    ASSERT_TRUE(GetI64Key(&in, &got));
    ASSERT_EQ(got, a);
    ASSERT_TRUE(in.empty());
  }
  std::string_view seven("\x80\0\0\0\0\0\0"sv);
  int64_t got;
  EXPECT_FALSE(GetI64Key(&seven, &got));
  EXPECT_EQ(seven.size(), 7u);
}

TEST(KeycodeTest, CompositeTimeSeqKeysSortByTimeThenSeq) {
  // The layout every time-ordered view uses: i64key(time) u64be(seq).
  auto key = [](int64_t t, uint64_t s) {
    std::string k;
    PutI64Key(&k, t);
    PutU64BE(&k, s);
    return k;
  };
  std::mt19937_64 rng(99);
  for (int i = 0; i < 5000; ++i) {
    int64_t t1 = static_cast<int64_t>(rng() % 7) - 3, t2 = static_cast<int64_t>(rng() % 7) - 3;
    uint64_t s1 = rng() % 5, s2 = rng() % 5;
    int want = std::pair(t1, s1) < std::pair(t2, s2) ? -1 : std::pair(t1, s1) > std::pair(t2, s2) ? 1 : 0;
    ASSERT_EQ(Bytewise(key(t1, s1), key(t2, s2)), want);
  }
}

// ------------------------------------------------------------ varint

TEST(KeycodeTest, VarintKnownEncodings) {
  EXPECT_EQ(Varint(0), "\0"s);
  EXPECT_EQ(Varint(1), "\x01");
  EXPECT_EQ(Varint(127), "\x7f");
  EXPECT_EQ(Varint(128), "\x80\x01");
  EXPECT_EQ(Varint(300), "\xac\x02");
  EXPECT_EQ(Varint(16383), "\xff\x7f");
  EXPECT_EQ(Varint(16384), "\x80\x80\x01");
  EXPECT_EQ(Varint(UINT64_MAX), "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
}

TEST(KeycodeTest, VarintRoundTripsAndSizes) {
  std::vector<uint64_t> values = {0,
                                  1,
                                  127,
                                  128,
                                  255,
                                  256,
                                  16383,
                                  16384,
                                  (1ull << 21) - 1,
                                  1ull << 21,
                                  (1ull << 35),
                                  (1ull << 56) - 1,
                                  1ull << 63,
                                  UINT64_MAX - 1,
                                  UINT64_MAX};
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) values.push_back(rng() >> (rng() % 64));
  std::string all;
  for (uint64_t v : values) {
    std::string enc = Varint(v);
    size_t bits = v == 0 ? 1 : 64 - static_cast<size_t>(__builtin_clzll(v));
    EXPECT_EQ(enc.size(), (bits + 6) / 7) << v;
    all += enc;
  }
  // Consumed one after another from a single buffer.
  std::string_view in = all;
  for (uint64_t v : values) {
    uint64_t got = ~v;
    ASSERT_TRUE(GetVarint(&in, &got));
    ASSERT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(KeycodeTest, VarintTruncatedInputFails) {
  for (uint64_t v : {uint64_t{128}, uint64_t{300}, uint64_t{1} << 40, UINT64_MAX}) {
    std::string enc = Varint(v);
    for (size_t len = 0; len < enc.size(); ++len) {
      std::string_view in(enc.data(), len);
      uint64_t got = 5;
      EXPECT_FALSE(GetVarint(&in, &got)) << v << " len " << len;
      EXPECT_EQ(in.size(), len) << "input consumed on failure";
      EXPECT_EQ(got, 5u) << "output written on failure";
    }
  }
  // More than 10 bytes of continuation is not a varint.
  std::string endless(11, '\x80');
  std::string_view in = endless;
  uint64_t got;
  EXPECT_FALSE(GetVarint(&in, &got));
  endless += '\x01';
  in = endless;
  EXPECT_FALSE(GetVarint(&in, &got));
}

// ------------------------------------------------------------ zigzag

TEST(KeycodeTest, ZigzagKnownEncodings) {
  EXPECT_EQ(Zigzag(0), "\0"s);
  EXPECT_EQ(Zigzag(-1), "\x01");
  EXPECT_EQ(Zigzag(1), "\x02");
  EXPECT_EQ(Zigzag(-2), "\x03");
  EXPECT_EQ(Zigzag(63), "\x7e");
  EXPECT_EQ(Zigzag(-64), "\x7f");
  EXPECT_EQ(Zigzag(64), "\x80\x01");
  EXPECT_EQ(Zigzag(INT64_MAX), Varint(UINT64_MAX - 1));
  EXPECT_EQ(Zigzag(INT64_MIN), Varint(UINT64_MAX));
}

TEST(KeycodeTest, ZigzagRoundTripsAndTruncation) {
  std::vector<int64_t> values = {0,
                                 1,
                                 -1,
                                 2,
                                 -2,
                                 63,
                                 -64,
                                 64,
                                 -65,
                                 INT32_MAX,
                                 INT32_MIN,
                                 static_cast<int64_t>(INT32_MAX) + 1,
                                 INT64_MAX,
                                 INT64_MIN,
                                 INT64_MIN + 1,
                                 -1'700'000'000'000'000'000};
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) values.push_back(static_cast<int64_t>(rng()) >> (rng() % 64));
  for (int64_t v : values) {
    std::string enc = Zigzag(v);
    std::string_view in = enc;
    int64_t got = ~v;
    ASSERT_TRUE(GetZigzag(&in, &got)) << v;
    ASSERT_EQ(got, v);
    ASSERT_TRUE(in.empty());
    // Small magnitudes stay small.
    if (v >= -64 && v <= 63) {
      EXPECT_EQ(enc.size(), 1u) << v;
    }
    for (size_t len = 0; len < enc.size(); ++len) {
      std::string_view cut(enc.data(), len);
      EXPECT_FALSE(GetZigzag(&cut, &got)) << v << " len " << len;
      EXPECT_EQ(cut.size(), len);
    }
  }
}

// ------------------------------------------------------------ lpbytes

TEST(KeycodeTest, LengthPrefixedRoundTrips) {
  std::vector<std::string> values = {
      ""s, "a"s, "a\0b"s, "\xff\xfe"s, std::string(127, 'x'), std::string(128, 'y'), std::string(70000, '\0')};
  std::string all;
  for (const auto& v : values) PutLengthPrefixed(&all, v);
  EXPECT_EQ(all.substr(0, 1), "\0"s);  // "" is a single zero length byte
  std::string_view in = all;
  for (const auto& v : values) {
    std::string_view got;
    ASSERT_TRUE(GetLengthPrefixed(&in, &got));
    ASSERT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());

  std::string one;
  PutLengthPrefixed(&one, std::string(128, 'y'));
  EXPECT_EQ(one.size(), 130u);
  EXPECT_EQ(one.substr(0, 2), "\x80\x01");
}

TEST(KeycodeTest, LengthPrefixedTruncatedInputFails) {
  std::string enc;
  PutLengthPrefixed(&enc, std::string(200, 'q'));
  for (size_t len = 0; len < enc.size(); ++len) {
    std::string_view in(enc.data(), len);
    std::string_view got = "untouched";
    EXPECT_FALSE(GetLengthPrefixed(&in, &got)) << len;
    EXPECT_EQ(in.size(), len) << "input consumed on failure at " << len;
    EXPECT_EQ(got, "untouched");
  }
  // A length larger than anything addressable.
  std::string huge = Varint(UINT64_MAX) + "abc";
  std::string_view in = huge;
  std::string_view got;
  EXPECT_FALSE(GetLengthPrefixed(&in, &got));
}

TEST(KeycodeTest, LengthPrefixIsPrefixFree) {
  // lpbytes("a") is never a prefix of lpbytes of another value, so a field
  // index prefix scan cannot wander into a neighbour's entries.
  std::vector<std::string> values = {""s, "a"s, "ab"s, "b"s, "\0"s, "a\0"s, std::string(128, 'a')};
  for (const auto& x : values) {
    for (const auto& y : values) {
      if (x == y) continue;
      std::string px, py;
      PutLengthPrefixed(&px, x);
      PutLengthPrefixed(&py, y);
      py += "\x80\0\0\0\0\0\0\0"s;  // followed by a key tail
      EXPECT_FALSE(std::string_view(py).starts_with(px))
          << testing::PrintToString(x) << " / " << testing::PrintToString(y);
    }
  }
}

// ------------------------------------------------------------ seq keys

TEST(KeycodeTest, SeqKeyRoundTrip) {
  for (uint64_t seq : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 40, UINT64_MAX}) {
    std::string k = SeqKey(seq);
    ASSERT_EQ(k.size(), 8u);
    EXPECT_EQ(k, U64(seq));
    uint64_t got = 0;
    ASSERT_TRUE(ParseSeqKey(k, &got));
    EXPECT_EQ(got, seq);
  }
  uint64_t got = 123;
  EXPECT_FALSE(ParseSeqKey("", &got));
  EXPECT_FALSE(ParseSeqKey(SeqKey(5).substr(0, 7), &got));
  EXPECT_FALSE(ParseSeqKey(SeqKey(5) + "x", &got));
  EXPECT_EQ(got, 123u);
  EXPECT_LT(Bytewise(SeqKey(9), SeqKey(10)), 0);
  EXPECT_LT(Bytewise(SeqKey(255), SeqKey(256)), 0);
  EXPECT_LT(Bytewise(SeqKey(UINT64_MAX - 1), SeqKey(UINT64_MAX)), 0);
}

}  // namespace
}  // namespace tb
