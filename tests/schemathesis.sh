#!/usr/bin/env bash
# Fuzzes every API operation with schemathesis (from PyPI) against a live demo server, signed in with a city
# admin's bearer token, and fails on any 5xx or any answer that breaks the OpenAPI document (status code, content
# type, body schema). Bounded in time (a few examples per operation) and reproducible (fixed seed).
#
#   bash tests/schemathesis.sh              # uses target/debug/zhiping (built if missing)
#   ZHIPING_BIN=target/release/zhiping SCHEMATHESIS_EXAMPLES=50 bash tests/schemathesis.sh
#
# schemathesis is installed into .venv-tests/ (ignored by git) at the pinned version below.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
venv=.venv-tests
examples=${SCHEMATHESIS_EXAMPLES:-30}
seed=${SCHEMATHESIS_SEED:-20261204}
bin=${ZHIPING_BIN:-target/debug/zhiping}
# The gate's checks: no 5xx, and status code, content type and body as documented. SCHEMATHESIS_CHECKS=all also
# runs schemathesis' stricter heuristics (e.g. that invalid input is refused), useful when hunting for bugs.
checks=${SCHEMATHESIS_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance}

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$version"; then
  echo "installing schemathesis $version into $venv/"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
[ -x "$bin" ] || cargo build --bin zhiping

work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

admin_password=Fuzz2026admin
ZHIPING_ADMIN_PASSWORD=$admin_password ZHIPING_ARGON2__MEMORY_KIB=1024 ZHIPING_ARGON2__ITERATIONS=1 \
  ZHIPING_LOG_LEVEL=warn ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000 \
  "$bin" serve --demo --listen 127.0.0.1:0 --data "$work/data" >"$work/stdout" 2>"$work/stderr" &
server=$!
base=
for _ in $(seq 1 120); do
  base=$(sed -n 's/^zhiping listening on //p' "$work/stdout" | head -n1)
  [ -n "$base" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/stderr"; echo "the server did not start"; exit 1; }
  sleep 0.5
done
[ -n "$base" ] || { echo "the server did not announce its address"; exit 1; }

# A bearer token for the city admin, created the way an admin does it: sign in, 接口令牌 → 创建.
jar=$work/cookies
csrf_of() { grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//'; }
csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | csrf_of)
curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode username=admin \
  --data-urlencode "password=$admin_password" --data-urlencode "csrf=$csrf" "$base/login"
csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/admin/tokens" | csrf_of)
token=$(curl -fsS -c "$jar" -b "$jar" --data-urlencode name=schemathesis --data-urlencode "csrf=$csrf" \
  "$base/admin/tokens" | grep -o 'zp_[0-9a-f]*' | head -n1)
[ -n "$token" ] || { echo "could not create an API token"; exit 1; }

# Run inside the temporary directory: hypothesis and schemathesis leave their caches in the working directory.
root=$(pwd)
fuzz() {
  (cd "$work" && "$root/$venv/bin/schemathesis" run "$base/api/openapi.json" --url "$base/api/v1" \
    -H "Authorization: Bearer $token" \
    --checks "$checks" \
    --phases examples,coverage,fuzzing --max-examples "$examples" --seed "$seed" --no-shrink \
    --generation-database none --workers 1 --request-timeout 30 --suppress-health-check all --warnings off "$@")
}

# Operations that can cut off the fuzzer's own credentials (revoking its token, disabling or resetting the admin)
# run last, in a second pass, so they cannot hide the others behind 401s.
last='^/(tokens/\{id\}/revoke|accounts/\{id\}/(disable|reset-password))$'
status=0
fuzz --exclude-path-regex "$last" || status=$?
fuzz --include-path-regex "$last" || status=$?
if grep -q "panicked" "$work/stderr"; then
  grep -B2 -A5 "panicked" "$work/stderr" | head -n 40
  echo "the server panicked during the fuzz run"
  status=1
fi
exit "$status"
