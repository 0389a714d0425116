#!/usr/bin/env bash
# Walks the runbooks of docs/runbooks/ (ctest, label docs): for each one it
# makes the situation the runbook is for on a store of its own (a full
# file system, a damaged write-ahead log, a lost key, a killed daemon, a sync
# server that was away), runs the runbook's walked blocks as written
# (tests/docs/runbook_walk.sh) and checks the store is healthy at the end.
# Every walked block of every runbook must be walked here.
# Usage: runbooks_test.sh TB_BINARY SOURCE_DIR [SITUATION...]
set -uo pipefail
TB_BIN=$1
SRC=$2
# shellcheck source=tests/docs/runbook_walk.sh
. "$SRC/tests/docs/runbook_walk.sh"
RB=$SRC/docs/runbooks
rb_ran=0
rb_failed=0
rb_walked=()

W=$(mktemp -d "${TMPDIR:-/tmp}/tb-runbooks.XXXXXX")
NATS_PID=""
MOUNTED=""
cleanup() {
  local lock pid i
  # The daemons this test started: each named in its data dir's lock file.
  while IFS= read -r lock; do
    pid=$(sed -n 's/^pid \([0-9]*\) .*/\1/p' "$lock")
    [[ -n $pid ]] || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  done < <(find "$W" -name daemon.lock 2>/dev/null)
  [[ -n $NATS_PID ]] && kill -TERM "$NATS_PID" 2>/dev/null && wait "$NATS_PID" 2>/dev/null
  [[ -n $MOUNTED ]] && umount -l "$MOUNTED"
  rm -rf "$W"
}
trap cleanup EXIT

mkdir -p "$W/bin"
ln -s "$TB_BIN" "$W/bin/tb"
export PATH="$W/bin:/usr/sbin:/usr/bin:/sbin:/bin" TZ=UTC LC_ALL=C.UTF-8
while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(TERMBRAIN_[A-Z_]*\)=.*/\1/p')
unset DIR

# fresh NAME: a new home for one situation (HOME, the XDG dirs, a shell
# with the hooks loaded as far as tb doctor can tell), the current
# directory its work dir; DIR is the data dir the runbooks name.
fresh() {
  local base=$W/$1
  mkdir -p "$base/home" "$base/work"
  mkdir -m 700 "$base/runtime"
  export HOME=$base/home XDG_DATA_HOME=$base/home/.local/share XDG_CONFIG_HOME=$base/home/.config
  export XDG_RUNTIME_DIR=$base/runtime TERMBRAIN_SHELL=bash TERMBRAIN_SESSION=5eed00000000000a
  unset TERMBRAIN_DATA_DIR RB_STDIN
  export DIR=$XDG_DATA_HOME/termbrain
  SPOOL_DIR=""
  cd "$base/work" || exit 1
}

# must CMD...: runs a set-up command; a failure ends the test.
must() {
  local out
  if ! out=$("$@" 2>&1); then
    printf 'FAIL set-up: %s\n%s\n' "$*" "$out"
    exit 1
  fi
}

# seed N: a store at $DIR holding N imported commands.
seed() {
  local i
  for ((i = 1; i <= $1; i++)); do echo "make target-$i"; done >"$W/seed.txt"
  must tb import bash "$W/seed.txt"
}

