#!/usr/bin/env bash
# Backup, restore, check and cold-start figures at city scale, against the release binary. It generates the
# city-scale data set (`serve --demo-scale city`: 200 schools, 20,000 teachers, 3,000 submissions, each submission
# with one generated achievement file of FILE_KIB KiB), stops the server, and prints:
#   - cold start on that existing data directory (process start to the "listening" line), best of 3;
#   - `zhiping backup` through the running server: wall time and archive size;
#   - `zhiping check` through the running server (every file hashed) and directly with the server stopped
#     (adds redb's structure check);
#   - `zhiping restore` into an empty directory (includes its check).
# Environment: SCALE (city; `small` for a quick trial of the script), FILE_KIB (default 256), BIN (a prebuilt
# binary, skips the release build), ROUNDS (default 0: when set, also runs the crash test with that many SIGKILL
# rounds, e.g. ROUNDS=200, several minutes: every round's check re-hashes every file written so far).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-city}
FILE_KIB=${FILE_KIB:-256}
ROUNDS=${ROUNDS:-0}

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/zhiping
fi
work=$(mktemp -d)
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT
export ZHIPING_ADMIN_PASSWORD=Bench2026x ZHIPING_LOG_LEVEL=warn
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }

# Starts the server on $work/data with extra arguments; sets server_pid and waits for the listening line.
start_server() {
  : > "$work/out.log"
  "$BIN" serve --listen 127.0.0.1:0 --data "$work/data" "$@" > "$work/out.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 4800); do
    grep -q 'listening on' "$work/out.log" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$work/out.log"
  echo "the server did not start" >&2
  exit 1
}

started=$(now)
start_server --demo-scale "$SCALE" --demo-file-kib "$FILE_KIB"
printf '%-52s %8.1f s\n' "$SCALE data set generated (files of $FILE_KIB KiB)" "$(elapsed "$started")"
grep '规模演示数据' "$work/out.log" || true
stop_server
echo "data directory: $(du -sh "$work/data" | cut -f1) ($(find "$work/data/files/blobs" -type f | wc -l) files)"

best=
for run in 1 2 3; do
  started=$(now)
  start_server
  took=$(elapsed "$started")
  printf '%-52s %8.2f s\n' "cold start on the existing data directory (run $run)" "$took"
  if [ -z "$best" ] || [ "$(echo "$took < $best" | bc)" = 1 ]; then best=$took; fi
  [ "$run" = 3 ] || stop_server
done
printf '%-52s %8.2f s\n' "cold start, best of 3" "$best"

started=$(now)
"$BIN" backup --out "$work/backup.tar" --data "$work/data" > "$work/backup.log"
printf '%-52s %8.1f s\n' "backup through the running server" "$(elapsed "$started")"
printf '%-52s %8s\n' "archive size" "$(du -h "$work/backup.tar" | cut -f1) ($(stat -c %s "$work/backup.tar") bytes)"

started=$(now)
"$BIN" check --data "$work/data" > "$work/check.log" 2>&1 || { cat "$work/check.log"; exit 1; }
printf '%-52s %8.1f s\n' "check through the running server (files hashed)" "$(elapsed "$started")"
stop_server

started=$(now)
"$BIN" check --data "$work/data" > "$work/check.log" 2>&1 || { cat "$work/check.log"; exit 1; }
printf '%-52s %8.1f s\n' "check of the stopped data directory (+ redb check)" "$(elapsed "$started")"
grep -E '^ +(账号|申报|文件（)' "$work/check.log" | sed 's/^/  /'

started=$(now)
"$BIN" restore "$work/backup.tar" --data "$work/restored" > "$work/restore.log" 2>&1 || { cat "$work/restore.log"; exit 1; }
printf '%-52s %8.1f s\n' "restore into an empty directory (includes the check)" "$(elapsed "$started")"

if [ "$ROUNDS" -gt 0 ]; then
  echo "== crash test: $ROUNDS SIGKILL rounds =="
  started=$(now)
  CRASH_ROUNDS=$ROUNDS cargo test --quiet --test it -- backup::crash --nocapture 2>&1 | grep -E 'crash test|test result|panicked' || true
  printf '%-52s %8.1f s\n' "crash test, $ROUNDS rounds" "$(elapsed "$started")"
fi
