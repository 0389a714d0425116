#include "tools/command_docs.h"

#include <algorithm>
#include <optional>
#include <sstream>

#include "tools/commands.h"

namespace tb {
namespace {

// "a|b|c" as its lower-case words ("ID|latest" -> latest); empty when
// there are none or the text is not such a list.
std::vector<std::string> LowerAlternatives(const std::string& text, bool all_lower) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  size_t parts = 0;
  while (std::getline(in, part, '|')) {
    ++parts;
    bool lower = !part.empty() && part[0] >= 'a' && part[0] <= 'z' &&
                 part.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
    if (lower) {
      out.push_back(part);
    } else if (all_lower) {
      return {};
    }
  }
  if (parts < 2) return {};
  return out;
}

// The synopsis as words, without "tb" and the command's own name.
std::vector<std::string> SynopsisWords(const std::string& usage, const std::string& name) {
  std::vector<std::string> words;
  std::stringstream in(usage);
  std::string w;
  while (in >> w) words.push_back(w);
  std::stringstream name_words(name);
  size_t n = 0;
  while (name_words >> w) ++n;
  if (words.size() < n) return {};
  return {words.begin() + static_cast<long>(n), words.end()};
}

std::string Unbracket(std::string w) {
  while (!w.empty() && (w.front() == '[' || w.front() == '(')) w.erase(w.begin());
  while (!w.empty() && (w.back() == ']' || w.back() == ')')) w.pop_back();
  return w;
}

}  // namespace

std::vector<CommandDoc> DescribeCommands() {
  std::vector<CommandDoc> out;
  for (const CommandSpec& c : Commands()) {
    CommandDoc doc;
    doc.name = c.name;
    doc.summary = c.summary;
    doc.operand_values = c.operand_values;
    std::optional<ArgsInfo> info;
    {
      DescribeScope scope(&info);
      Context ctx;
      ctx.command_name = c.name;
      ctx.lifecycle = c.lifecycle;
      (void)c.run(ctx, {});
    }
    if (info) {
      doc.args = std::move(*info);
    } else {
      doc.args.usage = doc.name;
      OptionInfo help;
      help.long_name = "help";
      help.short_name = "h";
      help.description = "show this help";
      doc.args.options.push_back(std::move(help));
    }
    // Choices the synopsis spells out: "--for claude|cursor|copilot|generic",
    // and the first operand's ("init bash|zsh|fish").
    std::vector<std::string> words = SynopsisWords(doc.args.usage, doc.name);
    for (OptionInfo& o : doc.args.options) {
      if (!o.choices.empty() || o.value_name.empty()) continue;
      for (size_t i = 0; i + 1 < words.size(); ++i) {
        if (Unbracket(words[i]) == "--" + o.long_name) o.choices = LowerAlternatives(Unbracket(words[i + 1]), true);
        if (!o.choices.empty()) break;
      }
    }
    if (!words.empty() && !doc.args.operands.empty()) {
      std::string first = Unbracket(words[0]);
      if (!first.starts_with("-")) doc.operand_choices = LowerAlternatives(first, false);
    }
    out.push_back(std::move(doc));
  }
  return out;
}

const std::vector<GlobalOption>& GlobalOptions() {
  static const std::vector<GlobalOption> kGlobals = {
      {"--data-dir", "DIR", "store location (else $TERMBRAIN_DATA_DIR, else $XDG_DATA_HOME/termbrain)"},
      {"--config", "FILE", "config file (else $TERMBRAIN_CONFIG, else $XDG_CONFIG_HOME/termbrain/config.toml)"},
      {"--profile", "", "print where the time went, by phase, on stderr (also TERMBRAIN_PROFILE=1)"},
      {"--version, -v", "", "print the version (also 'tb version')"},
      {"-h, --help", "", "this help; 'tb help COMMAND' for a command's options"},
  };
  return kGlobals;
}

std::string GroupOf(const std::string& name) { return name.substr(0, name.find(' ')); }

std::vector<std::string> Groups(const std::vector<CommandDoc>& docs) {
  std::vector<std::string> out;
  for (const CommandDoc& d : docs) {
    std::string g = GroupOf(d.name);
    if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  }
  return out;
}

}  // namespace tb
