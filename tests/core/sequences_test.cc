// The `sequences` layout (core/analytics/learning.h): counter lists and
// their merge, and the queries over them (core/analytics/patterns.h,
// suggest.h) checked against n-gram counts computed the plain way, one
// counter per n-gram.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/analytics/learning.h"
#include "core/analytics/patterns.h"
#include "core/analytics/suggest.h"
#include "core/views/sequences_view.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

std::string List(const std::vector<std::pair<std::string, uint64_t>>& counters) {
  std::string v;
  for (const auto& [name, count] : counters) PutCounter(&v, name, count);
  return v;
}

std::string Merged(const std::string* existing, const std::vector<std::string>& ops) {
  std::vector<std::string_view> sv(ops.begin(), ops.end());
  std::string_view ex = existing != nullptr ? std::string_view(*existing) : std::string_view();
  std::string out = "sentinel";
  EXPECT_TRUE(SequencesView().FullMerge(existing != nullptr ? &ex : nullptr, sv, &out));
  return out;
}

TEST(SequencesMergeTest, SumsNameByName) {
  std::string existing = List({{"", 2}, {">a", 1}, {">c", 4}});
  EXPECT_EQ(Merged(&existing, {List({{">b", 1}}), List({{"", 1}, {">c", 1}}), List({{">b", 2}, {">d", 1}})}),
            List({{"", 3}, {">a", 1}, {">b", 3}, {">c", 5}, {">d", 1}}));
  EXPECT_EQ(Merged(nullptr, {List({{"x", 1}}), List({{"x", 1}})}), List({{"x", 2}}));
  EXPECT_EQ(Merged(nullptr, {}), "");
}

TEST(SequencesMergeTest, SameBytesWhateverTheGrouping) {
  std::mt19937 rng(7);
  const char* names[] = {"", ">", ">ls", ">make", "<git", "\x02gs\x01x", "\x02gs"};
  std::vector<std::string> ops;
  for (int i = 0; i < 200; ++i) {
    std::map<std::string, uint64_t> op;
    for (int k = 0; k < 3; ++k) op[names[rng() % 7]] += 1 + rng() % 3;
    ops.push_back(List({op.begin(), op.end()}));
  }
  std::string all = Merged(nullptr, ops);
  for (size_t group : {1u, 2u, 7u, 64u}) {
    std::string acc;
    bool have = false;
    for (size_t i = 0; i < ops.size(); i += group) {
      std::vector<std::string> part(ops.begin() + i, ops.begin() + std::min(ops.size(), i + group));
      acc = Merged(have ? &acc : nullptr, part);
      have = true;
    }
    EXPECT_EQ(acc, all) << "groups of " << group;
  }
}

TEST(SequencesMergeTest, RefusesMalformedValues) {
  SequencesView view;
  std::string out;
  std::string unsorted = List({{"b", 1}, {"a", 1}});
  std::string_view ex = unsorted;
  std::vector<std::string_view> none;
  EXPECT_FALSE(view.FullMerge(&ex, none, &out));
  std::string zero = List({{"a", 0}});
  std::vector<std::string_view> bad = {zero};
  EXPECT_FALSE(view.FullMerge(nullptr, bad, &out));
  std::vector<std::string_view> truncated = {
      std::string_view("\x05"
                       "ab")};
  EXPECT_FALSE(view.FullMerge(nullptr, truncated, &out));
  std::string twelve(12, '\x80');  // not a counter list, too long for a varint
  std::vector<std::string_view> long_varint = {twelve};
  EXPECT_FALSE(view.FullMerge(nullptr, long_varint, &out));
}

TEST(SequencesMergeTest, ReadsVersionOneCountersUntilTheFamilyIsDropped) {
  // Version 1 values and operands were bare varints; a compaction of the old
  // family with this merge operator must not fail (it would stop the writes
  // of the migration that drops the family).
  std::string one = "\x01", big = "\x96\x01";  // 1, 150
  EXPECT_EQ(Merged(&big, {one, one}), List({{"", 152}}));
  EXPECT_EQ(Merged(nullptr, {List({{"", 1}}), one}), List({{"", 2}}));
  std::string zero = "\x00";
  EXPECT_EQ(Merged(&zero, {}), "");
  // Counter lists of 2-10 bytes are never read as varints.
  std::string list = List({{"a", 3}});
  EXPECT_EQ(Merged(&list, {}), list);
}

