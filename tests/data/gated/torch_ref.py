#!/usr/bin/env python3
"""Reference numbers for tests/gated.rs: torch.nn.LSTM and torch.nn.GRU in float64.

For each case: weights (PyTorch's own layout, row-major, flattened), inputs X (T, B, I),
initial state h0 (and c0), targets D, then the outputs h_t for every step, the final
state, the loss L = 1/2 * sum((h_t - D_t)^2) over all steps, batch columns and units,
and the gradients of L with respect to the four parameter tensors, h0 (c0) and X.

Run (PyTorch 2.x, CPU):
    python tests/data/gated/torch_ref.py > tests/data/gated/torch_ref.json
The Rust test reads torch_ref.json and never runs Python.
"""
import json
import sys

import torch

torch.set_default_dtype(torch.float64)

# (name, kind, I, H, T, B): batch 2 takes the per-column kernels of the cells, batch 6 with
# H = 7 the packed matrix products (every dimension above 5)
CASES = [
    ("lstm_small", "lstm", 3, 4, 5, 2),
    ("lstm_wide", "lstm", 2, 7, 4, 6),
    ("gru_small", "gru", 3, 4, 5, 2),
    ("gru_wide", "gru", 2, 7, 4, 6),
]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def case(name, kind, I, H, T, B, seed):
    g = torch.Generator().manual_seed(seed)

    def u(*shape, scale=0.6):
        return (torch.rand(*shape, generator=g) * 2 - 1) * scale

    mod = torch.nn.LSTM(I, H) if kind == "lstm" else torch.nn.GRU(I, H)
    with torch.no_grad():
        for p in (mod.weight_ih_l0, mod.weight_hh_l0, mod.bias_ih_l0, mod.bias_hh_l0):
            p.copy_(u(*p.shape))
    X = u(T, B, I, scale=1.5).requires_grad_()
    h0 = u(1, B, H, scale=0.5).requires_grad_()
    D = u(T, B, H, scale=0.8)
    if kind == "lstm":
        c0 = u(1, B, H, scale=0.5).requires_grad_()
        out, (hn, cn) = mod(X, (h0, c0))
    else:
        out, hn = mod(X, h0)
    loss = 0.5 * ((out - D) ** 2).sum()
    loss.backward()
    r = {
        "kind": kind, "I": I, "H": H, "T": T, "B": B,
        "weight_ih": flat(mod.weight_ih_l0), "weight_hh": flat(mod.weight_hh_l0),
        "bias_ih": flat(mod.bias_ih_l0), "bias_hh": flat(mod.bias_hh_l0),
        # (T, B, I) / (1, B, H) / (T, B, H), row-major
        "x": flat(X), "h0": flat(h0), "d": flat(D),
        "out": flat(out), "h_n": flat(hn), "loss": float(loss.detach()),
        "grad_weight_ih": flat(mod.weight_ih_l0.grad),
        "grad_weight_hh": flat(mod.weight_hh_l0.grad),
        "grad_bias_ih": flat(mod.bias_ih_l0.grad),
        "grad_bias_hh": flat(mod.bias_hh_l0.grad),
        "grad_h0": flat(h0.grad), "grad_x": flat(X.grad),
    }
    if kind == "lstm":
        r.update({"c0": flat(c0), "c_n": flat(cn), "grad_c0": flat(c0.grad)})
    return r


def main():
    out = {
        "origin": "tests/data/gated/torch_ref.py",
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "cases": {n: case(n, k, I, H, T, B, seed)
                  for seed, (n, k, I, H, T, B) in enumerate(CASES, start=13)},
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
