#!/usr/bin/env bash
# Starts migwarden-webhook (with --enable-null-endpoint) on free ports and runs wrk
# against POST /validate and POST /null on that same process, one after the other, with
# 64 keep-alive connections, after a paced run (~1,000 req/s) that gives the server-side
# latency at a moderate rate. Server-side latency comes from the /metrics histogram.
#
# usage: scripts/load/compare.sh [build-dir] [duration] [body.json]
#   env: THREADS (server --threads, default: CPUs), WRK_THREADS (default 2), CONNS (64),
#        ENDPOINT (default /validate; /mutate measures the rules without ledger writes)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
duration=${2:-20s}
body=${3:-$root/tests/fixtures/admission/gpu-pod-create.json}
conns=${CONNS:-64}
endpoint=${ENDPOINT:-/validate}
wrk_threads=${WRK_THREADS:-2}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

"$build/bin/migwarden-webhook" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" \
  --listen 127.0.0.1:0 --health-listen 127.0.0.1:0 --enable-null-endpoint --ledger-dir "$work/ledger" \
  ${THREADS:+--threads "$THREADS"} 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q "health listening on" "$work/log" && break; sleep 0.1; done
tls=$(sed -n 's/.*webhook listening on \([^ ]*\) (tls).*/\1/p' "$work/log")
health=$(sed -n 's/.*health listening on \([^ ]*\) (http).*/\1/p' "$work/log")
[[ -n "$tls" && -n "$health" ]] || { cat "$work/log"; exit 1; }

run() {
  local path=$1
  wrk -t"$wrk_threads" -c"$conns" -d"$duration" --latency -s "$root/scripts/load/admission.lua" \
    "https://$tls$path" -- "$body" | tee "$work/wrk-${path#/}.txt" | grep -E "^requests=|Non-2xx|Socket errors" |
    sed "s|^|$path: |"
}
# Server-side p99 per path from the Prometheus histogram (bucket upper bound).
server_p99() {
  curl -s "http://$health/metrics" | awk '
  /^migwarden_http_request_duration_seconds_bucket/ {
    match($0, /path="[^"]*"/); p = substr($0, RSTART + 6, RLENGTH - 7)
    match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
    n[p]++; les[p, n[p]] = le; cnt[p, n[p]] = $2
  }
  END {
    for (p in n) {
      total = cnt[p, n[p]]
      for (i = 1; i <= n[p]; i++) if (cnt[p, i] >= 0.99 * total) { printf "%s: server p99 <= %s s (%d requests)\n", p, les[p, i], total; break }
    }
  }'
}

# 1. Paced: 10 connections, 10 ms between requests (~1,000 req/s) on the endpoint only, so
#    the histogram holds only paced requests when it is read.
wrk -t1 -c10 -d"$duration" --latency -s "$root/scripts/load/admission.lua" "https://$tls$endpoint" -- "$body" 10 |
  grep -E "^requests=" | sed "s|^|paced $endpoint: |"
server_p99 | sed "s|^|paced |"
# 2. Saturated, 64 connections: the endpoint, then /null.
run "$endpoint"
run /null
server_p99
