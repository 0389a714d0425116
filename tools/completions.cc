#include "tools/completions.h"

#include <algorithm>
#include <sstream>
#include <utility>

namespace tb {
namespace {

// The script's data, shell-neutral.
struct ValueFlag {
  std::vector<std::string> spellings;  // "--format", "-f"
  std::vector<std::string> choices;    // empty: any value (files)
};

struct CompletedCommand {
  std::string name;
  std::vector<std::string> flags;
  std::vector<ValueFlag> value_flags;
  std::vector<std::string> operand_choices;
  OperandSource source;
  bool operand_files = false;  // operands without known values: files
};

struct Model {
  std::vector<std::pair<std::string, std::vector<std::string>>> paths;  // path -> next words
  std::vector<std::string> global_flags;
  std::vector<CompletedCommand> commands;
};

std::vector<std::string>& NextWords(Model& m, const std::string& path) {
  for (auto& [p, words] : m.paths) {
    if (p == path) return words;
  }
  m.paths.emplace_back(path, std::vector<std::string>{});
  return m.paths.back().second;
}

void AddOnce(std::vector<std::string>& v, const std::string& w) {
  if (std::find(v.begin(), v.end(), w) == v.end()) v.push_back(w);
}

Model BuildModel(const std::vector<CommandDoc>& docs) {
  Model m;
  NextWords(m, "");
  for (const CommandDoc& d : docs) {
    std::stringstream in(d.name);
    std::string word, path;
    while (in >> word) {
      AddOnce(NextWords(m, path), word);
      path += (path.empty() ? "" : " ") + word;
    }
    CompletedCommand c;
    c.name = d.name;
    for (const OptionInfo& o : d.args.options) {
      std::vector<std::string> spellings;
      if (!o.short_name.empty()) spellings.push_back("-" + o.short_name);
      spellings.push_back("--" + o.long_name);
      for (const auto& s : spellings) c.flags.push_back(s);
      if (!o.value_name.empty()) c.value_flags.push_back({spellings, o.choices});
    }
    c.operand_choices = d.operand_choices;
    c.source = d.operand_values;
    // An operand named file or path ("tb import SOURCE FILE") takes a file.
    for (const std::string& op : d.args.operands) c.operand_files |= op == "file" || op == "path";
    m.commands.push_back(std::move(c));
  }
  AddOnce(NextWords(m, ""), "help");
  AddOnce(NextWords(m, ""), "version");
  for (const GlobalOption& g : GlobalOptions()) {
    std::stringstream in(g.names);
    std::string name;
    while (std::getline(in, name, ',')) {
      name.erase(0, name.find_first_not_of(' '));
      m.global_flags.push_back(name);
    }
  }
  return m;
}

// Single-quoted for the shell (names and values are plain words, but a
// quote is still quoted).
std::string Q(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string Join(const std::vector<std::string>& v, const char* sep = " ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// `pattern` for one command and flag: 'search --format'.
std::string Key(const std::string& cmd, const std::string& flag) { return Q(cmd + " " + flag); }

// --- bash and zsh: the same tables (POSIX case), their own walker. ---

std::string ShTables(const Model& m) {
  std::string out;
  out += "_tb_words() {\n  case $1 in\n";
  for (const auto& [path, words] : m.paths) out += "    " + Q(path) + ") REPLY=" + Q(Join(words)) + " ;;\n";
  out += "    *) REPLY='' ;;\n  esac\n}\n\n";

  out += "_tb_flags() {\n  case $1 in\n";
  out += "    '') REPLY=" + Q(Join(m.global_flags)) + " ;;\n";
  for (const auto& c : m.commands) out += "    " + Q(c.name) + ") REPLY=" + Q(Join(c.flags)) + " ;;\n";
  out += "    *) REPLY='' ;;\n  esac\n}\n\n";

  out +=
      "# Status 1: $2 is no flag of command $1 that takes a value. REPLY=''\n"
      "# with status 0: any value (files).\n";
  out += "_tb_values() {\n  case \"$1 $2\" in\n";
  for (const auto& c : m.commands) {
    for (const auto& f : c.value_flags) {
      std::vector<std::string> keys;
      for (const auto& s : f.spellings) keys.push_back(Key(c.name, s));
      out += "    " + Join(keys, "|") + ") REPLY=" + Q(Join(f.choices)) + " ;;\n";
    }
  }
  out += "    *) return 1 ;;\n  esac\n}\n\n";

  out += "# Status 2: the operands of command $1 are files.\n";
  out += "_tb_operands() {\n  REPLY=''\n  case $1 in\n";
  for (const auto& c : m.commands) {
    if (c.operand_choices.empty() && c.source.command == nullptr) {
      if (c.operand_files) out += "    " + Q(c.name) + ") return 2 ;;\n";
      continue;
    }
    std::string value = Join(c.operand_choices);
    if (c.source.command != nullptr) {
      value += std::string(value.empty() ? "" : " ") + "$(_tb_listed " + c.source.key + " " + c.source.command + ")";
    }
    out += "    " + Q(c.name) + ") REPLY=\"" + value + "\" ;;\n";
  }
  out += "  esac\n}\n\n";

  out +=
      "# The values of KEY in what `tb LISTING... --format json` lists.\n"
      "_tb_listed() {\n"
      "  local key=$1\n"
      "  shift\n"
      "  tb \"${_tb_globals[@]}\" \"$@\" --format json 2>/dev/null |\n"
      "    grep -o \"\\\"$key\\\": *\\(\\\"[^\\\"]*\\\"\\|[0-9][0-9]*\\)\" | sed 's/^[^:]*: *//; s/\"//g'\n"
      "}\n\n";
  return out;
}

std::string BashScript(const Model& m) {
  std::string out =
      "# bash completion for tb, printed by `tb completions bash` from tb's command table.\n"
      "# Load it with: source <(tb completions bash)   (tb init bash includes it)\n\n";
  out += ShTables(m);
  out += R"SH(_tb() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev='' cmd='' w i=1 help=0 next='' REPLY
  local -a _tb_globals=()
  COMPREPLY=()
  while ((i < COMP_CWORD)); do
    w=${COMP_WORDS[i]}
    case $w in
      --data-dir | --config)
        if ((i + 1 == COMP_CWORD)); then
          _tb_files "$cur"
          return
        fi
        _tb_globals+=("$w" "${COMP_WORDS[i + 1]}")
        ((i += 2))
        ;;
      -*) ((i += 1)) ;;
      *) break ;;
    esac
  done
  if ((i < COMP_CWORD)) && [[ ${COMP_WORDS[i]} == help ]]; then
    help=1
    ((i += 1))
  fi
  while ((i < COMP_CWORD)); do
    _tb_words "$cmd"
    [[ " $REPLY " == *" ${COMP_WORDS[i]} "* ]] || break
    cmd=${cmd:+$cmd }${COMP_WORDS[i]}
    ((i += 1))
  done
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  if [[ $cur == = ]]; then
    cur=''
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  fi
  if ((help)); then
    _tb_words "$cmd"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return
  fi
  if [[ -n $cmd && $prev == -* ]] && _tb_values "$cmd" "$prev"; then
    if [[ -n $REPLY ]]; then
      COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    else
      _tb_files "$cur"
    fi
    return
  fi
  if [[ $cur == -* ]]; then
    _tb_flags "$cmd"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return
  fi
  if ((i == COMP_CWORD)); then
    _tb_words "$cmd"
    next=$REPLY
    [[ -n $cmd ]] || next+=" $(_tb_plugins)"
  fi
  _tb_operands "$cmd"
  if (($? == 2)) && [[ -z $next ]]; then
    _tb_files "$cur"
    return
  fi
  COMPREPLY=($(compgen -W "$next $REPLY" -- "$cur"))
}

# The plugins: NAME of each tb-NAME command on PATH.
_tb_plugins() {
  compgen -c tb- | sed 's/^tb-//'
}

_tb_files() {
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -f -- "$1"))
}
complete -F _tb tb
)SH";
  return out;
}

