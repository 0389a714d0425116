// storage/search_cache.h with a damaged DIR/search.idx: whatever happened
// to the file (random byte flips, truncation, zeros, another store's file,
// a damaged checksum), a search gives exactly the results of the undamaged
// index, and the damaged file is replaced by a rebuilt one.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/search/search.h"
#include "storage/search_cache.h"
#include "tests/status_assert.h"
#include "tests/storage/store_fixture.h"

namespace tb {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Every field of a hit, one line (so a failure shows what differs).
std::string Describe(const SearchHit& h) {
  const HistoryRecord& r = h.record;
  std::ostringstream o;
  o << r.seq << " " << r.id.origin << "-" << r.id.counter << " [" << r.command << "] [" << r.cwd << "] " << r.session
    << " " << r.host << " " << r.user << " " << r.shell << " t=" << r.started_at_ns
    << " exit=" << (r.exit_code ? std::to_string(*r.exit_code) : "-")
    << " dur=" << (r.duration_ns ? std::to_string(*r.duration_ns) : "-") << " run=" << r.running
    << " trunc=" << r.truncated << " uses=" << h.uses << " fail=" << h.failures << " score=" << h.score << " m=";
  for (auto [b, e] : h.matches) o << b << ":" << e << ",";
  return o.str();
}

class SearchCacheDamageTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Open();
    AppendVariedHistory();
    Requests();
    ASSERT_EQ(LoadAction(), SearchCacheAction::kRebuilt);
    pristine_ = ReadAll(SearchCachePath(dir_));
    ASSERT_GT(pristine_.size(), 4096u) << "the file should span several blocks";
    for (const auto& r : requests_) expected_.push_back(SearchLikeTb(r));
    warnings_.clear();
  }

  // ~400 commands: repeated and unique texts, several directories,
  // sessions, hosts and shells, exits and durations, some left running.
  void AppendVariedHistory() {
    std::mt19937_64 rng(7);
    const char* tools[] = {"git status",
                           "git commit -m",
                           "git push origin",
                           "make",
                           "make test",
                           "docker ps",
                           "docker run --rm",
                           "kubectl get pods",
                           "ls -la",
                           "cd",
                           "vim",
                           "grep -rn",
                           "cargo build",
                           "python3 -m pytest",
                           "ssh",
                           "terraform plan",
                           "npm install",
                           "Git Stash",
                           "rg -i"};
    const char* cwds[] = {"/home/u", "/srv/app", "/srv/app/web", "/tmp", "/home/u/src/tb", "/var/log"};
    std::vector<Event> batch;
    uint64_t counter = 1000;
    for (int i = 0; i < 420; ++i) {
      std::string cmd = tools[rng() % std::size(tools)];
      if (rng() % 3 == 0) cmd += " arg" + std::to_string(rng() % 50);
      std::string cwd = cwds[rng() % std::size(cwds)];
      std::string session = "s" + std::to_string(rng() % 7), host = "h" + std::to_string(rng() % 3);
      int t = 10 * i + static_cast<int>(rng() % 7);
      if (i % 29 == 5) {
        uint64_t start = ++counter;
        batch.push_back(Start(start, t, cmd, cwd, session, host));
        if (i % 2 == 1) batch.push_back(Fin(++counter, t + 2, ShellId(start), static_cast<int32_t>(rng() % 3), kSec));
        continue;
      }
      std::optional<int32_t> exit;
      if (rng() % 9 != 0) exit = rng() % 4 == 0 ? static_cast<int32_t>(rng() % 130) : 0;
      std::optional<int64_t> dur;
      if (rng() % 5 != 0) dur = static_cast<int64_t>(rng() % (60 * kSec));
      Event ev = Rec(t, cmd, cwd, session, host, exit, dur);
      ev.shell = rng() % 2 ? "bash" : "zsh";
      batch.push_back(ev);
      if (batch.size() >= 50) Append(std::exchange(batch, {}));
    }
    Append(batch);
  }

  // Requests in every mode, with filters, scopes and rankings.
  void Requests() {
    auto add = [&](std::string q, SearchMode m, auto tweak) {
      SearchRequest r;
      r.query = std::move(q);
      r.mode = m;
      r.now_ns = T(5000);
      tweak(r);
      requests_.push_back(r);
    };
    auto none = [](SearchRequest&) {};
    add("git", SearchMode::kSubstring, [](SearchRequest& r) { r.filter.limit = 30; });
    add("git", SearchMode::kSubstring, [](SearchRequest& r) { r.unique = true; });
    add("make", SearchMode::kPrefix, none);
    add("dkrps", SearchMode::kFuzzy, [](SearchRequest& r) { r.unique = true; });
    add("^(docker|kubectl) ", SearchMode::kRegex, none);
    add("ls -la", SearchMode::kExact, none);
    add("arg", SearchMode::kSubstring, [](SearchRequest& r) {
      r.filter.cwd = "/srv/app";
      r.filter.failed = true;
    });
    add("a", SearchMode::kSubstring, [](SearchRequest& r) {
      r.filter.session = "s3";
      r.filter.host = "h1";
      r.filter.since_ns = T(1000);
      r.filter.until_ns = T(3000);
    });
    add("git", SearchMode::kSubstring, [](SearchRequest& r) {
      r.rank = RankMode::kFrecency;
      r.unique = true;
      r.current_cwd = "/srv/app";
      r.filter.limit = 10;
    });
    add("", SearchMode::kSubstring, [](SearchRequest& r) {
      r.under_dir = "/srv/app";
      r.filter.exit_code = 0;
      r.filter.limit = 40;
    });
    add("Git", SearchMode::kSubstring, none);
  }

  SearchCacheOptions Options() {
    SearchCacheOptions o;
    o.warn = [this](const std::string& m) { warnings_.push_back(m); };
    return o;
  }
  SearchCacheAction LoadAction() {
    std::unique_ptr<SearchCache> c;
    Status s = SearchCache::Load(*store_, Options(), &c);
    EXPECT_OK(s) << s.ToString();
    return c ? c->action() : SearchCacheAction::kFresh;
  }
  // What `tb search` prints for `r` (tools/search_backend.cc), as lines.
  std::string SearchLikeTb(const SearchRequest& r) {
    SearchResult res;
    Status s = SearchStore(*store_, Options(), r, &res);
    if (!s.ok()) return "search: " + s.ToString();
    std::string out;
    for (const auto& h : res.hits) out += Describe(h) + "\n";
    return out;
  }

  // Puts `damaged` in place of the file, runs every request (each on the
  // damaged file, as separate `tb search` processes would) and checks the
  // results. Returns whether some search replaced the damaged file; a
  // replaced file is the pristine one again and came with a warning.
  bool ExpectSameResults(const std::string& damaged, const std::string& what) {
    bool replaced = false;
    for (size_t i = 0; i < requests_.size(); ++i) {
      WriteAll(SearchCachePath(dir_), damaged);
      warnings_.clear();
      EXPECT_EQ(SearchLikeTb(requests_[i]), expected_[i]) << what << ", request " << i;
      std::string now = ReadAll(SearchCachePath(dir_));
      if (now == damaged) continue;
      replaced = true;
      EXPECT_TRUE(now == pristine_) << what << ", request " << i << ": the rebuilt file differs";
    }
    return replaced;
  }
  // Whether `bytes` open as an index whose every block is sound.
  static bool Believable(const std::string& bytes) {
    std::unique_ptr<SearchIndex> ix;
    auto copy = std::make_shared<std::string>(bytes);  // aligned like a mapping
    return SearchIndex::Open(*copy, copy, &ix).ok() && ix->VerifyAll().ok();
  }

  std::string pristine_;
  std::vector<SearchRequest> requests_;
  std::vector<std::string> expected_;
  std::vector<std::string> warnings_;
};

