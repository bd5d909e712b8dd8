#!/usr/bin/python3
"""Fits the coefficients of the wasm kernels' exp and tanh (assembly/activations.ts) and reports
their worst relative error when evaluated in float32 (numpy). Run: /usr/bin/python3 tools/fit-activations.py

exp(r), |r| <= ln2/2:  exp(r) = 1 + r + r^2 q(r), q of degree 4, weighted least squares on
                       Chebyshev nodes for relative error.
tanh(x), |x| <= 9:     tanh(x) = x P(z) / Q(z), z = x^2, P and Q of degree 4, Q(0) = 1, fitted for
                       relative error by iterated linearised least squares (Loeb's method).
"""
import numpy as np

f32 = np.float32


def horner(coeffs, v):
    acc = coeffs[-1]
    for c in coeffs[-2::-1]:
        acc = acc * v + c
    return acc


def fit_exp():
    a = np.log(2) / 2
    n = 2000
    r = a * np.cos(np.pi * (np.arange(n) + 0.5) / n)
    y = (np.exp(r) - 1 - r) / r**2
    w = r**2 / np.exp(r)
    c, *_ = np.linalg.lstsq(np.vander(r, 5, increasing=True) * w[:, None], y * w, rcond=None)
    cf = [f32(v) for v in c]
    rr = np.linspace(-a, a, 200001).astype(f32)
    e = f32(1) + rr + rr * rr * horner(cf, rr)
    err = np.max(np.abs(e.astype(np.float64) / np.exp(rr.astype(np.float64)) - 1))
    return cf, err


def fit_tanh(dp=4, dq=4, X=9.0):
    n = 6000
    x = np.concatenate([np.linspace(1e-4, 1, n), np.linspace(1, X, n)])
    z = x * x
    y = np.tanh(x) / x
    q = np.ones_like(x)
    for _ in range(30):
        A = np.hstack([np.vander(z, dp + 1, increasing=True),
                       -(y[:, None] * np.vander(z, dq + 1, increasing=True)[:, 1:])])
        w = 1 / (np.abs(q) * np.abs(y))
        c, *_ = np.linalg.lstsq(A * w[:, None], y * w, rcond=None)
        p, qq = c[:dp + 1], np.concatenate([[1], c[dp + 1:]])
        q = np.polyval(qq[::-1], z)
    pf, qf = [f32(v) for v in p], [f32(v) for v in qq]
    xs = np.concatenate([np.linspace(1e-6, 1, 200001), np.linspace(1, X, 200001)]).astype(f32)
    zz = xs * xs
    t = np.minimum((xs * horner(pf, zz)) / horner(qf, zz), f32(1))
    err = np.max(np.abs(t.astype(np.float64) / np.tanh(xs.astype(np.float64)) - 1))
    return pf, qf, err


if __name__ == '__main__':
    cf, e1 = fit_exp()
    print('exp q (lowest degree first):', [float(v) for v in cf], 'max rel error', e1)
    pf, qf, e2 = fit_tanh()
    print('tanh P:', [float(v) for v in pf])
    print('tanh Q:', [float(v) for v in qf], 'max rel error', e2)
