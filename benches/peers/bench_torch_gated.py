#!/usr/bin/env python3
"""PyTorch (CPU) peer of benches/gated.rs: LSTM and GRU, forward and forward + BPTT.

Model:  torch.nn.LSTM / torch.nn.GRU (one layer, h0 = c0 = 0) and a torch.nn.Linear
        read-out on every step;  loss = sum over t, batch, outputs of (y_t - d_t)^2.
Rows (the crate's benches/gated.rs, same names):
  forward       the model's forward pass under torch.no_grad()
  forward_bptt  zero grads + forward + loss.backward() (gradients for all weights)
Implementations:
  nn      torch.nn.LSTM / torch.nn.GRU: ATen's native CPU RNN path (no cuDNN on CPU)
  loop    python loop over torch.nn.LSTMCell / torch.nn.GRUCell (the read-out per step),
          opt-in with --impls nn,loop
Configs (B batch, I input, H hidden, O output, T steps), as benches/cells.rs:
  a  B=1  I=8   H=32  O=8   T=100
  b  B=1  I=8   H=128 O=8   T=100
  c  B=32 I=64  H=256 O=64  T=100
  d  B=64 I=128 H=512 O=128 T=50
Timing: median (and min) wall time over calls after warm-up, plus the median process CPU
time per call (all threads; with one thread it is robust against other processes).

Output: '#' comments and CSV lines
    cell,impl,row,config,dtype,threads,median_seconds,min_seconds,reps,load1,median_cpu_seconds
Usage:
    python benches/peers/bench_torch_gated.py                  # everything, 1 thread
    python benches/peers/bench_torch_gated.py --configs a,b --dtypes float32 --threads 1,2
    python benches/peers/bench_torch_gated.py --quick          # short smoke run
"""
import argparse
import os
import statistics
import sys
import time

import torch

CONFIGS = {
    "a": dict(B=1, I=8, H=32, O=8, T=100),
    "b": dict(B=1, I=8, H=128, O=8, T=100),
    "c": dict(B=32, I=64, H=256, O=64, T=100),
    "d": dict(B=64, I=128, H=512, O=128, T=50),
}
GATES = {"lstm": 4, "gru": 3}


def cfg_str(name, c):
    return f"{name}:B={c['B']};I={c['I']};H={c['H']};O={c['O']};T={c['T']}"


def make_params(cell, c, dtype, seed=0):
    """One set of weights in PyTorch's layout (gates stacked: i,f,g,o or r,z,n), shared by
    the implementations so the self-check can compare them."""
    g = torch.Generator().manual_seed(seed)
    I, H, O, G = c["I"], c["H"], c["O"], GATES[cell]
    k = 1.0 / H ** 0.5

    def u(*shape):
        return ((torch.rand(*shape, generator=g, dtype=torch.float64) * 2 - 1) * k).to(dtype)

    return dict(w_ih=u(G * H, I), w_hh=u(G * H, H), b_ih=u(G * H), b_hh=u(G * H),
                w_y=u(O, H), b_y=u(O))


def make_data(c, dtype, seed=1):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(c["T"], c["B"], c["I"], generator=g, dtype=torch.float64).to(dtype)
    D = torch.randn(c["T"], c["B"], c["O"], generator=g, dtype=torch.float64).to(dtype)
    return X, D


class Nn:
    """torch.nn.LSTM / torch.nn.GRU over the whole sequence, then the read-out on all steps."""
    impl = "nn"

    def __init__(self, cell, c, P, dtype):
        mod = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
        self.rnn = mod(c["I"], c["H"]).to(dtype)
        self.lin = torch.nn.Linear(c["H"], c["O"]).to(dtype)
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(P["w_ih"])
            self.rnn.weight_hh_l0.copy_(P["w_hh"])
            self.rnn.bias_ih_l0.copy_(P["b_ih"])
            self.rnn.bias_hh_l0.copy_(P["b_hh"])
            self.lin.weight.copy_(P["w_y"])
            self.lin.bias.copy_(P["b_y"])
        self.params = list(self.rnn.parameters()) + list(self.lin.parameters())

    def outputs(self, X):
        hs, _ = self.rnn(X)
        return self.lin(hs)

    def grads(self):
        r = self.rnn
        return [r.weight_ih_l0.grad, r.weight_hh_l0.grad, r.bias_ih_l0.grad,
                r.bias_hh_l0.grad, self.lin.weight.grad, self.lin.bias.grad]