TEST(SequencesMergeTest, AdjustDropsWhatReachesZero) {
  std::string out;
  ASSERT_TRUE(
      AdjustCounterList(List({{"a", 2}, {"b", 1}, {"d", 5}}), {{"a", -1}, {"b", -1}, {"c", 3}, {"d", -9}}, &out));
  EXPECT_EQ(out, List({{"a", 1}, {"c", 3}}));
  ASSERT_TRUE(AdjustCounterList("", {{"a", -1}}, &out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(AdjustCounterList("\x09", {}, &out));
}

// A random history of a few sessions over a small vocabulary (many
// repeats, many ties), learned both ways.
struct Model {
  MemoryCounters counters;
  std::map<std::vector<std::string>, uint64_t> ngrams;  // n = 1..4, the plain way
  std::map<std::pair<std::string, std::string>, uint64_t> dirs;
};

void Learn(uint32_t seed, size_t n, Model* m) {
  std::mt19937 rng(seed);
  const std::vector<std::string> vocab = {
      "ls",        "make",        "make test",  "git status", "git add <path>",     "git push", "vim <path>",
      "cd <path>", "cargo build", "cargo test", "",           "git commit -m <str>"};
  const std::vector<std::string> dirs = {"/a", "/b", "/c"};
  std::map<std::string, std::vector<std::string>> runs;  // session -> its templates
  std::vector<Event> evs(n);
  for (size_t i = 0; i < n; ++i) {
    // Zipf-like: low indexes far more often.
    size_t r = rng() % 100;
    const std::string& t = vocab[r < 40 ? r % 3 : r < 80 ? 3 + r % 5 : 8 + r % 4];
    std::string session = (rng() % 10 == 0) ? "" : "s" + std::to_string(rng() % 4);
    Event& ev = evs[i];
    ev.command = t;
    ev.cwd = dirs[rng() % 3];
    ev.session = session;
    std::vector<std::string>& run = runs[session];
    std::vector<SessionEntry> before;
    if (!session.empty()) {
      for (size_t j = run.size() >= kSessionContext ? run.size() - kSessionContext : 0; j < run.size(); ++j) {
        before.push_back(SessionEntry{j + 1, 0, 0, run[j], run[j], ev.cwd});
      }
    }
    Completion c;
    c.record = &ev;
    c.seq = i + 1;
    c.exit_code = 0;
    c.tmpl = t;
    c.before = before;
    m->counters.Add(c);
    m->dirs[{ev.cwd, t}]++;
    std::vector<std::string> all;
    for (const auto& e : before) all.emplace_back(e.tmpl);
    all.push_back(t);
    for (size_t len = 1; len <= all.size(); ++len) {
      m->ngrams[std::vector<std::string>(all.end() - static_cast<long>(len), all.end())]++;
    }
    if (!session.empty()) run.push_back(t);
  }
}

// ListPatterns as it was over one counter per n-gram.
std::vector<Pattern> PlainPatterns(const Model& m, const PatternQuery& q) {
  std::vector<Pattern> all;
  for (const auto& [t, count] : m.ngrams) {
    if (t.size() < 2 || count < q.min_support) continue;
    auto p = m.ngrams.find(std::vector<std::string>(t.begin(), t.end() - 1));
    uint64_t prefix = p == m.ngrams.end() ? 0 : p->second;
    double conf = prefix == 0 ? 1.0 : std::min(1.0, static_cast<double>(count) / static_cast<double>(prefix));
    if (conf + 1e-12 < q.min_confidence) continue;
    all.push_back(Pattern{t, count, conf});
  }
  std::sort(all.begin(), all.end(), [](const Pattern& a, const Pattern& b) {
    if (a.support != b.support) return a.support > b.support;
    if (a.templates.size() != b.templates.size()) return a.templates.size() > b.templates.size();
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    return a.templates < b.templates;
  });
  if (q.limit > 0 && all.size() > q.limit) all.resize(q.limit);
  return all;
}

TEST(SequencesQueryTest, PatternsAreThoseOfThePlainCounters) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    Model m;
    Learn(seed, 400, &m);
    for (uint64_t support : {1u, 2u, 3u, 8u}) {
      for (size_t limit : {0u, 1u, 3u, 5u, 20u, 100u}) {
        for (double conf : {0.0, 0.3}) {
          PatternQuery q;
          q.min_support = support;
          q.limit = limit;
          q.min_confidence = conf;
          std::vector<Pattern> got;
          ASSERT_OK(ListPatterns(m.counters, q, &got));
          EXPECT_EQ(got, PlainPatterns(m, q))
              << "seed " << seed << " support " << support << " limit " << limit << " confidence " << conf;
        }
      }
    }
  }
}

