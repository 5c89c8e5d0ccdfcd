"""numpy (LAPACK dgeev) reference for tests/spectral_scaling.rs: eigenvalues of matrices
scaled by 10^k, k from -300 to 300, and the residuals LAPACK reaches on them.

Run from this folder:  python3 scaling_ref.py   (writes scaling_ref.json next to it)

Each base matrix B (row-major, written out exactly in the JSON) is scaled as
W = B * float(f"1e{k}"): an IEEE multiplication of each entry by the correctly rounded
double nearest 10^k, which the Rust test repeats bit for bit. A scale is skipped for a
matrix if any entry of W overflows.

Residuals are computed on W and λ scaled by the same power of two (exact), so that they
neither overflow nor underflow:
  resid_vec = ‖W V − V diag(λ)‖_F / (‖W‖_F ‖V‖_F)
  resid_rec = ‖V diag(λ) V⁻¹ − W‖_F / ‖W‖_F
"""
import json
import platform
import sys

import numpy as np


def base_matrices():
    m = {}
    m["rot"] = np.array([[1.0, 1.0], [-1.0, 1.0]])  # λ = 1 ± i
    m["mix"] = np.array([[1.0, 2.0], [3.0, -1.0]])  # λ = ±√7
    m["rand4"] = np.random.default_rng(4).standard_normal((4, 4))
    m["rand16"] = np.random.default_rng(16).standard_normal((16, 16))
    # badly balanced: D A D⁻¹ with D = diag(10^-3 … 10^3), entries spread over 10^±6
    a = np.random.default_rng(7).standard_normal((7, 7))
    d = 10.0 ** np.arange(-3, 4)
    m["graded7"] = (d[:, None] * a) / d[None, :]
    # reducible: block upper triangular (2 × 2 triangular, 2 × 2 full, 2 × 2 triangular)
    # hidden by a symmetric permutation, so that balancing's permutation step isolates
    # four of the six eigenvalues
    rng = np.random.default_rng(6)
    t = np.triu(rng.standard_normal((6, 6)))
    t[3, 2] = rng.standard_normal()
    p = rng.permutation(6)
    m["reducible6"] = t[np.ix_(p, p)]
    # symmetric (dgeev on a symmetric matrix; the crate takes its symmetric path)
    g = np.random.default_rng(5).standard_normal((5, 5))
    m["sym5"] = (g + g.T) / 2.0
    return m


def scales():
    ks = list(range(-300, 301, 10))
    # LAPACK's thresholds (smlnum = √safmin/ε ≈ 1e-139, bignum ≈ 1e138), where squares
    # overflow or underflow (1e±154), and beyond the sweep: subnormal and near-overflow
    ks += [-310, -305, -155, -154, -139, -138, -1, 1, 138, 139, 154, 155, 305, 307]
    return sorted(set(ks))


def residuals(w, lam, v):
    amax = np.max(np.abs(w))
    sigma = -np.frexp(amax)[1]
    ws = np.ldexp(w, sigma)
    ls = np.ldexp(lam.real, sigma) + 1j * np.ldexp(lam.imag, sigma)
    nw = np.linalg.norm(ws)
    r_vec = np.linalg.norm(ws @ v - v * ls) / (nw * np.linalg.norm(v))
    r_rec = np.linalg.norm((v * ls) @ np.linalg.inv(v) - ws) / nw
    return float(r_vec), float(r_rec)


def main():
    mats = base_matrices()
    cases = []
    with np.errstate(over="ignore"):
        for name, b in mats.items():
            for k in scales():
                s = float(f"1e{k}")
                w = b * s
                if not np.all(np.isfinite(w)):
                    continue
                lam, v = np.linalg.eig(w)
                assert np.all(np.isfinite(lam)), (name, k)
                r_vec, r_rec = residuals(w, lam, v)
                cases.append({
                    "shape": name,
                    "k": k,
                    "re": [float(x) for x in lam.real],
                    "im": [float(x) for x in lam.imag],
                    "rho": float(np.max(np.abs(lam))),
                    "resid_vec": r_vec,
                    "resid_rec": r_rec,
                })
    out = {
        "generator": "tests/data/spectral/scaling_ref.py",
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "lapack": np.show_config(mode="dicts")["Build Dependencies"]["lapack"].get("version", "?"),
        "machine": platform.machine(),
        "matrices": {n: [[float(x) for x in row] for row in b] for n, b in mats.items()},
        "cases": cases,
    }
    # one case per line, so that a diff of the fixture shows what changed
    cases = out.pop("cases")
    with open("scaling_ref.json", "w") as f:
        f.write(json.dumps(out, separators=(",", ":"))[:-1])
        f.write(',"cases":[\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"{len(cases)} cases written to scaling_ref.json")


if __name__ == "__main__":
    main()
