#include "tools/manpage.h"

#include <algorithm>

namespace tb {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string Header(const std::string& name, std::string_view version) {
  // No hyphenation: flags stay whole, as typed.
  return ".TH " + RoffText(Upper(name)) + " 1 \"\" \"termbrain " + std::string(version) + "\" \"User Commands\"\n.nh\n";
}

// "\fB\-n\fR, \fB\-\-limit\fR \fIN\fR"
std::string OptionTerm(const OptionInfo& o) {
  std::string out;
  if (!o.short_name.empty()) out += "\\fB" + RoffText("-" + o.short_name) + "\\fR, ";
  out += "\\fB" + RoffText("--" + o.long_name) + "\\fR";
  if (!o.value_name.empty()) out += " \\fI" + RoffText(o.value_name) + "\\fR";
  return out;
}

std::string OneOf(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += i + 1 == values.size() ? " or " : ", ";
    out += "\\fB" + RoffText(values[i]) + "\\fR";
  }
  return out;
}

std::string Overview(const std::vector<CommandDoc>& docs, std::string_view version) {
  std::string out = Header("tb", version);
  out += ".SH NAME\ntb \\- TermBrain, your terminal command memory\n";
  out +=
      ".SH SYNOPSIS\n.B tb\n[\\fB\\-\\-data\\-dir\\fR \\fIDIR\\fR] [\\fB\\-\\-config\\fR \\fIFILE\\fR] "
      "\\fICOMMAND\\fR [\\fIARGS\\fR...]\n";
  out +=
      ".SH DESCRIPTION\nShell hooks record every command you run (text, directory, exit status, duration, "
      "session, host, user, shell); \\fBtb\\fR finds any of them again, summarises the history and keeps it "
      "safe (backups, restore, rollback, retention, redaction of secrets).\n"
      ".PP\n\\fBtb help\\fR \\fICOMMAND\\fR prints the options of one command; each group of commands has its "
      "own page, named in SEE ALSO.\n";
  out += ".SH COMMANDS\n";
  for (const CommandDoc& d : docs) {
    out += ".TP\n.B tb " + RoffText(d.name) + "\n" + RoffText(d.summary) + "\n";
  }
  out += ".TP\n.B tb help \\fR[\\fICOMMAND\\fR]\nthis list, or the options of one command\n";
  out += ".TP\n.B tb version\nprint the version\n";
  out += ".SH GLOBAL OPTIONS\nThey come before \\fICOMMAND\\fR.\n";
  for (const GlobalOption& g : GlobalOptions()) {
    out += ".TP\n\\fB" + RoffText(g.names) + "\\fR";
    if (*g.value_name != '\0') out += " \\fI" + RoffText(g.value_name) + "\\fR";
    out += "\n" + RoffText(g.description) + "\n";
  }
  out += ".SH EXIT STATUS\n0 ok, 1 error, 2 usage, 3 data corruption or foreign store, 4 store busy.\n";
  out +=
      ".SH FILES\n.TP\n\\fI~/.local/share/termbrain\\fR\nthe store (\\fB$XDG_DATA_HOME/termbrain\\fR)\n"
      ".TP\n\\fI~/.config/termbrain/config.toml\\fR\nthe configuration (\\fB$XDG_CONFIG_HOME\\fR)\n"
      ".TP\n\\fI/usr/lib/systemd/user/termbrain.service\\fR\nthe daemon as a systemd user unit\n"
      ".TP\n\\fI/usr/lib/systemd/system/termbrain@.service\\fR\nthe daemon for a service account\n";
  out += ".SH SEE ALSO\n";
  std::vector<std::string> groups = Groups(docs);
  for (size_t i = 0; i < groups.size(); ++i) {
    out += ".BR " + RoffText("tb-" + groups[i]) + " (1)" + (i + 1 < groups.size() ? "," : "") + "\n";
  }
  out +=
      ".PP\nThe documentation in \\fI/usr/share/doc/termbrain\\fR: README.md, operations.md, packaging.md, "
      "security.md, shell\\-integration.md.\n";
  return out;
}

std::string GroupPage(const std::string& group, const std::vector<CommandDoc>& docs, std::string_view version) {
  std::vector<const CommandDoc*> members;
  for (const CommandDoc& d : docs) {
    if (GroupOf(d.name) == group) members.push_back(&d);
  }
  const std::string page = "tb-" + group;
  std::string out = Header(page, version);
  out += ".SH NAME\n" + RoffText(page) + " \\- ";
  if (members.size() == 1 && members[0]->name == group) {
    out += RoffText(members[0]->summary) + "\n";
  } else {
    std::string names;
    for (const CommandDoc* d : members) names += std::string(names.empty() ? "" : ", ") + "tb " + d->name;
    out += RoffText(names) + "\n";
  }
  out += ".SH SYNOPSIS\n.nf\n";
  for (const CommandDoc* d : members) out += RoffText("tb " + d->args.usage) + "\n";
  out += ".fi\n.SH DESCRIPTION\n";
  for (const CommandDoc* d : members) {
    out += ".SS \"tb " + RoffText(d->name) + "\"\n" + RoffText(d->summary) + ".\n";
    if (!d->operand_choices.empty() || d->operand_values.command != nullptr) {
      out += ".PP\nThe operand is ";
      if (!d->operand_choices.empty()) out += OneOf(d->operand_choices);
      if (!d->operand_choices.empty() && d->operand_values.command != nullptr) out += " or ";
      if (d->operand_values.command != nullptr) {
        out += "one that \\fBtb " + RoffText(d->operand_values.command) + "\\fR lists";
      }
      out += ".\n";
    }
    out += ".PP\nOptions:\n";
    for (const OptionInfo& o : d->args.options) {
      out += ".TP\n" + OptionTerm(o) + "\n" + RoffText(o.description);
      // The values, unless the description already names them all.
      bool named = std::all_of(o.choices.begin(), o.choices.end(),
                               [&](const std::string& c) { return o.description.find(c) != std::string::npos; });
      if (!named) out += " (" + OneOf(o.choices) + ")";
      out += "\n";
    }
  }
  out += ".SH SEE ALSO\n.BR tb (1)\n";
  return out;
}

}  // namespace

std::string RoffText(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if ((c == '.' || c == '\'') && (out.empty() || out.back() == '\n')) {
      out += "\\&";
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> ManPageNames(const std::vector<CommandDoc>& docs) {
  std::vector<std::string> out = {"tb"};
  for (const std::string& g : Groups(docs)) out.push_back("tb-" + g);
  return out;
}

std::string ManPage(const std::string& name, const std::vector<CommandDoc>& docs, std::string_view version) {
  if (name == "tb") return Overview(docs, version);
  for (const std::string& g : Groups(docs)) {
    if (name == "tb-" + g) return GroupPage(g, docs, version);
  }
  return "";
}

}  // namespace tb
