#!/usr/bin/env python3
"""numpy's eig (LAPACK dgeev) next to `cargo bench --bench spectral`, one BLAS thread.

Times numpy.linalg.eig, eigvals and eigh (on (W + Wᵀ)/2) for random Gaussian matrices
scaled to spectral radius 1 (entries N(0, 1/n), then divided by max |λ|: the bench's
matrices, drawn by numpy's generator), n = 64, 256, 512, and prints the two residuals
‖WV − VΛ‖_F/‖W‖_F and ‖VΛV⁻¹ − W‖_F/‖W‖_F (V⁻¹ by numpy.linalg.inv) and κ₁(V). With
--cargo it first runs `cargo bench --bench spectral` (or reads the estimates criterion left
in target/criterion with --no-run) and prints the crate's medians next to numpy's, with the
ratio numpy ÷ crate (> 1: the crate is faster). The crate's residuals are printed by the
bench itself before each size.

    pip install numpy threadpoolctl
    python3 benches/peers/eig_vs_numpy.py --cargo        # from the repository root

Timings are medians over --reps calls after one warm-up call; run on a quiet machine.
numpy is not a dependency of the crate.
"""

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # the environment variables above already ask for one thread
    threadpool_info = None
    threadpool_limits = None

SIZES = (64, 256, 512)
# criterion's group/function names in benches/spectral.rs, against numpy's calls
ROWS = (
    ("eigenvectors", "eig"),
    ("eigenvalues", "eigvals"),
    ("symmetric", "eigh"),
)


def matrix(n):
    w = np.random.default_rng([20240602, n]).standard_normal((n, n)) / np.sqrt(n)
    return w / np.max(np.abs(np.linalg.eigvals(w)))


def median_seconds(f, reps):
    f()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def residuals(w):
    lam, v = np.linalg.eig(w)
    nw = np.linalg.norm(w)
    r1 = np.linalg.norm(w @ v - v * lam) / nw
    vinv = np.linalg.inv(v)
    r2 = np.linalg.norm((v * lam) @ vinv - w) / nw
    k1 = np.linalg.norm(v, 1) * np.linalg.norm(vinv, 1)
    return r1, r2, k1


def criterion_median(root, name, n):
    path = os.path.join(root, "target", "criterion", "eig", name, str(n), "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"] * 1e-9
    except (OSError, KeyError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cargo", action="store_true", help="also run the crate's bench and print ratios")
    ap.add_argument("--no-run", action="store_true", help="with --cargo: read criterion's last estimates only")
    ap.add_argument("--reps", type=int, default=0, help="calls per timing (default 51/15/7 by size)")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    if args.cargo and not args.no_run:
        cmd = ["cargo", "bench", "--bench", "spectral", "--", "eig/"]
        print("$", " ".join(cmd), flush=True)
        subprocess.run(cmd, cwd=root, check=True)

    limits = threadpool_limits(1) if threadpool_limits else None
    libs = threadpool_info() if threadpool_info else []
    blas = ", ".join(f"{l.get('internal_api')} {l.get('version')} ({l.get('num_threads')} thr)" for l in libs)
    try:
        load = "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "load average unknown"
    print(f"numpy {np.__version__}, {blas or 'BLAS threads from the environment'}; {load}")
    print()
    print("| n | ‖WV−VΛ‖/‖W‖ numpy | ‖VΛV⁻¹−W‖/‖W‖ numpy | κ₁(V) numpy |")
    print("|---|---|---|---|")
    for n in SIZES:
        r1, r2, k1 = residuals(matrix(n))
        print(f"| {n} | {r1:.2e} | {r2:.2e} | {k1:.3g} |")
    print()
    header = "| n | call | numpy ms |"
    if args.cargo:
        header += " crate ms | numpy ÷ crate |"
    print(header)
    print("|---|---|---|" + ("---|---|" if args.cargo else ""))
    for n in SIZES:
        w = matrix(n)
        s = (w + w.T) * 0.5
        reps = args.reps or {64: 51, 256: 15, 512: 7}.get(n, 5)
        calls = {
            "eig": lambda: np.linalg.eig(w),
            "eigvals": lambda: np.linalg.eigvals(w),
            "eigh": lambda: np.linalg.eigh(s),
        }
        for name, call in ROWS:
            t = median_seconds(calls[call], reps)
            line = f"| {n} | {call} | {t * 1e3:.3f} |"
            if args.cargo:
                c = criterion_median(root, name, n)
                line += f" {c * 1e3:.3f} | {t / c:.2f} |" if c else " – | – |"
            print(line, flush=True)
    del limits
    return 0


if __name__ == "__main__":
    sys.exit(main())
