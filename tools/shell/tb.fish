# TermBrain integration for fish 3.3+ (docs/shell-integration.md).
# Load with:  tb init fish | source
#
# fish_preexec appends a started frame, fish_postexec the finished frame
# (core/spool_frame.h) to this shell's spool file, with builtins only -- no
# process is started per command. The text is fish_preexec's argument (the
# command line as typed), the directory $PWD when it starts, the status and
# duration fish's own $status and $CMD_DURATION.
#
# The clock: fish has no $EPOCHREALTIME and no builtin that reads the time,
# so the hooks read /proc/uptime (CLOCK_BOOTTIME, 10 ms steps) and add the
# offset to the epoch that `tb init` measured (realtime - boottime, taken a
# few milliseconds before this script is sourced). When the script was
# cached and is sourced later or after a reboot, the offset is measured
# again, once, with date(1). Start times are therefore 10 ms resolution in
# fish; durations come from $CMD_DURATION (1 ms).
#
# Invisible: event handlers cannot change $status or $pipestatus; a second
# `source` changes nothing. Everything is named __tb_*.
#
# `tb init` replaces the next line with __tb_bin, __tb_spool, __tb_ign_space
# and the clock settings __tb_clock_off, __tb_clock_gen, __tb_clock_boot.
# The daemon: as in tb.bash, one `tb daemon --detach` at the first load when
# __tb_autostart is 1 and none runs, and one `tb drain` at exit when none
# runs and this shell's spool file holds frames (tb init sets __tb_dlock,
# __tb_comm and __tb_autostart too).
# @TB_SETTINGS@

