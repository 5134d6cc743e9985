#!/usr/bin/env bash
# Makes sure the interpreter the PyTorch peers run with can import torch. On Debian it installs
# python3-torch (1.13) with apt, never pip, so that every machine measures the same build.
# Quiet when torch is already there; exits non-zero with the reason when it cannot provide it.
# PS_PYTHON names another interpreter (a GPU machine's PyTorch 2.x); apt only ever serves /usr/bin/python3.
set -uo pipefail

python="${PS_PYTHON:-/usr/bin/python3}"
has_torch() { "$python" -c 'import torch' >/dev/null 2>&1; }
fail() { echo "ensure-torch: $*" >&2; exit 1; }

has_torch && exit 0

[ "$python" = /usr/bin/python3 ] \
  || fail "$python cannot import torch; install PyTorch for it, or unset PS_PYTHON to use Debian's python3-torch."
command -v apt-get >/dev/null \
  || fail "torch is missing and this is not a Debian system; install PyTorch for /usr/bin/python3 (e.g. python3-torch from your distribution)."

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || fail "installing python3-torch needs root: run 'apt-get install -y python3-torch' as root."
  sudo=(sudo -n)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Another apt run on a shared machine holds the lock for a while: wait for it rather than failing.
apt_opts=(-q -o DPkg::Lock::Timeout=300)
if ! "${sudo[@]}" apt-get "${apt_opts[@]}" update >"$log" 2>&1 \
  || ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends python3-torch >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "apt-get could not install python3-torch (log above)."
fi

has_torch || fail "python3-torch is installed but '$python -c \"import torch\"' still fails."
