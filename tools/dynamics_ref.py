#!/usr/bin/python3
"""Reference fixed points for `rnnlens dynamics`, computed independently with PyTorch.

For small SimpleRNN, LSTM and GRU cells with random weights (strong enough recurrence that there
are several fixed points), this script minimises q(s) = 0.5 * ||F(s, x*) - s||^2 with torch
autograd (Adam, then L-BFGS) from fixed starting states, where F is torch's own RNNCell, LSTMCell
or GRUCell (for LSTM the state is (h, c)). The points under the q tolerance are deduplicated; each
gets its Jacobian (torch.autograd.functional.jacobian) and eigenvalues (torch.linalg.eigvals).
It also records the Jacobian at a few random states, to check rnnlens's closed form.

Weights are written in rnnlens layout: W [D, G*H] = weight_ih^T, U [H, G*H] = weight_hh^T,
bx = bias_ih, bh = bias_hh (gate order: PyTorch's, as rnnlens).

Run: /usr/bin/python3 tools/dynamics_ref.py  (writes test/fixtures/dynamics/reference.json)
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
Q_TOL = 1e-12
UNIQUE_TOL = 1e-3


def make_cell(kind, D, H, seed, scale, boost):
    torch.manual_seed(seed)
    if kind == 'rnn':
        cell = torch.nn.RNNCell(D, H, nonlinearity='tanh')
    elif kind == 'lstm':
        cell = torch.nn.LSTMCell(D, H)
    else:
        cell = torch.nn.GRUCell(D, H)
    with torch.no_grad():
        for p in cell.parameters():
            p.normal_(0.0, scale)
        # self-excitation of the candidate block makes units bistable: many fixed points
        block = {'rnn': 0, 'lstm': 2, 'gru': 2}[kind]
        cell.weight_hh[block * H:(block + 1) * H] += boost * torch.eye(H)
        if kind == 'lstm':
            cell.bias_ih[H:2 * H] += 2.0  # forget gates mostly open
    return cell


def step_fn(kind, cell, x, H):
    def F(s):
        if kind == 'lstm':
            h, c = cell(x, (s[:H].unsqueeze(0), s[H:].unsqueeze(0)))
            return torch.cat([h[0], c[0]])
        return cell(x, s.unsqueeze(0))[0]
    return F


def find(F, starts):
    found = []
    for s0 in starts:
        s = s0.clone().requires_grad_(True)
        opt = torch.optim.Adam([s], lr=0.01)
        for _ in range(3000):
            opt.zero_grad()
            q = 0.5 * ((F(s) - s) ** 2).sum()
            if q.item() < 1e-16:
                break
            q.backward()
            opt.step()
        lb = torch.optim.LBFGS([s], lr=1, max_iter=200, tolerance_grad=1e-20, tolerance_change=1e-30,
                               line_search_fn='strong_wolfe')

        def closure():
            lb.zero_grad()
            q = 0.5 * ((F(s) - s) ** 2).sum()
            q.backward()
            return q

        for _ in range(5):
            lb.step(closure)
        with torch.no_grad():
            q = 0.5 * ((F(s) - s) ** 2).sum().item()
        if q < Q_TOL:
            found.append((s.detach().clone(), q))
    found.sort(key=lambda t: t[1])
    reps = []
    for s, q in found:
        if all(torch.linalg.norm(s - r[0]).item() >= UNIQUE_TOL for r in reps):
            reps.append((s, q))
    out = []
    for s, q in reps:
        J = torch.autograd.functional.jacobian(F, s)
        ev = torch.linalg.eigvals(J)
        mods = sorted((abs(complex(v)) for v in ev.tolist()), reverse=True)
        out.append({'state': s.tolist(), 'q': q, 'moduli': mods,
                    'stability': 'stable' if mods[0] < 1 else ('unstable' if mods[-1] > 1 else 'saddle')})
    return out


def case(name, kind, D, H, seed, scale, boost, n_starts):
    cell = make_cell(kind, D, H, seed, scale, boost)
    gen = torch.Generator().manual_seed(seed + 100)
    x = torch.randn(1, D, generator=gen) * 0.5
    S = 2 * H if kind == 'lstm' else H
    F = step_fn(kind, cell, x, H)
    starts = [torch.randn(S, generator=gen) * 0.8 for _ in range(n_starts)]
    probes = [torch.randn(S, generator=gen) * 0.6 for _ in range(3)]
    jac = [{'state': p.tolist(), 'J': torch.autograd.functional.jacobian(F, p).tolist()} for p in probes]
    return {
        'name': name,
        'cell': {'kind': kind, 'inputSize': D, 'hiddenSize': H},
        'W': cell.weight_ih.detach().t().reshape(-1).tolist(),
        'U': cell.weight_hh.detach().t().reshape(-1).tolist(),
        'bx': cell.bias_ih.detach().tolist(),
        'bh': cell.bias_hh.detach().tolist(),
        'input': x[0].tolist(),
        'starts': [s.tolist() for s in starts],
        'jacobians': jac,
        'points': find(F, starts),
    }


def main():
    cases = [
        case('rnn-tanh', 'rnn', 2, 4, 1, 0.3, 2.0, 32),
        case('lstm', 'lstm', 2, 3, 2, 0.3, 2.5, 32),
        case('gru', 'gru', 2, 4, 3, 0.3, 4.0, 32),
    ]
    out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'dynamics', 'reference.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        json.dump({'generator': 'tools/dynamics_ref.py', 'torch': torch.__version__, 'qTol': Q_TOL,
                   'uniqueTol': UNIQUE_TOL, 'cases': cases}, f)
    for c in cases:
        print(c['name'], len(c['points']), 'fixed points:', [p['stability'] for p in c['points']])


if __name__ == '__main__':
    main()
