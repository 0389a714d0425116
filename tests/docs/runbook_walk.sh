# shellcheck shell=bash
# Sourced by tests/docs/runbooks_test.sh: reads the walked blocks of a
# runbook (docs/runbooks/README.md, "How the runbooks are tested") and runs
# their commands.
#
# A walked block is a fenced block whose opening line is
# "```console runbook NAME" (indented like the list item it belongs to).
# In it, a line "$ CMD" is a command; "  # exit N" at its end is the exit
# status it must give (0 when absent); the lines after it, up to the next
# command, are lines its output (stdout and stderr together) must hold, in
# that order, where "..." stands for any text.

# rb_blocks FILE: the names of the walked blocks of FILE, one a line.
rb_blocks() {
  sed -n 's/^ *```console runbook \([A-Za-z0-9_-]*\)$/\1/p' "$1"
}

# rb_pattern LINE: LINE as a bash glob pattern ("..." = any text) in rb_pat.
rb_pattern() {
  local s=$1 out="" c
  while [[ -n $s ]]; do
    if [[ $s == ...* ]]; then
      out+="*"
      s=${s:3}
      continue
    fi
    c=${s:0:1}
    case $c in
      '*' | '?' | '[' | ']' | "\\") out+="\\$c" ;;
      *) out+=$c ;;
    esac
    s=${s:1}
  done
  rb_pat=$out
}

# rb_expect OUTPUT EXPECTED: 0 when every line of EXPECTED matches a line of
# OUTPUT, in order; else 1, with the first line not found in rb_missing.
rb_expect() {
  local -a out_lines exp_lines
  mapfile -t out_lines <<<"$1"
  mapfile -t exp_lines <<<"$2"
  local i=0 e
  for e in "${exp_lines[@]}"; do
    [[ -z ${e// /} ]] && continue
    rb_pattern "$e"
    while ((i < ${#out_lines[@]})); do
      # shellcheck disable=SC2053  # rb_pat is a glob on purpose
      [[ ${out_lines[i]} == $rb_pat ]] && break
      ((i++))
    done
    if ((i == ${#out_lines[@]})); then
      rb_missing=$e
      return 1
    fi
    ((i++))
  done
  return 0
}

# rb_walk FILE NAME: runs the commands of FILE's blocks named NAME, in
# order, from the current directory, each in `bash -c` with the current
# environment, stdin from $RB_STDIN (else /dev/null) and at most 60 s.
# Counts commands in rb_ran and failures in rb_failed; a NAME with no
# command is a failure.
rb_walk() {
  local file=$1 name=$2 line indent="" in_block=0
  local -a cmds=() exps=()
  while IFS= read -r line; do
    if ((in_block)); then
      line=${line#"$indent"}
      if [[ $line == '```' ]]; then
        in_block=0
      elif [[ $line == '$ '* ]]; then
        cmds+=("${line:2}")
        exps+=("")
      elif ((${#cmds[@]} > 0)); then
        exps[-1]+="$line"$'\n'
      fi
    elif [[ $line =~ ^(\ *)\`\`\`console\ runbook\ ([A-Za-z0-9_-]+)$ && ${BASH_REMATCH[2]} == "$name" ]]; then
      indent=${BASH_REMATCH[1]}
      in_block=1
    fi
  done <"$file"
  rb_walked+=("$name")
  if ((${#cmds[@]} == 0)); then
    echo "FAIL $file [$name]: no command to walk"
    ((rb_failed++))
    return
  fi
  local k cmd want rc out
  for k in "${!cmds[@]}"; do
    cmd=${cmds[k]}
    want=0
    if [[ $cmd =~ ^(.*[^[:space:]])[[:space:]]+#\ exit\ ([0-9]+)$ ]]; then
      cmd=${BASH_REMATCH[1]}
      want=${BASH_REMATCH[2]}
    fi
    out=$(timeout 60 bash -c "$cmd" <"${RB_STDIN:-/dev/null}" 2>&1)
    rc=$?
    ((rb_ran++))
    if ((rc != want)); then
      printf 'FAIL %s [%s] $ %s\n  exit %d, the runbook says %d; output:\n%s\n' "$file" "$name" "$cmd" "$rc" "$want" \
        "$(sed 's/^/  | /' <<<"$out")"
      ((rb_failed++))
    elif ! rb_expect "$out" "${exps[k]}"; then
      printf 'FAIL %s [%s] $ %s\n  no output line matches "%s" (in order); output:\n%s\n' "$file" "$name" "$cmd" \
        "$rb_missing" "$(sed 's/^/  | /' <<<"$out")"
      ((rb_failed++))
    else
      printf 'ok   [%s] $ %s  (exit %d)\n' "$name" "$cmd" "$rc"
    fi
  done
}
