// core/analytics/templates.h and SimilarCommands (core/analytics/fixes.h).
#include "core/analytics/templates.h"

#include <gtest/gtest.h>

#include "core/analytics/fixes.h"

namespace tb {
namespace {

struct Case {
  const char* in;
  const char* out;
};

TEST(TemplatesTest, AbstractsWhatVariesAndKeepsTheRest) {
  const Case cases[] = {
      {"", ""},
      {"   ", ""},
      {"ls", "ls"},
      {"ls -la", "ls -la"},
      {"  ls   -la  ", "ls -la"},
      {"git status", "git status"},
      {"git commit -m \"fix the bug\"", "git commit -m <str>"},
      {"git commit -m 'x'", "git commit -m <str>"},
      {"echo \"a b\" 'c d'", "echo <str>"},
      {"cd ~/src/tb", "cd <path>"},
      {"cd ..", "cd <path>"},
      {"cd build", "cd build"},
      {"vim main.c", "vim <path>"},
      {"cat /etc/hosts", "cat <path>"},
      {"./configure --prefix=/usr/local", "./configure --prefix=<path>"},
      {"make -j8", "make -j8"},
      {"make -j 8", "make -j <num>"},
      {"sleep 10", "sleep <num>"},
      {"sleep 1.5", "sleep <num>"},
      {"timeout 10s cmd", "timeout <num> cmd"},
      {"kill -9 1234", "kill -9 <num>"},
      {"git show 3f2a9c1", "git show <hash>"},
      {"git checkout deadbeefcafe0123", "git checkout <hash>"},
      {"git checkout feature", "git checkout feature"},
      {"echo cafebabe", "echo cafebabe"},  // no digit: a word
      {"curl https://example.com/a?b=1", "curl <url>"},
      {"git clone git@github.com:o/r.git", "git clone <url>"},
      {"ssh user@host", "ssh user@host"},
      {"rm a.txt b.txt c/d", "rm <path>"},
      {"cp a.txt b", "cp <path> b"},
      {"grep -rn TODO src | head -20", "grep -rn TODO src | head -20"},
      {"cat log.txt | grep error | wc -l", "cat <path> | grep error | wc -l"},
      {"make && ./run 3", "make && ./run <num>"},
      {"cmd1; cmd2 x.y", "cmd1 ; cmd2 <path>"},
      {"ls > out.txt 2>&1", "ls > <path> 2>&1"},
      {"ls 2>/dev/null", "ls 2> <path>"},
      {"FOO=1 BAR=x.c make", "FOO=<num> BAR=<path> make"},
      {"A=b cmd", "A=b cmd"},
      {"docker run -p 8080:80 nginx", "docker run -p <num> nginx"},
      {"kubectl logs pod-1234 --tail=100", "kubectl logs pod-1234 --tail=<num>"},
      {"git log --format='%h %s'", "git log --format=<str>"},
      {"echo a\\ b", "echo <str>"},
      {"printf 'unterminated", "printf <str>"},
      {"x -- -5", "x -- -5"},
      {"cat -", "cat -"},
      {"npm install", "npm install"},
      {"python3 -m http.server 8000", "python3 -m http.server <num>"},
  };
  for (const Case& c : cases) EXPECT_EQ(CommandTemplate(c.in), c.out) << "input: " << c.in;
}

TEST(TemplatesTest, SameTemplateForRunsThatDifferInArguments) {
  EXPECT_EQ(CommandTemplate("git add src/a.c"), CommandTemplate("git add README.md"));
  EXPECT_EQ(CommandTemplate("ssh -p 22 h"), CommandTemplate("ssh -p 2222 h"));
  EXPECT_NE(CommandTemplate("git add -p"), CommandTemplate("git add x.c"));
}

TEST(TemplatesTest, CommandHead) {
  EXPECT_EQ(CommandHead("git commit -m x"), "git commit");
  EXPECT_EQ(CommandHead("git -C x status"), "git");
  EXPECT_EQ(CommandHead("make"), "make");
  EXPECT_EQ(CommandHead("vim a.c"), "vim");
  EXPECT_EQ(CommandHead("FOO=1 cargo build --release"), "cargo build");
  EXPECT_EQ(CommandHead(""), "");
  EXPECT_EQ(CommandHead("| x"), "");
}

TEST(TemplatesTest, SimilarCommands) {
  EXPECT_TRUE(SimilarCommands("gti status", "git status"));  // transposition
  EXPECT_TRUE(SimilarCommands("git comit -m x", "git commit -m x"));
  EXPECT_TRUE(SimilarCommands("cargo build", "cargo build --release"));  // same tool and subcommand
  EXPECT_TRUE(SimilarCommands("git push", "git pull"));                  // distance 2 of 8
  EXPECT_FALSE(SimilarCommands("make", "make"));                         // the same command
  EXPECT_FALSE(SimilarCommands("ls", "cd"));                             // too short to judge
  EXPECT_FALSE(SimilarCommands("make", "make clean"));
  EXPECT_FALSE(SimilarCommands("git status", "npm install"));
}

}  // namespace
}  // namespace tb
