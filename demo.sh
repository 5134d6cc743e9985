#!/usr/bin/env bash
# The parameter server on its own, without training (the main job is ./run.sh): build (Release), start a silo
# (localhost clustering, checkpoints in a fresh run directory), run `paramserver demo` (create a model, push, pull,
# check, checkpoint) and `paramserver status`, then stop the silo by its PID, also when a step fails.
#
# Environment: RUN_DIR (default ./runs/<timestamp>), GATEWAY_PORT (30000), SILO_PORT (11111).
set -euo pipefail
cd "$(dirname "$0")"

RUN_DIR="${RUN_DIR:-./runs/$(date +%Y%m%d-%H%M%S)}"
GATEWAY_PORT="${GATEWAY_PORT:-30000}"
SILO_PORT="${SILO_PORT:-11111}"
READY_TIMEOUT_S=90
STOP_TIMEOUT_S=60
PARAMSERVER=src/ParameterServer/Host/bin/Release/net10.0/paramserver

echo "== build (Release)"
dotnet build src/ParameterServer/Host/ParameterServer.Host.csproj -c Release -nologo -v quiet

mkdir -p "$RUN_DIR"
SILO_LOG="$RUN_DIR/silo.log"
echo "== start silo (gateway port $GATEWAY_PORT, data in $RUN_DIR, log $SILO_LOG)"
"$PARAMSERVER" silo --data-dir "$RUN_DIR" --gateway-port "$GATEWAY_PORT" --silo-port "$SILO_PORT" >"$SILO_LOG" 2>&1 &
SILO_PID=$!

stop_silo() {
  kill -0 "$SILO_PID" 2>/dev/null || return 0
  echo "== stop silo (pid $SILO_PID)"
  kill -TERM "$SILO_PID"
  # A graceful stop deactivates the shards, which writes their checkpoints; bounded, then forced.
  for _ in $(seq 1 $((STOP_TIMEOUT_S * 2))); do
    kill -0 "$SILO_PID" 2>/dev/null || { wait "$SILO_PID" 2>/dev/null || true; return 0; }
    sleep 0.5
  done
  echo "silo did not stop within ${STOP_TIMEOUT_S}s; killing it" >&2
  kill -KILL "$SILO_PID" 2>/dev/null || true
}
trap stop_silo EXIT

# Ready when the silo has logged its ready line (written once its gateway listens) and the gateway accepts a
# connection; a silo that exits (a port in use, bad configuration) fails the run at once.
ready=0
for _ in $(seq 1 $((READY_TIMEOUT_S * 2))); do
  if ! kill -0 "$SILO_PID" 2>/dev/null; then
    echo "silo exited during start-up:" >&2
    cat "$SILO_LOG" >&2
    exit 1
  fi
  if grep -q "silo ready" "$SILO_LOG" && (exec 3<>"/dev/tcp/127.0.0.1/$GATEWAY_PORT") 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.5
done
if [ "$ready" != 1 ]; then
  echo "silo not ready within ${READY_TIMEOUT_S}s:" >&2
  cat "$SILO_LOG" >&2
  exit 1
fi
grep "silo ready" "$SILO_LOG"

echo "== paramserver demo"
"$PARAMSERVER" demo --gateway-port "$GATEWAY_PORT"

echo "== paramserver status"
"$PARAMSERVER" status --gateway-port "$GATEWAY_PORT"
