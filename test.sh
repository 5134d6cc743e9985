#!/usr/bin/env bash
# Runs the tests: starts Azurite (the Azure Storage emulator, from package.json) on free loopback ports, exports its
# connection string as PS_AZURITE, runs `dotnet test ParameterServer.sln` with the given arguments, stops Azurite and
# returns dotnet test's exit code. Without a --filter it leaves out the process-level tests (Category=Process: silos
# and Azurite killed and restarted), which .ci/run runs as `./test.sh --filter Category=Process`.
set -euo pipefail
cd "$(dirname "$0")"
source deploy/lib/azurite.sh

azurite_dir=$(mktemp -d)
stop_azurite() {
  azurite_stop
  rm -rf "$azurite_dir"
}
trap stop_azurite EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

azurite_start "$azurite_dir/data" "$azurite_dir/azurite.log"
echo "test.sh: Azurite (pid $AZURITE_PID) is up"
export PS_AZURITE="$AZURITE_CONNECTION_STRING"

filter=()
[[ " $* " == *" --filter"* ]] || filter=(--filter "Category!=Process")
status=0
dotnet test ParameterServer.sln "${filter[@]}" "$@" || status=$?
exit "$status"
