# TermBrain integration for bash 5+ (docs/shell-integration.md).
# Load with:  eval "$(tb init bash)"
#
# Per command line it appends two frames (core/spool_frame.h) to this
# shell's spool file with shell builtins only -- no process is started:
#   started   when the first simple command of the line is about to run
#             (DEBUG trap), or at the next prompt for lines that never reach
#             the trap (a lone subshell "( ... )", a function definition);
#   finished  at the next prompt (first PROMPT_COMMAND entry).
# The text is what readline accepted (captured by wrapping accept-line), so
# it is exact whatever HISTCONTROL / HISTIGNORE / `set +o history` say; the
# history list is the fallback when readline was bypassed.
# A new command line is told apart from the commands PROMPT_COMMAND runs and
# from the extra DEBUG traps of pipelines and lists by bash's own command
# number (the prompt escape \#), which only grows when a typed line runs.
#
# Invisible: $?, $_ and PIPESTATUS are preserved, the user's options are
# never changed, an existing DEBUG trap keeps running, a second eval changes
# nothing, and `set -u` / `set -e` are safe. Everything is named __tb_*.
#
# The daemon (docs/operations.md): at the first load, when __tb_autostart is
# set (daemon.autostart, and no systemd user unit installed) and no daemon
# runs, one `tb daemon --detach`; at exit, when no daemon runs and this
# shell's spool file holds frames, one `tb drain`, so a logout that empties
# the runtime directory right after loses nothing. Whether a daemon runs is
# read without a process: the pid in its lock file names a live tb.
#
# `tb init` replaces the next line with __tb_bin, __tb_spool, __tb_ign_space,
# __tb_up_arrow, __tb_dlock, __tb_comm and __tb_autostart.
# @TB_SETTINGS@

if [[ $- == *i* ]] && (( ${BASH_VERSINFO[0]:-0} >= 5 )); then

# --- helpers ---------------------------------------------------------------

