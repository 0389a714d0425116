// The completion scripts (tools/completions.h) over a small command list,
// exactly, and over the real table: what the parsers declare reaches them.
#include "tools/completions.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/tools/run_tb.h"
#include "tools/command_docs.h"
#include "tools/context.h"

namespace tb {
namespace {

OptionInfo Opt(std::string long_name, std::string short_name, std::string value_name,
               std::vector<std::string> choices = {}) {
  OptionInfo o;
  o.long_name = std::move(long_name);
  o.short_name = std::move(short_name);
  o.value_name = std::move(value_name);
  o.description = "text";
  o.choices = std::move(choices);
  return o;
}

// search (values, a free value, a switch), sync key export (three words),
// workflow show (listed operand), import (a file operand).
std::vector<CommandDoc> SmallTable() {
  std::vector<CommandDoc> docs(4);
  docs[0].name = "search";
  docs[0].args.options = {Opt("help", "h", ""), Opt("limit", "n", "N"), Opt("failed", "", ""),
                          Opt("format", "", "F", {"table", "json"})};
  docs[0].args.operands = {"query"};
  docs[1].name = "sync key export";
  docs[1].args.options = {Opt("help", "h", "")};
  docs[2].name = "workflow show";
  docs[2].args.options = {Opt("help", "h", "")};
  docs[2].args.operands = {"name"};
  docs[2].operand_values = {.command = "workflow list", .key = "name"};
  docs[3].name = "import";
  docs[3].args.options = {Opt("help", "h", "")};
  docs[3].args.operands = {"source", "file"};
  return docs;
}

std::string Between(const std::string& s, const std::string& from, const std::string& to) {
  size_t a = s.find(from);
  if (a == std::string::npos) return "<no " + from + ">";
  size_t b = s.find(to, a);
  return s.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

TEST(CompletionsTest, BashTablesExactly) {
  std::string script = CompletionScript("bash", SmallTable());
  EXPECT_EQ(Between(script, "_tb_words() {", "# The values of KEY"),
            R"SH(_tb_words() {
  case $1 in
    '') REPLY='search sync workflow import help version' ;;
    'sync') REPLY='key' ;;
    'sync key') REPLY='export' ;;
    'workflow') REPLY='show' ;;
    *) REPLY='' ;;
  esac
}

_tb_flags() {
  case $1 in
    '') REPLY='--data-dir --config --profile --version -v -h --help' ;;
    'search') REPLY='-h --help -n --limit --failed --format' ;;
    'sync key export') REPLY='-h --help' ;;
    'workflow show') REPLY='-h --help' ;;
    'import') REPLY='-h --help' ;;
    *) REPLY='' ;;
  esac
}

# Status 1: $2 is no flag of command $1 that takes a value. REPLY=''
# with status 0: any value (files).
_tb_values() {
  case "$1 $2" in
    'search -n'|'search --limit') REPLY='' ;;
    'search --format') REPLY='table json' ;;
    *) return 1 ;;
  esac
}

# Status 2: the operands of command $1 are files.
_tb_operands() {
  REPLY=''
  case $1 in
    'workflow show') REPLY="$(_tb_listed name workflow list)" ;;
    'import') return 2 ;;
  esac
}

)SH");
  EXPECT_NE(script.find("\ncomplete -F _tb tb\n"), std::string::npos);
}

TEST(CompletionsTest, ZshSharesTheTablesAndRegistersItself) {
  std::string zsh = CompletionScript("zsh", SmallTable());
  std::string bash = CompletionScript("bash", SmallTable());
  EXPECT_TRUE(zsh.starts_with("#compdef tb\n")) << zsh.substr(0, 40);
  EXPECT_EQ(Between(zsh, "_tb_words() {", "_tb() {"), Between(bash, "_tb_words() {", "_tb() {"));
  EXPECT_NE(zsh.find("elif (($+functions[compdef])); then\n  compdef _tb tb\nfi\n"), std::string::npos);
}

TEST(CompletionsTest, FishTablesExactly) {
  std::string script = CompletionScript("fish", SmallTable());
  EXPECT_EQ(Between(script, "function __tb_values", "# The values of KEY"),
            R"SH(function __tb_values
    switch "$argv[1] $argv[2]"
        case 'search -n' 'search --limit'
            return 0
        case 'search --format'
            printf '%s\n' 'table' 'json'
        case '*'
            return 1
    end
end

# Status 2: the operands of command $argv[1] are files.
function __tb_operands
    switch $argv[1]
        case 'workflow show'
            __tb_listed name workflow list
        case 'import'
            return 2
    end
end

)SH");
  EXPECT_EQ(Between(script, "function __tb_words", "function __tb_flags"),
            R"SH(function __tb_words
    switch $argv[1]
        case ''
            printf '%s\n' 'search' 'sync' 'workflow' 'import' 'help' 'version'
        case 'sync'
            printf '%s\n' 'key'
        case 'sync key'
            printf '%s\n' 'export'
        case 'workflow'
            printf '%s\n' 'show'
    end
end

)SH");
  EXPECT_NE(script.find("\ncomplete -c tb -f -a '(__tb_complete)'\n"), std::string::npos);
}

