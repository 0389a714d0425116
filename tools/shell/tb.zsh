# TermBrain integration for zsh 5.1+ (docs/shell-integration.md).
# Load with:  eval "$(tb init zsh)"
#
# preexec appends a started frame, precmd the finished frame
# (core/spool_frame.h) to this shell's spool file, with builtins only -- no
# process is started per command. Times come from zsh/datetime
# ($EPOCHREALTIME), the text is preexec's $1 (the line as typed, newlines
# included), the directory is $PWD when the command starts.
#
# Invisible: hooks are added with add-zsh-hook next to any others, run under
# `emulate -L zsh` (the user's options never leak in or out) and return 0;
# zsh itself keeps $?, $_ and $pipestatus for the user. A second eval
# changes nothing. Everything is named __tb_*.
#
# The daemon: as in tb.bash, one `tb daemon --detach` at the first load when
# __tb_autostart is set and none runs, and one `tb drain` at exit when none
# runs and this shell's spool file holds frames.
#
# `tb init` replaces the next line with __tb_bin, __tb_spool, __tb_ign_space,
# __tb_up_arrow, __tb_dlock, __tb_comm and __tb_autostart.
# @TB_SETTINGS@

if [[ -o interactive ]] && zmodload zsh/datetime 2>/dev/null; then
zmodload zsh/system 2>/dev/null  # sysopen, for __tb_mkfile

