#!/usr/bin/env bash
# The benchmarks, one command: installs what they need (Debian's OpenBLAS for the GEMM reference, Fashion-MNIST for
# training, python3-torch for the PyTorch peers), builds Release once, runs every benchmark in sequence and prints one table of figures at the
# end (figure, ours, reference, ratio, goal, pass/fail). Each figure is a ratio against a reference measured in the
# same run. The work is done by `ParameterServer.Benchmarks report` (tests/ParameterServer.Benchmarks/Report/),
# which stops every process it starts by its PID.
#
#   ./bench.sh [--quick] [--json PATH]
#     --quick      shorter measurements: under 2 minutes on a 2-core machine
#     --json PATH  also write every figure, the machine (cores, CPU model, load average before and after) and the date
#
# A figure that cannot be measured here (no CUDA device, a package that would not install) is a "not measured: <why>"
# row; the exit code is 0 once the report is written, whatever the figures, 2 for bad arguments.
set -euo pipefail
cd "$(dirname "$0")"

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) args+=("$1") ;;
    --json)
      [ $# -ge 2 ] || { echo "bench.sh: --json needs a path" >&2; exit 2; }
      args+=("$1" "$2")
      shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# Installs Debian packages quietly (root, or sudo without a password); says why on stderr when it cannot.
apt_install() {
  command -v apt-get >/dev/null || { echo "bench.sh: not a Debian system; install $* yourself" >&2; return 1; }
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "bench.sh: installing $* needs root" >&2; return 1; }
    sudo=(sudo -n)
  fi
  # Another apt run on a shared machine holds the lock for a while: wait for it rather than failing.
  local opts=(-q -o DPkg::Lock::Timeout=300)
  "${sudo[@]}" apt-get "${opts[@]}" update >/dev/null \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install -y --no-install-recommends "$@" >/dev/null
}

echo "== prerequisites"
if ! ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; then
  echo "installing libopenblas0-pthread (the GEMM benchmark's reference)"
  apt_install libopenblas0-pthread || echo "bench.sh: without OpenBLAS the GEMM figures are not measured" >&2
fi
dataset=/usr/share/datasets/fashion-mnist
if ! ls "$dataset"/train-images-idx3-ubyte* >/dev/null 2>&1; then
  echo "installing dataset-fashion-mnist (the training benchmarks' data)"
  apt_install dataset-fashion-mnist || echo "bench.sh: without Fashion-MNIST the training figures are not measured" >&2
fi
bash tests/ParameterServer.Benchmarks/Peers/ensure-torch.sh || echo "bench.sh: without torch the PyTorch figures are not measured" >&2

echo "== build (Release): the benchmarks, paramserver and psworker"
dotnet build tests/ParameterServer.Benchmarks -c Release -nologo -v quiet

exec tests/ParameterServer.Benchmarks/bin/Release/net10.0/ParameterServer.Benchmarks report "${args[@]}"
