"""The PyTorch peer of our push and pull: a parameter server on torch.distributed.rpc (TensorPipe) on
loopback. A server process holds K shards of 4 MiB (1M float32) and applies plain SGD, w -= lr * g, when a
gradient arrives; a worker process pushes gradients and pulls shards with 1 and 4 calls in flight and
measures GB/s (1e9 bytes) and CPU-seconds per GB of both processes. Each transport mode gets a fresh pair
of processes, started, joined and, if they overrun, killed by this script. Prints one JSON object.

  /usr/bin/python3 torch_rpc_ps.py --seconds 3 --modes default,tcp --in-flight 1,4
"""

import argparse
import collections
import json
import multiprocessing
import os
import queue
import socket
import sys
import threading
import time
import traceback

# TensorPipe's agent logs each start and shutdown through glog at INFO; warnings and errors still show.
# Set before torch loads glog, and inherited by the forked server and worker.
os.environ.setdefault("GLOG_minloglevel", "1")

import torch  # noqa: E402 (after the logging setting)
import torch.distributed.rpc as rpc  # noqa: E402

SHARD_FLOATS = 1 << 20  # 4 MiB of float32
SHARD_BYTES = SHARD_FLOATS * 4
# lr = 2^-10 and integer gradients in [-8, 8] keep every update exact in float32 (every sum is a multiple
# of 2^-10 below 2^14 for up to 2^21 pushes to a shard), so the final check compares with a closed form.
LEARNING_RATE = 2.0 ** -10
SERVER, WORKER = "ps", "worker"

