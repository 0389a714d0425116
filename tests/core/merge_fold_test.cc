// View::PartialMerge: a batch's operands of one key folded into one must act
// on every existing value exactly as the operands one by one (storage writes
// folded operands; replays and appends group events differently).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/analytics/stats_counters.h"
#include "core/keycode.h"
#include "core/views/commands_view.h"
#include "core/views/stats_view.h"

namespace tb {
namespace {

std::string Use(int64_t time_ns, uint64_t seq, std::optional<int32_t> exit) {
  std::string op(1, 'u');
  PutZigzag(&op, time_ns);
  PutVarint(&op, seq);
  op.push_back(exit ? 1 : 0);
  if (exit) PutZigzag(&op, *exit);
  return op;
}

std::string End(uint64_t start_seq, int32_t exit) {
  std::string op(1, 'x');
  PutVarint(&op, start_seq);
  PutZigzag(&op, exit);
  return op;
}

std::vector<std::string_view> Views(const std::vector<std::string>& ops) {
  return std::vector<std::string_view>(ops.begin(), ops.end());
}

// Random histories of one command: uses with times that may go back (an
// import of older commands), starts whose ends come in the same batch or a
// later one, exits zero and not. Every split into "before" and "batch" must
// give the same value folded or not.
TEST(MergeFoldTest, CommandsFoldedBatchEqualsItsOperands) {
  CommandsView view;
  std::mt19937_64 rng(42);
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::string> ops;
    std::vector<uint64_t> open;  // started, not ended
    uint64_t seq = 0;
    int n = 2 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      int what = static_cast<int>(rng() % 4);
      if (what == 3 && !open.empty()) {
        size_t k = rng() % open.size();
        ops.push_back(End(open[k], static_cast<int32_t>(rng() % 3) - 1));
        open.erase(open.begin() + static_cast<long>(k));
        continue;
      }
      ++seq;
      int64_t t = static_cast<int64_t>(rng() % 6) * 1000;  // ties and going back
      if (what == 2) {
        ops.push_back(Use(t, seq, std::nullopt));  // a start
        open.push_back(seq);
      } else {
        ops.push_back(Use(t, seq, static_cast<int32_t>(rng() % 2)));
      }
    }
    size_t split = rng() % ops.size();
    std::vector<std::string> before(ops.begin(), ops.begin() + static_cast<long>(split));
    std::vector<std::string> batch(ops.begin() + static_cast<long>(split), ops.end());
    if (batch.size() < 2) continue;
    std::string existing, expected, folded, got;
    const std::string_view* e = nullptr;
    std::string_view ev;
    if (!before.empty()) {
      ASSERT_TRUE(view.FullMerge(nullptr, Views(before), &existing));
      ev = existing;
      e = &ev;
    }
    ASSERT_TRUE(view.FullMerge(e, Views(batch), &expected));
    ASSERT_TRUE(view.PartialMerge(Views(batch), &folded));
    std::string_view f = folded;
    ASSERT_TRUE(view.FullMerge(e, std::span<const std::string_view>(&f, 1), &got));
    CommandStats want, have;
    ASSERT_TRUE(DecodeCommandStats(expected, &want));
    ASSERT_TRUE(DecodeCommandStats(got, &have));
    ASSERT_EQ(have, want) << "round " << round;
    ASSERT_EQ(got, expected);
  }
}

TEST(MergeFoldTest, CommandsRefusesWhatItCannotFold) {
  CommandsView view;
  std::string out;
  std::vector<std::string> bad = {Use(1, 1, 0), "?"};
  EXPECT_FALSE(view.PartialMerge(Views(bad), &out));
  std::vector<std::string> folded_again = {Use(1, 1, 0), Use(2, 2, 0)};
  ASSERT_TRUE(view.PartialMerge(Views(folded_again), &out));
  std::vector<std::string> nested = {out, Use(3, 3, 0)};
  EXPECT_FALSE(view.PartialMerge(Views(nested), &out)) << "only a batch's own operands are folded";
  std::string value;
  std::vector<std::string> truncated = {std::string("a\x01")};
  EXPECT_FALSE(view.FullMerge(nullptr, Views(truncated), &value));
}

TEST(MergeFoldTest, StatsFoldedBatchIsTheSum) {
  StatsView view;
  std::vector<std::string> ops;
  for (auto [exit, ms] : std::vector<std::pair<int32_t, int64_t>>{{0, 12}, {1, 4000}, {0, 0}, {127, 90000}}) {
    std::string op;
    EncodeStatsCounters(StatsCounters::One(exit, ms * 1000000), &op);
    ops.push_back(op);
  }
  std::string existing, expected, folded, got;
  std::vector<std::string> first(ops.begin(), ops.begin() + 1), rest(ops.begin() + 1, ops.end());
  ASSERT_TRUE(view.FullMerge(nullptr, Views(first), &existing));
  std::string_view e = existing;
  ASSERT_TRUE(view.FullMerge(&e, Views(rest), &expected));
  ASSERT_TRUE(view.PartialMerge(Views(rest), &folded));
  std::string_view f = folded;
  ASSERT_TRUE(view.FullMerge(&e, std::span<const std::string_view>(&f, 1), &got));
  EXPECT_EQ(got, expected);
  StatsCounters c;
  ASSERT_TRUE(DecodeStatsCounters(got, &c));
  EXPECT_EQ(c.uses, 4u);
}

}  // namespace
}  // namespace tb
