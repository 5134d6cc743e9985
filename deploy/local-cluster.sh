#!/usr/bin/env bash
# A multi-process cluster on this machine, loopback only: Azurite (the Azure Storage emulator of package.json), N
# `paramserver silo` processes with Azure Table clustering and Azure Blob checkpoints on it, and M training workers
# started by `psworker launch` against that cluster (the training, progress display and results JSON of ./run.sh).
# Waits for training to finish, writes DIR/results.json, and stops everything it started, by PID, also when
# interrupted or when a step fails.
#
#   deploy/local-cluster.sh --silos N --workers M --run-dir DIR [--silo-port P] [--gateway-port P] [--data-port P]
#                           [--resume-from DIR0] [--hold] [run.sh training options: --epochs, --consistency, ...]
#
#   --silo-port, --gateway-port, --data-port  the first silo's ports; silo i (1-based) uses P + i - 1
#                                              (defaults 11111, 30000, 11300)
#   --resume-from DIR0                         start on the storage of the stopped run in DIR0 (its Azurite data and
#                                              checkpoint container) instead of a new one: a whole-cluster restart. The
#                                              model goes on from its checkpoints (values, optimizer slots, versions)
#                                              and the workers from the job's saved progress (each one's clock: its
#                                              epoch and step), given the training options of that run
#   --hold                                     keep the cluster up after training until Ctrl-C, to inspect it
#
# The silos take any other setting from the environment, as paramserver does (PS_Section__Key): for instance
# PS_Checkpoint__EveryUpdates=50 (checkpoint policy) or PS_Membership__ProbeTimeout=00:00:01 (failure detection).
#
# Under DIR: logs/ (azurite.log, silo-I.log, worker-J.log), pids/ (azurite.pid, silo-I.pid, worker-J.pid, launch.pid),
# azurite/ (the storage; with --resume-from, DIR0's is used), cluster.env (what `paramserver status` needs: source it,
# then paramserver status --clustering azure --connection-string "$CONNECTION_STRING" --cluster-id "$CLUSTER_ID"; and
# STORAGE and CONTAINER, where the checkpoints are), results.json.
#
# With Azure Table clustering no silo is a seed or primary: any one of them may be killed (kill -9 "$(cat
# DIR/pids/silo-2.pid)"); its shards reactivate on the others from their last checkpoints. A worker may be killed too
# (kill -9 "$(cat DIR/pids/worker-0.pid)"): the launcher reports it lost, the others take over its data partitions once
# its lease runs out and finish the job, and results.json records it (per_worker[0].lost).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/lib/azurite.sh"

PARAMSERVER=$ROOT/src/ParameterServer/Host/bin/Release/net10.0/paramserver
PSWORKER=$ROOT/src/GpuWorkers/WorkerHost/bin/Release/net10.0/psworker
READY_TIMEOUT_S=90
STOP_TIMEOUT_S=60

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

silos="" workers="" run_dir="" resume_from="" hold=0
silo_port=11111 gateway_port=30000 data_port=11300
training=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --silos) silos=${2:?--silos needs a value}; shift 2 ;;
    --workers) workers=${2:?--workers needs a value}; shift 2 ;;
    --run-dir) run_dir=${2:?--run-dir needs a value}; shift 2 ;;
    --silo-port) silo_port=${2:?--silo-port needs a value}; shift 2 ;;
    --gateway-port) gateway_port=${2:?--gateway-port needs a value}; shift 2 ;;
    --data-port) data_port=${2:?--data-port needs a value}; shift 2 ;;
    --resume-from) resume_from=${2:?--resume-from needs a value}; shift 2 ;;
    --hold) hold=1; shift ;;
    -h | --help) usage ;;
    --json | --plot | --silo | --worker | --standalone | --connection-string | --cluster-id | --pid-dir)
      echo "local-cluster.sh: $1 is set by this script" >&2; exit 2 ;;
    *) training+=("$1"); shift ;;
  esac
done
for n in "$silos" "$workers"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "local-cluster.sh: --silos and --workers need whole numbers >= 1" >&2; usage; }
done
[[ -n "$run_dir" ]] || { echo "local-cluster.sh: --run-dir is required" >&2; usage; }
mkdir -p "$run_dir/logs" "$run_dir/pids"
run_dir=$(cd "$run_dir" && pwd)

