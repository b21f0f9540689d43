#!/usr/bin/env bash
# Fuzzes every API operation with schemathesis (from PyPI) as every role: a teacher and an expert (page session
# cookie: they cannot create API tokens) and a school, department and city admin (bearer token). Each role gets a
# fresh demo server under a memory ceiling. The operations the role may call run with the examples, coverage,
# fuzzing and stateful phases (links inferred from the document's response schemas and from Location headers); the
# ones it may not call run with a few examples and must be refused (tests/schemathesis_hooks.py). Any 5xx, any
# answer that breaks the OpenAPI document, a refused role getting in, or a server that dies (e.g. over its memory
# ceiling) fails the gate. Bounded in time (examples per operation) and reproducible (fixed seed).
#
#   bash tests/schemathesis.sh                      # uses target/debug/zhiping (built if missing)
#   SCHEMATHESIS_ROLES="teacher city" SCHEMATHESIS_EXAMPLES=50 bash tests/schemathesis.sh
#
# schemathesis is installed into .venv-tests/ (ignored by git) at the pinned version below.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
venv=.venv-tests
# Examples per operation the role may call, and per operation it may not (those only have to be refused).
examples=${SCHEMATHESIS_EXAMPLES:-30}
refused_examples=${SCHEMATHESIS_REFUSED_EXAMPLES:-5}
roles=${SCHEMATHESIS_ROLES:-teacher expert school department city}
seed=${SCHEMATHESIS_SEED:-20261204}
bin=${ZHIPING_BIN:-target/debug/zhiping}
# The same ceiling as the integration tests' servers (tests/it/support/mod.rs: 256 MiB + 64 per core): RLIMIT_DATA,
# so a request that makes the server allocate without bound aborts it instead of slowly passing.
memory_mib=${TEST_SERVER_MEMORY_MIB:-$((256 + 64 * $(nproc)))}
# The gate's checks: no 5xx, and status code, content type and body as documented; refused_role is ours. With
# SCHEMATHESIS_CHECKS=all schemathesis also runs its stricter heuristics (useful when hunting for bugs).
checks=${SCHEMATHESIS_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance}

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$version"; then
  echo "installing schemathesis $version into $venv/"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
[ -x "$bin" ] || cargo build --bin zhiping
command -v prlimit >/dev/null || { echo "prlimit (util-linux) is needed for the servers' memory ceiling"; exit 1; }

# Operation names ("METHOD /path") each role may call, as anchored regular expressions; everything else is refused
# to it. tests/it/authz_rules.rs is the authoritative matrix; a role answered with data outside its list here fails
# refused_role, so a new operation cannot slip through unlisted.
id='\{[a-z_0-9]+\}'
signed="GET /(me|departments(/$id)?|schools(/$id)?|projects(/$id)?|verifications/$id|files/$id)"
signed+="|GET /(notices|materials)(/$id(/attachments/$id|/download)?)?"
signed+="|GET /submissions/$id(/registration-form|/opinion)?"
admins="GET /(departments|schools)/$id/progress|GET /schools/$id/(teachers|registration-forms)"
admins+="|POST /accounts/$id/(disable|enable|reset-password)|GET /tokens|POST /tokens/$id/revoke"
admins+="|(GET|POST) /teachers|(GET|PUT) /teachers/$id|GET /teachers/$id/detail"
admins+="|POST /teachers/$id/(reset-password|project|disable|enable)|POST /teachers/(project|import)"
admins+="|GET /(teachers/template|teachers/export|progress/export|submissions)"
admins+="|GET /submissions/$id/history|POST /submissions/$id/(approve|return)"
upper="(GET|POST) /admins|POST /teachers/$id/move"
declare -A may=(
  [teacher]="$signed|GET /(messages|me/results)|(GET|PUT) /me/appraisal|POST /me/appraisal/(submit|withdraw)"
  [expert]="$signed|GET /expert/assignments|(GET|PUT) /expert/assignments/$id"
  [school]="$signed|$admins"
  [department]="$signed|$admins|$upper"
  [city]=".*"
)
may[teacher]+="|(PUT|DELETE) /me/appraisal/achievements/$id/files/$id"
may[expert]+="|POST /submissions/$id/assignments/$id/decline"
# Operations that can cut off the fuzzer's own credentials (revoking its token, disabling or resetting its own
# account) run last, in their own pass, so they cannot hide the others behind 401s.
last="POST /(tokens/$id/revoke|accounts/$id/(disable|reset-password))"

work=$(mktemp -d)
server=
stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

