#!/usr/bin/env bash
# The main job: trains an MLP (784-256-128-10) on Fashion-MNIST through the parameter server. Builds (Release),
# makes sure the data set is there, then `psworker launch` starts a local silo and the worker processes, shows their
# progress, writes results JSON and a plot under runs/<timestamp>/, and stops every process it started.
#
#   ./run.sh [--data DIR] [--workers N] [--epochs N] [--consistency bsp|ssp:N|async] [--device auto|cpu|cuda:N]
#            [--seed N] [--json PATH] [any other `psworker launch` option; ./run.sh --help lists them]
#
# (./demo.sh runs the parameter server alone: a silo, `paramserver demo` and `paramserver status`.)
set -euo pipefail
cd "$(dirname "$0")"

DATASET=/usr/share/datasets/fashion-mnist
PARAMSERVER=src/ParameterServer/Host/bin/Release/net10.0/paramserver
PSWORKER=src/GpuWorkers/WorkerHost/bin/Release/net10.0/psworker

data_given=0
for arg in "$@"; do
  case "$arg" in
    --data | --data=*) data_given=1 ;;
  esac
done

echo "== build (Release)"
dotnet build src/ParameterServer/Host/ParameterServer.Host.csproj -c Release -nologo -v quiet
dotnet build src/GpuWorkers/WorkerHost/ParameterServer.WorkerHost.csproj -c Release -nologo -v quiet

dataset_present() {
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$DATASET/$f" ] || [ -f "$DATASET/$f.gz" ] || return 1
  done
}

if [ "$data_given" = 0 ] && ! dataset_present; then
  if [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
    echo "== Fashion-MNIST is not in $DATASET: installing the Debian package dataset-fashion-mnist"
    as_root=()
    [ "$(id -u)" = 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get install -y dataset-fashion-mnist || { "${as_root[@]}" apt-get update && "${as_root[@]}" apt-get install -y dataset-fashion-mnist; }
  else
    cat >&2 <<MSG
Fashion-MNIST is not in $DATASET and this is not a Debian system, so it cannot be installed for you.
Download the four files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
t10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist (folder data/fashion) into a
directory, then run: ./run.sh --data DIR
MSG
    exit 1
  fi
fi

echo "== train"
exec "$PSWORKER" launch --silo "$PARAMSERVER" "$@"