# __tb_esc TEXT: escapes TEXT for a frame field into __tb_x.
__tb_esc() {
  local s=${1//\\/\\\\}
  s=${s//$'\t'/\\t}
  s=${s//$'\n'/\\n}
  __tb_x=${s//$'\r'/\\r}
}

# Makes sure the spool directory (and its parent, the spool base) exists, is
# ours and is not a symlink. A missing level is recreated by one `sh`,
# level by level and only inside a level already checked: ours, not a
# symlink, not writable by group or others (see tb.bash).
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

# Creates this shell's spool file 0600 whatever the umask (the drain renames
# it away, so this runs again after each drain; the hooks test -e before
# each frame). zsh/system's sysopen gives the mode, no process needed.
__tb_mkfile() {
  local fd
  if zmodload -e zsh/system; then
    sysopen -a -o creat -m 600 -u fd $__tb_file 2>/dev/null && exec {fd}>&-
  else
    (umask 077 && : >>| $__tb_file) 2>/dev/null
  fi
  return 0
}

# __tb_emit FORMAT ARGS...: appends one frame to the spool file, recreating
# the spool directory once if it is gone.
__tb_emit() {
  [[ -e $__tb_file ]] || __tb_mkfile
  builtin printf "$@" 2>/dev/null >>|$__tb_file && return 0
  __tb_spool_ok || return 0
  __tb_mkfile
  builtin printf "$@" 2>/dev/null >>|$__tb_file
  return 0
}

# The hooks do their common work inline: a zsh function call costs as much
# as the rest of the hook.
__tb_preexec() {
  local st=$?
  emulate -L zsh
  local r=$EPOCHREALTIME
  local us=${r%.*}${${r#*.}[1,6]}
  # No precmd since the last start (several lines queued at once).
  [[ -n $__tb_run ]] && __tb_finish "$st" "$us"
  # $1 is the line as typed while the history mechanism is active, even if
  # the line is kept out of the history; $3 (aliases expanded) otherwise.
  local c=${1:-$3} d=$PWD
  [[ -z $__tb_off && ${TERMBRAIN_DISABLED:-0} == 0 && -n $c ]] || return 0
  [[ $__tb_ign_space == 1 && $c == ' '* ]] && return 0
  if [[ $c$d == *[$'\\\t\n\r']* ]]; then
    __tb_esc "$c"
    c=$__tb_x
    __tb_esc "$d"
    d=$__tb_x
  fi
  (( __tb_n += 1 ))
  __tb_run=$__tb_n __tb_t=$us
  [[ -e $__tb_file ]] || __tb_mkfile
  builtin printf 'TB1\tS\t%s\t%s\t%s\t%s\tzsh\t%s\t%s\t.\n' \
      $__tb_sid $__tb_n "${r%.*}.${${r#*.}[1,6]}" $__tb_sid "$d" "$c" 2>/dev/null >>|$__tb_file ||
    __tb_emit 'TB1\tS\t%s\t%s\t%s\t%s\tzsh\t%s\t%s\t.\n' \
      $__tb_sid $__tb_n "${r%.*}.${${r#*.}[1,6]}" $__tb_sid "$d" "$c"
  return 0
}

# __tb_finish STATUS END_US
__tb_finish() {
  local d=$(( $2 - __tb_t ))
  (( d >= 0 )) || d=0
  (( __tb_n += 1 ))
  __tb_emit 'TB1\tF\t%s\t%s\t%s.%s\t%s\t%s\t%s\t.\n' \
    $__tb_sid $__tb_n "${2[1,-7]}" "${2[-6,-1]}" $1 $d $__tb_run
  __tb_run=
  return 0
}

__tb_precmd() {
  local st=$?
  [[ -n $__tb_run ]] || return 0
  emulate -L zsh
  local r=$EPOCHREALTIME
  local us=${r%.*}${${r#*.}[1,6]}
  local d=$(( us - __tb_t ))
  (( d >= 0 )) || d=0
  (( __tb_n += 1 ))
  [[ -e $__tb_file ]] || __tb_mkfile
  builtin printf 'TB1\tF\t%s\t%s\t%s\t%s\t%s\t%s\t.\n' \
      $__tb_sid $__tb_n "${r%.*}.${${r#*.}[1,6]}" $st $d $__tb_run 2>/dev/null >>|$__tb_file ||
    __tb_emit 'TB1\tF\t%s\t%s\t%s\t%s\t%s\t%s\t.\n' \
      $__tb_sid $__tb_n "${r%.*}.${${r#*.}[1,6]}" $st $d $__tb_run
  __tb_run=
  [[ -e $__tb_spool.warning ]] && __tb_warn
  return 0
}

# __tb_warn: the spool warning, once per episode in this shell (see tb.bash).
__tb_warn() {
  emulate -L zsh
  local id= msg=
  { IFS= builtin read -r id && IFS= builtin read -r msg } <$__tb_spool.warning 2>/dev/null || return 0
  [[ $id != $__tb_warned ]] || return 0
  typeset -g __tb_warned=$id
  builtin print -r -- $msg >&2
  return 0
}

# The shell ends during a command (`exit`, closed terminal): finish it, or
# it would stay "running" in history.
__tb_zshexit() {
  local st=$?
  emulate -L zsh
  if [[ -n $__tb_run ]]; then
    local r=$EPOCHREALTIME
    __tb_finish "$st" "${r%.*}${${r#*.}[1,6]}"
  fi
  if [[ -s $__tb_file && -x $__tb_bin ]] && ! __tb_daemon_up; then
    command "$__tb_bin" drain </dev/null >/dev/null 2>&1
  fi
  return 0
}

# __tb_daemon_up: a daemon runs for this data dir (see tb.bash).
__tb_daemon_up() {
  emulate -L zsh
  local w= p= c=
  { IFS=' ' builtin read -r w p _ <$__tb_dlock } 2>/dev/null || return 1
  [[ $w == pid && $p == <1-> ]] || return 1
  { IFS= builtin read -r c </proc/$p/comm } 2>/dev/null || return 1
  [[ $c == $__tb_comm ]]
}

# The shell-level `tb`: off/on act on this shell, the rest goes to the binary.
# (`function tb`, not `tb()`: an alias named tb must not break the definition.)
function tb {
  if (( $# == 1 )) && [[ $1 == off ]]; then
    __tb_off=1
    builtin print -ru2 -- 'tb: recording paused in this shell (tb on resumes)'
  elif (( $# == 1 )) && [[ $1 == on ]]; then
    __tb_off=
    if [[ ${TERMBRAIN_DISABLED:-0} != 0 ]]; then
      builtin print -ru2 -- 'tb: recording resumed in this shell, but TERMBRAIN_DISABLED is set'
    else
      builtin print -ru2 -- 'tb: recording resumed in this shell'
    fi
  elif [[ -x $__tb_bin ]]; then
    command "$__tb_bin" "$@"
  else
    command tb "$@"
  fi
}

# Ctrl-R: the interactive search (`tb search -i`, drawn on /dev/tty; stdout
# is "run|edit\nCOMMAND", or nothing when cancelled). An accepted command
# replaces the buffer; "run" also accepts the line.
__tb_search_widget() {
  emulate -L zsh
  local out
  if [[ -x $__tb_bin ]]; then
    out=$(command "$__tb_bin" search -i --action-line --shell-line "$BUFFER")
  else
    out=$(command tb search -i --action-line --shell-line "$BUFFER")
  fi
  if [[ $out == *$'\n'* ]]; then
    BUFFER=${out#*$'\n'}
    CURSOR=$#BUFFER
    if [[ ${out%%$'\n'*} == run ]]; then
      zle reset-prompt
      zle accept-line
      return 0
    fi
  fi
  zle reset-prompt
  return 0
}

# Load-time work runs under zsh's default options, whatever the user's.
() {
  emulate -L zsh
  if (( ! ${+__tb_sid} )); then
    # First load in this shell (none of this is exported, so a child zsh
    # starts its own session).
    typeset -g __tb_sid= __tb_n=0 __tb_run= __tb_t=0 __tb_off= __tb_x= __tb_warned=
    if IFS= builtin read -r __tb_sid </proc/sys/kernel/random/uuid 2>/dev/null; then
      __tb_sid=${__tb_sid//-/}
      __tb_sid=${__tb_sid[1,12]}${__tb_sid[14,17]}
    else
      __tb_sid=$(( [##16] ((RANDOM << 49) ^ (RANDOM << 34) ^ (RANDOM << 19) ^ (RANDOM << 4) ^ $$ ^ ${EPOCHREALTIME%.*}) & 0x7fffffffffffffff ))
      __tb_sid=${(L)__tb_sid}
    fi
    [[ $__tb_sid == *[1-9a-f]* ]] || __tb_sid=0000000000000001
  fi
  typeset -g __tb_file=$__tb_spool/$__tb_sid.spool
  export TERMBRAIN_SESSION=$__tb_sid TERMBRAIN_SHELL=zsh
  if __tb_spool_ok; then
    autoload -Uz add-zsh-hook
    add-zsh-hook preexec __tb_preexec
    add-zsh-hook precmd __tb_precmd
    add-zsh-hook zshexit __tb_zshexit
    if [[ -n $__tb_autostart && -z ${__tb_daemon_tried-} && -x $__tb_bin ]]; then
      typeset -g __tb_daemon_tried=1
      __tb_daemon_up || command "$__tb_bin" daemon --detach </dev/null >/dev/null 2>&1
    fi
    zle -N __tb_search_widget
    local km key
    for km in emacs viins vicmd; do
      for key in '^R' ${__tb_up_arrow:+'^[[A'} ${__tb_up_arrow:+'^[OA'}; do
        bindkey -M $km $key __tb_search_widget
      done
    done
  else
    builtin print -ru2 -- "tb: error: cannot use the spool directory ($__tb_spool): not a directory owned by you. Recording is off in this shell"
  fi

}
fi
:
