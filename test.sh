#!/usr/bin/env bash
# Runs every test: starts Azurite (the Azure Storage emulator, from package.json) on free loopback ports,
# exports its connection string as PS_AZURITE, runs `dotnet test ParameterServer.sln` with the given
# arguments (e.g. --filter "FullyQualifiedName~Storage"), stops Azurite and returns dotnet test's exit code.
set -euo pipefail
cd "$(dirname "$0")"

if [[ ! -x node_modules/.bin/azurite ]]; then
  npm ci --no-audit --no-fund
fi

azurite_dir=$(mktemp -d)
azurite_pid=""
stop_azurite() {
  if [[ -n "$azurite_pid" ]] && kill -0 "$azurite_pid" 2>/dev/null; then
    kill "$azurite_pid"
    # Give it a few seconds to close its servers, then make sure it is gone.
    for _ in $(seq 50); do kill -0 "$azurite_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$azurite_pid" 2>/dev/null || true
  fi
  rm -rf "$azurite_dir"
}
trap stop_azurite EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Three ports the kernel hands out as free, held open together so that they differ.
read -r blob_port queue_port table_port < <(node -e '
  const net = require("net");
  const servers = [0, 1, 2].map(() => net.createServer().listen(0, "127.0.0.1"));
  Promise.all(servers.map(s => new Promise(r => s.on("listening", r)))).then(() => {
    console.log(servers.map(s => s.address().port).join(" "));
    servers.forEach(s => s.close());
  });')

# In a session of its own, so that a Ctrl-C meant for the tests does not stop it under them: the trap above
# stops it once they have ended.
setsid node_modules/.bin/azurite --silent --disableTelemetry --skipApiVersionCheck --location "$azurite_dir" \
  --blobHost 127.0.0.1 --blobPort "$blob_port" \
  --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port" \
  > "$azurite_dir/azurite.log" 2>&1 &
azurite_pid=$!

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 300); do
  if port_open "$blob_port" && port_open "$table_port"; then break; fi
  if ! kill -0 "$azurite_pid" 2>/dev/null; then
    echo "test.sh: Azurite exited while starting:" >&2
    cat "$azurite_dir/azurite.log" >&2
    exit 1
  fi
  sleep 0.1
done
if ! port_open "$blob_port" || ! port_open "$table_port"; then
  echo "test.sh: Azurite did not answer on 127.0.0.1:$blob_port and :$table_port within 30 s:" >&2
  cat "$azurite_dir/azurite.log" >&2
  exit 1
fi
echo "test.sh: Azurite (pid $azurite_pid) serves blob on 127.0.0.1:$blob_port and table on :$table_port"

# The emulator's well-known development account and key.
account=devstoreaccount1
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
export PS_AZURITE="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/$account;TableEndpoint=http://127.0.0.1:$table_port/$account;"

status=0
dotnet test ParameterServer.sln "$@" || status=$?
exit "$status"