# Starts a fresh demo server for one role under the memory ceiling; sets $server, $base and $log.
start_server() {
  local dir=$work/$1
  mkdir -p "$dir"
  log=$dir/stderr
  # The server reads every ZHIPING_* variable as configuration and refuses unknown ones: not ZHIPING_BIN.
  env -u ZHIPING_BIN ZHIPING_ADMIN_PASSWORD=$admin_password ZHIPING_ARGON2__MEMORY_KIB=1024 ZHIPING_ARGON2__ITERATIONS=1 \
    ZHIPING_LOG_LEVEL=warn ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=100000 ZHIPING_UPLOADS__MIN_FREE_MIB=0 \
    prlimit --data=$((memory_mib * 1024 * 1024)) -- \
    "$bin" serve --demo --listen 127.0.0.1:0 --data "$dir/data" >"$dir/stdout" 2>"$log" &
  server=$!
  base=
  for _ in $(seq 1 120); do
    base=$(sed -n 's/^zhiping listening on //p' "$dir/stdout" | head -n1)
    [ -n "$base" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$log"; echo "the server did not start"; exit 1; }
    sleep 0.5
  done
  [ -n "$base" ] || { echo "the server did not announce its address"; exit 1; }
  banner=$dir/stdout
}

csrf_of() { grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//'; }
# Signs in through the login form with the cookie jar $jar.
sign_in() {
  local csrf
  csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | csrf_of)
  curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "username=$1" --data-urlencode "password=$2" \
    --data-urlencode "csrf=$csrf" "$base/login"
}
# The demo login (用户名) printed on the first banner line matching the regular expression $1.
demo_login() { grep -E "$1" "$banner" | head -n1 | sed 's/.*用户名：\([^ ]*\).*/\1/'; }

# Sets $auth (the curl-style headers schemathesis sends) for role $1 on the running server.
credentials() {
  jar=$work/$1/cookies
  local username token csrf
  case $1 in
    teacher | expert)
      # Teachers and experts cannot create API tokens; they use the page session, after the first sign-in's
      # compulsory password change. Cookie-authenticated unsafe calls must prove same origin.
      if [ "$1" = teacher ]; then username=$(demo_login "教师 +刁彬彬"); else username=$(demo_login "专家 +赵堃"); fi
      sign_in "$username" 00000000
      csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/password" | csrf_of)
      curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode current=00000000 \
        --data-urlencode "new_password=$member_password" --data-urlencode "confirm=$member_password" \
        --data-urlencode "csrf=$csrf" "$base/password"
      if [ "$1" = teacher ]; then
        # Without the integrity pledge (SPEC §4.1: agreed to after 15 s of reading) the filing is not editable and
        # every change would stop at a 409, far from the code that sizes and stores a filing.
        csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/appraisal" | csrf_of)
        sleep 15.5
        curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode agree=1 \
          "$base/appraisal/pledge"
      fi
      token=$(awk '$6 == "zp_session" { print $7 }' "$jar" | tail -n1)
      [ -n "$token" ] || { echo "could not sign in as the $1"; exit 1; }
      auth=(-H "Cookie: zp_session=$token" -H "Origin: $base")
      ;;
    school | department | city)
      # An admin's bearer token, created the way an admin does it: sign in, 接口令牌 → 创建.
      case $1 in
        school) sign_in "$(demo_login "学校管理员 +上海市南湖")" demo2026 ;;
        department) sign_in "$(demo_login 主管部门管理员)" demo2026 ;;
        city) sign_in admin "$admin_password" ;;
      esac
      csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/admin/tokens" | csrf_of)
      token=$(curl -fsS -c "$jar" -b "$jar" --data-urlencode name=schemathesis --data-urlencode "csrf=$csrf" \
        "$base/admin/tokens" | grep -o 'zp_[0-9a-f]*' | head -n1)
      [ -n "$token" ] || { echo "could not create an API token for the $1 admin"; exit 1; }
      auth=(-H "Authorization: Bearer $token")
      ;;
  esac
}

# Run inside the temporary directory: hypothesis and schemathesis leave their caches in the working directory.
root=$(pwd)
fuzz() {
  (cd "$work" && SCHEMATHESIS_HOOKS="$root/tests/schemathesis_hooks.py" \
    "$root/$venv/bin/schemathesis" run "$base/api/openapi.json" --url "$base/api/v1" "${auth[@]}" \
    --seed "$seed" --no-shrink --generation-database none --workers 1 --request-timeout 30 \
    --suppress-health-check all --warnings off "$@")
}

# After a pass: fails the gate if the server died (returns 1 then, so its role's other passes are skipped).
check_alive() {
  kill -0 "$server" 2>/dev/null && return 0
  local code=0
  wait "$server" || code=$?
  server=
  grep -m 5 "memory allocation of" "$log" || true
  echo "the $role's server died during the fuzz run (exit status $code; 134 is an abort, e.g. an allocation over" \
    "the ${memory_mib} MiB memory ceiling; 137 a kill)"
  status=1
  return 1
}

admin_password=Fuzz2026admin
member_password=Fuzz2026member
status=0
for role in $roles; do
  [ -n "${may[$role]:-}" ] || { echo "unknown role: $role"; exit 1; }
  started=$SECONDS
  start_server "$role"
  credentials "$role"
  own="^(${may[$role]})$"
  echo "== $role: the operations it may call ($examples examples each, with the stateful phase)"
  fuzz --include-name-regex "$own" --exclude-name-regex "^($last)$" --checks "$checks" \
    --phases examples,coverage,fuzzing,stateful --max-examples "$examples" || status=$?
  if check_alive && [ "$role" != city ]; then
    echo "== $role: the operations it may not call ($refused_examples examples each, each must be refused)"
    FUZZ_REFUSED=1 fuzz --exclude-name-regex "$own" --checks "$checks,refused_role" \
      --phases examples,coverage,fuzzing --max-examples "$refused_examples" || status=$?
    check_alive || true
  fi
  if [ -n "$server" ] && [ "$role" != teacher ] && [ "$role" != expert ]; then
    echo "== $role: the operations that may end its own credentials"
    fuzz --include-name-regex "^($last)$" --checks "$checks" \
      --phases examples,coverage,fuzzing --max-examples "$examples" || status=$?
    check_alive || true
  fi
  if grep -q "panicked" "$log"; then
    grep -B2 -A5 "panicked" "$log" | head -n 40
    echo "the $role's server panicked during the fuzz run"
    status=1
  fi
  stop_server
  echo "== $role: $((SECONDS - started)) s"
done
exit "$status"