# TensorPipe's names: transports carry the control messages and small payloads, channels the tensors.
# "uv" is TCP through libuv, "basic" sends tensors over the transport; the defaults add the shared-memory
# transport ("shm") and cross-memory-attach channel ("cma"), which is what makes them faster on one host.
MODES = {
    "default": {},
    "tcp": {"_transports": ["uv"], "_channels": ["basic"]},
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shards", type=int, default=8, help="K, the number of 4 MiB shards on the server")
    p.add_argument("--seconds", type=float, default=3.0, help="length of each push or pull measurement")
    p.add_argument("--modes", default="default,tcp", help=f"comma-separated, of: {', '.join(MODES)}")
    p.add_argument("--in-flight", default="1,4", help="comma-separated numbers of calls kept in flight")
    args = p.parse_args()
    args.modes = args.modes.split(",")
    unknown = [m for m in args.modes if m not in MODES]
    if unknown:
        p.error(f"unknown mode {unknown[0]!r}; known: {', '.join(MODES)}")
    try:
        args.in_flight = [int(n) for n in args.in_flight.split(",")]
    except ValueError:
        p.error("--in-flight takes comma-separated integers")
    if args.shards < 1 or args.seconds <= 0 or min(args.in_flight) < 1:
        p.error("--shards, --seconds and every --in-flight value must be positive")
    return args


# ---- the server: its shards and the functions the worker calls on it -------------------------------

class ShardStore:
    """The server's shards. RPC handlers run on a thread pool, so each shard has a lock: an update is
    applied whole, and a pull copies a shard that no update is writing (never a torn snapshot)."""

    def __init__(self, shards):
        self.values = [torch.zeros(SHARD_FLOATS) for _ in range(shards)]
        self.locks = [threading.Lock() for _ in range(shards)]

    def push(self, shard, gradient):
        with self.locks[shard]:
            self.values[shard].add_(gradient, alpha=-LEARNING_RATE)

    def pull(self, shard):
        with self.locks[shard]:
            return self.values[shard].clone()


_store = None  # set in the server process only


def push(shard, gradient):
    _store.push(shard, gradient)


def pull(shard):
    return _store.pull(shard)


def cpu_seconds():
    return time.process_time()


# ---- both processes ------------------------------------------------------------------------------

def init_rpc(name, rank, port, mode):
    os.environ["TP_SOCKET_IFNAME"] = "lo"  # TensorPipe's TCP transport binds to this interface: loopback
    # One intra-op thread: the RPC thread pool already runs the handlers in parallel.
    torch.set_num_threads(1)
    options = rpc.TensorPipeRpcBackendOptions(init_method=f"tcp://127.0.0.1:{port}", rpc_timeout=60, **MODES[mode])
    rpc.init_rpc(name, rank=rank, world_size=2, rpc_backend_options=options)


def run_server(port, mode, shards):
    global _store
    _store = ShardStore(shards)
    init_rpc(SERVER, 0, port, mode)
    rpc.shutdown()  # waits until the worker is done too


def run_worker(port, mode, shards, seconds, in_flight, results):
    try:
        init_rpc(WORKER, 1, port, mode)
        try:
            results.put(("ok", measure_all(mode, shards, seconds, in_flight)))
        finally:
            rpc.shutdown()
    except Exception:
        results.put(("error", traceback.format_exc()))


# ---- the worker's measurements -------------------------------------------------------------------

def measure(call, in_flight, seconds):
    """Keeps in_flight calls outstanding for `seconds`, then waits for the last ones; returns
    (calls, elapsed seconds, CPU-seconds of worker plus server)."""
    pending = collections.deque()
    calls = 0
    cpu_start = time.process_time() + rpc.rpc_sync(SERVER, cpu_seconds)
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        while len(pending) < in_flight and time.perf_counter() < deadline:
            pending.append(call(calls + len(pending)))
        if not pending:
            break
        pending.popleft().wait()
        calls += 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() + rpc.rpc_sync(SERVER, cpu_seconds) - cpu_start
    return calls, elapsed, cpu


def measure_all(mode, shards, seconds, in_flight):
    gradient = torch.randint(-8, 9, (SHARD_FLOATS,), generator=torch.Generator().manual_seed(1)).to(torch.float32)
    pushes = [0] * shards

    def push_call(i):
        pushes[i % shards] += 1
        return rpc.rpc_async(SERVER, push, args=(i % shards, gradient))

    def pull_call(i):
        return rpc.rpc_async(SERVER, pull, args=(i % shards,))

    # Warm-up: connections, channel negotiation, first allocations.
    for shard in range(shards):
        push_call(shard).wait()
        pull_call(shard).wait()

    figures = []
    for n in in_flight:
        row = {"mode": mode, "in_flight": n}
        for name, call in (("push", push_call), ("pull", pull_call)):
            calls, elapsed, cpu = measure(call, n, seconds)
            gigabytes = calls * SHARD_BYTES / 1e9
            row[f"{name}_gbps"] = gigabytes / elapsed
            row[f"{name}_cpu_seconds_per_gb"] = cpu / gigabytes
            row[f"{name}_calls"] = calls
        figures.append(row)

    # Every push was applied once: shard k must hold -lr * pushes[k] * gradient.
    verified = all(
        torch.equal(rpc.rpc_sync(SERVER, pull, args=(k,)), gradient * (-LEARNING_RATE * pushes[k]))
        for k in range(shards))
    return {"figures": figures, "updates_verified": verified}


# ---- the launcher --------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_mode(mode, args):
    """Starts a server and a worker process for one mode and returns the worker's figures. Both are
    joined within a bounded time and killed by PID if they overrun, whatever happens."""
    # Forked, so both start with torch imported (spawned ones import it again: seconds each on a loaded machine).
    # Safe here: this launcher has started no thread and touched no tensor before it forks.
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    port = free_port()
    server = context.Process(target=run_server, args=(port, mode, args.shards), name=f"ps-{mode}")
    worker = context.Process(target=run_worker, args=(port, mode, args.shards, args.seconds, args.in_flight, results),
                             name=f"worker-{mode}")
    # Start-up (importing torch, the rendezvous) plus every measurement, with a wide margin.
    budget = 60 + 4 * args.seconds * len(args.in_flight)
    server.start()
    worker.start()
    status, payload = "error", "the launcher was interrupted"
    try:
        status, payload = results.get(timeout=budget)
    except queue.Empty:
        status, payload = "error", f"no result within {budget:.0f} s"
    finally:
        for process in (worker, server):
            process.join(timeout=30 if status == "ok" else 1)
            if process.is_alive():
                process.kill()
                process.join()
    if status != "ok":
        raise RuntimeError(f"mode {mode}: {payload}")
    return payload


def main():
    args = parse_args()
    start = time.perf_counter()
    report = {"torch_version": torch.__version__, "shard_bytes": SHARD_BYTES, "shards": args.shards,
              "seconds_per_measurement": args.seconds, "figures": [], "updates_verified": {}}
    for mode in args.modes:
        result = run_mode(mode, args)
        report["figures"].extend(result["figures"])
        report["updates_verified"][mode] = result["updates_verified"]
    report["wall_seconds"] = time.perf_counter() - start
    print(json.dumps(report))
    if not all(report["updates_verified"].values()):
        print("torch_rpc_ps: the server's shards do not hold the pushed updates", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        print(f"torch_rpc_ps: {e}", file=sys.stderr)
        sys.exit(1)
