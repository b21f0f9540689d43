#!/usr/bin/env bash
# Review chain at city scale (issue 7): 3,000 accepted submissions, 60 experts, 200 schools. Prints the automatic
# assignment's time, then requests/s and p99 (wrk) of the city admin's submissions list (page and API) and of an
# expert's list. Targets: both lists p99 < 50 ms. Bounded: each wrk run lasts DURATION seconds (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-20}

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release --quiet --bin zhiping --example review_seed
bin=target/release/zhiping
work=$(mktemp -d)
server_pid=
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
export ZHIPING_ADMIN_PASSWORD=Bench2026x ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000000 ZHIPING_LOG_LEVEL=warn

start() {
  "$bin" serve --demo --listen 127.0.0.1:0 --data "$work/data" > "$work/out.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do grep -q 'listening on' "$work/out.log" && break; sleep 0.2; done
  base=$(grep -o 'http://[0-9.:]*' "$work/out.log" | head -1)
}
start
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
seeded=$(target/release/examples/review_seed "$work/data")
project=$(echo "$seeded" | awk '{print $2}')
expert=$(echo "$seeded" | awk '{print $4}')
start
echo "server: $base  project $project  (3,000 submissions, 60 experts)"

csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="\([0-9a-f]*\)"/\1/'; }
sign_in() { # jar, username, password
  local token; token=$(curl -s -c "$1" -b "$1" "$base/login" | csrf)
  curl -s -o /dev/null -c "$1" -b "$1" --data-urlencode "username=$2" --data-urlencode "password=$3" --data-urlencode "csrf=$token" "$base/login"
}
sign_in "$work/city" admin Bench2026x
city=$(awk '$6=="zp_session"{print $7}' "$work/city")
sign_in "$work/expert" "$expert" 00000000
token=$(curl -s -c "$work/expert" -b "$work/expert" "$base/password" | csrf)
curl -s -o /dev/null -c "$work/expert" -b "$work/expert" --data "current=00000000&new_password=bench2026&confirm=bench2026&csrf=$token" "$base/password"
expert_session=$(awk '$6=="zp_session"{print $7}' "$work/expert")

echo "== automatic assignment =="
curl -s -o "$work/auto.json" -w 'auto-assign: %{time_total} s  ' -X POST -H "Cookie: zp_session=$city" -H "Origin: $base" "$base/api/v1/projects/$project/auto-assign"
cat "$work/auto.json" | head -c 200; echo

run() { # name, extra wrk args...
  local name=$1; shift
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  printf '%-34s %10s req/s   p99 %s\n' "$name" "$(echo "$out" | awk '/Requests\/sec/{print $2}')" "$(echo "$out" | awk '$1=="99%"{print $2}')"
}
echo "== wrk, $CONNECTIONS connections, ${DURATION}s each (target p99 < 50 ms) =="
run city-list-page -H "Cookie: zp_session=$city" "$base/review?project_id=$project"
run city-list-api -H "Cookie: zp_session=$city" "$base/api/v1/submissions?project_id=$project"
run city-list-search -H "Cookie: zp_session=$city" "$base/review?project_id=$project&q=%E6%95%99%E5%B8%8899"
run expert-list-page -H "Cookie: zp_session=$expert_session" "$base/expert"
run expert-list-api -H "Cookie: zp_session=$expert_session" "$base/api/v1/expert/assignments"
echo "server peak RSS: $(awk '/VmHWM/{print $2" "$3}' /proc/$server_pid/status)"
