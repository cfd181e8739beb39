#!/usr/bin/env bash
# The per-message cost of the Redis counter store against the local one (issue 16: within 10 %): the demo API
# with its subscription on a tier that counts every message, once on the local store and once on a
# redis-server (one node), each run beside nginx; the message shapes only.
#   benchmarks/counter-store.sh            (needs nginx-light and redis-server; SKIP_BUILD=1 after a build)
# Results: benchmarks/results/latest-counter-{local,redis}/table.md, and a summary on stdout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT_BASE=${OUT_BASE:-$ROOT/benchmarks/results/latest-counter}
for store in local redis; do
    OUT=$OUT_BASE-$store TIER=Bench COUNTER_STORE=$store TARGETS=${TARGETS:-"nginx demoapi"} ONLY=${ONLY:-'pingpong|pipelined|latency'} \
        "$ROOT/benchmarks/run.sh" > /dev/null
    SKIP_BUILD=1; export SKIP_BUILD
done
for store in local redis; do
    echo "## counter store: $store"
    cat "$OUT_BASE-$store/machine.txt"
    grep -E '^(###|\| (nginx|demoapi) )' "$OUT_BASE-$store/table.md"
done
