#!/usr/bin/python3
"""Fixtures of the smooth-op certification rules (run with /usr/bin/python3: torch 1.13, mpmath).

test/fixtures/certify/smooth-mpmath.json
    exact values (mpmath, 40 digits, rounded to float64) of erf, z*(1 + erf z), x*sigmoid(x),
    softplus, exp, x^2, sqrt, 1/sqrt, 1/x at points of a fixed list of intervals per function, the
    minima of the GELU and SiLU valleys, and a table of erf for the accuracy assumption.
test/fixtures/certify/swish_lstm.onnx, smooth_head.onnx (+ .json)
    LSTM -> last step -> Linear -> SiLU -> Linear (exported as Mul(x, Sigmoid(x))), and
    LSTM -> last step -> Linear -> Softplus -> Linear -> ELU -> Linear -> Hardswish -> Linear,
    opset 14, with an input sequence and PyTorch's output. With auto_LiRPA importable
    (PYTHONPATH=/tmp/lirpa), the .json files also record its IBP and CROWN bounds on the swish
    model and on the GRU -> LayerNorm -> GELU model of the ONNX zoo (for comparison only).
"""
import json
import os
import random

import mpmath as mp
import torch
from torch import nn

mp.mp.dps = 40
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')
OUT = os.path.join(ROOT, 'certify')
F, H, T = 3, 4, 5

FNS = {
    'erf': (mp.erf, None),
    'gelu': (lambda z: z * (1 + mp.erf(z)), None),
    'silu': (lambda x: x / (1 + mp.exp(-x)), None),
    'softplus': (lambda x: mp.log(1 + mp.exp(x)), None),
    'exp': (mp.exp, None),
    'square': (lambda x: x * x, None),
    'sqrt': (mp.sqrt, 'nonneg'),
    'rsqrt': (lambda x: 1 / mp.sqrt(x), 'pos'),
    'recip': (lambda x: 1 / x, 'nonzero'),
}


def intervals(kind, rng):
    if kind in ('sqrt', 'rsqrt'):
        los = [0.0, 1e-6, 0.01, 0.5, 2.0] if kind == 'sqrt' else [1e-5, 0.01, 0.3, 1.0, 5.0]
        return [(l, l + w) for l in los for w in (1e-6, 0.01, 0.4, 3.0, 20.0)]
    if kind == 'recip':
        pos = [(l, l + w) for l in (1e-3, 0.05, 0.7, 4.0) for w in (1e-6, 0.1, 2.0)]
        return pos + [(-u, -l) for (l, u) in pos]
    centres = [-5.0, -1.28, -0.53, 0.0, 0.4, 2.5] if kind != 'exp' else [-5.0, -1.0, 0.0, 1.0, 3.0]
    widths = [1e-6, 0.05, 0.7, 3.0] + ([11.0] if kind != 'exp' else [])
    return [(c - w * rng.uniform(0.2, 0.8), c + w * rng.uniform(0.2, 0.8)) for c in centres for w in widths]


def smooth_table():
    rng = random.Random(3)
    rec = {}
    for kind, (f, _dom) in FNS.items():
        rows = []
        for (l, u) in intervals(kind, rng):
            xs = [l + (u - l) * i / 8 for i in range(9)] + [rng.uniform(l, u) for _ in range(3)]
            rows.append({'l': l, 'u': u, 'points': [[x, float(f(mp.mpf(x)))] for x in xs]})
        rec[kind] = rows
    zq = mp.findroot(lambda z: 1 + mp.erf(z) + 2 / mp.sqrt(mp.pi) * z * mp.exp(-z * z), -0.53)
    zs = mp.findroot(lambda x: mp.diff(lambda t: t / (1 + mp.exp(-t)), x), -1.27)
    minima = {'gelu': float(zq * (1 + mp.erf(zq))), 'silu': float(zs / (1 + mp.exp(-zs)))}
    erf_xs = [-7 + 14 * i / 350 for i in range(351)] + [2.9 + 0.2 * i / 50 for i in range(51)]
    return {'functions': rec, 'minima': minima, 'erf': [[x, float(mp.erf(mp.mpf(x)))] for x in erf_xs]}


class SwishLSTM(nn.Module):
    """LSTM -> last step -> Linear -> SiLU -> Linear."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True)
        self.fc1 = nn.Linear(H, 6)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1])

    def head(self, h):
        return self.fc(nn.functional.silu(self.fc1(h)))


class SmoothHead(nn.Module):
    """LSTM -> last step -> Linear -> Softplus -> Linear -> ELU -> Linear -> Hardswish -> Linear."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True)
        self.a = nn.Linear(H, 5)
        self.b = nn.Linear(5, 5)
        self.c = nn.Linear(5, 5)
        self.fc = nn.Linear(5, 2)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1])

    def head(self, h):
        z = nn.functional.softplus(self.a(h))
        return self.fc(nn.functional.hardswish(self.c(nn.functional.elu(self.b(z)))))


