#!/usr/bin/env python3
"""PyTorch peer of the first-model benchmark (bench/run_first_model.sh).

The Keras tutorial's exact configuration, written as a competent PyTorch user would: data as
tensors in memory (no DataLoader), torch.set_num_threads, logits + CrossEntropyLoss (the softmax
folded into the loss), Keras's initialisers (Glorot-uniform kernels, zero biases) and Adam
epsilon (1e-7), validation on the last 10% before shuffling, inference under no_grad in eval
mode, batch 32 everywhere as in the tutorial. Prints one `RESULT key=value ...` line.

    first_model_torch.py --data DIR [--epochs 5] [--threads 1] [--seed 1]
"""
import argparse
import gzip
import os
import resource
import struct
import time

import numpy as np
import torch
from torch import nn


def load_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, f"{path}: not a uint8 IDX file"
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def find(directory, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    raise FileNotFoundError(f"{stem}(.gz) not found in {directory}")


def batches(n, size):
    return range(0, n, size)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    x_train = load_idx(find(a.data, "train-images-idx3-ubyte"))
    y_train = load_idx(find(a.data, "train-labels-idx1-ubyte"))
    x_test = load_idx(find(a.data, "t10k-images-idx3-ubyte"))
    y_test = load_idx(find(a.data, "t10k-labels-idx1-ubyte"))
    # The tutorial's preprocessing (float32 in [0, 1]), scaled in place; torch shares the arrays.
    x_train = x_train.astype(np.float32)
    x_train /= 255.0
    x_test = x_test.astype(np.float32)
    x_test /= 255.0
    x_train, x_test = torch.from_numpy(x_train), torch.from_numpy(x_test)
    y_train = torch.from_numpy(y_train.astype(np.int64))
    y_test = torch.from_numpy(y_test.astype(np.int64))

    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    split = int(len(x_train) * 0.9)  # Keras: the last 10%, taken before shuffling
    x_fit, y_fit, x_val, y_val = x_train[:split], y_train[:split], x_train[split:], y_train[split:]
    bs = 32

    def evaluate(x, y):
        model.eval()
        total_loss, correct = 0.0, 0
        with torch.no_grad():
            for i in batches(len(x), bs):
                out = model(x[i:i + bs])
                total_loss += loss_fn(out, y[i:i + bs]).item() * len(out)
                correct += (out.argmax(1) == y[i:i + bs]).sum().item()
        return total_loss / len(x), correct / len(x)

    epoch_s = []
    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in range(a.epochs):
        e0 = time.perf_counter()
        model.train()
        perm = torch.randperm(split)
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for i in batches(split, bs):
            idx = perm[i:i + bs]
            xb, yb = x_fit[idx], y_fit[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            loss_sum += loss.detach() * len(idx)  # Keras's running loss and accuracy
            correct += (out.detach().argmax(1) == yb).sum()
        evaluate(x_val, y_val)
        epoch_s.append(time.perf_counter() - e0)
    fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - cpu0

    t1 = time.perf_counter()
    _, test_acc = evaluate(x_test, y_test)
    evaluate_s = time.perf_counter() - t1
    t1 = time.perf_counter()
    model.eval()
    with torch.no_grad():
        predictions = torch.cat([torch.softmax(model(x_test[i:i + bs]), 1) for i in batches(len(x_test), bs)])
    predict_s = time.perf_counter() - t1
    assert predictions.shape == (10000, 10)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6
    print(f"RESULT impl=pytorch threads={torch.get_num_threads()} fit_s={fit_s:.3f} fit_cpu_s={fit_cpu:.3f} "
          f"epoch_s={','.join(f'{s:.3f}' for s in epoch_s)} test_acc={test_acc:.4f} "
          f"evaluate_s={evaluate_s:.4f} evaluate_ips={len(x_test) / evaluate_s:.0f} "
          f"predict_s={predict_s:.4f} predict_ips={len(x_test) / predict_s:.0f} peak_rss_mb={rss_mb:.1f}")


if __name__ == "__main__":
    main()