class Loop:
    """A python loop over torch.nn.LSTMCell / torch.nn.GRUCell, the read-out per step."""
    impl = "loop"

    def __init__(self, cell, c, P, dtype):
        mod = torch.nn.LSTMCell if cell == "lstm" else torch.nn.GRUCell
        self.lstm = cell == "lstm"
        self.cell = mod(c["I"], c["H"]).to(dtype)
        self.lin = torch.nn.Linear(c["H"], c["O"]).to(dtype)
        with torch.no_grad():
            self.cell.weight_ih.copy_(P["w_ih"])
            self.cell.weight_hh.copy_(P["w_hh"])
            self.cell.bias_ih.copy_(P["b_ih"])
            self.cell.bias_hh.copy_(P["b_hh"])
            self.lin.weight.copy_(P["w_y"])
            self.lin.bias.copy_(P["b_y"])
        self.params = list(self.cell.parameters()) + list(self.lin.parameters())
        self.H = c["H"]

    def outputs(self, X):
        B = X.shape[1]
        h = torch.zeros(B, self.H, dtype=X.dtype)
        s = (h, torch.zeros_like(h)) if self.lstm else h
        ys = []
        for x_t in X.unbind(0):
            s = self.cell(x_t, s)
            ys.append(self.lin(s[0] if self.lstm else s))
        return torch.stack(ys)

    def grads(self):
        c = self.cell
        return [c.weight_ih.grad, c.weight_hh.grad, c.bias_ih.grad, c.bias_hh.grad,
                self.lin.weight.grad, self.lin.bias.grad]


IMPLS = {"nn": Nn, "loop": Loop}


def forward_bptt(m, X, D):
    for p in m.params:
        p.grad = None
    loss = ((m.outputs(X) - D) ** 2).sum()
    loss.backward()
    return loss


def forward(m, X):
    with torch.no_grad():
        return m.outputs(X)


def time_calls(fn, warmup, min_reps, min_time):
    for _ in range(warmup):
        fn()
    times, cpu = [], []
    t0 = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - t0 < min_time:
        c = time.process_time()
        s = time.perf_counter()
        fn()
        times.append(time.perf_counter() - s)
        cpu.append(time.process_time() - c)
    return statistics.median(times), min(times), len(times), statistics.median(cpu)


def self_check():
    """float64: nn.LSTM/nn.GRU and the cell loop give the same loss and gradients."""
    c = dict(B=3, I=4, H=5, O=2, T=7)
    X, D = make_data(c, torch.float64, seed=8)
    for cell in ("lstm", "gru"):
        P = make_params(cell, c, torch.float64, seed=7)
        res = {}
        for k, cls in IMPLS.items():
            m = cls(cell, c, P, torch.float64)
            L = forward_bptt(m, X, D)
            res[k] = (L.item(), [g.detach().clone() for g in m.grads()])
        (l1, g1), (l2, g2) = res["nn"], res["loop"]
        d = max(float((a - b).abs().max()) for a, b in zip(g1, g2))
        print(f"check,{cell},nn_vs_loop,float64,-,{d:.3e},{abs(l1 - l2):.3e}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", default="lstm,gru")
    ap.add_argument("--configs", default="a,b,c,d")
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--threads", default="1")
    ap.add_argument("--impls", default="nn", help="nn and/or loop")
    ap.add_argument("--rows", default="forward,forward_bptt")
    ap.add_argument("--min-time", type=float, default=1.0)
    ap.add_argument("--min-reps", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.min_time, args.min_reps, args.warmup = 0.1, 3, 1

    print(f"# python {sys.version.split()[0]} torch {torch.__version__} "
          f"mkl={torch.backends.mkl.is_available()} "
          f"mkldnn={torch.backends.mkldnn.is_available()} "
          f"cpu_capability={torch.backends.cpu.get_cpu_capability()}")
    print(f"# cpus_available {len(os.sched_getaffinity(0))} load1 {os.getloadavg()[0]:.2f}")
    print("# columns: cell,impl,row,config,dtype,threads,median_seconds,min_seconds,reps,"
          "load1,median_cpu_seconds")
    torch.set_num_threads(1)
    self_check()
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for cell in args.cells.split(","):
            for cname in args.configs.split(","):
                c = CONFIGS[cname]
                for dname in args.dtypes.split(","):
                    dtype = getattr(torch, dname)
                    P = make_params(cell, c, dtype)
                    X, D = make_data(c, dtype)
                    for iname in args.impls.split(","):
                        m = IMPLS[iname](cell, c, P, dtype)
                        for row in args.rows.split(","):
                            fn = (lambda: forward(m, X)) if row == "forward" \
                                else (lambda: forward_bptt(m, X, D))
                            med, mn, reps, cpu = time_calls(fn, args.warmup, args.min_reps,
                                                            args.min_time)
                            print(f"{cell},{m.impl},{row},{cfg_str(cname, c)},{dname},"
                                  f"{threads},{med:.6e},{mn:.6e},{reps},"
                                  f"{os.getloadavg()[0]:.2f},{cpu:.6e}", flush=True)


if __name__ == "__main__":
    main()
