#!/usr/bin/python3
"""auto_LiRPA bounds on an attention model, for comparison with rnnlens certify (run with /usr/bin/python3: torch 1.13, PYTHONPATH=/tmp/lirpa).

test/fixtures/certify/attention-mpmath.json
    exact values (mpmath, 40 digits, rounded to float64) of ln x, of 1/x on x ≥ 1 (the softmax
    reciprocal, whose range is cut to [0, 1]) and of the softmax rounding slack (identically 0) at
    points of a fixed list of intervals, in the layout of smooth-mpmath.json
    (tools/make_certify_smooth_fixtures.py).
test/fixtures/certify/attention_lirpa.json
    the ONNX zoo's attention_matmul model (LSTM -> Linear score -> softmax over time ->
    weightsᵀ @ outputs -> Linear; tools/make_onnx_zoo.py, rebuilt with its seed and checked against
    the zoo's recorded output), its first input sequence, PyTorch's float64 output, and
    auto_LiRPA's IBP and CROWN bounds on the outputs over L∞ balls of radius 0.001, 0.01 and 0.05.
    The LSTM is written out step by step (auto_LiRPA has no rule for the fused LSTM op) and the
    softmax as exp(e)·reciprocal(Σ exp(e)); auto_LiRPA bounds them and the product of the two
    input-dependent values (weights and LSTM outputs) with its own exp, sum, reciprocal, Mul and
    MatMul rules.
"""
import importlib.util
import json
import os

import random

import mpmath as mp
import torch
from torch import nn

mp.mp.dps = 40

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', 'test', 'fixtures')
EPS = [0.001, 0.01, 0.05]


def load_zoo():
    spec = importlib.util.spec_from_file_location('zoo', os.path.join(HERE, 'make_onnx_zoo.py'))
    zoo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zoo)
    return zoo


class UnrolledAttention(nn.Module):
    """attention_matmul with its LSTM written out step by step."""

    def __init__(self, m, H):
        super().__init__()
        self.m = m
        self.H = H

    def forward(self, x):
        lstm, H = self.m.lstm, self.H
        h = torch.zeros(x.shape[0], H, dtype=x.dtype)
        c = h
        ys = []
        for t in range(x.shape[1]):
            z = x[:, t] @ lstm.weight_ih_l0.t() + lstm.bias_ih_l0 + h @ lstm.weight_hh_l0.t() + lstm.bias_hh_l0
            i, f, g, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), torch.tanh(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
            c = f * c + i * g
            h = o * torch.tanh(c)
            ys.append(h.unsqueeze(1))
        y = torch.cat(ys, dim=1)  # [B, T, H]
        e = torch.exp(self.m.score(y))  # [B, T, 1]; softmax without the max shift (auto_LiRPA has no CROWN rule for ReduceMax) nor Div (its rewrite loses shapes)
        w = e * torch.reciprocal(e.sum(dim=1, keepdim=True))
        ctx = torch.matmul(w.transpose(1, 2), y).squeeze(1)
        return self.m.fc(ctx)


def lirpa_bounds(model, x):
    from auto_LiRPA import BoundedModule, BoundedTensor, PerturbationLpNorm
    out = {}
    model, x = model.float(), x.float()  # auto_LiRPA computes in float32
    bm = BoundedModule(model, torch.zeros_like(x), device='cpu')
    for eps in EPS:
        pt = BoundedTensor(x, PerturbationLpNorm(norm=float('inf'), eps=eps))
        row = {}
        for method in ('IBP', 'CROWN'):
            lb, ub = bm.compute_bounds(x=(pt,), method=method)
            row[method.lower()] = {'lower': lb[0].tolist(), 'upper': ub[0].tolist()}
        out[str(eps)] = row
    return out


FNS = {
    'log': (mp.log, [(l, l + w) for l in (1e-4, 0.01, 0.5, 1.0, 3.0) for w in (1e-6, 0.01, 0.4, 3.0, 20.0)]),
    'softmax-recip': (lambda x: 1 / x, [(l, l + w) for l in (1.0, 1.0001, 1.7, 4.0, 30.0) for w in (1e-6, 0.1, 2.0, 50.0)]),
    'softmax-slack': (lambda x: mp.mpf(0), [(c - w, c + w) for c in (-40.0, -1.0, 0.0, 2.5) for w in (1e-6, 0.3, 7.0)]),
}


def mpmath_table():
    rng = random.Random(5)
    rec = {}
    for kind, (f, ivs) in FNS.items():
        rows = []
        for (l, u) in ivs:
            xs = [l + (u - l) * i / 8 for i in range(9)] + [rng.uniform(l, u) for _ in range(3)]
            rows.append({'l': l, 'u': u, 'points': [[x, float(f(mp.mpf(x)))] for x in xs]})
        rec[kind] = rows
    return {'functions': rec}


def main():
    with open(os.path.join(ROOT, 'certify', 'attention-mpmath.json'), 'w') as f:
        json.dump(mpmath_table(), f)
    zoo = load_zoo()
    for i, (name, cls, _opset, _tok, _kind) in enumerate(zoo.ZOO):
        if name != 'attention_matmul':
            continue
        torch.manual_seed(100 + i)
        m = cls().eval().double()
        with open(os.path.join(ROOT, 'onnx-zoo', f'{name}.json')) as f:
            rec = json.load(f)
        x = torch.tensor(rec['input']['data'], dtype=torch.float64).reshape(rec['input']['shape'])[:1]
        un = UnrolledAttention(m, zoo.H).double()
        with torch.no_grad():
            y, yu = m(x), un(x)
        assert torch.allclose(y[0], torch.tensor(rec['output']['data'][:y.shape[1]], dtype=torch.float64), atol=1e-5), 'the zoo model was not rebuilt'
        assert torch.allclose(y, yu, atol=1e-10)
        res = {'model': name, 'input': x[0].tolist(), 'output': y[0].tolist(), 'eps': EPS, 'lirpa': lirpa_bounds(un, x)}
        with open(os.path.join(ROOT, 'certify', 'attention_lirpa.json'), 'w') as f:
            json.dump(res, f, indent=1)


if __name__ == '__main__':
    main()
