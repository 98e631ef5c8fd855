#!/usr/bin/python3
"""Generates tests/fixtures/torch_reference.json: reference numbers from PyTorch (Debian's
python3-torch) for Dense, softmax + cross-entropy, Keras-style Adam steps and one full training
step of a small MLP. Inputs come from a formula (see `values`) that the C++ test reproduces, so
the fixture holds only the outputs.

    /usr/bin/python3 tools/make_torch_reference.py   (Debian's python, which has torch) > tests/fixtures/torch_reference.json
"""
import json
import math

import torch

torch.set_default_dtype(torch.float32)


def values(n, offset, scale=1.0):
    """The deterministic inputs: scale * sin(0.37 * i + offset), rounded to float32."""
    return torch.tensor([scale * math.sin(0.37 * i + offset) for i in range(n)], dtype=torch.float32)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def keras_adam_steps(w, grads, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    """torch.optim.Adam with eps rescaled each step so that it matches Keras 3's rule
    (epsilon added to sqrt(v), not to the bias-corrected sqrt(v_hat))."""
    w = w.clone().requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr, betas=(b1, b2))
    out = []
    for t, g in enumerate(grads, start=1):
        opt.param_groups[0]["eps"] = eps / math.sqrt(1 - b2 ** t)
        w.grad = g.clone()
        opt.step()
        out.append(flat(w))
    return out


def main():
    ref = {}

    # Dense: x (4, 5) @ W (5, 3) + b, then each activation.
    x = values(20, 0.1).reshape(4, 5)
    W = values(15, 1.3, 0.5).reshape(5, 3)
    b = values(3, 2.7, 0.1)
    z = x @ W + b
    ref["dense"] = {
        "linear": flat(z),
        "relu": flat(torch.relu(z)),
        "sigmoid": flat(torch.sigmoid(z)),
        "tanh": flat(torch.tanh(z)),
        "softmax": flat(torch.softmax(z, dim=1)),
    }

    # Softmax + sparse categorical cross-entropy: loss and gradients w.r.t. logits and probabilities.
    logits = values(12, 0.5, 2.0).reshape(4, 3).requires_grad_(True)
    labels = torch.tensor([2, 0, 1, 2])
    probs = torch.softmax(logits, dim=1)
    probs.retain_grad()
    loss = torch.nn.functional.nll_loss(torch.log(probs), labels)
    loss.backward()
    ref["sparse_ce"] = {
        "labels": labels.tolist(),
        "loss": float(loss),
        "grad_logits": flat(logits.grad),
        "grad_probabilities": flat(probs.grad),
    }
    onehot = torch.nn.functional.one_hot(labels, 3).float()
    ref["mse"] = {"loss": float(torch.mean((probs.detach() - onehot) ** 2))}

    # Adam: three steps with Keras's defaults.
    w0 = values(6, 0.9)
    grads = [values(6, 3.0 + k, 0.5) for k in range(3)]
    ref["adam"] = {"steps": keras_adam_steps(w0, grads)}

    # One training step of Dense(5, relu) -> Dense(3, softmax), batch 4, sparse CE, Adam.
    x = values(24, 0.2).reshape(4, 6)
    W1 = values(30, 1.1, 0.4).reshape(6, 5)
    b1 = values(5, 2.2, 0.1)
    W2 = values(15, 3.3, 0.4).reshape(5, 3)
    b2 = values(3, 4.4, 0.1)
    params = [p.clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-7 / math.sqrt(1 - 0.999))
    h = torch.relu(x @ params[0] + params[1])
    p = torch.softmax(h @ params[2] + params[3], dim=1)
    step_loss = torch.nn.functional.nll_loss(torch.log(p), labels)
    opt.zero_grad()
    step_loss.backward()
    grads_after = [flat(q.grad) for q in params]
    opt.step()
    ref["train_step"] = {
        "labels": labels.tolist(),
        "loss": float(step_loss),
        "grads": grads_after,
        "weights_after": [flat(q) for q in params],
    }
    ref["torch_version"] = torch.__version__
    print(json.dumps(ref, indent=1))


if __name__ == "__main__":
    main()
