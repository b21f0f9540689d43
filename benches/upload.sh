#!/usr/bin/env bash
# Upload and save benchmarks (issue 5) against the release binary with demo data, all on 127.0.0.1:
#  1. a 500 MB MP4 uploaded as a 自创资源 achievement file (streamed, hashed, fsynced, renamed) — its throughput
#     against `dd … conv=fsync` plus `sha256sum` of a file of the same size, measured in the same run
#     (target >= 80 %), and the server's peak RSS growth during the upload (target < 64 MB);
#  2. p99 latency of saving a full draft (two achievements, every field) through the same service as 暂存.
# Bounded: one upload, SAVES saves (default 300). Needs ~1.5 GB free in $TMPDIR. Run: bash benches/upload.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SAVES=${SAVES:-300}
SIZE_MB=${SIZE_MB:-500}

# BIN=path runs another build (e.g. a debug one, to check the script itself); the figures count only for release.
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin=${BIN:-target/release/zhiping}
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT

ZHIPING_ADMIN_PASSWORD=Bench2026x ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000000 ZHIPING_LOG_LEVEL=warn \
  "$bin" serve --demo --listen 127.0.0.1:0 --data "$work/data" > "$work/out.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$work/out.log" && break; sleep 0.2; done
base=$(grep -o 'http://[0-9.:]*' "$work/out.log" | head -1)
# 李珺 teaches at a 成人中专, so 自创资源 (the only type taking a 500 MB video) is open to her.
teacher=$(grep '李珺' "$work/out.log" | sed -n 's/.*用户名：\([0-9X]*\).*/\1/p' | head -1)
echo "server: $base (pid $server_pid), teacher $teacher"

jar="$work/jar"
csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="\([0-9a-f]*\)"/\1/'; }
token=$(curl -s -c "$jar" -b "$jar" "$base/login" | csrf)
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "username=$teacher" --data-urlencode "password=00000000" \
  --data-urlencode "csrf=$token" "$base/login"
token=$(curl -s -c "$jar" -b "$jar" "$base/password" | csrf)
curl -s -o /dev/null -c "$jar" -b "$jar" --data "current=00000000&new_password=bench2026&confirm=bench2026&csrf=$token" \
  "$base/password"
echo "pledge: waiting the 15 seconds the server enforces"
token=$(curl -s -c "$jar" -b "$jar" "$base/appraisal" | csrf)
sleep 15.5
curl -s -o /dev/null -c "$jar" -b "$jar" --data "agree=1&csrf=$token" "$base/appraisal/pledge"
session=$(awk '$6=="zp_session"{print $7}' "$jar")
cookie="Cookie: zp_session=$session"
# Cookie-authenticated API writes must name this site as their origin.
origin="Origin: $base"

# A draft whose first achievement is 自创资源, and a second one, every field filled.
cat > "$work/draft.json" <<'JSON'
{"title_grade":"中级","title_name":"一级教师","title_date":"2015-09-01","research_direction":"职业教育课程改革",
 "major_college":"无","major_bachelor":"机械工程","major_graduate":"教育学","applied_subject":"机械",
 "teaching_subject":"机械基础","confirmed_instructions":true,
 "achievements":[
  {"title":"数控加工微课资源","level":"exchange","type_code":"own_resource","independent":true,"own_part":"全部",
   "fields":{"accepted":"2020-03","platform":"上海市职业教育数字化学习平台"}},
  {"title":"中职机械基础课程项目化教学研究","level":"formal","type_code":"monograph","independent":false,
   "own_part":"负责第一章至第五章的编写，约十二万字，以及全书统稿与配套教学案例设计。",
   "fields":{"published":"2019-05","publisher":"高等教育出版社","rank":"1/3","cip":"2019102034"}}]}
JSON
status=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "$cookie" -H "$origin" -H 'Content-Type: application/json' \
  --data-binary @"$work/draft.json" "$base/api/v1/me/appraisal")
[ "$status" = 200 ] || { echo "draft save failed: $status"; exit 1; }

# The test file: a real MP4 header (ftyp box) then zeros, SIZE_MB decimal megabytes (under the 500 MiB cap).
video="$work/video.mp4"
head -c 40 tests/fixtures/sample.mp4 > "$video"
dd if=/dev/zero bs=1M count="$SIZE_MB" status=none >> "$video"
truncate -s "$((SIZE_MB * 1000 * 1000))" "$video"
bytes=$(stat -c %s "$video")
sync

echo "== baseline: dd conv=fsync + sha256sum of the same $bytes bytes =="
start=$(date +%s.%N)
dd if="$video" of="$work/copy.bin" bs=64k conv=fsync status=none
sha256sum "$video" > /dev/null
end=$(date +%s.%N)
rm -f "$work/copy.bin"
baseline=$(python3 -c "print($end - $start)")

echo "== upload: PUT the file as the 自创资源 achievement file =="
rss_before=$(awk '/VmRSS/{print $2}' /proc/$server_pid/status)
peak=$rss_before
( while kill -0 $server_pid 2>/dev/null; do awk '/VmRSS/{print $2}' /proc/$server_pid/status; sleep 0.05; done ) \
  > "$work/rss.txt" &
sampler=$!
upload_time=$(curl -s -o "$work/upload.json" -w '%{time_total}' -X PUT -H "$cookie" -H "$origin" \
  -H 'Content-Type: application/octet-stream' -T "$video" \
  "$base/api/v1/me/appraisal/achievements/0/files/achievement_file?name=video.mp4")
kill $sampler 2>/dev/null || true
grep -q '"kind":"mp4"' "$work/upload.json" || { echo "upload refused: $(cat "$work/upload.json")"; exit 1; }
peak=$(sort -n "$work/rss.txt" | tail -1)

echo "== saving a full draft, $SAVES times =="
python3 - "$base" "$session" "$work/draft.json" "$SAVES" > "$work/saves.txt" <<'PY'
import http.client, sys, time, urllib.parse
base, session, path, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
body = open(path, 'rb').read()
url = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(url.hostname, url.port)
headers = {'Cookie': f'zp_session={session}', 'Content-Type': 'application/json', 'Origin': base}
times = []
for _ in range(count):
    start = time.perf_counter()
    connection.request('PUT', '/api/v1/me/appraisal', body, headers)
    response = connection.getresponse()
    response.read()
    times.append((time.perf_counter() - start) * 1000)
    if response.status != 200:
        raise SystemExit(f'save failed: {response.status}')
times.sort()
print(f'{times[len(times) // 2]:.2f} {times[min(len(times) - 1, int(len(times) * 0.99))]:.2f}')
PY
read -r p50 p99 < "$work/saves.txt"

python3 - "$bytes" "$baseline" "$upload_time" "$rss_before" "$peak" "$p50" "$p99" "$SAVES" <<'PY'
import sys
size, baseline, upload, before, peak, p50, p99, saves = sys.argv[1:]
size, baseline, upload = int(size), float(baseline), float(upload)
mb = size / 1e6
print(f'baseline dd conv=fsync + sha256sum: {baseline:.2f} s ({mb / baseline:.0f} MB/s)')
print(f'upload (HTTP PUT, streamed):        {upload:.2f} s ({mb / upload:.0f} MB/s)')
print(f'upload / baseline throughput:       {baseline / upload:.0%} (target >= 80%)')
growth = (int(peak) - int(before)) / 1024
print(f'server RSS: before {int(before) / 1024:.1f} MB, peak {int(peak) / 1024:.1f} MB, growth {growth:.1f} MB (target < 64 MB)')
print(f'save full draft ({saves} times): p50 {p50} ms, p99 {p99} ms')
PY
