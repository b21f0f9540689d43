#!/usr/bin/env bash
# A deadline-day rush at city scale (`serve --demo-scale city`: 20,000 teachers, 3,000 submissions): teachers save
# their drafts (暂存 through the API; every save is a committed, fsynced write that also makes the in-memory read
# models rebuild) while other teachers open 首页 and the city admin pages through the submissions list. Prints
# requests/s and p99 of each, first for a baseline without saves, then for the rush, and the rush / baseline
# ratios. Bounded: each phase lasts DURATION seconds (default 10). BIN runs a prebuilt binary.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
SAVERS=${SAVERS:-8}     # connections saving drafts
READERS=${READERS:-20}  # connections opening 首页
LISTERS=${LISTERS:-2}   # connections paging through the city admin's submissions list
TEACHERS=${TEACHERS:-24}
# Each saving connection waits this long between saves: 8 connections at 100 ms is up to 80 saves a second, a
# whole city's 3,000 teachers each saving every 40 s. 0 saves as fast as the server allows.
SAVE_DELAY_MS=${SAVE_DELAY_MS:-100}

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/zhiping
fi
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

ZHIPING_ADMIN_PASSWORD=Bench2026x ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000000 ZHIPING_LOG_LEVEL=warn \
  "$BIN" serve --demo-scale city --listen 127.0.0.1:0 --data "$work/data" > "$work/out.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 1200); do grep -q 'listening on' "$work/out.log" && break; sleep 0.25; done
base=$(grep -o 'http://[0-9.:]*' "$work/out.log" | head -1)
[ -n "$base" ] || { cat "$work/out.log"; exit 1; }
echo "server: $base (pid $server_pid)"

# Sign-ins (the city admin, and teachers with a draft, replacing the default password) in Python: plain HTTP
# with a cookie jar per account. Writes one session cookie a line to teachers.txt and the admin's to admin.txt.
python3 - "$base" "$TEACHERS" "$work" <<'PY'
import http.cookiejar, json, re, sys, urllib.parse, urllib.request
base, count, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def client():
    jar = http.cookiejar.CookieJar()
    return jar, urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

def csrf(opener, path):
    page = opener.open(base + path).read().decode()
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)

def post(opener, path, fields):
    return opener.open(base + path, urllib.parse.urlencode(fields).encode()).read().decode()

def session(jar):
    return next(cookie.value for cookie in jar if cookie.name == "zp_session")

jar, admin = client()
post(admin, "/login", {"username": "admin", "password": "Bench2026x", "csrf": csrf(admin, "/login")})
open(f"{work}/admin.txt", "w").write(session(jar) + "\n")
listed = json.loads(admin.open(f"{base}/api/v1/teachers?progress=draft&per_page={count}").read())
teachers = [row["id_number"] for row in listed["items"]][:count]
assert len(teachers) == count, f"only {len(teachers)} teachers with a draft"
with open(f"{work}/teachers.txt", "w") as out:
    for username in teachers:
        jar, teacher = client()
        post(teacher, "/login", {"username": username, "password": "00000000", "csrf": csrf(teacher, "/login")})
        post(teacher, "/password", {"current": "00000000", "new_password": "rush2026", "confirm": "rush2026",
                                    "csrf": csrf(teacher, "/password")})
        out.write(session(jar) + "\n")
PY
echo "signed in: the city admin and $TEACHERS teachers with a draft"

# The draft every saver sends (暂存 checks no required field; a type every school type may use).
cat > "$work/draft.json" <<'JSON'
{"title_grade":"中级","title_name":"一级教师","title_date":"2015-09-01","research_direction":"职业教育课程改革",
 "major_college":"无","major_bachelor":"机械工程","major_graduate":"教育学","applied_subject":"机械",
 "teaching_subject":"机械基础","confirmed_instructions":false,
 "achievements":[{"title":"中职机械基础课程项目化教学研究","level":"formal","type_code":"journal_paper",
   "independent":true,"own_part":"全部"}]}
