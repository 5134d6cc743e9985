# Azurite, the Azure Storage emulator pinned in package.json, for ./test.sh and deploy/local-cluster.sh. Sourced, not run.
#
#   azurite_start DATA_DIR LOG [PID_FILE]
#       starts it on three free loopback ports (blob, queue, table) with its data in DATA_DIR and its output in LOG,
#       in a session of its own (a Ctrl-C meant for the caller's children does not stop it under them), and waits until
#       blob and table accept connections. Sets AZURITE_PID and AZURITE_CONNECTION_STRING; writes the PID to PID_FILE.
#   azurite_stop
#       stops it by its PID: SIGTERM, then SIGKILL if it has not exited within 30 s.

AZURITE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AZURITE_PID=""
AZURITE_CONNECTION_STRING=""

azurite_start() {
  local data_dir=$1 log=$2 pid_file=${3:-}
  if [[ ! -x "$AZURITE_ROOT/node_modules/.bin/azurite" ]]; then
    (cd "$AZURITE_ROOT" && npm ci --no-audit --no-fund) || return 1
  fi
  mkdir -p "$data_dir"
  # Three ports the kernel hands out as free, held open together so that they differ.
  local blob_port queue_port table_port
  read -r blob_port queue_port table_port < <(node -e '
    const net = require("net");
    const servers = [0, 1, 2].map(() => net.createServer().listen(0, "127.0.0.1"));
    Promise.all(servers.map(s => new Promise(r => s.on("listening", r)))).then(() => {
      console.log(servers.map(s => s.address().port).join(" "));
      servers.forEach(s => s.close());
    });')
  setsid "$AZURITE_ROOT/node_modules/.bin/azurite" --silent --disableTelemetry --skipApiVersionCheck --location "$data_dir" \
    --blobHost 127.0.0.1 --blobPort "$blob_port" \
    --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port" \
    > "$log" 2>&1 &
  AZURITE_PID=$!
  [[ -z "$pid_file" ]] || echo "$AZURITE_PID" > "$pid_file"

  local _
  for _ in $(seq 300); do
    if _azurite_port_open "$blob_port" && _azurite_port_open "$table_port"; then break; fi
    if ! kill -0 "$AZURITE_PID" 2>/dev/null; then
      echo "Azurite exited while starting:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  if ! _azurite_port_open "$blob_port" || ! _azurite_port_open "$table_port"; then
    echo "Azurite did not answer on 127.0.0.1:$blob_port and :$table_port within 30 s:" >&2
    cat "$log" >&2
    return 1
  fi
  # The emulator's well-known development account and key.
  local account=devstoreaccount1
  local key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/$account;TableEndpoint=http://127.0.0.1:$table_port/$account;"
}

azurite_stop() {
  if [[ -n "$AZURITE_PID" ]] && kill -0 "$AZURITE_PID" 2>/dev/null; then
    kill "$AZURITE_PID"
    local _
    for _ in $(seq 300); do kill -0 "$AZURITE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$AZURITE_PID" 2>/dev/null || true
  fi
  AZURITE_PID=""
}

_azurite_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