// Learns one session running `run` (templates, oldest first).
void LearnRun(const std::vector<std::string>& run, MemoryCounters* m) {
  std::vector<Event> evs(run.size());
  for (size_t i = 0; i < run.size(); ++i) {
    evs[i].command = run[i];
    evs[i].cwd = "/p";
    evs[i].session = "s";
    std::vector<SessionEntry> before;
    for (size_t j = i >= kSessionContext ? i - kSessionContext : 0; j < i; ++j) {
      before.push_back(SessionEntry{j + 1, 0, 0, run[j], run[j], "/p"});
    }
    Completion c;
    c.record = &evs[i];
    c.seq = i + 1;
    c.tmpl = run[i];
    c.before = before;
    m->Add(c);
  }
}

TEST(SequencesQueryTest, ReadsATemplateWhoseBoundTiesTheLimit) {
  // "c" is followed 3 times (c d twice), "a" twice (a b twice): the first
  // pattern is a b (support 2, confidence 1), read after c d raised the
  // support of interest to 2, which a's bound only equals.
  MemoryCounters m;
  for (const auto& run :
       std::vector<std::vector<std::string>>{{"a", "b"}, {"a", "b"}, {"c", "d"}, {"c", "d"}, {"c", "e"}}) {
    LearnRun(run, &m);
  }
  PatternQuery q;
  q.min_support = 1;
  q.limit = 1;
  std::vector<Pattern> got;
  ASSERT_OK(ListPatterns(m, q, &got));
  EXPECT_EQ(got, (std::vector<Pattern>{Pattern{{"a", "b"}, 2, 1.0}}));
}

TEST(SequencesQueryTest, FollowersAreThoseOfThePlainCounters) {
  Model m;
  Learn(5, 300, &m);
  // Every context of 0-2 templates that occurs, and one that does not.
  std::map<std::vector<std::string>, std::map<std::string, uint64_t>> want;
  for (const auto& [t, count] : m.ngrams) {
    if (t.size() <= 3) want[std::vector<std::string>(t.begin(), t.end() - 1)][t.back()] = count;
  }
  want[{"nope"}];
  for (const auto& [context, followers] : want) {
    std::vector<std::string_view> ctx(context.begin(), context.end());
    TopCounts got;
    ASSERT_OK(TopFollowers(m.counters, ctx, 0, &got));
    std::map<std::string, uint64_t> seen(got.top.begin(), got.top.end());
    EXPECT_EQ(seen, followers) << testing::PrintToString(context);
    uint64_t total = 0;
    for (const auto& f : followers) total += f.second;
    EXPECT_EQ(got.total, total);
    EXPECT_EQ(got.distinct, followers.size());
  }
  for (const std::string dir : {"/a", "/b", "/nowhere"}) {
    std::map<std::string, uint64_t> expect;
    for (const auto& [k, count] : m.dirs) {
      if (k.first == dir) expect[k.second] = count;
    }
    TopCounts got;
    ASSERT_OK(TopInDirectory(m.counters, dir, 0, &got));
    std::map<std::string, uint64_t> seen(got.top.begin(), got.top.end());
    EXPECT_EQ(seen, expect) << dir;
  }
}

TEST(SequencesQueryTest, NgramsSeenOnceShareKeys) {
  Model m;
  Learn(9, 400, &m);
  // Keys: one per directory and template, per bucket in use, per template
  // followed by another, per pair followed by another.
  std::set<std::string> buckets, followed;
  std::set<std::vector<std::string>> pairs;
  size_t ngrams = 0;
  for (const auto& [t, count] : m.ngrams) {
    if (t.size() == 1) buckets.insert(UnigramKey(t[0]));
    if (t.size() == 2) followed.insert(t[0]), buckets.insert(FollowedKey(t[0]));
    if (t.size() == 3) pairs.insert({t[0], t[1]});
    ngrams += t.size() >= 2;
  }
  EXPECT_EQ(m.counters.keys(), m.dirs.size() + buckets.size() + followed.size() + pairs.size());
  EXPECT_LT(m.counters.keys(), ngrams / 2);
  // Counters: the n-grams, a count per template and directory, and the
  // bounds ('f' of each followed template, '<' of each followed pair).
  size_t completed = 0;
  for (const auto& [t, count] : m.ngrams) completed += t.size() == 1;
  EXPECT_EQ(m.counters.counters(), m.dirs.size() + completed + followed.size() + pairs.size() + ngrams);
}

}  // namespace
}  // namespace tb
