#!/usr/bin/env bash
# Load and abuse test of `kerascpp serve`, on loopback and bounded in time: wrk sends
# single-image JSON predictions (2 threads, 2 connections) for SECONDS, then the same with one
# malformed request in every 5 (bad JSON, NaN, wrong shape, values out of range, wrong content
# type, oversized body, wrong method, unknown path). Fails if a good request gets anything but
# its prediction, a bad one anything but a 4xx JSON error, or the server dies or does not stop
# cleanly on SIGTERM. With KERASCPP_SERVE_TARGETS=1 it also fails below 5,000 predictions/s or
# above a 5 ms p99 (off by default: the figures depend on what else the machine runs).
#
#   tests/app/load_test.sh KERASCPP MODEL [SECONDS]
set -euo pipefail
kerascpp=$1
model=$2
seconds=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
[[ -f $model ]] || { echo "SKIPPED: no model file $model (the app_model test trains it)"; exit 0; }
command -v wrk >/dev/null || { echo "SKIPPED: wrk is not installed (tools/deps/app.txt)"; exit 0; }

log=$(mktemp)
"$kerascpp" serve "$model" --port 0 --threads 2 --max-body 65536 >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 200); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" || true)
  [[ -n $url ]] && break
  sleep 0.1
done
[[ -n $url ]] || { cat "$log"; echo "FAILED: the server did not start"; exit 1; }

echo "== single-image predictions: wrk -t2 -c2 -d${seconds}s (server: --threads 2)"
good=$(wrk -t2 -c2 -d"${seconds}s" -s "$here/wrk_predict.lua" "$url" -- good 2) || { echo "$good"; exit 1; }
echo "$good"
echo "== one malformed request in every 5"
wrk -t2 -c2 -d"${seconds}s" -s "$here/wrk_predict.lua" "$url" -- mixed 2 5

kill -0 "$pid" || { echo "FAILED: the server died"; exit 1; }
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
grep -q "kerascpp serve: stopped" "$log" && [[ $status -eq 0 ]] ||
  { cat "$log"; echo "FAILED: the server did not stop cleanly on SIGTERM (exit code $status)"; exit 1; }
echo "the server stopped cleanly on SIGTERM"

if [[ ${KERASCPP_SERVE_TARGETS:-0} == 1 ]]; then
  rate=$(sed -n 's/.*= \([0-9]*\)\/s;.*/\1/p' <<<"$good")
  p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$good")
  awk -v r="$rate" -v p="$p99" 'BEGIN { exit !(r >= 5000 && p <= 5) }' ||
    { echo "FAILED: $rate predictions/s and p99 $p99 ms miss the targets (5,000/s, 5 ms)"; exit 1; }
  echo "targets met: $rate predictions/s >= 5,000, p99 $p99 ms <= 5 ms"
fi
