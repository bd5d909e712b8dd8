#!/usr/bin/python3
"""Reference LRP and DeepLIFT into LSTM final cell states (test/explain/lrp-cell.test.ts), in PyTorch.

Two models whose head reads the final cell state c_T of an LSTM (ONNX LSTM output Y_c, which
rnnlens imports as a graph layer binding the LSTM layer's final cell states):

  lstm_cell_state    the ONNX zoo model (tools/make_onnx_zoo.py, same seed, so the same weights):
                     LSTM -> Linear(cat(h_T, tanh(c_T)))
  bilstm_cell_state  BiLSTM -> Linear(cat(mean over time of the outputs, c_T forward, c_T backward)),
                     exported here to test/fixtures/explain/bilstm_cell_state.onnx

The references re-run each model explicitly, every LSTM step written out, with the relevance and
multiplier rules of tools/make_lrp_graph_fixtures.py (LrpOps, DeepliftOps: modified gradients).
The final cell state is an ordinary value there: what the head sends to it joins, through
autograd, what it gets from h_T = o_T * tanh(c_T), and the cell update c = f*c + i*g (an epsilon
node, gates detached for LRP; Shapley-split products for DeepLIFT) carries it back. LRP keeps the
bias relevance; DeepLIFT uses the zero baseline.

Usage: /usr/bin/python3 tools/make_lrp_cell_fixtures.py  (torch 1.13)
Writes test/fixtures/explain/bilstm_cell_state.onnx and test/fixtures/explain/lrp-cell.json.
"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_lrp_graph_fixtures as G  # noqa: E402  (sets the default dtype to float64)
import make_onnx_zoo as Z  # noqa: E402

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')
OUT = os.path.join(FIX, 'explain')
TARGET = 1


def lstm_dir(o, Wi, Wh, b, x, reverse=False):
    """One direction of nn.LSTM (batch_first) step by step; gate rows i, f, g, o.

    Returns the outputs [B, T, H] in input order and the final (h, c)."""
    H = Wh.shape[1]
    h = torch.zeros(x.shape[0], H)
    c = torch.zeros(x.shape[0], H)
    ys = [None] * x.shape[1]
    steps = range(x.shape[1] - 1, -1, -1) if reverse else range(x.shape[1])
    for t in steps:
        a = x[:, t] @ Wi.T + h @ Wh.T + b
        i = o.gate(torch.sigmoid, a[:, :H])
        f = o.gate(torch.sigmoid, a[:, H:2 * H])
        g = o.act(torch.tanh, a[:, 2 * H:3 * H])
        og = o.gate(torch.sigmoid, a[:, 3 * H:])
        c = o.eps(o.prod(f, c) + o.prod(i, g))
        h = o.prod(og, o.tanh_c(c))
        ys[t] = h
    return torch.stack(ys, 1), h, c


def cell_state_explicit(m, o, x):
    """The zoo's CellStateHead: fc(cat(h_T, tanh(c_T)))."""
    l = m.lstm
    _, h, c = lstm_dir(o, l.weight_ih_l0, l.weight_hh_l0, l.bias_ih_l0 + l.bias_hh_l0, x)
    return o.eps(m.fc(torch.cat([h, o.tanh_c(c)], -1)))


