#!/usr/bin/env bash
# `systemd-analyze verify` of the two units the package installs, as
# installed: the package's files are staged (cmake --install, DESTDIR) and
# laid over /usr/bin and /usr/lib/systemd in a private mount namespace
# (overlayfs; the machine's own directories are not changed), so ExecStart's
# /usr/bin/tb exists and each unit is found by its name like an installed one:
#   systemd-analyze --user verify termbrain.service          (the user unit)
#   systemd-analyze verify termbrain@tb-ci.service           (the system template)
# Both must print nothing. A broken copy of the template must be reported.
# Usage: units_test.sh BUILD_DIR WORK_DIR   (label ship)
set -euo pipefail
build=$1
work=$(realpath -m "$2")
here=$(dirname "$0")
source "$here/lib.sh"
command -v systemd-analyze >/dev/null || ship_skip "systemd-analyze is missing (Debian's systemd package)"
rm -rf "$work"
mkdir -p "$work/runtime"
chmod 0700 "$work/runtime"
DESTDIR="$work/stage" cmake --install "$build" --prefix /usr >/dev/null
stage=$work/stage/usr
for f in bin/tb lib/systemd/user/termbrain.service lib/systemd/system/termbrain@.service; do
  [ -e "$stage/$f" ] || ship_fail "cmake --install did not stage /usr/$f"
done
# The same template with one value misspelled: verify must say so.
sed 's/^ProtectSystem=strict$/ProtectSystem=strickt/' "$stage/lib/systemd/system/termbrain@.service" \
  >"$stage/lib/systemd/system/tb-broken@.service"
unshare_flags=(-m)
[ "$(id -u)" -eq 0 ] || unshare_flags=(-r -m)
verify() {
  unshare "${unshare_flags[@]}" sh -c '
    mount -t overlay overlay -o lowerdir="$1/bin":/usr/bin /usr/bin &&
    mount -t overlay overlay -o lowerdir="$1/lib/systemd":/usr/lib/systemd /usr/lib/systemd || exit 99
    shift
    XDG_RUNTIME_DIR="$0" systemd-analyze "$@" 2>&1' "$work/runtime" "$stage" "$@"
}
out=$(verify --user verify --man=no termbrain.service) || ship_fail "verify of the user unit exited $?: $out"
ship_expect_eq "systemd-analyze --user verify termbrain.service" "$out" ""
out=$(verify verify --man=no termbrain@tb-ci.service) || ship_fail "verify of the system template exited $?: $out"
ship_expect_eq "systemd-analyze verify termbrain@tb-ci.service" "$out" ""
out=$(verify verify --man=no tb-broken@tb-ci.service 2>&1) || true
grep -q "Failed to parse protect system value, ignoring: strickt" <<<"$out" ||
  ship_fail "verify did not report the misspelled ProtectSystem: '$out'"
echo "ok: systemd-analyze verify passes termbrain.service (user) and termbrain@.service (system)"
