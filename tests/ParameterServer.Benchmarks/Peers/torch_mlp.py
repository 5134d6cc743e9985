"""The PyTorch peer of our MLP: 784-256-128-10, ReLU, softmax cross-entropy, trained on Fashion-MNIST
in one process. Prints one JSON object on stdout; errors go to stderr with exit code 2.

  /usr/bin/python3 torch_mlp.py --epochs 3 --batch 128 --optimizer adam --lr 1e-3 --threads 2
  /usr/bin/python3 torch_mlp.py --steps-only 500 --device cuda --batch 128
"""

import argparse
import json
import os
import sys
import time

import fashion_mnist

WIDTHS = (784, 256, 128, 10)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=fashion_mnist.DEFAULT_DIR, help="directory of the four IDX files")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    p.add_argument("--lr", type=float, default=1e-3, help="the rate, or the peak rate of --schedule cosine")
    p.add_argument("--schedule", choices=("constant", "cosine"), default="constant",
                   help="cosine: psworker's schedule, a linear warm-up over the first 2%% of the updates, then cosine "
                        "decay to 0 at the last")
    p.add_argument("--init", choices=("he", "xavier"), default="he",
                   help="weights: He (Kaiming) normal, fan-in, or Xavier (Glorot) normal; biases start at zero")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--target", type=float, default=0.885, help="test accuracy whose first reach is timed")
    # One thread was fastest on a busy 2-core machine: 1.4-2x the samples/s of two at batch 128, whose GEMMs
    # are too small to split. Try --threads with the core count where cores are free.
    p.add_argument("--threads", type=int, default=1, help="intra-op, OpenMP and OpenBLAS threads (default 1)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--steps-only", type=int, metavar="N",
                   help="time N training steps on random data of the right shape, after warm-up, and stop")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps before --steps-only measures")
    args = p.parse_args()
    for name in ("epochs", "batch", "threads", "steps_only", "lr"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            p.error(f"--{name.replace('_', '-')} must be positive")
    if args.warmup < 0:
        p.error("--warmup must not be negative")
    return args


def limit_threads(threads):
    # OpenMP (PyTorch's own kernels) and OpenBLAS (Debian's torch sends GEMMs there) size their pools when the
    # library loads, so the limit must be in the environment before torch is imported. OpenMP threads that
    # spin while waiting made 2-thread steps 6-10x slower on a busy 2-core machine; passive waits do not.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def build_model(torch, init, device):
    layers = []
    for i in range(len(WIDTHS) - 1):
        linear = torch.nn.Linear(WIDTHS[i], WIDTHS[i + 1])
        if init == "he":
            torch.nn.init.kaiming_normal_(linear.weight, mode="fan_in", nonlinearity="relu")
        else:
            torch.nn.init.xavier_normal_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(WIDTHS) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).to(device)


def make_optimizer(torch, name, model, lr):
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr)
    return torch.optim.SGD(model.parameters(), lr=lr)


def cosine_schedule(torch, optimizer, updates):
    """The rate factor psworker gives its shards (LearningRateSchedule.At with the warm-up and total TrainCommand
    sets): (t + 1) / warm-up during the warm-up, then half a cosine from 1 to 0 at the last update."""
    import math
    warmup, total = updates // 50 + 1, updates + 1

    def factor(t):
        if t < warmup:
            return (t + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (t - warmup) / (total - warmup))))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def pixel_bytes(torch, split):
    return torch.frombuffer(bytearray(split.images), dtype=torch.uint8).view(split.count, split.pixels_per_image)


def mean_and_std(torch, pixels):
    """Mean and population std of every pixel scaled to [0, 1], from a histogram of the 256 byte values:
    exact integer sums, without a float copy of the whole training set."""
    counts = torch.bincount(pixels.flatten(), minlength=256).to(torch.float64)
    values = torch.arange(256, dtype=torch.float64) / 255.0
    n = counts.sum()
    mean = (counts * values).sum() / n
    variance = (counts * (values - mean) ** 2).sum() / n
    return mean.item(), variance.sqrt().item()


def to_tensors(torch, split, mean, std, device):
    images = ((pixel_bytes(torch, split).to(torch.float32) / 255.0 - mean) / std).to(device)
    labels = torch.frombuffer(bytearray(split.labels), dtype=torch.uint8).to(torch.int64).to(device)
    return images, labels


def train_step(torch, model, optimizer, x, y):
    optimizer.zero_grad(set_to_none=True)
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


def accuracy(torch, model, images, labels):
    with torch.no_grad():
        return (model(images).argmax(dim=1) == labels).sum().item() / len(labels)


def synchronize(torch, device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def train(torch, args, device, report):
    data = fashion_mnist.load(args.data)
    # Standardized with the training set's own statistics, as our workers do.
    mean, std = mean_and_std(torch, pixel_bytes(torch, data["train"]))
    train_x, train_y = to_tensors(torch, data["train"], mean, std, device)
    test_x, test_y = to_tensors(torch, data["test"], mean, std, device)

    model = build_model(torch, args.init, device)
    optimizer = make_optimizer(torch, args.optimizer, model, args.lr)
    shuffle = torch.Generator().manual_seed(args.seed)
    samples = train_x.shape[0]
    steps_per_epoch = (samples + args.batch - 1) // args.batch
    scheduler = cosine_schedule(torch, optimizer, steps_per_epoch * args.epochs) if args.schedule == "cosine" else None

    epoch_seconds, test_accuracy, train_loss = [], [], []
    seconds_to_target = None
    start = time.perf_counter()
    for _ in range(args.epochs):
        order = torch.randperm(samples, generator=shuffle).to(device)
        loss_sum = torch.zeros((), device=device)
        synchronize(torch, device)
        epoch_start = time.perf_counter()
        for first in range(0, samples, args.batch):
            rows = order[first:first + args.batch]
            # Summed on the device: reading each loss back would synchronize every step.
            loss_sum += train_step(torch, model, optimizer, train_x[rows], train_y[rows]).detach() * len(rows)
            if scheduler is not None:
                scheduler.step()
        synchronize(torch, device)
        epoch_seconds.append(time.perf_counter() - epoch_start)
        train_loss.append(loss_sum.item() / samples)
        test_accuracy.append(accuracy(torch, model, test_x, test_y))
        if seconds_to_target is None and test_accuracy[-1] >= args.target:
            seconds_to_target = time.perf_counter() - start

    report.update(
        mode="train",
        samples_per_second=samples * args.epochs / sum(epoch_seconds),
        epoch_seconds=epoch_seconds,
        train_loss=train_loss,
        test_accuracy=test_accuracy,
        target=args.target,
        seconds_to_target=seconds_to_target,
        normalization={"mean": mean, "std": std},
    )


def steps_only(torch, args, device, report):
    generator = torch.Generator(device=device).manual_seed(args.seed)
    x = torch.randn(args.batch, WIDTHS[0], generator=generator, device=device)
    y = torch.randint(0, WIDTHS[-1], (args.batch,), generator=generator, device=device)
    model = build_model(torch, args.init, device)
    optimizer = make_optimizer(torch, args.optimizer, model, args.lr)
    for _ in range(args.warmup):
        train_step(torch, model, optimizer, x, y)
    synchronize(torch, device)
    start = time.perf_counter()
    for _ in range(args.steps_only):
        train_step(torch, model, optimizer, x, y)
    synchronize(torch, device)
    seconds = time.perf_counter() - start
    report.update(
        mode="steps_only",
        steps=args.steps_only,
        warmup_steps=args.warmup,
        steps_per_second=args.steps_only / seconds,
        samples_per_second=args.steps_only * args.batch / seconds,
        seconds_per_step=seconds / args.steps_only,
    )


def main():
    wall_start = time.perf_counter()
    args = parse_args()
    limit_threads(args.threads)
    import torch  # only now: see limit_threads

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    try:
        device = torch.device(args.device)
    except RuntimeError as e:
        raise ValueError(f"--device {args.device}: {e}") from e
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"--device {args.device}: this torch ({torch.__version__}) sees no CUDA device")
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"--device {args.device}: only cpu and cuda are supported")

    report = {}
    (steps_only if args.steps_only is not None else train)(torch, args, device, report)
    report.update(
        batch=args.batch,
        optimizer=args.optimizer,
        lr=args.lr,
        schedule=args.schedule,
        init=args.init,
        seed=args.seed,
        epochs=args.epochs if args.steps_only is None else None,
        torch_version=torch.__version__,
        threads=torch.get_num_threads(),
        device=str(device) if device.type == "cpu" else f"{device} ({torch.cuda.get_device_name(device)})",
        wall_seconds=time.perf_counter() - wall_start,
    )
    print(json.dumps(report))


if __name__ == "__main__":
    try:
        main()
    except (ValueError, OSError) as e:  # IdxError is a ValueError; a missing file an OSError
        print(f"torch_mlp: {e}", file=sys.stderr)
        sys.exit(2)