// 200 flips at random offsets: fault injection, so the `fault` group (the
// sanitized run leaves it to fuzz/fuzz_search_index.cc, which feeds the
// index reader damaged bytes under ASan).
class SearchCacheFlipFaultTest : public SearchCacheDamageTest {};

// Every search gives the undamaged results. The damaged file is replaced
// (with a warning) when a search reads a damaged block; when none of these
// searches happened to read it, the file must still be refused by a full
// verification: no byte of it is outside a checksum.
TEST_F(SearchCacheFlipFaultTest, RandomByteFlipsNeverChangeResults) {
  std::mt19937_64 rng(20240501);
  int replaced_count = 0;
  for (int k = 0; k < 200; ++k) {
    std::string damaged = pristine_;
    size_t at = rng() % damaged.size();
    damaged[at] = static_cast<char>(damaged[at] ^ static_cast<char>(1 + rng() % 255));
    std::string what = "flip " + std::to_string(k) + " at offset " + std::to_string(at);
    bool replaced = ExpectSameResults(damaged, what);
    replaced_count += replaced;
    if (!replaced) {
      EXPECT_FALSE(Believable(damaged)) << what << ": the damaged file was believed";
    }
    if (HasFailure()) break;  // one flip's report is enough
  }
  // Most flips land in blocks these searches read.
  EXPECT_GT(replaced_count, 100);
}

