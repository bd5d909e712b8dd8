#!/usr/bin/env python3
"""Independent reference values for the certification relaxations (rnnlens test fixtures).

Writes test/fixtures/certify/reference.json with
  activations: x and the exact tanh(x), sigmoid(x) to 40 significant digits (mpmath);
  lines: for random intervals [l, u] and slopes s, the exact min and max of f(x) - s*x over [l, u]
         (mpmath at 60 digits; extrema at the ends or where f'(x) = s, solved in closed form);
  planes: for random boxes and planes (a, b), min and max of f(x, y) - a*x - b*y over the box for
          the gated products, found by SciPy (dense grid, bounded 1-D search on each edge,
          L-BFGS-B from the best grid points). These are attained values, so the true minimum is
          at most refMin (and the true maximum at least refMax).
Run: /usr/bin/python3 tools/certify_reference.py
"""
import json
import os
import random

import mpmath as mp
import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit

mp.mp.dps = 60
rng = random.Random(2026)


def mtanh(x):
    return mp.tanh(x)


def msig(x):
    return 1 / (1 + mp.e ** (-x))


def s40(v):
    return mp.nstr(v, 40, strip_zeros=False, min_fixed=-1, max_fixed=-1)


def activations():
    xs = [0.0, 5e-324, -5e-324, 1e-300, 1e-17, -1e-9, 0.5, -0.5, 1.0, 20.0, -20.0, 50.0, -50.0, 700.0, -700.0, 19.06, 36.7]
    for _ in range(600):
        k = rng.randrange(4)
        if k == 0:
            xs.append(rng.uniform(-3, 3))
        elif k == 1:
            xs.append(rng.uniform(-60, 60))
        elif k == 2:
            xs.append(rng.choice([-1, 1]) * 10 ** rng.uniform(-300, 0))
        else:
            xs.append(rng.uniform(-800, 800))
    return [{"x": x, "tanh": s40(mtanh(mp.mpf(x))), "sigmoid": s40(msig(mp.mpf(x)))} for x in xs]


def stationary(kind, s):
    """Points where f'(x) = s (exact, mpmath)."""
    s = mp.mpf(s)
    out = []
    if kind == "tanh" and 0 < s <= 1:
        x = mp.acosh(1 / mp.sqrt(s))
        out = [x, -x]
    if kind == "sigmoid" and 0 < s <= mp.mpf(1) / 4:
        r = mp.sqrt(1 - 4 * s)
        for sig in ((1 + r) / 2, (1 - r) / 2):
            if 0 < sig < 1:
                out.append(mp.log(sig / (1 - sig)))
    return out


def lines():
    out = []
    for i in range(160):
        kind = "tanh" if i % 2 == 0 else "sigmoid"
        c = rng.gauss(0, 3)
        w = [0.0, 1e-9, 0.1, 1.0, 5.0, 30.0][rng.randrange(6)]
        l = c - w * rng.random()
        u = l + w
        d = l + (u - l) * rng.random()
        f = mtanh if kind == "tanh" else msig
        # a slope between f'(l) and f'(d), or a random small one
        fp = (lambda t: 1 - mp.tanh(t) ** 2) if kind == "tanh" else (lambda t: msig(t) * (1 - msig(t)))
        s = float(fp(mp.mpf(d))) if rng.random() < 0.7 else rng.uniform(0, float(fp(mp.mpf(0))))
        cands = [mp.mpf(l), mp.mpf(u)] + [x for x in stationary(kind, s) if l <= x <= u]
        vals = [f(x) - mp.mpf(s) * x for x in cands]
        out.append({"kind": kind, "l": l, "u": u, "slope": s, "min": s40(min(vals)), "max": s40(max(vals))})
    return out


PRODUCTS = {
    "sigmoid*tanh": lambda x, y: expit(x) * np.tanh(y),
    "sigmoid*y": lambda x, y: expit(x) * y,
    "(1-sigmoid)*y": lambda x, y: (1 - expit(x)) * y,
}


def extremum(fun, box, sign):
    """min of sign*fun over the box (attained value), sign = +1 for min, -1 for max."""
    lx, ux, ly, uy = box
    g = lambda v: sign * fun(v[0], v[1])
    X, Y = np.meshgrid(np.linspace(lx, ux, 201), np.linspace(ly, uy, 201), indexing="ij")
    V = sign * fun(X, Y)
    best = float(V.min())
    for (x0, x1, y0, y1) in [(lx, lx, ly, uy), (ux, ux, ly, uy), (lx, ux, ly, ly), (lx, ux, uy, uy)]:
        if x0 == x1 and y1 > y0:
            r = minimize_scalar(lambda t: g((x0, t)), bounds=(y0, y1), method="bounded", options={"xatol": 1e-12})
        elif x1 > x0:
            r = minimize_scalar(lambda t: g((t, y0)), bounds=(x0, x1), method="bounded", options={"xatol": 1e-12})
        else:
            continue
        best = min(best, float(r.fun))
    idx = np.argsort(V, axis=None)[:5]
    for k in idx:
        i, j = np.unravel_index(k, V.shape)
        r = minimize(g, [X[i, j], Y[i, j]], method="L-BFGS-B", bounds=[(lx, ux), (ly, uy)], options={"ftol": 1e-15, "gtol": 1e-12})
        best = min(best, float(r.fun))
    return sign * best


def planes():
    out = []
    for i in range(90):
        kind = list(PRODUCTS)[i % 3]
        lx = rng.gauss(0, 3)
        ly = rng.gauss(0, 3)
        ux = lx + [0.01, 0.5, 2.0, 8.0][rng.randrange(4)] * rng.random()
        uy = ly + [0.01, 0.5, 2.0, 8.0][rng.randrange(4)] * rng.random()
        a = rng.gauss(0, 0.2)
        b = rng.gauss(0, 0.5)
        f = PRODUCTS[kind]
        fun = lambda x, y: f(x, y) - a * x - b * y
        box = (lx, ux, ly, uy)
        out.append({"kind": kind, "box": list(box), "a": a, "b": b, "min": extremum(fun, box, 1), "max": extremum(fun, box, -1)})
    return out


def main():
    root = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "certify")
    os.makedirs(root, exist_ok=True)
    data = {"generator": "tools/certify_reference.py (mpmath %s, scipy)" % mp.__version__, "activations": activations(), "lines": lines(), "planes": planes()}
    with open(os.path.join(root, "reference.json"), "w") as fh:
        json.dump(data, fh, indent=0)


if __name__ == "__main__":
    main()