std::string ZshScript(const Model& m) {
  std::string out =
      "#compdef tb\n"
      "# zsh completion for tb, printed by `tb completions zsh` from tb's command table.\n"
      "# Load it after compinit with: source <(tb completions zsh)   (tb init zsh includes it)\n\n";
  out += ShTables(m);
  out += R"SH(_tb() {
  emulate -L zsh
  local cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmd='' w i=2 help=0 next='' REPLY
  local -a _tb_globals
  while ((i < CURRENT)); do
    w=${words[i]}
    case $w in
      (--data-dir|--config)
        if ((i + 1 == CURRENT)); then
          _files
          return
        fi
        _tb_globals+=("$w" "${words[i+1]}")
        ((i += 2))
        ;;
      (-*) ((i += 1)) ;;
      (*) break ;;
    esac
  done
  if ((i < CURRENT)) && [[ ${words[i]} == help ]]; then
    help=1
    ((i += 1))
  fi
  while ((i < CURRENT)); do
    _tb_words "$cmd"
    [[ " $REPLY " == *" ${words[i]} "* ]] || break
    cmd=${cmd:+$cmd }${words[i]}
    ((i += 1))
  done
  if ((help)); then
    _tb_words "$cmd"
    compadd -- ${=REPLY}
    return
  fi
  if [[ -n $cmd && $prev == -* ]] && _tb_values "$cmd" "$prev"; then
    if [[ -n $REPLY ]]; then compadd -- ${=REPLY}; else _files; fi
    return
  fi
  if [[ $cur == -* ]]; then
    _tb_flags "$cmd"
    compadd -- ${=REPLY}
    return
  fi
  if ((i == CURRENT)); then
    _tb_words "$cmd"
    next=$REPLY
    # The plugins: NAME of each tb-NAME command on PATH.
    [[ -n $cmd ]] || next+=" ${${(k)commands[(I)tb-*]}#tb-}"
  fi
  _tb_operands "$cmd"
  if (($? == 2)) && [[ -z $next ]]; then
    _files
    return
  fi
  compadd -- ${=next} ${=REPLY}
}

if [[ $funcstack[1] == _tb ]]; then
  _tb "$@"
