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
# @TB_SETTINGS@

if status is-interactive; and test -r /proc/uptime

    # __tb_esc TEXT: prints TEXT escaped for a frame field.
    function __tb_esc
        if not string match -qr '[\\\\\t\n\r]' -- $argv[1]
            printf '%s' $argv[1]
            return 0
        end
        # Lines come back as separate elements: escape \ first, then TAB and
        # CR in each line, then join the lines with a literal \n.
        set -l s (string replace -a -- \\ \\\\ $argv[1])
        set s (string replace -a -- \t '\t' $s)
        set s (string replace -a -- \r '\r' $s)
        string join -- '\n' $s
    end

    # The spool directory exists, is ours and is not a symlink (recreated
    # once if a logout emptied $XDG_RUNTIME_DIR).
    function __tb_spool_ok
        if not test -d $__tb_spool
            command sh -c 'umask 077 && mkdir -p -- "$1"' sh $__tb_spool 2>/dev/null
        end
        test -d $__tb_spool; and test -O $__tb_spool; and not test -L $__tb_spool
    end

    function __tb_preexec --on-event fish_preexec
        set -l cmd $argv[1]
        test -z "$__tb_off"; and test "$TERMBRAIN_DISABLED" = 0 -o -z "$TERMBRAIN_DISABLED"; or return 0
        if test "$__tb_ign_space" = 1; and string match -q -- ' *' $cmd
            return 0
        end
        string match -qr '\S' -- $cmd; or return 0
        test -d $__tb_spool; or __tb_spool_ok; or return 0
        read -l up _ </proc/uptime
        set -l us (math -s0 $__tb_clock_off + (string replace . '' -- $up)0000)
        set -l c (__tb_esc $cmd)
        set -l d (__tb_esc $PWD)
        set -g __tb_n (math $__tb_n + 1)
        set -g __tb_run $__tb_n
        printf 'TB1\tS\t%s\t%s\t%s\t%s\tfish\t%s\t%s\t.\n' $__tb_sid $__tb_n \
            (string replace -r '(\d{6})$' '.$1' -- $us) $__tb_sid "$d" "$c" >>$__tb_file
        return 0
    end

    function __tb_postexec --on-event fish_postexec
        set -l st $status
        test -n "$__tb_run"; or return 0
        test -d $__tb_spool; or __tb_spool_ok; or return 0
        read -l up _ </proc/uptime
        set -l us (math -s0 $__tb_clock_off + (string replace . '' -- $up)0000)
        set -g __tb_n (math $__tb_n + 1)
        printf 'TB1\tF\t%s\t%s\t%s\t%s\t%s000\t%s\t.\n' $__tb_sid $__tb_n \
            (string replace -r '(\d{6})$' '.$1' -- $us) $st $CMD_DURATION $__tb_run >>$__tb_file
        set -g __tb_run ''
        return 0
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

    if not set -q __tb_sid
        # First load in this shell (globals, not exported: a child fish
        # starts its own session).
        set -g __tb_sid ''
        set -g __tb_n 0
        set -g __tb_run ''
        set -g __tb_off ''
        if test -r /proc/sys/kernel/random/uuid
            read -l u </proc/sys/kernel/random/uuid
            set u (string replace -a -- - '' $u)
            set __tb_sid (string sub -l 12 -- $u)(string sub -s 14 -l 4 -- $u)
        else
            set __tb_sid (printf '%08x%04x%04x' (random 0 4294967295) (random 0 65535) (math "$fish_pid % 65536"))
        end
        string match -qr '[1-9a-f]' -- $__tb_sid; or set __tb_sid 0000000000000001
        set -g __tb_file $__tb_spool/$__tb_sid.spool
    end

    # The baked clock offset holds only for the boot and the moment it was
    # measured; a cached script measures it again.
    set -l __tb_boot ''
    test -r /proc/sys/kernel/random/boot_id; and read __tb_boot </proc/sys/kernel/random/boot_id
    read -l __tb_up _ </proc/uptime
    set __tb_up (string replace . '' -- $__tb_up)0000
    if test "$__tb_boot" != "$__tb_clock_boot"; or test (math "abs($__tb_up - $__tb_clock_gen)") -gt 60000000
        set -l __tb_real (command date +%s%6N 2>/dev/null)
        read __tb_up _ </proc/uptime
        set __tb_up (string replace . '' -- $__tb_up)0000
        string match -qr '^\d+$' -- "$__tb_real"; and set -g __tb_clock_off (math -s0 $__tb_real - $__tb_up + 5000)
    end
    set -e __tb_boot __tb_up __tb_real

    set -gx TERMBRAIN_SESSION $__tb_sid
    set -gx TERMBRAIN_SHELL fish
    if not __tb_spool_ok
        echo "tb: error: cannot use the spool directory ($__tb_spool): not a directory owned by you. Recording is off in this shell" >&2
        functions -e __tb_preexec __tb_postexec
    end
end
true