# A new run has storage of its own; a resumed one the storage of the run it resumes, which must have stopped.
storage=$run_dir/azurite
cluster_id="ps-$(date +%Y%m%d%H%M%S)"
container=$cluster_id
if [[ -n "$resume_from" ]]; then
  [[ -f "$resume_from/cluster.env" ]] || { echo "local-cluster.sh: --resume-from $resume_from: no cluster.env there (not a run directory)" >&2; exit 2; }
  previous_pid=$(cat "$resume_from/pids/azurite.pid" 2>/dev/null || true)
  if [[ -n "$previous_pid" ]] && kill -0 "$previous_pid" 2>/dev/null; then
    echo "local-cluster.sh: the run in $resume_from is still running (its Azurite, pid $previous_pid); stop it first" >&2
    exit 2
  fi
  # Runs written before STORAGE and CONTAINER were recorded kept both by their own names.
  storage=$(source "$resume_from/cluster.env" && echo "${STORAGE:-$(cd "$resume_from" && pwd)/azurite}")
  container=$(source "$resume_from/cluster.env" && echo "${CONTAINER:-$CLUSTER_ID}")
  [[ -d "$storage" ]] || { echo "local-cluster.sh: --resume-from $resume_from: its storage $storage is gone" >&2; exit 2; }
fi

# Everything this script started, stopped by PID in reverse order: the workers' launcher (which stops its workers),
# then the silos (gracefully: they write their shards' checkpoints), then the storage they write to.
started=()
stop_all() {
  local status=$?
  trap - EXIT INT TERM
  local i pid
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    pid=${started[i]}
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq $((STOP_TIMEOUT_S * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  azurite_stop
  echo "== stopped every process started (logs in $run_dir/logs)"
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== build (Release)"
dotnet build "$ROOT/src/ParameterServer/Host/ParameterServer.Host.csproj" -c Release -nologo -v quiet
dotnet build "$ROOT/src/GpuWorkers/WorkerHost/ParameterServer.WorkerHost.csproj" -c Release -nologo -v quiet

echo "== start Azurite (data in $storage)"
azurite_start "$storage" "$run_dir/logs/azurite.log" "$run_dir/pids/azurite.pid"
cat > "$run_dir/cluster.env" <<ENV
CLUSTER_ID='$cluster_id'
CONNECTION_STRING='$AZURITE_CONNECTION_STRING'
STORAGE='$storage'
CONTAINER='$container'
ENV

for i in $(seq 1 "$silos"); do
  log="$run_dir/logs/silo-$i.log"
  "$PARAMSERVER" silo --cluster-id "$cluster_id" --advertised-address 127.0.0.1 \
    --clustering azure --connection-string "$AZURITE_CONNECTION_STRING" \
    --storage blob --storage-connection-string "$AZURITE_CONNECTION_STRING" --container "$container" \
    --silo-port $((silo_port + i - 1)) --gateway-port $((gateway_port + i - 1)) --data-port $((data_port + i - 1)) \
    --data-dir "$run_dir/silo-$i" > "$log" 2>&1 &
  started+=($!)
  echo $! > "$run_dir/pids/silo-$i.pid"
  echo "== silo $i (pid $!): silo port $((silo_port + i - 1)), gateway port $((gateway_port + i - 1)), data port $((data_port + i - 1))"
done
for i in $(seq 1 "$silos"); do
  pid=$(cat "$run_dir/pids/silo-$i.pid")
  log="$run_dir/logs/silo-$i.log"
  for _ in $(seq $((READY_TIMEOUT_S * 10))); do
    grep -q "silo ready" "$log" && break
    kill -0 "$pid" 2>/dev/null || { echo "silo $i exited while starting:" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.1
  done
  grep -q "silo ready" "$log" || { echo "silo $i not ready within ${READY_TIMEOUT_S}s:" >&2; tail -20 "$log" >&2; exit 1; }
done
echo "== $silos silo(s) ready; cluster $cluster_id${resume_from:+, resuming the run in $resume_from (checkpoints in container $container)}"

echo "== train: $workers worker(s)"
"$PSWORKER" launch --workers "$workers" --connection-string "$AZURITE_CONNECTION_STRING" --cluster-id "$cluster_id" \
  --run-dir "$run_dir/logs" --pid-dir "$run_dir/pids" --json "$run_dir/results.json" --plot "$run_dir/curves.png" \
  "${training[@]}" &
launch=$!
started+=("$launch")
echo "$launch" > "$run_dir/pids/launch.pid"
wait "$launch"
echo "== results in $run_dir/results.json"

if [[ "$hold" == 1 ]]; then
  echo "== holding the cluster; Ctrl-C stops it (source $run_dir/cluster.env for paramserver status)"
  # Short sleeps: bash runs the TERM trap (a stop by PID, not Ctrl-C) only once the command in progress has ended.
  while true; do sleep 1; done
fi