# __tb_esc TEXT: escapes TEXT for a frame field into __tb_x.
__tb_esc() {
  local s=${1//\\/\\\\}
  s=${s//$'\t'/\\t}
  s=${s//$'\n'/\\n}
  __tb_x=${s//$'\r'/\\r}
}

# __tb_spool_ok: makes sure the spool directory (and its parent, the spool
# base) exists, is ours and is not a symlink. A missing level is recreated
# (e.g. a logout emptied $XDG_RUNTIME_DIR) by one `sh`, level by level and
# only inside a level already checked: ours, not a symlink, not writable by
# group or others (the mode needs stat(1), so only on this rare path; `tb
# init` and the drain check modes too).
__tb_spool_ok() {
  if [[ ! -d $__tb_spool || ! -d ${__tb_spool%/*} ]]; then
    command sh -c 'umask 077
      for d; do
        [ -e "$d" ] || [ -h "$d" ] || mkdir -- "$d" || exit 1
        [ -d "$d" ] && [ ! -h "$d" ] && [ -O "$d" ] || exit 1
        case $(stat -c %A -- "$d") in ?????w????|????????w?) exit 1 ;; esac
      done' sh "${__tb_spool%/*}" "$__tb_spool" 2>/dev/null || return 1
  fi
  [[ -d $__tb_spool && -O $__tb_spool && ! -L $__tb_spool &&
     -O ${__tb_spool%/*} && ! -L ${__tb_spool%/*} ]]
}

# __tb_mkfile: creates this shell's spool file 0600 whatever the umask. The
# drain renames the file away, so this runs once per shell after each drain
# (the hooks test -e before each frame). No process: the umask is read from
# /proc, set to 077 for the creation and put back.
__tb_mkfile() {
  local x= u=
  { IFS= read -r x && IFS=$' \t' read -r x u; } </proc/$BASHPID/status 2>/dev/null || :
  if [[ $x == Umask: && $u == [0-7][0-7][0-7][0-7] ]]; then
    builtin umask 077
    : 2>/dev/null >>"$__tb_file" || :
    builtin umask "$u"
  else
    (builtin umask 077 && : >>"$__tb_file") 2>/dev/null
  fi
  return 0
}

# __tb_emit FORMAT ARGS...: appends one frame after a first attempt failed:
# recreates the spool directory once and tries again.
__tb_emit() {
  if __tb_spool_ok; then
    [[ -e $__tb_file ]] || __tb_mkfile
    builtin printf "$@" 2>/dev/null >>"$__tb_file" || :
  fi
  return 0
}

# __tb_histline: the newest history entry, without its number, in __tb_out.
# Only used when readline was bypassed; goes through a private scratch file
# (created on first use) because command substitution would fork.
__tb_histline() {
  __tb_out=
  [[ -o history ]] || return 0
  HISTTIMEFORMAT= builtin history 1 2>/dev/null >|"$__tb_tmp" || return 0
  IFS= builtin read -r -d '' __tb_out <"$__tb_tmp" || :
  : >|"$__tb_tmp"
  local h=${__tb_out#"${__tb_out%%[![:space:]]*}"}
  h=${h#*[0-9][ *] }
  __tb_out=${h%$'\n'}
  return 0
}

# --- start and finish -------------------------------------------------------

# __tb_begin START_US HISTCMD_IF_SAVED: a typed line starts running: writes
# its started frame (unless it is not to be recorded).
__tb_begin() {
  local cmd=$__tb_buf
  __tb_buf= __tb_fresh=1
  if [[ -z $cmd || ( $- == *H* && ( $cmd == *'!'* || $cmd == '^'* ) ) ]]; then
    # readline was bypassed (C-o, edit-and-execute, no line editing...) or
    # history expansion changed the line: the history entry is the truth,
    # if this line made one.
    if [[ -n ${HISTCMD-} && ${HISTCMD-} == "${2-}" ]]; then
      __tb_histline
      [[ -n $__tb_out ]] && cmd=$__tb_out
    fi
  fi
  [[ -n $cmd && -z $__tb_off && ${TERMBRAIN_DISABLED:-0} == 0 ]] || return 0
  [[ $__tb_ign_space == 1 && $cmd == ' '* ]] && return 0
  [[ $cmd == *[![:space:]]* ]] || return 0
  # Escaping costs ~15 us a string in bash: only when there is something
  # to escape.
  local c=$cmd d=$PWD t=$1
  if [[ $c == *[$'\\\t\n\r']* ]]; then
    __tb_esc "$c"
    c=$__tb_x
  fi
  if [[ $d == *[$'\\\t\n\r']* ]]; then
    __tb_esc "$d"
    d=$__tb_x
  fi
  (( __tb_n += 1 ))
  __tb_run=$__tb_n
  __tb_t=$t
  [[ -e $__tb_file ]] || __tb_mkfile
  builtin printf 'TB1\tS\t%s\t%s\t%s.%s\t%s\tbash\t%s\t%s\t.\n' \
      "$__tb_sid" "$__tb_n" "${t%??????}" "${t: -6}" "$__tb_sid" "$d" "$c" 2>/dev/null >>"$__tb_file" ||
    __tb_emit 'TB1\tS\t%s\t%s\t%s.%s\t%s\tbash\t%s\t%s\t.\n' \
      "$__tb_sid" "$__tb_n" "${t%??????}" "${t: -6}" "$__tb_sid" "$d" "$c"
  return 0
}

# __tb_end STATUS END_US: writes the finished frame of the running command.
__tb_end() {
  local d=$(( $2 - __tb_t ))
  (( d >= 0 )) || d=0
  (( __tb_n += 1 ))
  [[ -e $__tb_file ]] || __tb_mkfile
  builtin printf 'TB1\tF\t%s\t%s\t%s.%s\t%s\t%s\t%s\t.\n' \
      "$__tb_sid" "$__tb_n" "${2%??????}" "${2: -6}" "$1" "$d" "$__tb_run" 2>/dev/null >>"$__tb_file" ||
    __tb_emit 'TB1\tF\t%s\t%s\t%s.%s\t%s\t%s\t%s\t.\n' \
      "$__tb_sid" "$__tb_n" "${2%??????}" "${2: -6}" "$1" "$d" "$__tb_run"
  __tb_run=
  return 0
}

# DEBUG trap: runs before every simple command at top level, so the fast
# path (same command number as last time) must stay tiny.
__tb_debug() {
  __tb_st=$?
  local c=${__tb_hash@P}
  [[ $c == "$__tb_cno" ]] && return 0
  [[ $BASHPID == "$__tb_pid" && -z ${READLINE_POINT+x} ]] || return 0
  __tb_cno=$c
  local now=${EPOCHREALTIME/[.,]/}
  if [[ -n $__tb_run ]]; then
    # No prompt since the last start. With nothing new from readline this
    # is the next command of the same pasted buffer: it belongs to the same
    # record. Otherwise our PROMPT_COMMAND entry was removed: finish the
    # previous line with the best status there is and put the entry back.
    [[ -z $__tb_buf ]] && return 0
    __tb_end "$__tb_st" "$now"
  fi
  __tb_hook_prompt
  __tb_begin "${__tb_t0:-$now}" "$__tb_hc"
  __tb_t0=
  return 0
}

# First PROMPT_COMMAND entry: the line that just ran has ended.
__tb_precmd() {
  local st=$? now=${EPOCHREALTIME/[.,]/}
  if [[ $BASHPID == "$__tb_pid" ]]; then
    local c=${__tb_hash@P}
    if [[ $c != "$__tb_cno" ]]; then
      # A line ran that the DEBUG trap never saw: a lone "( ... )", a
      # function definition, or a DEBUG trap set after ours replaced it
      # (then every line is recorded here, at its end). Record it now.
      __tb_cno=$c
      if [[ -n $__tb_hc ]]; then
        __tb_begin "${__tb_t0:-$now}" "$(( __tb_hc + 1 ))"
      else
        __tb_begin "${__tb_t0:-$now}" ""
      fi
    fi
    [[ -n $__tb_run ]] && __tb_end "$st" "$now"
    [[ -e $__tb_spool.warning ]] && __tb_warn
    __tb_buf= __tb_fresh=1 __tb_t0= __tb_hc=${HISTCMD-}
    [[ ${PS0-} == *__tb_t0* && :$BASHOPTS: == *:promptvars:* ]] || __tb_hook_ps0
  fi
  # $? for the PROMPT_COMMAND entries after this one; never non-zero under
  # `set -e`, where a failing PROMPT_COMMAND would end the shell.
  [[ $- == *e* ]] && return 0
  return "$st"
}

# __tb_warn: shows the spool warning (frames wait because the store cannot
# be written; storage/spool_warning.h) on stderr, once per episode (its ID
# line) in this shell. No process is started.
__tb_warn() {
  local id= msg=
  { IFS= builtin read -r id && IFS= builtin read -r msg; } <"$__tb_spool.warning" 2>/dev/null || return 0
  [[ $id != "$__tb_warned" ]] || return 0
  __tb_warned=$id
  builtin printf '%s\n' "$msg" >&2
  return 0
}

# __tb_daemon_up: a daemon runs for this data dir (its lock file names the
# pid of a live process called like our binary). No process is started.
__tb_daemon_up() {
  local w= p= c=
  { IFS=' ' builtin read -r w p _ <"$__tb_dlock"; } 2>/dev/null || return 1
  [[ $w == pid && $p == [1-9]* && $p != *[!0-9]* ]] || return 1
  { IFS= builtin read -r c <"/proc/$p/comm"; } 2>/dev/null || return 1
  [[ $c == "$__tb_comm" ]]
}

# EXIT trap: the shell ends during a command (`exit`, closed terminal):
# finish it, or it would stay "running" in history. Then, with no daemon
# to do it, drain this shell's frames into the store.
__tb_exit() {
  __tb_st=$?
  [[ $BASHPID == "$__tb_pid" ]] || return 0
  [[ -n $__tb_run ]] && __tb_end "$__tb_st" "${EPOCHREALTIME/[.,]/}"
  if [[ -s $__tb_file && -x $__tb_bin ]] && ! __tb_daemon_up; then
    command "$__tb_bin" drain </dev/null >/dev/null 2>&1
  fi
  return 0
}

# Restores $? for a chained trap (see __tb_hook_trap).
__tb_ret() { return "$__tb_st"; }

# Each line readline accepts (Enter, C-j, C-o) passes through here first.
__tb_rl() {
  if [[ -n $__tb_fresh || -z $__tb_buf ]]; then
    __tb_buf=$READLINE_LINE
    __tb_fresh=
  else
    __tb_buf+=$'\n'$READLINE_LINE  # continuation line of the same command
  fi
  return 0
}

# --- installation (idempotent) ----------------------------------------------

# __tb_hook_trap FUNCTION SIGNAL "$(trap -p SIGNAL)": makes FUNCTION the
# SIGNAL (DEBUG, EXIT) trap, chaining the trap already there, which then
# sees the real $? and $_ (a status returned in a condition is harmless
# under `set -e` and extdebug). The caller reads the current trap: inside a
# function bash hides the DEBUG trap.
__tb_hook_trap() {
  local cur=
  if [[ ${3-} == *[![:space:]]* ]]; then
    __tb_trap_arg() { cur=${2-}; }
    eval "__tb_trap_arg ${3#trap }"
    unset -f __tb_trap_arg
  fi
  [[ $cur == *"$1"* ]] && return 0
  if [[ -n $cur ]]; then
    builtin trap -- "$1 \"\$_\"; if __tb_ret \"\$_\"; then
$cur
else
$cur
fi" "$2"
  else
    builtin trap -- "$1 \"\$_\"" "$2"
  fi
  return 0
}

# Puts __tb_precmd first in PROMPT_COMMAND (string or, bash 5.1+, array) so
# it sees the command's $? before any other hook runs.
__tb_hook_prompt() {
  [[ ${PROMPT_COMMAND[*]-} == *__tb_precmd* ]] && return 0
  local e='__tb_precmd "$_"'
  if [[ -v PROMPT_COMMAND && ${PROMPT_COMMAND@a} == *a* ]]; then
    PROMPT_COMMAND=("$e" "${PROMPT_COMMAND[@]}")
  elif [[ -n ${PROMPT_COMMAND-} ]]; then
    PROMPT_COMMAND=$e$'\n'$PROMPT_COMMAND
  else
    PROMPT_COMMAND=$e
  fi
  return 0
}

# Keeps our part of PS0 (start time of every line) while prompt strings are
# expanded (shopt promptvars), and takes it out while they are not.
__tb_hook_ps0() {
  if [[ :$BASHOPTS: == *:promptvars:* ]]; then
    [[ ${PS0-} == *__tb_t0* ]] || PS0=${PS0-}$__tb_ps0
  elif [[ ${PS0-} == *__tb_t0* ]]; then
    PS0=${PS0//"$__tb_ps0"/}
  fi
  return 0
}

# __tb_hook_readline "$(__tb_bindings)": wraps accept-line (and
# operate-and-get-next) in every keymap where Enter still runs it, so
# __tb_rl sees the line first. Keys bound to anything else are left alone.
__tb_hook_readline() {
  [[ -o emacs || -o vi ]] || return 0
  local km key fn seg q=${1-}
  for km in emacs vi-insert vi-command; do
    builtin bind -m "$km" -x '"\C-x\C-_\C-t": __tb_rl "$_"' 2>/dev/null || :
    for fn in accept-line operate-and-get-next; do
      seg=${q%%' ;;'*}
      q=${q#*' ;;'}
      builtin bind -m "$km" "\"\\C-x\\C-_\\C-${fn:0:1}\": $fn" 2>/dev/null || :
      for key in '\C-m' '\C-j' '\C-o'; do
        [[ $seg == *"\"$key\""* ]] || continue
        builtin bind -m "$km" "\"$key\": \"\\C-x\\C-_\\C-t\\C-x\\C-_\\C-${fn:0:1}\"" 2>/dev/null || :
      done
    done
  done
  return 0
}

# The shell-level `tb`: off/on act on this shell, the rest goes to the binary.
# (`function tb`, not `tb()`: an alias named tb must not break the definition.)
function tb {
  if (( $# == 1 )) && [[ $1 == off ]]; then
    __tb_off=1
    builtin printf 'tb: recording paused in this shell (tb on resumes)\n' >&2
  elif (( $# == 1 )) && [[ $1 == on ]]; then
    __tb_off=
    if [[ ${TERMBRAIN_DISABLED:-0} != 0 ]]; then
      builtin printf 'tb: recording resumed in this shell, but TERMBRAIN_DISABLED is set\n' >&2
    else
      builtin printf 'tb: recording resumed in this shell\n' >&2
    fi
  elif [[ -x $__tb_bin ]]; then
    command "$__tb_bin" "$@"
  else
    command tb "$@"
  fi
}

# --- interactive search (Ctrl-R) -------------------------------------------

# Runs `tb search -i` on the current line (the UI draws on /dev/tty; stdout
# is "run|edit\nCOMMAND", or nothing when cancelled, see
# docs/shell-integration.md). An accepted command replaces the line; "run"
# also rebinds the second key of the Ctrl-R macro to Enter, so the line runs
# through the normal Enter path (and is recorded like a typed one).
__tb_search() {
  builtin bind '"\C-x\C-_\C-v": ""' 2>/dev/null
  local out shown=
  __tb_show_line && shown=1
  if [[ -x $__tb_bin ]]; then
    out=$(command "$__tb_bin" search -i --action-line --shell-line "$READLINE_LINE")
  else
    out=$(command tb search -i --action-line --shell-line "$READLINE_LINE")
  fi
  # Back to column 0: readline redraws the line from there.
  [[ -z $shown ]] || builtin printf '\r' >/dev/tty 2>/dev/null
  [[ $out == *$'\n'* ]] || return 0
  READLINE_LINE=${out#*$'\n'}
  READLINE_POINT=${#READLINE_LINE}
  if [[ ${out%%$'\n'*} == run ]]; then
    builtin bind '"\C-x\C-_\C-v": "\C-m"' 2>/dev/null
  fi
  return 0
}

# Before it runs a `bind -x` function, bash blanks the command line, prompt
# included (it clears the visible line when the terminal can clear to the
# end of a line), and redraws it when the function returns; the search UI
# draws below the cursor's row. So the prompt's last line and the command
# line are printed again on that row (cursor at the end) for the time the
# UI is open. Only when they fit on one row with no newline (readline
# redraws from the row the cursor is on), and with bash 4.4 or later
# (${PS1@P}); otherwise the row stays blank. Returns 1 when nothing was shown.
__tb_show_line() {
  (( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4) )) || return 1
  local p=${PS1-}
  p=${p@P}
  p=${p##*$'\n'}
  p=${p//[$'\001\002']/}  # the \[ \] markers of non-printing sequences
  local s=$p$READLINE_LINE
  [[ $s != *$'\n'* ]] && (( ${#s} < ${COLUMNS:-80} )) || return 1
  builtin printf '%s' "$s" >/dev/tty 2>/dev/null
}

# Ctrl-R (and Up when search.up_arrow is on) in every keymap: a macro that
# calls __tb_search, then the key it leaves bound to nothing or Enter.
__tb_bind_search() {
  [[ -o emacs || -o vi ]] || return 0
  local km key
  for km in emacs vi-insert vi-command; do
    builtin bind -m "$km" -x '"\C-x\C-_\C-r": __tb_search' 2>/dev/null || :
    builtin bind -m "$km" '"\C-x\C-_\C-v": ""' 2>/dev/null || :
    for key in '\C-r' ${__tb_up_arrow:+'\e[A' '\eOA'}; do
      builtin bind -m "$km" "\"$key\": \"\\C-x\\C-_\\C-r\\C-x\\C-_\\C-v\"" 2>/dev/null || :
    done
  done
  return 0
}

if [[ -z ${__tb_sid-} ]]; then
  # First load in this shell (not inherited: none of this is exported).
  if [[ -n ${SRANDOM-} ]]; then
    builtin printf -v __tb_sid '%08x%08x' "$SRANDOM" "$SRANDOM"
  elif IFS= builtin read -r __tb_sid </proc/sys/kernel/random/uuid 2>/dev/null; then
    __tb_sid=${__tb_sid//-/}
    __tb_sid=${__tb_sid:0:12}${__tb_sid:13:4}
  else
    builtin printf -v __tb_sid '%04x%04x%04x%04x' "$RANDOM" "$RANDOM" "$RANDOM" "$(( (RANDOM ^ $$) & 65535 ))"
  fi
  [[ $__tb_sid == *[1-9a-f]* ]] || __tb_sid=0000000000000001
  __tb_pid=$BASHPID
  __tb_n=0 __tb_run= __tb_t=0 __tb_st=0 __tb_buf= __tb_fresh=1 __tb_t0= __tb_off= __tb_warned=
  __tb_hash='\#' __tb_e= __tb_x= __tb_out=
  __tb_cno=${__tb_hash@P}
  __tb_hc=${HISTCMD-}
  # PS0 is expanded once per line read, before it runs: it notes the start
  # time for lines the DEBUG trap never sees (arithmetic side effect only,
  # it expands to nothing).
  __tb_ps0='${__tb_e:${__tb_t0:=${EPOCHREALTIME/[.,]/}}*0:0}'
fi
__tb_file=$__tb_spool/$__tb_sid.spool
__tb_tmp=$__tb_spool/.$__tb_sid.tmp
export TERMBRAIN_SESSION=$__tb_sid TERMBRAIN_SHELL=bash
if __tb_spool_ok; then
  # What is in place now: the DEBUG and EXIT traps (read here, at top level:
  # inside a function bash hides the DEBUG trap) and what runs accept-line
  # and operate-and-get-next in each keymap. One fork, at load time only.
  __tb_out=$(builtin trap -p DEBUG; builtin echo ' ;;'; builtin trap -p EXIT; builtin echo ' ;;'
             if [[ -o emacs || -o vi ]]; then
               for __tb_x in emacs vi-insert vi-command; do
                 builtin bind -m "$__tb_x" -q accept-line 2>/dev/null; builtin echo ' ;;'
                 builtin bind -m "$__tb_x" -q operate-and-get-next 2>/dev/null; builtin echo ' ;;'
               done
             fi)
  __tb_hook_trap __tb_debug DEBUG "${__tb_out%%' ;;'*}"
  __tb_out=${__tb_out#*' ;;'$'\n'}
  __tb_hook_trap __tb_exit EXIT "${__tb_out%%' ;;'*}"
  __tb_hook_readline "${__tb_out#*' ;;'$'\n'}"
  __tb_bind_search
  __tb_out= __tb_x=
  __tb_hook_prompt
  __tb_hook_ps0
  if [[ -n $__tb_autostart && -z ${__tb_daemon_tried-} && -x $__tb_bin ]]; then
    __tb_daemon_tried=1
    __tb_daemon_up || command "$__tb_bin" daemon --detach </dev/null >/dev/null 2>&1
  fi
else
  builtin printf 'tb: error: cannot use the spool directory (%s): not a directory owned by you. Recording is off in this shell\n' "$__tb_spool" >&2
fi

fi
:
