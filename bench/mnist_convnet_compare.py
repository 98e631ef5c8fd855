#!/usr/bin/python3
"""One epoch of the keras.io MNIST convnet, kerascpp against PyTorch, in the same run.

Both train the same network (Conv2D 32 3x3 relu, MaxPool 2, Conv2D 64 3x3 relu, MaxPool 2,
Flatten, Dropout 0.5, Dense 10 softmax) with Adam, batch 128, on the first 54,000 MNIST training
images, shuffled, then evaluate the last 6,000 (Keras's validation_split=0.1): one `fit` epoch.
Runs alternate (kerascpp, PyTorch, kerascpp, ...) for each thread count, so that load from other
work on the machine hits both alike; the table gives every run and the ratio of the medians.

    /usr/bin/python3 bench/mnist_convnet_compare.py [--build build] [--threads 1 2] [--rounds 3]

Needs Debian's python3-torch (hence /usr/bin/python3) and MNIST in $KERASCPP_DATA_DIR
(default ../shared/data/mnist).
"""
import argparse
import gzip
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def torch_epoch(threads, data_dir):
    """Trains one epoch in PyTorch; prints 'pytorch threads=N epoch_s=S val_accuracy=A'."""
    import numpy as np
    import torch
    import torch.nn as nn

    torch.set_num_threads(threads)
    torch.manual_seed(1)

    def idx(name):
        with gzip.open(os.path.join(data_dir, name + ".gz")) as f:
            raw = f.read()
        ndim = raw[3]
        dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
        return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)

    x = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
    x_train, y_train, x_val, y_val = x[:54000], y[:54000], x[54000:], y[54000:]

    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    # Softmax + categorical cross-entropy, as one fused op (what Keras computes too).
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()

    model.train()
    for i in range(10):  # warm-up, as kerascpp's bench warms up
        step(x_train[i * 128:(i + 1) * 128], y_train[i * 128:(i + 1) * 128])

    start = time.perf_counter()
    model.train()
    order = torch.randperm(54000)
    for s in range(0, 54000, 128):
        batch = order[s:s + 128]
        step(x_train[batch], y_train[batch])
    model.eval()
    correct = 0
    with torch.no_grad():
        for s in range(0, 6000, 128):
            logits = model(x_val[s:s + 128])
            loss_fn(logits, y_val[s:s + 128])
            correct += int((logits.argmax(1) == y_val[s:s + 128]).sum())
    seconds = time.perf_counter() - start
    print(f"pytorch threads={threads} epoch_s={seconds:.3f} val_accuracy={correct / 6000:.4f}")


def torch_step_cpu(steps=40):
    """CPU time of one PyTorch training step (batch 128, one thread), as process time, which
    load from other processes hardly changes; compare with `mnist_convnet_bench --layers`."""
    import torch
    import torch.nn as nn

    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.rand(128, 1, 28, 28), torch.randint(0, 10, (128,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    start = time.process_time()
    for _ in range(steps):
        step()
    print(f"pytorch threads=1 cpu_ms_per_step={(time.process_time() - start) / steps * 1e3:.1f}")


def run(cmd, env):
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    line = [l for l in out.splitlines() if "epoch_s=" in l][-1]
    fields = dict(f.split("=", 1) for f in line.split()[1:])
    return float(fields["epoch_s"]), float(fields["val_accuracy"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build", help="kerascpp build directory")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--conv", default="", help="kerascpp convolution implementation (onednn or im2col)")
    p.add_argument("--torch-step-cpu", action="store_true",
                   help="only print the CPU time of one PyTorch step on one thread")
    p.add_argument("--torch-epoch", type=int, metavar="THREADS", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.torch_step_cpu:
        torch_step_cpu()
        return
    data_dir = os.environ.get("KERASCPP_DATA_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))
    if a.torch_epoch:
        torch_epoch(a.torch_epoch, data_dir)
        return

    env = dict(os.environ, KERASCPP_DATA_DIR=os.path.abspath(data_dir))
    bench = os.path.join(a.build, "bench", "mnist_convnet_bench")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| threads | round | kerascpp (s) | PyTorch (s) | kerascpp val_acc | PyTorch val_acc |")
    print("|---|---|---|---|---|---|")
    summary = []
    for threads in a.threads:
        times = {"k": [], "t": []}
        for r in range(a.rounds):
            kcmd = [bench, "--threads", str(threads)] + (["--conv", a.conv] if a.conv else [])
            tcmd = [sys.executable, os.path.abspath(__file__), "--torch-epoch", str(threads)]
            # Alternate which goes first, so neither always meets the same moment of load.
            pair = [("k", kcmd), ("t", tcmd)] if r % 2 == 0 else [("t", tcmd), ("k", kcmd)]
            res = {}
            for key, cmd in pair:
                # PyTorch sizes its OpenMP pool from torch.set_num_threads, not OMP_NUM_THREADS.
                res[key] = run(cmd, dict(env, OMP_NUM_THREADS=str(threads)) if key == "t" else env)
                times[key].append(res[key][0])
            print(f"| {threads} | {r + 1} | {res['k'][0]:.2f} | {res['t'][0]:.2f} | {res['k'][1]:.4f} | {res['t'][1]:.4f} |",
                  flush=True)
        km, tm = statistics.median(times["k"]), statistics.median(times["t"])
        summary.append((threads, km, tm))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print()
    print("| threads | kerascpp median (s) | PyTorch median (s) | PyTorch / kerascpp |")
    print("|---|---|---|---|")
    for threads, km, tm in summary:
        print(f"| {threads} | {km:.2f} | {tm:.2f} | **{tm / km:.2f}x** |")


if __name__ == "__main__":
    main()