// Damage that only a search finds (the file opens; a block it reads does
// not match): SearchStore() rebuilds, warns and answers from the rebuilt
// index.
TEST_F(SearchCacheDamageTest, DamageFoundBySearchIsRebuiltWithAWarning) {
  // Enough rows that some blocks hold row values only (in the small file
  // every block holds a section header, verified at open).
  std::vector<Event> more;
  for (int i = 0; i < 3000; ++i)
    more.push_back(Rec(10000 + i, "echo " + std::to_string(i % 97), "/home/u", "s1", "h1", i % 5 == 0 ? 1 : 0));
  Append(more);
  ASSERT_OK(RemoveSearchCache(dir_));  // a rebuild, not a compaction: what the rebuild below writes
  ASSERT_EQ(LoadAction(), SearchCacheAction::kRebuilt);
  const std::string pristine = ReadAll(SearchCachePath(dir_));
  SearchRequest all;  // every row, every column of every row
  all.query = "e";
  const std::string expected = SearchLikeTb(all);
  std::string damaged;
  for (size_t at = kBlockSize; at < pristine.size() && damaged.empty(); at += 256) {
    std::string d = pristine;
    d[at] ^= 0x10;
    auto copy = std::make_shared<std::string>(d);
    std::unique_ptr<SearchIndex> ix;
    if (SearchIndex::Open(*copy, copy, &ix).ok()) damaged = d;
  }
  ASSERT_FALSE(damaged.empty());
  WriteAll(SearchCachePath(dir_), damaged);
  std::unique_ptr<SearchCache> c;
  ASSERT_OK(SearchCache::Load(*store_, Options(), &c));
  EXPECT_EQ(c->action(), SearchCacheAction::kFresh) << "the damaged block is verified when first read";
  c.reset();
  warnings_.clear();
  EXPECT_EQ(SearchLikeTb(all), expected);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_TRUE(warnings_[0].starts_with("search index (" + SearchCachePath(dir_) + ") is damaged: search index block "))
      << warnings_[0];
  EXPECT_TRUE(warnings_[0].ends_with("does not match its checksum; rebuilt from the store")) << warnings_[0];
  EXPECT_EQ(ReadAll(SearchCachePath(dir_)), pristine);
  struct stat st {};
  ASSERT_EQ(::stat(SearchCachePath(dir_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const auto& e : std::filesystem::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "left behind: " << e.path();
}

TEST_F(SearchCacheDamageTest, TruncatedFilesAreRebuilt) {
  for (size_t len : {size_t{0}, size_t{7}, size_t{16}, size_t{127}, pristine_.size() / 2, pristine_.size() - 112,
                     pristine_.size() - 1}) {
    std::string what = "truncated to " + std::to_string(len);
    EXPECT_TRUE(ExpectSameResults(pristine_.substr(0, len), what)) << what;
  }
  // Bytes appended to a sound file: the footer is not where it should be.
  WriteAll(SearchCachePath(dir_), pristine_ + std::string(8, '\0'));
  warnings_.clear();
  EXPECT_EQ(LoadAction(), SearchCacheAction::kRebuilt);
  EXPECT_EQ(warnings_.size(), 1u);
}

TEST_F(SearchCacheDamageTest, FileOfZerosIsRebuilt) {
  EXPECT_TRUE(ExpectSameResults(std::string(pristine_.size(), '\0'), "zeros"));
  EXPECT_TRUE(ExpectSameResults(std::string(4096, '\0'), "4 KiB of zeros"));
}

TEST_F(SearchCacheDamageTest, FlippedChecksumsAreRebuilt) {
  uint64_t covered;
  std::memcpy(&covered, pristine_.data() + pristine_.size() - 112 + 80, 8);
  std::vector<std::pair<std::string, size_t>> fields = {{"a block checksum", covered + 3},
                                                        {"the last block checksum", pristine_.size() - 112 - 8},
                                                        {"the checksum of the block checksums", pristine_.size() - 16},
                                                        {"the footer checksum", pristine_.size() - 8},
                                                        {"the footer's block count", pristine_.size() - 112 + 88},
                                                        {"the footer's covered size", pristine_.size() - 112 + 80},
                                                        {"the stamp's head seq", pristine_.size() - 112 + 8},
                                                        {"the format", 8}};
  for (const auto& [what, at] : fields) {
    for (uint8_t bit : {0x01, 0x80}) {
      std::string damaged = pristine_;
      damaged[at] = static_cast<char>(damaged[at] ^ bit);
      EXPECT_TRUE(ExpectSameResults(damaged, what)) << what;
      WriteAll(SearchCachePath(dir_), damaged);
      warnings_.clear();
      EXPECT_EQ(LoadAction(), SearchCacheAction::kRebuilt) << what;
      // Another format version is not damage: rebuilt without a warning.
      EXPECT_EQ(warnings_.size(), at == 8 ? 0u : 1u) << what;
    }
  }
}

TEST_F(SearchCacheDamageTest, AnotherStoresFileIsRebuiltNotBelieved) {
  // A store with the same events (so the same head seq and texts) but its
  // own identity: its sound index is not this store's.
  std::string other_dir = tmp_.Sub("other");
  std::unique_ptr<Store> other = SameEventsInAnotherStore(other_dir);
  ASSERT_NE(other, nullptr);
  std::unique_ptr<SearchCache> oc;
  ASSERT_OK(SearchCache::Load(*other, {}, &oc));
  std::string foreign = ReadAll(SearchCachePath(other_dir));
  ASSERT_NE(foreign, pristine_);
  EXPECT_TRUE(ExpectSameResults(foreign, "another store's index"));
  WriteAll(SearchCachePath(dir_), foreign);
  warnings_.clear();
  EXPECT_EQ(LoadAction(), SearchCacheAction::kRebuilt);
  EXPECT_TRUE(warnings_.empty()) << "a sound file of another store is stale, not damaged";
}

TEST_F(SearchCacheDamageTest, DamagedFileWithATailIsRebuiltNotCompacted) {
  // A tail longer than max_overlay would compact the mapped index into a
  // new file: damaged rows are never copied into it, the index is rebuilt.
  std::string damaged = pristine_;
  damaged[16 + 16 + 8] ^= 0x01;  // inside the first row's time
  Append({Rec(100000, "echo tail", "/tmp", "s1", "h1", 0)});
  WriteAll(SearchCachePath(dir_), damaged);
  std::unique_ptr<SearchCache> c;
  SearchCacheOptions o = Options();
  o.max_overlay = 0;
  warnings_.clear();
  ASSERT_OK(SearchCache::Load(*store_, o, &c));
  EXPECT_EQ(c->action(), SearchCacheAction::kRebuilt);
  EXPECT_EQ(warnings_.size(), 1u);
  EXPECT_TRUE(Believable(ReadAll(SearchCachePath(dir_))));
}

}  // namespace
}  // namespace tb