class BiCellState(nn.Module):
    """BiLSTM whose outputs (mean over time) and both directions' final cell states feed a Linear head."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(G.F, G.H, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(4 * G.H, G.C)

    def forward(self, x):
        y, (_, c) = self.lstm(x)
        return self.fc(torch.cat([y.mean(dim=1), c[0], c[1]], -1))

    def explicit(self, o, x):
        l = self.lstm
        yf, _, cf = lstm_dir(o, l.weight_ih_l0, l.weight_hh_l0, l.bias_ih_l0 + l.bias_hh_l0, x)
        yb, _, cb = lstm_dir(o, l.weight_ih_l0_reverse, l.weight_hh_l0_reverse, l.bias_ih_l0_reverse + l.bias_hh_l0_reverse, x, reverse=True)
        pooled = o.eps(torch.cat([yf, yb], -1).mean(dim=1))
        return o.eps(self.fc(torch.cat([pooled, cf, cb], -1)))


def lrp(explicit, x, eps):
    xg = x.clone().requires_grad_(True)
    y = explicit(G.LrpOps(eps), xg)
    (g,) = torch.autograd.grad(y[:, TARGET].sum(), xg)
    return xg * g, y[:, TARGET]


def deeplift(explicit, x, x0):
    o = G.DeepliftOps()
    y0 = explicit(o, x0)
    o.rec = False
    xg = x.clone().requires_grad_(True)
    y = explicit(o, xg)
    assert o.i == len(o.tape)
    (g,) = torch.autograd.grad(y[:, TARGET].sum(), xg)
    return (x - x0) * g, y[:, TARGET], y0[:, TARGET]


def zoo_model():
    """The zoo's lstm_cell_state module with the zoo's weights, and the zoo fixture's input."""
    k = [z[0] for z in Z.ZOO].index('lstm_cell_state')
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(100 + k)
    m = Z.ZOO[k][1]().eval()
    torch.set_default_dtype(torch.float64)
    with open(os.path.join(FIX, 'onnx-zoo', 'lstm_cell_state.json')) as fh:
        fx = json.load(fh)
    x = torch.tensor(fx['input']['data'], dtype=torch.float32).reshape(fx['input']['shape'])
    with torch.no_grad():
        y = m(x)
    want = torch.tensor(fx['output']['data'], dtype=torch.float32).reshape(fx['output']['shape'])
    assert torch.allclose(y, want, atol=1e-7), 'the zoo weights are reproduced'
    m = m.double()
    return m, x.double(), lambda o, xx: cell_state_explicit(m, o, xx)


def bilstm_model():
    torch.manual_seed(400)
    m = BiCellState().eval()
    x = torch.randn(G.B, G.T, G.F, generator=torch.Generator().manual_seed(40)).float().double()
    path = os.path.join(OUT, 'bilstm_cell_state.onnx')
    torch.onnx.export(m.float(), (x.float(),), path, input_names=['x'], output_names=['y'], opset_version=14,
                      dynamic_axes={'x': {0: 'batch', 1: 'steps'}, 'y': {0: 'batch'}})
    m = m.double()
    return m, x, m.explicit


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, model, build in [('lstm_cell_state', 'onnx-zoo/lstm_cell_state.onnx', zoo_model),
                               ('bilstm_cell_state', 'explain/bilstm_cell_state.onnx', bilstm_model)]:
        m, x, explicit = build()
        with torch.no_grad():
            y = m(x)
            for o in (G.LrpOps(0.001), G.DeepliftOps()):
                assert torch.allclose(explicit(o, x), y, atol=1e-12), f'{name}: explicit forward'
        case = {'name': name, 'model': model, 'input': {'shape': list(x.shape), 'data': G.flat(x)}, 'target': TARGET,
                'output': G.flat(y), 'lrp': []}
        for eps in G.EPSILONS:
            r, score = lrp(explicit, x, eps)
            case['lrp'].append({'epsilon': eps, 'relevance': G.flat(r), 'score': G.flat(score)})
        a, f, f0 = deeplift(explicit, x, torch.zeros_like(x))
        case['deeplift'] = {'baseline': 'zeros', 'attributions': G.flat(a), 'output': G.flat(f), 'baselineOutput': G.flat(f0)}
        gap = (a.sum(dim=(1, 2)) - (f - f0)).abs().max().item()
        print(name, 'DeepLIFT summation-to-delta gap', gap)
        cases.append(case)
    with open(os.path.join(OUT, 'lrp-cell.json'), 'w') as fh:
        json.dump({'generator': 'tools/make_lrp_cell_fixtures.py', 'cases': cases}, fh)


if __name__ == '__main__':
    main()
