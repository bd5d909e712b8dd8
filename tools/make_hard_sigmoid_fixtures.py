"""Reference fixtures for hard-sigmoid gates (rnnlens CellSpec.recurrentActivation), from PyTorch.

PyTorch's nn.LSTM / nn.GRU only have the logistic sigmoid, so the cells are written out with torch
ops (PyTorch gate order and conventions: LSTM i, f, g, o; GRU r, z, n reset-after) and autograd
gives every gradient. The gate activations:
  hard_sigmoid         torch.clamp(0.2 * a + 0.5, 0, 1)          (Keras 2 / TF.js)
  hard_sigmoid_keras3  torch.nn.functional.hardsigmoid(a)        (= relu6(a + 3) / 6, Keras 3)
Weights are scaled up so that many gates saturate; pre-activations closer than 1e-3 to a kink
are reported so the test can confirm none exists (there the two derivative conventions differ).

Writes test/fixtures/core/hard_sigmoid.json. Run: /usr/bin/python3 tools/make_hard_sigmoid_fixtures.py
"""
import json
import os

import torch
import torch.nn.functional as Fn

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'core', 'hard_sigmoid.json')

GATES = {
    'hard_sigmoid': (lambda a: torch.clamp(0.2 * a + 0.5, 0.0, 1.0), 2.5),
    'hard_sigmoid_keras3': (Fn.hardsigmoid, 3.0),
}


def t(x):
    return {'shape': list(x.shape), 'data': [float(v) for v in x.detach().reshape(-1)]}


def run(kind, act_name, T=5, B=3, D=4, H=3, scale=3.0):
    act, edge = GATES[act_name]
    G = 4 if kind == 'lstm' else 3
    k = scale / H ** 0.5
    x = torch.empty(T, B, D).uniform_(-1, 1).requires_grad_()
    w_ih = torch.empty(G * H, D).uniform_(-k, k).requires_grad_()
    w_hh = torch.empty(G * H, H).uniform_(-k, k).requires_grad_()
    b_ih = torch.empty(G * H).uniform_(-1.5, 1.5).requires_grad_()
    b_hh = torch.empty(G * H).uniform_(-1.5, 1.5).requires_grad_()
    h0 = torch.empty(B, H).uniform_(-1, 1).requires_grad_()
    c0 = torch.empty(B, H).uniform_(-1, 1).requires_grad_() if kind == 'lstm' else None
    h, c = h0, c0
    outs, pre_sig = [], []
    for s in range(T):
        gx = x[s] @ w_ih.T + b_ih
        gh = h @ w_hh.T + b_hh
        if kind == 'lstm':
            a = gx + gh
            ai, af, ag, ao = a.split(H, dim=1)
            pre_sig += [ai, af, ao]
            i, f, g, o = act(ai), act(af), torch.tanh(ag), act(ao)
            c = f * c + i * g
            h = o * torch.tanh(c)
        else:
            xr, xz, xn = gx.split(H, dim=1)
            hr, hz, hn = gh.split(H, dim=1)
            pre_sig += [xr + hr, xz + hz]
            r, z = act(xr + hr), act(xz + hz)
            n = torch.tanh(xn + r * hn)
            h = (1 - z) * n + z * h
        outs.append(h)
    out = torch.stack(outs)
    d_out = torch.empty_like(out).uniform_(-1, 1)
    loss = (out * d_out).sum()
    if kind == 'lstm':
        d_c = torch.empty_like(c).uniform_(-1, 1)
        loss = loss + (c * d_c).sum()
    loss.backward()
    pre = torch.cat([p.reshape(-1) for p in pre_sig])
    case = {
        'kind': kind,
        'recurrentActivation': act_name,
        'T': T, 'B': B, 'D': D, 'H': H,
        'x': t(x), 'weight_ih': t(w_ih), 'weight_hh': t(w_hh), 'bias_ih': t(b_ih), 'bias_hh': t(b_hh),
        'h0': t(h0), 'dOut': t(d_out), 'out': t(out), 'hLast': t(h),
        'grad': {'x': t(x.grad), 'weight_ih': t(w_ih.grad), 'weight_hh': t(w_hh.grad),
                 'bias_ih': t(b_ih.grad), 'bias_hh': t(b_hh.grad), 'h0': t(h0.grad)},
        'saturatedGates': int((pre.abs() > edge).sum()),
        'linearGates': int((pre.abs() < edge).sum()),
        'nearestKink': float((pre.abs() - edge).abs().min()),
    }
    if kind == 'lstm':
        case.update({'c0': t(c0), 'dcLast': t(d_c), 'cLast': t(c)})
        case['grad']['c0'] = t(c0.grad)
    assert case['saturatedGates'] > 0 and case['linearGates'] > 0 and case['nearestKink'] > 1e-3, case['nearestKink']
    return case


cases = [run(kind, a) for kind in ('lstm', 'gru') for a in GATES]
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as fh:
    json.dump({'generator': 'tools/make_hard_sigmoid_fixtures.py', 'torch': torch.__version__, 'cases': cases}, fh)
print(OUT, [(c['kind'], c['recurrentActivation'], c['saturatedGates'], c['linearGates'], round(c['nearestKink'], 4)) for c in cases])