JSON
first=$(head -1 "$work/teachers.txt")
status=$(curl -s -o "$work/first-save.json" -w '%{http_code}' -X PUT -H "Cookie: zp_session=$first" -H "Origin: $base" \
  -H 'Content-Type: application/json' --data-binary @"$work/draft.json" "$base/api/v1/me/appraisal")
[ "$status" = 200 ] || { echo "draft save failed: $status $(cat "$work/first-save.json")"; exit 1; }

# wrk scripts: the savers cycle through the first half of the teachers, the readers through the second half.
lua_script() { # file, first line, last line of teachers.txt, method
  {
    echo "local sessions = {"
    sed -n "$2,$3p" "$work/teachers.txt" | sed 's/.*/  "&",/'
    echo "}"
    if [ "$4" = PUT ]; then
      echo "function delay() return $SAVE_DELAY_MS end"
      echo "wrk.method = 'PUT'"
      echo "wrk.headers['Content-Type'] = 'application/json'"
      # Cookie-authenticated API writes must name this site as their origin.
      echo "wrk.headers['Origin'] = '$base'"
      echo "wrk.body = io.open('$work/draft.json'):read('*a')"
    fi
    cat <<'LUA'
local counter = 0
function request()
  counter = counter + 1
  wrk.headers["Cookie"] = "zp_session=" .. sessions[(counter % #sessions) + 1]
  return wrk.format()
end
LUA
  } > "$1"
}
half=$((TEACHERS / 2))
lua_script "$work/saves.lua" 1 "$half" PUT
lua_script "$work/homes.lua" "$((half + 1))" "$TEACHERS" GET

admin_session=$(cat "$work/admin.txt")
summary() { # file → "requests/s p99"
  printf '%10s req/s   p99 %s' "$(awk '/Requests\/sec/{print $2}' "$1")" "$(awk '$1=="99%"{print $2}' "$1")"
}
phase() { # name, with saves (yes/no)
  local name=$1 saves=$2 pids=()
  wrk -t1 -c"$READERS" -d"${DURATION}s" --latency -s "$work/homes.lua" "$base/" > "$work/$name-home.txt" & pids+=($!)
  wrk -t1 -c"$LISTERS" -d"${DURATION}s" --latency -H "Cookie: zp_session=$admin_session" \
    "$base/review?page=2" > "$work/$name-list.txt" & pids+=($!)
  if [ "$saves" = yes ]; then
    wrk -t1 -c"$SAVERS" -d"${DURATION}s" --latency -s "$work/saves.lua" "$base/api/v1/me/appraisal" \
      > "$work/$name-save.txt" & pids+=($!)
  fi
  wait "${pids[@]}"
  echo "== $name =="
  printf '  %-44s %s\n' "teachers' 首页 ($READERS connections)" "$(summary "$work/$name-home.txt")"
  printf '  %-44s %s\n' "city submissions list ($LISTERS connections)" "$(summary "$work/$name-list.txt")"
  if [ "$saves" = yes ]; then
    printf '  %-44s %s\n' "暂存 ($SAVERS connections, ${SAVE_DELAY_MS} ms apart)" "$(summary "$work/$name-save.txt")"
    grep -q 'Non-2xx' "$work/$name-save.txt" && { echo "  saves failed:"; grep 'Non-2xx' "$work/$name-save.txt"; }
  fi
  return 0
}
phase baseline no
phase rush yes

python3 - "$work" <<'PY'
import re, sys, pathlib
work = pathlib.Path(sys.argv[1])
def figures(name):
    text = (work / name).read_text()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", text, re.M).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return rps, p99
for label, kind in (("首页", "home"), ("city list", "list")):
    (base_rps, base_p99), (rush_rps, rush_p99) = figures(f"baseline-{kind}.txt"), figures(f"rush-{kind}.txt")
    print(f"{label:10} during the rush: {rush_rps / base_rps:.2f} of the baseline's requests/s, "
          f"p99 {base_p99:.1f} -> {rush_p99:.1f} ms")
PY
echo "server peak RSS: $(awk '/VmHWM/{print $2/1024" MiB"}' "/proc/$server_pid/status")"