# spool_hook_command N TEXT: what a shell hook writes for one finished
# command (started and finished frames, docs/formats.md, "Spool files").
# (The spool dir is asked of tb doctor once per situation, before the
# frames: a tb between two appends may drain the file.)
spool_hook_command() {
  if [[ -z $SPOOL_DIR ]]; then
    SPOOL_DIR=$(tb doctor 2>/dev/null | awk '$2 == "spool" {print $3}')
    SPOOL_DIR=${SPOOL_DIR%:}
    [[ -n $SPOOL_DIR ]] || { echo "FAIL set-up: no spool dir in tb doctor"; exit 1; }
  fi
  local dir=$SPOOL_DIR
  (umask 077 && mkdir -p "$dir")  # 0700 like the hooks make it, parent too
  local now sec usec
  now=$(date +%s.%6N)
  sec=${now%.*} usec=${now#*.}
  printf 'TB1\tS\t%s\t%d\t%d.%s\t%s\tbash\t/tmp\t%s\t.\nTB1\tF\t%s\t%d\t%d.%s\t0\t1000\t%d\t.\n' \
    "$TERMBRAIN_SESSION" $((2 * $1)) "$sec" "$usec" "$TERMBRAIN_SESSION" "$2" "$TERMBRAIN_SESSION" $((2 * $1 + 1)) \
    $((sec + 1)) "$usec" $((2 * $1)) >>"$dir/$TERMBRAIN_SESSION.spool"
}

# healthy: the store at $DIR passes both verifications (and DIR is the
# data dir `tb config show` names, as docs/runbooks/README.md says).
healthy() {
  local what=$1
  if [[ $(tb config show | sed -n 's/^# data dir: //p') != "$DIR" ]]; then
    echo "FAIL [$what] tb config show does not name $DIR"
    ((rb_failed++))
  fi
  if tb log verify >/dev/null 2>&1 && tb views verify >/dev/null 2>&1; then
    echo "ok   [$what] the store ends healthy (tb log verify, tb views verify)"
  else
    echo "FAIL [$what] the store is not healthy at the end"
    ((rb_failed++))
  fi
}

# --- disk full -------------------------------------------------------------
disk_full() {
  fresh disk-full
  if [[ $(id -u) != 0 ]]; then
    echo "skip [disk-full]: mounting a small tmpfs needs root"
    rb_walked+=(disk-full)
    return
  fi
  mkdir -p "$W/disk-full/mnt"
  must mount -t tmpfs -o size=24m,mode=0700 tmpfs "$W/disk-full/mnt"
  MOUNTED=$W/disk-full/mnt
  export DIR=$W/disk-full/mnt/termbrain TERMBRAIN_DATA_DIR=$W/disk-full/mnt/termbrain
  seed 50
  must tb backup create
  must tb record --command "make clean"
  must tb backup create
  # Someone else's file fills the disk below the 8 MiB reserve; a command
  # typed meanwhile waits in the spool.
  export JUNK=$W/disk-full/mnt/old-build.tar
  must dd if=/dev/zero of="$JUNK" bs=1M count=19 status=none
  spool_hook_command 1 "make release"
  rb_walk "$RB/disk-full.md" disk-full
  healthy disk-full
  umount -l "$MOUNTED"
  MOUNTED=""
}

# --- corrupted store -------------------------------------------------------
# damage: the store at $DIR, backed up, then eight commands whose last write
# is cut off the write-ahead log (the store acknowledged it).
damage() {
  seed 50
  must tb backup create --note "nightly"
  local i wal
  for i in 1 2 3 4 5 6 7 8; do must tb record --command "echo after-backup-$i"; done
  wal=$(find "$DIR/db" -name '*.log' | sort | tail -n 1)
  must truncate -s -40 "$wal"
}

corrupted_store() {
  fresh corrupted-store
  damage
  rb_walk "$RB/corrupted-store.md" corrupted-store
  healthy corrupted-store
  rb_walk "$RB/corrupted-store.md" corrupted-store-cleanup

  fresh corrupted-store-restore
  damage
  rb_walk "$RB/corrupted-store.md" corrupted-store-restore
  healthy corrupted-store-restore
}

# --- lost keys -------------------------------------------------------------
lost_key() {
  # The key file: the store is encrypted with it; a copy sits offline.
  fresh lost-key-file
  export KEY_FILE=$HOME/.config/termbrain/store.key KEY_COPY=$HOME/offline/store.key
  mkdir -p "$HOME/.config/termbrain" "$HOME/offline"
  must tb key generate "$KEY_FILE"
  printf '[storage]\nencryption = "keyfile"\nkey_file = "%s"\n' "$KEY_FILE" >"$HOME/.config/termbrain/config.toml"
  seed 20
  must cp "$KEY_FILE" "$KEY_COPY"
  rm -f "$KEY_FILE"
  rb_walk "$RB/lost-key.md" lost-key-file
  healthy lost-key-file

  # The passphrase: forgotten while the store is still unlocked. (Argon2id
  # at its smallest cost: the test is about the steps, not the KDF.)
  fresh lost-passphrase
  export TERMBRAIN_STORAGE_KDF_OPS=1 TERMBRAIN_STORAGE_KDF_MEMORY_MB=8
  mkdir -p "$HOME/.config/termbrain"
  printf '[storage]\nencryption = "passphrase"\n' >"$HOME/.config/termbrain/config.toml"
  printf 'the old one nobody remembers\n' >"$W/old-pass"
  must tb unlock <"$W/old-pass"
  seed 20
  printf 'a new passphrase to remember\n' >"$W/new-pass"
  export RB_STDIN=$W/new-pass
  rb_walk "$RB/lost-key.md" lost-passphrase
  healthy lost-passphrase

  # DIR/key.wrapped deleted; a copy of the data dir (a home backup) has it.
  fresh lost-wrapped-key
  mkdir -p "$HOME/.config/termbrain" "$HOME/home-backup"
  printf '[storage]\nencryption = "passphrase"\n' >"$HOME/.config/termbrain/config.toml"
  must tb unlock <"$W/old-pass"
  seed 20
  export WRAPPED_COPY=$HOME/home-backup/key.wrapped
  must cp "$DIR/key.wrapped" "$WRAPPED_COPY"
  must tb lock
  rm -f "$DIR/key.wrapped"
  export RB_STDIN=$W/old-pass
  rb_walk "$RB/lost-key.md" lost-wrapped-key
  healthy lost-wrapped-key
  unset TERMBRAIN_STORAGE_KDF_OPS TERMBRAIN_STORAGE_KDF_MEMORY_MB

  # The sync key: this machine's store is new (the old disk died) and the
  # exported key file is gone; another machine still syncs.
  fresh lost-sync-key
  local other=$W/lost-sync-key/other-machine
  must tb --data-dir "$other" sync init
  seed 5
  printf 'sync passphrase\n' >"$W/sync-pass"
  export RB_STDIN=$W/sync-pass
  DIR=$other TERMBRAIN_DATA_DIR=$other rb_walk "$RB/lost-key.md" lost-sync-key-other
  rb_walk "$RB/lost-key.md" lost-sync-key
  healthy lost-sync-key
}

# --- daemon down -----------------------------------------------------------
daemon_down() {
  fresh daemon-down
  seed 20
  must tb daemon --detach
  local pid
  pid=$(sed -n 's/^pid \([0-9]*\) .*/\1/p' "$DIR/daemon.lock")
  [[ -n $pid ]] || { echo "FAIL set-up: no daemon pid in $DIR/daemon.lock"; exit 1; }
  local i
  for ((i = 0; i < 100; i++)); do
    grep -q '"daemon: started' "$DIR/logs/daemon.log.jsonl" 2>/dev/null && break
    sleep 0.05
  done
  # The daemon dies without its final drain (the OOM killer, kill -9);
  # the shells go on spooling.
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  SPOOL_DIR=""
  spool_hook_command 1 "cargo build"
  spool_hook_command 2 "cargo test"
  rb_walk "$RB/daemon-down.md" daemon-down
  healthy daemon-down
}

# --- sync lag --------------------------------------------------------------
# nats_start [PORT]: a nats-server with JetStream on 127.0.0.1:PORT, its
# store under $W/nats; without PORT, a free one below the kernel's range of
# ephemeral ports (so that no client connection takes it while the server
# is stopped and started again). Sets NATS_PORT and NATS_PID.
nats_start() {
  local try i port
  for ((try = 0; try < 5; try++)); do
    port=${1:-$((20000 + RANDOM % 10000))}
    mkdir -p "$W/nats"
    nats-server -js -a 127.0.0.1 -p "$port" -sd "$W/nats" >"$W/nats.out" 2>&1 &
    NATS_PID=$!
    for ((i = 0; i < 100; i++)); do
      grep -q "Server is ready" "$W/nats.out" 2>/dev/null && { NATS_PORT=$port; return; }
      kill -0 "$NATS_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$NATS_PID" 2>/dev/null
    wait "$NATS_PID" 2>/dev/null
    NATS_PID=""
    [[ -n ${1:-} ]] && sleep 1  # the same port again: let it go first
  done
  echo "FAIL set-up: nats-server did not come up:"
  cat "$W/nats.out"
  exit 1
}

nats_stop() {
  kill -TERM "$NATS_PID"
  wait "$NATS_PID" 2>/dev/null
  NATS_PID=""
}

sync_lag() {
  if ! command -v nats-server >/dev/null; then
    echo "FAIL [sync-lag]: no nats-server on PATH (scripts/deps.sh --test installs it)"
    ((rb_failed++))
    rb_walked+=(sync-lag-here sync-lag-there sync-lag-server-down sync-lag-server-back)
    return
  fi
  fresh sync-lag
  nats_start
  export TERMBRAIN_SYNC_SERVER=nats://127.0.0.1:$NATS_PORT TERMBRAIN_SYNC_TIMEOUT_MS=2000
  local here=$W/sync-lag/laptop there=$W/sync-lag/desktop
  printf 'sync passphrase\n' >"$W/sync-pass"
  must tb --data-dir "$there" sync init
  tb --data-dir "$there" sync key export <"$W/sync-pass" >"$W/sync.key" ||
    { echo "FAIL set-up: tb sync key export"; exit 1; }
  must tb --data-dir "$here" sync key import "$W/sync.key" <"$W/sync-pass"
  # The laptop recorded without a daemon: nothing of it is published yet.
  export TERMBRAIN_DATA_DIR=$here DIR=$here
  seed 12
  rb_walk "$RB/sync-lag.md" sync-lag-here
  export TERMBRAIN_DATA_DIR=$there DIR=$there
  rb_walk "$RB/sync-lag.md" sync-lag-there
  healthy sync-lag-there
  # The server goes away, the laptop records on; then it is back.
  nats_stop
  export TERMBRAIN_DATA_DIR=$here DIR=$here
  must tb record --command "git push"
  rb_walk "$RB/sync-lag.md" sync-lag-server-down
  nats_start "$NATS_PORT"
  rb_walk "$RB/sync-lag.md" sync-lag-server-back
  healthy sync-lag-server-back
  nats_stop
  unset TERMBRAIN_SYNC_SERVER TERMBRAIN_SYNC_TIMEOUT_MS
}

# --- restore from backup ---------------------------------------------------
restore_from_backup() {
  fresh restore-from-backup
  seed 30
  must tb backup create --note "before the cleanup"
  # The mistake: an import of the wrong file, then more commands.
  local i
  for ((i = 1; i <= 40; i++)); do echo "wrong-$i"; done >"$W/wrong.txt"
  must tb import bash "$W/wrong.txt"
  rb_walk "$RB/restore-from-backup.md" restore-from-backup
  healthy restore-from-backup
  rb_walk "$RB/restore-from-backup.md" restore-from-backup-undo
  healthy restore-from-backup-undo
}

start=$(date +%s)
# Usage: a third argument names the situations to walk (e.g. "lost_key"),
# for working on one runbook; the check of every block then is skipped.
only=${3:-}
for situation in disk_full corrupted_store lost_key daemon_down sync_lag restore_from_backup; do
  [[ -z $only || " $only " == *" $situation "* ]] && "$situation"
done

# Every walked block of every runbook was walked.
if [[ -n $only ]]; then
  mapfile -t -O "${#rb_walked[@]}" rb_walked < <(for f in "$RB"/*.md; do rb_blocks "$f"; done)
fi
for f in "$RB"/*.md; do
  while IFS= read -r name; do
    if [[ " ${rb_walked[*]} " != *" $name "* ]]; then
      echo "FAIL $f: block '$name' is not walked by tests/docs/runbooks_test.sh"
      ((rb_failed++))
    fi
  done < <(rb_blocks "$f")
done

echo "$rb_ran command(s) run, $rb_failed failure(s), $(($(date +%s) - start)) s"
((rb_failed == 0))
