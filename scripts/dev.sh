#!/usr/bin/env bash
# migwarden developer entry point.
#   ./scripts/dev.sh run    install deps, build, make dev certificates, start the webhook
#   ./scripts/dev.sh test   install deps, build, run every test (ends with ctest's summary)
#   ./scripts/dev.sh build  install deps and build only
#   ./scripts/dev.sh deps   install missing Debian packages only
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release),
#              SANITIZE=1 (ASan+UBSan build in build-asan), JOBS (default nproc).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_TYPE="${BUILD_TYPE:-Release}"
if [[ "${SANITIZE:-0}" == 1 ]]; then BUILD_DIR="${BUILD_DIR:-$ROOT/build-asan}"; else BUILD_DIR="${BUILD_DIR:-$ROOT/build}"; fi
JOBS="${JOBS:-$(nproc)}"
DEV_DIR="$ROOT/.dev"

PACKAGES=(
  build-essential cmake pkg-config ccache openssl curl
  libboost1.81-dev libssl-dev rapidjson-dev libcpp-jwt-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev wrk
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler etcd-server etcd-client python3-yaml
)

log() { printf '==> %s\n' "$*" >&2; }

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "all ${#PACKAGES[@]} Debian packages present"
    return
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

build() {
  local extra=()
  [[ "${SANITIZE:-0}" == 1 ]] && extra+=(-DMIGWARDEN_SANITIZE=ON)
  log "configuring $BUILD_DIR ($BUILD_TYPE)"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "${extra[@]}" >/dev/null
  log "building with $JOBS jobs"
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

certs() {
  "$ROOT/certs/gen-dev-certs.sh" "$DEV_DIR/certs" >&2
}

run() {
  deps
  build
  certs
  mkdir -p "$DEV_DIR/ledger" "$DEV_DIR/audit"
  # Dev-only HS256 key for node-agent tokens (production uses projected SA tokens + JWKS).
  [[ -s "$DEV_DIR/agent.key" ]] || (umask 077; openssl rand -hex 32 >"$DEV_DIR/agent.key")
  local listen="${LISTEN:-127.0.0.1:8443}" health="${HEALTH_LISTEN:-127.0.0.1:8080}"
  cat >&2 <<MSG

migwarden-webhook is starting on https://$listen (health and metrics on http://$health).
Send it an AdmissionReview from another terminal:

  curl --cacert $DEV_DIR/certs/ca.crt -H 'Content-Type: application/json' \\
       --data @$ROOT/tests/fixtures/admission/gpu-pod-create-validate.json https://localhost:${listen##*:}/validate

  curl --cacert $DEV_DIR/certs/ca.crt -H 'Content-Type: application/json' \\
       --data @$ROOT/tests/fixtures/admission/gpu-pod-create.json https://localhost:${listen##*:}/mutate

  curl http://$health/readyz ; curl -s http://$health/metrics | head

Push a node report as the node agent would, then look at the ledger and the audit log:

  TOKEN=\$($BUILD_DIR/bin/migwardenctl token --node gpu-a --key-file $DEV_DIR/agent.key)
  curl --cacert $DEV_DIR/certs/ca.crt -X PUT -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
       --data @$ROOT/tests/fixtures/ledger/node-report-gpu-a.json https://localhost:${listen##*:}/ledger/v1/nodes/gpu-a
  $BUILD_DIR/bin/migwardenctl ledger show --server https://localhost:${listen##*:} --token-file <(echo \$TOKEN) --cacert $DEV_DIR/certs/ca.crt
  $BUILD_DIR/bin/migwardenctl audit verify $DEV_DIR/audit/audit.log

Stop it with Ctrl-C (SIGINT/SIGTERM drain in-flight requests, then exit 0).
MSG
  exec "$BUILD_DIR/bin/migwarden-webhook" \
    --listen "$listen" --health-listen "$health" \
    --tls-cert "$DEV_DIR/certs/tls.crt" --tls-key "$DEV_DIR/certs/tls.key" \
    --ledger-dir "$DEV_DIR/ledger" --agent-hs256-key "$DEV_DIR/agent.key" \
    --audit-log "$DEV_DIR/audit/audit.log" "$@"
}

test_all() {
  deps
  build
  log "running tests"
  cd "$BUILD_DIR"
  ctest --output-on-failure -j "$JOBS" --timeout 600
}

cmd="${1:-}"
shift || true
case "$cmd" in
  run) run "$@" ;;
  test) test_all ;;
  build) deps; build ;;
  deps) deps ;;
  certs) certs ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