if status is-interactive; and test -r /proc/uptime

    # __tb_esc TEXT: prints TEXT escaped for a frame field.
    function __tb_esc
        # Lines come back as separate elements: escape \ first, then TAB and
        # CR in each line, then join the lines with a literal \n.
        set -l s (string replace -a -- \\ \\\\ $argv[1])
        set s (string replace -a -- \t '\t' $s)
        set s (string replace -a -- \r '\r' $s)
        string join -- '\n' $s
    end

    # The spool directory (and its parent, the spool base) exists, is ours
    # and is not a symlink. A missing level is recreated by one `sh`, level
    # by level and only inside a level already checked: ours, not a symlink,
    # not writable by group or others (see tb.bash).
    function __tb_spool_ok
        set -l base (string replace -r -- '/[^/]*$' '' $__tb_spool)
        if not test -d $__tb_spool; or not test -d "$base"
            command sh -c 'umask 077
              for d; do
                [ -e "$d" ] || [ -h "$d" ] || mkdir -- "$d" || exit 1
                [ -d "$d" ] && [ ! -h "$d" ] && [ -O "$d" ] || exit 1
                case $(stat -c %A -- "$d") in ?????w????|????????w?) exit 1 ;; esac
              done' sh "$base" $__tb_spool 2>/dev/null; or return 1
        end
        test -d $__tb_spool; and test -O $__tb_spool; and not test -L $__tb_spool
        and test -O "$base"; and not test -L "$base"
    end

    # Creates this shell's spool file 0600 whatever the umask (the drain
    # renames it away, so this runs again after each drain; the hooks test -e
    # before each frame). fish's $umask sets the umask without a process.
    function __tb_mkfile
        set -l u $umask
        set umask 0077
        true 2>/dev/null >>$__tb_file
        set umask $u
    end

    # fish has no arithmetic without a command substitution (~20 us each),
    # so the per-command counter comes from a list: __tb_run is
    # <block><two digits popped from __tb_seq>; a new block (one `math`)
    # every 100 commands. Started frame: counter <run>0, finished: <run>1.
    # Escaping only runs when there is something to escape.
    function __tb_preexec --on-event fish_preexec
        # One switch (cheaper than tests): "<off><disabled>:<ignore-space><command>".
        switch "$__tb_off$TERMBRAIN_DISABLED:$__tb_ign_space$argv[1]"
            case ':1 *' '0:1 *'
                return 0  # leading space
            case ':*' '0:*'
            case '*'
                return 0  # paused (tb off) or TERMBRAIN_DISABLED
        end
        test -d $__tb_spool; or __tb_spool_ok; or return 0
        read -l up _ </proc/uptime
        math -s3 $__tb_clock_off + $up | read -l t
        if not set -q __tb_seq[1]
            set -g __tb_blk (math $__tb_blk + 1)
            set -g __tb_seq $__tb_seq_all
        end
        set -g __tb_run $__tb_blk$__tb_seq[-1]
        set -e __tb_seq[-1]
        set -l c $argv[1]
        set -l d $PWD
        if string match -qr '[\\\\\t\n\r]' -- "$c$d"
            set c (__tb_esc $c)
            set d (__tb_esc $d)
        end
        test -e $__tb_file; or __tb_mkfile
        printf 'TB1\tS\t%s\t%s0\t%s\t%s\tfish\t%s\t%s\t.\n' "$__tb_sid" "$__tb_run" "$t" "$__tb_sid" "$d" "$c" >>$__tb_file
        set -g __tb_t $t
        return 0
    end

    function __tb_postexec --on-event fish_postexec
        set -l st $status
        test -n "$__tb_run"; or return 0
        test -d $__tb_spool; or return 0
        read -l up _ </proc/uptime
        math -s3 $__tb_clock_off + $up | read -l t
        test -e $__tb_file; or __tb_mkfile
        printf 'TB1\tF\t%s\t%s1\t%s\t%s\t%s000\t%s0\t.\n' "$__tb_sid" "$__tb_run" "$t" "$st" "$CMD_DURATION" "$__tb_run" >>$__tb_file
        set -g __tb_run ''
        test -e $__tb_spool.warning; and __tb_warn
        return 0
    end

    # The spool warning, once per episode in this shell (see tb.bash).
    function __tb_warn
        read -l --line id msg <$__tb_spool.warning 2>/dev/null; or return 0
        test "$id" != "$__tb_warned"; or return 0
        set -g __tb_warned $id
        printf '%s\n' $msg >&2
    end

    # fish ends during a command (`exit`, closed terminal): finish it, or it
    # would stay "running" in history.
    function __tb_exit --on-event fish_exit
        set -l st $status
        if test -n "$__tb_run"; and test -d $__tb_spool
            read -l up _ </proc/uptime
            math -s3 $__tb_clock_off + $up | read -l t
            math -s0 "max(0, ($t - $__tb_t) * 1000000)" | read -l us
            test -e $__tb_file; or __tb_mkfile
            printf 'TB1\tF\t%s\t%s1\t%s\t%s\t%s\t%s0\t.\n' "$__tb_sid" "$__tb_run" "$t" "$st" "$us" "$__tb_run" >>$__tb_file
            set -g __tb_run ''
        end
        if test -s $__tb_file; and test -x "$__tb_bin"; and not __tb_daemon_up
            command $__tb_bin drain </dev/null >/dev/null 2>&1
        end
        return 0
    end

    # A daemon runs for this data dir (see tb.bash).
    function __tb_daemon_up
        test -r $__tb_dlock; or return 1
        read -l line <$__tb_dlock; or return 1
        set -l f (string split ' ' -- $line)
        test "$f[1]" = pid; and string match -qr '^[1-9][0-9]*$' -- "$f[2]"; or return 1
        test -r /proc/$f[2]/comm; or return 1
        read -l c </proc/$f[2]/comm; or return 1
        test "$c" = "$__tb_comm"
    end

    # The shell-level `tb`: off/on act on this shell, the rest goes to the binary.
    function tb --description 'TermBrain (tb off / tb on pause recording in this shell)'
        if test (count $argv) -eq 1; and test "$argv[1]" = off
            set -g __tb_off 1
            echo 'tb: recording paused in this shell (tb on resumes)' >&2
        else if test (count $argv) -eq 1; and test "$argv[1]" = on
            set -g __tb_off ''
            if test -n "$TERMBRAIN_DISABLED"; and test "$TERMBRAIN_DISABLED" != 0
                echo 'tb: recording resumed in this shell, but TERMBRAIN_DISABLED is set' >&2
            else
                echo 'tb: recording resumed in this shell' >&2
            end
        else if test -x "$__tb_bin"
            command $__tb_bin $argv
        else
            command tb $argv
        end
    end

    # Ctrl-R: the interactive search (`tb search -i`, drawn on /dev/tty;
    # stdout is "run|edit\nCOMMAND", or nothing when cancelled). An accepted
    # command replaces the command line; "run" also executes it.
    function __tb_search_widget
        set -l line (string join \n -- (commandline))
        set -l bin tb
        test -x "$__tb_bin"; and set bin $__tb_bin
        set -l out (command $bin search -i --action-line --shell-line "$line" | string collect)
        if string match -q -- '*'\n'*' "$out"
            set -l parts (string split -m1 \n -- $out)
            commandline -r -- $parts[2]
            commandline -f end-of-buffer
            if test "$parts[1]" = run
                commandline -f execute
            end
        end
        commandline -f repaint
    end
    for mode in default insert
        bind -M $mode \cr __tb_search_widget
        if test "$__tb_up_arrow" = 1
            bind -M $mode \e\[A __tb_search_widget
            bind -M $mode \eOA __tb_search_widget
        end
    end

    if not set -q __tb_sid
        # First load in this shell (globals, not exported: a child fish
        # starts its own session).
        set -g __tb_sid ''
        set -g __tb_run ''
        set -g __tb_t 0
        set -g __tb_off ''
        set -g __tb_warned ''
        set -g __tb_blk 0
        set -g __tb_seq_all
        for a in 9 8 7 6 5 4 3 2 1 0
            for b in 9 8 7 6 5 4 3 2 1 0
                set -a __tb_seq_all $a$b
            end
        end
        set -g __tb_seq
        if test -r /proc/sys/kernel/random/uuid
            read -l u </proc/sys/kernel/random/uuid
            set u (string replace -a -- - '' $u)
            set __tb_sid (string sub -l 12 -- $u)(string sub -s 14 -l 4 -- $u)
        else
            set __tb_sid (printf '%08x%04x%04x' (random 0 4294967295) (random 0 65535) (math "$fish_pid % 65536"))
        end
        string match -qr '[1-9a-f]' -- $__tb_sid; or set __tb_sid 0000000000000001
    end
    set -g __tb_file $__tb_spool/$__tb_sid.spool

    # The baked clock offset holds only for the boot and the moment it was
    # measured; a cached script measures it again.
    set -l __tb_boot ''
    test -r /proc/sys/kernel/random/boot_id; and read __tb_boot </proc/sys/kernel/random/boot_id
    read -l __tb_up _ </proc/uptime
    if test "$__tb_boot" != "$__tb_clock_boot"; or test (math "abs($__tb_up - $__tb_clock_gen)") -gt 60
        set -l __tb_real (command date +%s%6N 2>/dev/null)
        read __tb_up _ </proc/uptime
        string match -qr '^\d+$' -- "$__tb_real"; and set -g __tb_clock_off (math -s6 $__tb_real / 1000000 - $__tb_up + 0.005)
    end

    set -gx TERMBRAIN_SESSION $__tb_sid
    set -gx TERMBRAIN_SHELL fish
    if not __tb_spool_ok
        echo "tb: error: cannot use the spool directory ($__tb_spool): not a directory owned by you. Recording is off in this shell" >&2
        functions -e __tb_preexec __tb_postexec __tb_exit
    else if test "$__tb_autostart" = 1; and not set -q __tb_daemon_tried; and test -x "$__tb_bin"
        set -g __tb_daemon_tried 1
        __tb_daemon_up; or command $__tb_bin daemon --detach </dev/null >/dev/null 2>&1
    end
end
true