elif (($+functions[compdef])); then
  compdef _tb tb
fi
)SH";
  return out;
}

// --- fish ---

std::string Lines(const std::vector<std::string>& v) {
  std::string out = "printf '%s\\n'";
  for (const auto& s : v) out += " " + Q(s);
  return out;
}

std::string FishScript(const Model& m) {
  std::string out =
      "# fish completion for tb, printed by `tb completions fish` from tb's command table.\n"
      "# Load it with: tb completions fish | source   (tb init fish includes it)\n\n";
  out += "function __tb_words\n    switch $argv[1]\n";
  for (const auto& [path, words] : m.paths) out += "        case " + Q(path) + "\n            " + Lines(words) + "\n";
  out += "    end\nend\n\n";

  out += "function __tb_flags\n    switch $argv[1]\n";
  out += "        case ''\n            " + Lines(m.global_flags) + "\n";
  for (const auto& c : m.commands) out += "        case " + Q(c.name) + "\n            " + Lines(c.flags) + "\n";
  out += "    end\nend\n\n";

  out +=
      "# Status 1: $argv[2] is no flag of command $argv[1] that takes a value.\n"
      "# Nothing printed with status 0: any value (files).\n";
  out += "function __tb_values\n    switch \"$argv[1] $argv[2]\"\n";
  for (const auto& c : m.commands) {
    for (const auto& f : c.value_flags) {
      std::vector<std::string> keys;
      for (const auto& s : f.spellings) keys.push_back(Key(c.name, s));
      out += "        case " + Join(keys) + "\n            ";
      out += f.choices.empty() ? std::string("return 0") : Lines(f.choices);
      out += "\n";
    }
  }
  out += "        case '*'\n            return 1\n    end\nend\n\n";

  out += "# Status 2: the operands of command $argv[1] are files.\n";
  out += "function __tb_operands\n    switch $argv[1]\n";
  for (const auto& c : m.commands) {
    if (c.operand_choices.empty() && c.source.command == nullptr) {
      if (c.operand_files) out += "        case " + Q(c.name) + "\n            return 2\n";
      continue;
    }
    out += "        case " + Q(c.name) + "\n";
    if (!c.operand_choices.empty()) out += "            " + Lines(c.operand_choices) + "\n";
    if (c.source.command != nullptr) {
      out += "            __tb_listed " + std::string(c.source.key) + " " + c.source.command + "\n";
    }
  }
  out += "    end\nend\n\n";

  out += R"SH(# The values of KEY in what `tb LISTING... --format json` lists.
function __tb_listed
    set -l key $argv[1]
    tb $__tb_globals $argv[2..-1] --format json 2>/dev/null |
        grep -o "\"$key\": *\(\"[^\"]*\"\|[0-9][0-9]*\)" | sed 's/^[^:]*: *//; s/"//g'
end

# The plugins: NAME of each tb-NAME command on PATH.
function __tb_plugins
    for dir in $PATH
        for f in $dir/tb-*
            test -x $f; and string replace -r '^.*/tb-' '' -- $f
        end
    end
end

function __tb_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l n (count $tokens)
    set -g __tb_globals
    set -l i 2
    while test $i -le $n
        switch $tokens[$i]
            case --data-dir --config
                if test $i -eq $n
                    __fish_complete_path $cur
                    return
                end
                set -a __tb_globals $tokens[$i] $tokens[(math $i + 1)]
                set i (math $i + 2)
            case '-*'
                set i (math $i + 1)
            case '*'
                break
        end
    end
    set -l help 0
    if test $i -le $n; and test "$tokens[$i]" = help
        set help 1
        set i (math $i + 1)
    end
    set -l cmd ''
    while test $i -le $n
        contains -- $tokens[$i] (__tb_words $cmd); or break
        set cmd (string trim -- "$cmd $tokens[$i]")
        set i (math $i + 1)
    end
    if test $help = 1
        __tb_words $cmd
        return
    end
    set -l prev $tokens[$n]
    if test -n "$cmd"; and string match -q -- '-*' $prev
        set -l values (__tb_values $cmd $prev)
        if test $status -eq 0
            if test (count $values) -gt 0
                printf '%s\n' $values
            else
                __fish_complete_path $cur
            end
            return
        end
    end
    if string match -q -- '-*' $cur
        __tb_flags $cmd
        return
    end
    set -l next
    if test $i -gt $n
        set next (__tb_words $cmd)
        test -n "$cmd"; or set -a next (__tb_plugins)
    end
    set -l operands (__tb_operands $cmd)
    if test $status -eq 2; and test (count $next) -eq 0
        __fish_complete_path $cur
        return
    end
    test (count $next $operands) -gt 0; and printf '%s\n' $next $operands
end

complete -c tb -f -a '(__tb_complete)'
)SH";
  return out;
}

}  // namespace

std::string CompletionScript(std::string_view shell, const std::vector<CommandDoc>& docs) {
  Model m = BuildModel(docs);
  if (shell == "bash") return BashScript(m);
  if (shell == "zsh") return ZshScript(m);
  if (shell == "fish") return FishScript(m);
  return "";
}

}  // namespace tb