class UnrolledLSTM(nn.Module):
    """The model with its LSTM written out step by step (auto_LiRPA has no rule for the fused LSTM op)."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        lstm = self.m.lstm
        h = torch.zeros(x.shape[0], H, dtype=x.dtype)
        c = h
        for t in range(x.shape[1]):
            z = x[:, t] @ lstm.weight_ih_l0.t() + lstm.bias_ih_l0 + h @ lstm.weight_hh_l0.t() + lstm.bias_hh_l0
            i, f, g, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), torch.tanh(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
            c = f * c + i * g
            h = o * torch.tanh(c)
        return self.m.head(h)


class UnrolledGRU(nn.Module):
    """A GRU model written out step by step (PyTorch gate order r, z, n; reset applied after the matmul)."""

    def __init__(self, m, head):
        super().__init__()
        self.m = m
        self.head = head

    def forward(self, x):
        gru = self.m.gru
        h = torch.zeros(x.shape[0], H, dtype=x.dtype)
        for t in range(x.shape[1]):
            a = x[:, t] @ gru.weight_ih_l0.t() + gru.bias_ih_l0
            b = h @ gru.weight_hh_l0.t() + gru.bias_hh_l0
            r = torch.sigmoid(a[:, :H] + b[:, :H])
            z = torch.sigmoid(a[:, H:2 * H] + b[:, H:2 * H])
            n = torch.tanh(a[:, 2 * H:] + r * b[:, 2 * H:])
            h = (1 - z) * n + z * h
        return self.head(h)


class Head(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, h):
        return self.m.fc(nn.functional.gelu(self.m.fc1(self.m.ln(h))))


def lirpa_bounds(model, x, eps_list):
    try:
        from auto_LiRPA import BoundedModule, BoundedTensor, PerturbationLpNorm
    except ImportError:
        return None
    out = {}
    model, x = model.float(), x.float()
    try:
        bm = BoundedModule(model, torch.zeros_like(x), device='cpu')
    except NotImplementedError as e:  # an op auto_LiRPA does not support
        return {'error': str(e)[:200]}
    for eps in eps_list:
        pt = BoundedTensor(x, PerturbationLpNorm(norm=float('inf'), eps=eps))
        row = {}
        for method in ('IBP', 'CROWN'):
            try:
                lb, ub = bm.compute_bounds(x=(pt,), method=method)
                row[method.lower()] = {'lower': lb[0].tolist(), 'upper': ub[0].tolist()}
            except Exception as e:  # an op auto_LiRPA does not bound: record why
                row[method.lower()] = {'error': str(e)[:200]}
        out[str(eps)] = row
    return out


EPS = [0.01, 0.05, 0.2]


def export(name, cls, seed):
    torch.manual_seed(seed)
    m = cls().double().eval()
    x = torch.randn(1, T, F, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
    path = os.path.join(OUT, f'{name}.onnx')
    torch.onnx.export(m.float(), (x.float(),), path, input_names=['x'], output_names=['y'], opset_version=14, dynamic_axes={'x': {0: 'batch', 1: 'steps'}, 'y': {0: 'batch'}})
    m = m.double()
    with torch.no_grad():
        y = m(x)
    rec = {'name': name, 'doc': cls.__doc__, 'input': [x[0].tolist()], 'output': y[0].tolist(), 'eps': EPS, 'lirpa': lirpa_bounds(UnrolledLSTM(m), x, EPS)}
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(rec, f, indent=1)


def zoo_lirpa():
    """auto_LiRPA bounds on the ONNX zoo's GRU -> LayerNorm -> GELU model, rebuilt with the zoo script's seed (checked against its recorded output)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('zoo', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'make_onnx_zoo.py'))
    zoo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zoo)
    for i, (name, cls, _opset, _tok, _kind) in enumerate(zoo.ZOO):
        if name != 'layernorm_gelu_op17':
            continue
        torch.manual_seed(100 + i)
        m = cls().eval().double()
        with open(os.path.join(ROOT, 'onnx-zoo', f'{name}.json')) as f:
            rec = json.load(f)
        x = torch.tensor(rec['input']['data'], dtype=torch.float64).reshape(rec['input']['shape'])[:1]
        un = UnrolledGRU(m, Head(m))
        with torch.no_grad():
            y, yu = m(x), un(x)
        assert torch.allclose(y[0].double(), torch.tensor(rec['output']['data'][:y.shape[1]], dtype=torch.float64), atol=1e-5), 'the zoo model was not rebuilt'
        assert torch.allclose(y, yu, atol=1e-10)
        return {'model': name, 'input': x[0].tolist(), 'lirpa': lirpa_bounds(un, x, EPS), 'output': y[0].tolist()}
    return None


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'smooth-mpmath.json'), 'w') as f:
        json.dump(smooth_table(), f)
    export('swish_lstm', SwishLSTM, 41)
    export('smooth_head', SmoothHead, 43)
    z = zoo_lirpa()
    if z:
        with open(os.path.join(OUT, 'layernorm_gelu_lirpa.json'), 'w') as f:
            json.dump(z, f, indent=1)


if __name__ == '__main__':
    main()
