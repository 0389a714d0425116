// Tests for core/analytics/classify.h: grouping and categories from the
// embedded data/categories.toml, and the rule parser's errors.
#include "core/analytics/classify.h"

#include <gtest/gtest.h>

#include "core/views/stats_view.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

struct Case {
  const char* command;
  const char* group;
  const char* category;
};

// A table of commands as people type them.
const Case kCases[] = {
    {"git status", "git status", "version control"},
    {"git -C /src/x commit -m 'fix: y'", "git commit", "version control"},
    {"sudo -u root git push origin main", "git push", "version control"},
    {"git", "git", "version control"},
    {"git --version", "git", "version control"},
    {"/usr/bin/git log --oneline", "git log", "version control"},
    {"docker compose up -d", "docker compose", "container"},
    {"docker -H tcp://h:2375 ps", "docker ps", "container"},
    {"kubectl -n prod get pods", "kubectl get", "kubernetes"},
    {"kubectl --namespace=prod logs -f api", "kubectl logs", "kubernetes"},
    {"cargo build --release", "cargo build", "build"},
    {"cargo test -- --nocapture", "cargo test", "test"},
    {"cargo +nightly install ripgrep", "cargo install", "package manager"},
    {"cargo", "cargo", "build"},
    {"npm install", "npm install", "package manager"},
    {"npm run build", "npm run", "build"},
    {"npm test", "npm test", "test"},
    {"go test ./...", "go test", "test"},
    {"go build -o bin/x .", "go build", "build"},
    {"go mod tidy", "go mod", "package manager"},
    {"make -j8", "make", "build"},
    {"make -C build test", "make test", "test"},
    {"env CC=clang make -j8 all", "make all", "build"},
    {"CC=clang CXX=clang++ cmake -S . -B build", "cmake", "build"},
    {"time ninja -C build", "ninja", "build"},
    {"nohup ./server --port 8080 &", "./server", "other"},
    {"timeout 10 curl -s https://x", "curl", "network"},
    {"nice -n 10 tar czf a.tgz dir", "tar", "file"},
    {"sudo systemctl restart nginx", "systemctl restart", "system"},
    {"sudo apt-get install -y jq", "apt-get install", "package manager"},
    {"sudo", "sudo", "other"},
    {"LANG=C ls -la | grep x", "ls", "navigation"},
    {"cd ..", "cd", "navigation"},
    {"vim src/main.cc", "vim", "editor"},
    {"ssh prod-1", "ssh", "network"},
    {"psql -h db -U app", "psql", "database"},
    {"aws --profile p s3 ls", "aws s3", "cloud"},
    {"terraform plan", "terraform plan", "cloud"},
    {"pytest -x tests/", "pytest", "test"},
    {"echo hi; ls", "echo", "shell"},
    {"'my tool' --flag", "my tool", "other"},
    {"  ", "", "other"},
    {"", "", "other"},
    {"(cd x && make)", "", "other"},
    {"top", "top", "system"},
};

TEST(ClassifyTest, GroupsAndCategoriesOfATableOfCommands) {
  const Classifier& c = Classifier::Default();
  for (const Case& k : kCases) {
    std::string group = c.Group(k.command);
    EXPECT_EQ(group, k.group) << k.command;
    EXPECT_EQ(c.Category(group), k.category) << k.command;
  }
}

TEST(ClassifyTest, EmbeddedRulesParse) {
  std::unique_ptr<Classifier> c;
  // The embedded file is what Default() uses; a broken one would make
  // every command "other": check a few.
  EXPECT_EQ(Classifier::Default().Category("git"), "version control");
  EXPECT_EQ(Classifier::Default().Category("kubectl apply"), "kubernetes");
  EXPECT_EQ(Classifier::Default().Category("nonexistent-tool"), "other");
  ASSERT_OK(Classifier::Parse("", &c));
  EXPECT_EQ(c->Group("git commit -m x"), "git") << "no multi-command tools without rules";
  EXPECT_EQ(c->Category("git"), "other");
}

TEST(ClassifyTest, StatsViewVersionFollowsTheGroupingRules) {
  EXPECT_EQ(Classifier::Default().GroupingFingerprint(), StatsView::kGroupingFingerprint)
      << "data/categories.toml [grouping] changed: bump StatsView::version() and set "
         "StatsView::kGroupingFingerprint to "
      << Classifier::Default().GroupingFingerprint();
}

TEST(ClassifyTest, CategoryNamesInDisplayOrder) {
  std::vector<std::string> names(CategoryNames().begin(), CategoryNames().end());
  EXPECT_EQ(names, (std::vector<std::string>{"version control", "build", "package manager", "container", "kubernetes",
                                             "cloud", "editor", "navigation", "file", "network", "database", "test",
                                             "system", "shell", "other"}));
}

TEST(ClassifyTest, ParseErrors) {
  std::unique_ptr<Classifier> c;
  struct Bad {
    const char* toml;
    const char* message;
  };
  const Bad kBad[] = {
      {"[categories]\nfun = [\"x\"]\n", "categories: unknown category 'fun'"},
      {"[categories]\nbuild = [\"make\"]\ntest = [\"make\"]\n", "categories: 'make' is listed under two categories"},
      {"[categories]\nbuild = \"make\"\n", "categories: categories.build must be an array of strings"},
      {"[categories]\nbuild = [1]\n", "categories: categories.build must be an array of strings"},
      {"categories = 3\n", "categories: [categories] must be a table"},
      {"grouping = 3\n", "categories: [grouping] must be a table"},
      {"[grouping]\nprefixes = [true]\n", "categories: grouping.prefixes must be an array of strings"},
      {"[grouping]\nmulti_command = 1\n", "categories: [grouping.multi_command] must be a table"},
      {"[grouping.multi_command]\ngit = \"-C\"\n",
       "categories: grouping.multi_command.git must be an array of strings"},
  };
  for (const Bad& b : kBad) {
    Status s = Classifier::Parse(b.toml, &c);
    EXPECT_TRUE(s.IsInvalidArgument()) << b.toml;
    EXPECT_EQ(s.message(), b.message) << b.toml;
  }
  Status s = Classifier::Parse("[categories\n", &c);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(s.message().starts_with("categories: line 1: ")) << s.message();
}

}  // namespace
}  // namespace tb