TEST(CompletionsTest, UnknownShellIsEmpty) { EXPECT_EQ(CompletionScript("tcsh", SmallTable()), ""); }

TEST(CompletionsTest, CommandPrintsTheScriptOrAUsageError) {
  testing::RunOptions o;
  o.env = {{"HOME", "/nonexistent"}};
  testing::RunResult r = testing::RunProcess({testing::TbBinary(), "completions", "fish"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, CompletionScript("fish", DescribeCommands()));
  EXPECT_EQ(r.err, "");
  r = testing::RunProcess({testing::TbBinary(), "completions", "tcsh"}, o);
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "tb: error: unknown shell 'tcsh' (tb completions): expected bash, zsh or fish. Run 'tb help "
            "completions'\n");
  r = testing::RunProcess({testing::TbBinary(), "completions"}, o);
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_EQ(r.err,
            "tb: error: missing shell name (tb completions): expected bash, zsh or fish. Run 'tb help "
            "completions'\n");
}

const CommandDoc& Find(const std::vector<CommandDoc>& docs, const std::string& name) {
  auto it = std::find_if(docs.begin(), docs.end(), [&](const CommandDoc& d) { return d.name == name; });
  EXPECT_NE(it, docs.end()) << name;
  return *it;
}

const OptionInfo* FindOption(const CommandDoc& d, const std::string& name) {
  for (const auto& o : d.args.options) {
    if (o.long_name == name) return &o;
  }
  return nullptr;
}

TEST(CommandDocsTest, EveryRowIsDescribedWithoutOutput) {
  const uint64_t printed = StdoutBytes();
  std::vector<CommandDoc> docs = DescribeCommands();
  EXPECT_EQ(StdoutBytes(), printed);
  ASSERT_EQ(docs.size(), Commands().size());
  for (const CommandDoc& d : docs) {
    EXPECT_TRUE(d.args.usage.starts_with(d.name)) << d.name << ": " << d.args.usage;
    ASSERT_FALSE(d.args.options.empty()) << d.name;
    EXPECT_EQ(d.args.options[0].long_name, "help") << d.name;
  }
}

TEST(CommandDocsTest, ValuesComeFromTheParsers) {
  std::vector<CommandDoc> docs = DescribeCommands();
  const CommandDoc& search = Find(docs, "search");
  const OptionInfo* format = FindOption(search, "format");
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->choices, (std::vector<std::string>{"table", "json", "ndjson", "csv", "plain"}));
  const OptionInfo* mode = FindOption(search, "mode");
  ASSERT_NE(mode, nullptr);
  EXPECT_EQ(mode->choices, (std::vector<std::string>{"substring", "prefix", "fuzzy", "regex", "exact"}));
  const OptionInfo* limit = FindOption(search, "limit");
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->short_name, "n");
  EXPECT_EQ(limit->value_name, "N");
  EXPECT_TRUE(limit->choices.empty());
  EXPECT_EQ(FindOption(Find(docs, "workflow list"), "format")->choices, (std::vector<std::string>{"table", "json"}));
  // From the synopsis: "context [TOPIC] [--for claude|cursor|copilot|generic]".
  EXPECT_EQ(FindOption(Find(docs, "context"), "for")->choices,
            (std::vector<std::string>{"claude", "cursor", "copilot", "generic"}));
  EXPECT_EQ(Find(docs, "init").operand_choices, (std::vector<std::string>{"bash", "zsh", "fish"}));
  const CommandDoc& verify = Find(docs, "backup verify");
  EXPECT_EQ(verify.operand_choices, (std::vector<std::string>{"latest"}));
  EXPECT_STREQ(verify.operand_values.command, "backup list");
  EXPECT_STREQ(verify.operand_values.key, "id");
  EXPECT_STREQ(Find(docs, "workflow run").operand_values.command, "workflow list");
}

TEST(CommandDocsTest, GroupsAreFirstWords) {
  std::vector<CommandDoc> docs = SmallTable();
  EXPECT_EQ(GroupOf("sync key export"), "sync");
  EXPECT_EQ(Groups(docs), (std::vector<std::string>{"search", "sync", "workflow", "import"}));
}

}  // namespace
}  // namespace tb
