#!/usr/bin/env bash
# HTTP benchmarks on 127.0.0.1 with wrk against the release binary and demo data. Prints requests/s and p99 for
# the login page, a signed-in teacher's home page and a bare static asset, then the home page's p99 while a login
# storm runs. Targets (issue 3): home p99 < 20 ms at 50 connections, home ≥ 50 % of the asset's requests/s.
# Bounded: each run lasts DURATION seconds (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
# BIN runs an already built binary instead of building the current tree.
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin=${BIN:-target/release/zhiping}
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT

ZHIPING_ADMIN_PASSWORD=Bench2026x ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000000 ZHIPING_LOG_LEVEL=warn \
  "$bin" serve --demo --listen 127.0.0.1:0 --data "$work/data" > "$work/out.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do grep -q 'listening on' "$work/out.log" && break; sleep 0.2; done
base=$(grep -o 'http://[0-9.:]*' "$work/out.log" | head -1)
teacher=$(grep '刁彬彬' "$work/out.log" | grep -o '用户名：[0-9X]*' | sed 's/用户名：//')
echo "server: $base  (pid $server_pid)"

# Sign the teacher in and replace the default password (curl keeps cookies in a jar).
jar="$work/jar"
csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="\([0-9a-f]*\)"/\1/'; }
token=$(curl -s -c "$jar" -b "$jar" "$base/login" | csrf)
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "username=$teacher" --data-urlencode "password=00000000" --data-urlencode "csrf=$token" "$base/login"
token=$(curl -s -c "$jar" -b "$jar" "$base/password" | csrf)
curl -s -o /dev/null -c "$jar" -b "$jar" --data "current=00000000&new_password=bench2026&confirm=bench2026&csrf=$token" "$base/password"
session=$(awk '$6=="zp_session"{print $7}' "$jar")
asset=$(curl -s "$base/login" | grep -o '/assets/site.css?v=[0-9a-f]*' | head -1)

run() { # name, extra wrk args...
  local name=$1; shift
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  printf '%-34s %10s req/s   p99 %s\n' "$name" "$rps" "$p99"
  echo "$rps" > "$work/$name.rps"
}

echo "== wrk, $CONNECTIONS connections, ${DURATION}s each =="
run login-page "$base/login"
run teacher-home -H "Cookie: zp_session=$session" "$base/"
run static-asset "$base$asset"

# A login storm (the city admin signing in over and over: each one is a full argon2id verify) while the home page
# is measured at the same time.
admin_csrf=$(curl -s -c "$work/jar2" -b "$work/jar2" "$base/login" | csrf)
admin_cookie=$(awk '$6=="zp_csrf"{print $7}' "$work/jar2")
cat > "$work/login.lua" <<LUA
wrk.method = "POST"
wrk.body = "username=admin&password=Bench2026x&csrf=$admin_csrf"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "zp_csrf=$admin_cookie"
LUA
wrk -t1 -c20 -d"$((DURATION + 2))s" --latency -s "$work/login.lua" "$base/login" > "$work/storm.txt" &
storm=$!
sleep 1
run teacher-home-during-login-storm -H "Cookie: zp_session=$session" "$base/"
wait $storm
printf '%-34s %10s logins/s   p99 %s\n' "login-storm (POST /login)" \
  "$(awk '/Requests\/sec/{print $2}' "$work/storm.txt")" "$(awk '$1=="99%"{print $2}' "$work/storm.txt")"

python3 - "$work" <<'PY'
import sys, pathlib
work = pathlib.Path(sys.argv[1])
home = float((work / "teacher-home.rps").read_text())
asset = float((work / "static-asset.rps").read_text())
print(f"home / static asset requests/s ratio: {home / asset:.2f} (target >= 0.50)")
PY
rss=$(awk '/VmHWM/{print $2" "$3}' /proc/$server_pid/status)
echo "server peak RSS: $rss"
