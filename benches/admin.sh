#!/usr/bin/env bash
# Administration benchmarks against the release binary with the city-scale data set (`serve --demo-scale city`:
# 200 schools, 20,000 teachers, 3,000 submissions). Prints:
#   - how long generating the city-scale set took (start to listening);
#   - importing 5,000 teachers from one .xlsx over the API: wall time and the server's peak RSS before and after;
#   - the school teacher-list page (/admin/teachers, a school of 100 teachers, 50 and 300 rows per page) under wrk:
#     requests/s and p99 (target: p99 < 50 ms);
#   - for comparison, the city admin's list across all 20,000 teachers.
# ROWS (default 5000), DURATION (default 10 s), CONNECTIONS (default 10) and BIN (a prebuilt binary, skips the
# release build) can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-5000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-10}

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/zhiping
fi
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

started=$(date +%s.%N)
ZHIPING_ADMIN_PASSWORD=Bench2026x ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000000 ZHIPING_LOG_LEVEL=warn \
  ZHIPING_UPLOADS__IMPORT_MIB=50 "$BIN" serve --demo-scale city --listen 127.0.0.1:0 --data "$work/data" \
  > "$work/out.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 1200); do grep -q 'listening on' "$work/out.log" && break; sleep 0.25; done
base=$(grep -o 'http://[0-9.:]*' "$work/out.log" | head -1)
[ -n "$base" ] || { cat "$work/out.log"; exit 1; }
ready=$(date +%s.%N)
printf '%-44s %8.1f s\n' "city-scale data set generated and serving" "$(echo "$ready - $started" | bc)"
rss() { awk '/VmHWM/{print $2/1024" MiB"}' "/proc/$server_pid/status"; }
echo "server peak RSS after generation: $(rss)"

csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="\([0-9a-f]*\)"/\1/'; }
login() { # jar, username, password
  local token; token=$(curl -s -c "$1" -b "$1" "$base/login" | csrf)
  curl -s -o /dev/null -c "$1" -b "$1" --data-urlencode "username=$2" --data-urlencode "password=$3" \
    --data-urlencode "csrf=$token" "$base/login"
}

# The city admin's API token.
login "$work/city" admin Bench2026x
token=$(curl -s -c "$work/city" -b "$work/city" "$base/admin/tokens" | csrf)
api_token=$(curl -s -c "$work/city" -b "$work/city" --data-urlencode "name=bench" --data-urlencode "csrf=$token" \
  "$base/admin/tokens" | grep -o 'zp_[0-9a-f]\{64\}' | head -1)
schools=$(curl -s -H "Authorization: Bearer $api_token" "$base/api/v1/schools")
read -r school_id school_name < <(python3 -c '
import json, sys
schools = json.loads(sys.argv[1])
school = schools[-1]
print(school["id"], school["name"])' "$schools")

# 1. Import 5,000 teachers from one .xlsx (a fresh school's worth of ID numbers, all valid).
"$BIN" bench-sheet --rows "$ROWS" --school "$school_name" --out "$work/teachers.xlsx"
echo "== import of $ROWS teachers ($(du -k "$work/teachers.xlsx" | cut -f1) KiB .xlsx) =="
echo "server peak RSS before import: $(rss)"
curl -s -o "$work/import.json" -w '%{time_total}\n' -H "Authorization: Bearer $api_token" \
  -H 'Content-Type: application/octet-stream' --data-binary "@$work/teachers.xlsx" \
  "$base/api/v1/teachers/import" > "$work/import.time"
python3 - "$work/import.json" "$(cat "$work/import.time")" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"import: {float(sys.argv[2]):.2f} s wall, created {report.get('created')}, refused {report.get('refused')}")
PY
echo "server peak RSS after import: $(rss)"

# 2. The school teacher-list page at city scale.
login "$work/school" "school${school_id}_admin" demo2026
first_school=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[10]["id"])' "$schools")
login "$work/school2" "school${first_school}_admin" demo2026
session=$(awk '$6=="zp_session"{print $7}' "$work/school2")
city_session=$(awk '$6=="zp_session"{print $7}' "$work/city")
run() { # name, url, cookie
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: zp_session=$3" "$2")
  printf '%-44s %10s req/s   p50 %-9s p99 %s\n' "$1" "$(echo "$out" | awk '/Requests\/sec/{print $2}')" \
    "$(echo "$out" | awk '$1=="50%"{print $2}')" "$(echo "$out" | awk '$1=="99%"{print $2}')"
}
echo "== wrk, $CONNECTIONS connections, ${DURATION}s each (target: school list p99 < 50 ms) =="
run "school teacher list (100 teachers, 50/page)" "$base/admin/teachers" "$session"
run "school teacher list (300/page)" "$base/admin/teachers?per_page=300" "$session"
run "school progress overview" "$base/admin/progress" "$session"
run "city teacher list (20,000 teachers, 50/page)" "$base/admin/teachers" "$city_session"
echo "server peak RSS at the end: $(rss)"
