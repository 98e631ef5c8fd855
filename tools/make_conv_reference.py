#!/usr/bin/python3
"""Generates tests/fixtures/conv_reference.json: what PyTorch (Debian's python3-torch) computes
for the convnet layers, in Keras's conventions (NHWC tensors, (kh, kw, cin, cout) kernels,
TensorFlow's "same" padding, padding excluded from averages, Keras's BatchNormalization with
biased moving variance). Inputs and weights come from a formula (`values`) that the C++ test
(tests/test_conv_torch_reference.cpp) reproduces, so the fixture holds only the outputs.

    /usr/bin/python3 tools/make_conv_reference.py > tests/fixtures/conv_reference.json
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)


def values(shape, offset, scale=1.0):
    """scale * sin(0.37 * i + offset) over the flat index i, rounded to float32."""
    n = math.prod(shape)
    return torch.tensor([scale * math.sin(0.37 * i + offset) for i in range(n)]).reshape(shape)


def flat(t):
    return [float("%.8g" % v) for v in t.detach().reshape(-1)]


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def same_pads(size, kernel, stride):
    """TensorFlow's "same": output ceil(size / stride); the odd pixel of padding goes last."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def pad_same(x, kernel, stride, value=0.0):
    """Pads an NCHW tensor as TensorFlow's "same" would."""
    top, bottom = same_pads(x.shape[2], kernel[0], stride[0])
    left, right = same_pads(x.shape[3], kernel[1], stride[1])
    return F.pad(x, (left, right, top, bottom), value=value)


def conv(x, kernel, bias, stride, padding):
    """Keras Conv2D (linear) on NHWC x with a (kh, kw, cin, cout) kernel."""
    xc = nchw(x)
    if padding == "same":
        xc = pad_same(xc, kernel.shape[:2], stride)
    return nhwc(F.conv2d(xc, kernel.permute(3, 2, 0, 1), bias, stride=stride))


def conv_case(x_shape, k_shape, stride, padding, seed):
    x = values(x_shape, 0.1 + seed, 1.0).requires_grad_(True)
    k = values(k_shape, 1.3 + seed, 0.4).requires_grad_(True)
    b = values((k_shape[3],), 2.7 + seed, 0.2).requires_grad_(True)
    z = conv(x, k, b, stride, padding)
    # Gradients of L = sum(r * z), r from the formula too.
    r = values(tuple(z.shape), 0.9 + seed, 1.0)
    (z * r).sum().backward()
    return {"x": list(x_shape), "kernel": list(k_shape), "strides": list(stride), "padding": padding,
            "seed": seed, "output_shape": list(z.shape), "linear": flat(z), "relu": flat(torch.relu(z)),
            "dx": flat(x.grad), "dkernel": flat(k.grad), "dbias": flat(b.grad)}


def pool_case(kind, x_shape, pool, stride, padding, seed):
    x = values(x_shape, 0.4 + seed, 1.0)
    xc = nchw(x)
    if kind == "max":
        if padding == "same":
            xc = pad_same(xc, pool, stride, value=-math.inf)
        y = F.max_pool2d(xc, pool, stride)
    else:
        if padding == "same":  # mean over the positions inside the input only
            ones = torch.ones_like(xc)
            y = F.avg_pool2d(pad_same(xc, pool, stride), pool, stride) / \
                F.avg_pool2d(pad_same(ones, pool, stride), pool, stride)
        else:
            y = F.avg_pool2d(xc, pool, stride)
    y = nhwc(y)
    return {"kind": kind, "x": list(x_shape), "pool_size": list(pool), "strides": list(stride),
            "padding": padding, "seed": seed, "output_shape": list(y.shape), "y": flat(y)}


def batch_norm_case(x_shape, momentum=0.99, epsilon=1e-3):
    c = x_shape[-1]
    x = values(x_shape, 0.2, 2.0) + 0.5
    gamma = values((c,), 1.1, 0.5) + 1.0
    beta = values((c,), 2.2, 0.3)
    moving_mean = values((c,), 3.3, 0.2)
    moving_var = values((c,), 4.4, 0.3) + 1.0
    dims = tuple(range(len(x_shape) - 1))
    mean = x.mean(dim=dims)
    var = x.var(dim=dims, unbiased=False)  # Keras normalises with, and averages, the biased variance
    train = F.batch_norm(x.reshape(-1, c), None, None, gamma, beta, True, 0.0, epsilon).reshape(x_shape)
    infer = F.batch_norm(x.reshape(-1, c), moving_mean, moving_var, gamma, beta, False, 0.0, epsilon)
    return {"x": list(x_shape), "momentum": momentum, "epsilon": epsilon,
            "train": flat(train), "inference": flat(infer.reshape(x_shape)),
            "moving_mean_after": flat(moving_mean * momentum + mean * (1 - momentum)),
            "moving_variance_after": flat(moving_var * momentum + var * (1 - momentum))}


def convnet_case():
    """The keras.io MNIST convnet on two formula images, with formula weights."""
    x = values((2, 28, 28, 1), 0.3, 0.5) + 0.5
    k1, b1 = values((3, 3, 1, 32), 1.0, 0.3), values((32,), 1.5, 0.05)
    k2, b2 = values((3, 3, 32, 64), 2.0, 0.08), values((64,), 2.5, 0.05)
    w3, b3 = values((1600, 10), 3.0, 0.05), values((10,), 3.5, 0.05)
    h = torch.relu(conv(x, k1, b1, (1, 1), "valid"))
    h = nhwc(F.max_pool2d(nchw(h), 2))
    h = torch.relu(conv(h, k2, b2, (1, 1), "valid"))
    h = nhwc(F.max_pool2d(nchw(h), 2))
    y = torch.softmax(h.reshape(2, -1) @ w3 + b3, dim=1)  # Flatten in (h, w, c) order, as Keras
    return {"y": flat(y)}


def main():
    ref = {
        "conv2d": [
            conv_case((2, 7, 6, 3), (3, 3, 3, 4), (1, 1), "valid", 0),
            conv_case((2, 7, 7, 3), (3, 4, 3, 5), (2, 2), "same", 1),
            conv_case((3, 5, 5, 1), (2, 2, 1, 3), (1, 2), "same", 2),
        ],
        "pooling": [
            pool_case("max", (2, 5, 5, 3), (2, 2), (2, 2), "valid", 0),
            pool_case("max", (2, 5, 6, 3), (3, 3), (2, 2), "same", 1),
            pool_case("max", (1, 4, 4, 2), (2, 2), (1, 1), "valid", 2),
            pool_case("avg", (2, 5, 5, 3), (2, 2), (2, 2), "valid", 3),
            pool_case("avg", (2, 5, 6, 3), (3, 3), (2, 2), "same", 4),
        ],
        "global_average_pooling2d": {"x": [2, 3, 4, 5], "y": flat(values((2, 3, 4, 5), 0.6).mean(dim=(1, 2)))},
        "batch_normalization": [batch_norm_case((4, 3, 2, 5)), batch_norm_case((6, 4))],
        "softmax_layer": {"x": [2, 3, 4], "y": flat(torch.softmax(values((2, 3, 4), 0.7, 2.0), dim=-1))},
        "mnist_convnet": convnet_case(),
    }
    print(json.dumps(ref, indent=None, separators=(",", ":")))


if __name__ == "__main__":
    main()
