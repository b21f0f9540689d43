#!/usr/bin/env bash
# The one gate: installs what the tests need if missing, then runs every test. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# A Chinese font, so the browser tests measure real glyphs (without one Chromium draws narrower boxes).
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# prlimit puts every server the tests start under a memory ceiling (tests/it/support/mod.rs, tests/schemathesis.sh).
command -v prlimit >/dev/null 2>&1 || missing+=(util-linux)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The browser journeys drive Chromium over the DevTools Protocol with the npm package chrome-remote-interface;
# the layout test injects axe-core into every page.
if [ ! -d tests/browser/node_modules/chrome-remote-interface ] || [ ! -d tests/browser/node_modules/axe-core ]; then
  echo "installing the browser-test driver (npm ci --prefix tests/browser)"
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi

cargo fmt --all -- --check
# Benches (benches/*.rs) are built and run by their own scripts in release; here only the tests run.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --lib --bins --tests --no-fail-fast
else
  cargo test --lib --bins --tests --no-fail-fast
fi

# The API fuzz: schemathesis (pinned, from PyPI, into .venv-tests/) against live demo servers, every operation as
# every role; any 5xx, answer that breaks the OpenAPI document, role let in where it may not be, or server that
# dies (e.g. over its memory ceiling) fails the gate.
bash tests/schemathesis.sh
