#!/usr/bin/env bash
# Printing benchmarks, release build, in-process (no HTTP): one 成果鉴定登记表 and one 鉴定意见 through the service
# (first print and reprint: time and size; targets < 20 ms and < 300 KB a form), then a school bundle of TEACHERS
# (default 300) approved teachers with maximal forms, streamed (time, size, peak RSS growth). See benches/print.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
TEACHERS=${TEACHERS:-300} cargo bench --quiet --bench print
