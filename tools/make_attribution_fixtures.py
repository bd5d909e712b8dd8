#!/usr/bin/python3
"""Attribution fixtures for rnnlens (src/explain): run with /usr/bin/python3 (torch 1.13).

Captum is not installed, so this script implements Captum's definitions directly with torch
autograd, one example at a time and at its own length (no padding: an independent path from the
batched, padded, masked rnnlens implementation):

  saliency            |dF/dx|                          (Captum Saliency, abs=True)
  input-x-gradient    x * dF/dx
  integrated-grads    (x - b) * sum_k w_k dF/dx(b + a_k (x - b)), Captum's alphas/step sizes for
                      gausslegendre (numpy leggauss) and riemann left/right/middle/trapezoid;
                      delta = sum(attr) - (F(x) - F(b))
  occlusion           mean over covering windows of F(x) - F(x with the window set to b)
  feature-ablation    F(x) - F(x with the element's group set to b)

Models (float64, PyTorch names: rnn, fc, embedding), each with a padded batch (lengths differ):
  lstm_cls    numeric 3 features -> LSTM(6) -> last step -> Linear(3)
  gru_cls     numeric 4 features -> GRU(5) -> last step -> Linear(2)
  lstm_tagger numeric 2 features -> LSTM(4) every step -> Linear(3) per step
  emb_lstm    tokens (vocabulary 12) -> Embedding(4) -> LSTM(5) -> last step -> Linear(2);
              attributions on the embedding vectors, and per token: the sum over the embedding
              for gradient methods; for perturbation methods (whole tokens perturbed) the
              token's group value, divided evenly over the dimensions in the per-dimension map

Targets: class logits, a softmax probability, the output at a step, a hidden unit of the LSTM
after the last step. Writes test/fixtures/explain/attribution.json.
"""
import json
import os

import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'explain')
CELLS = {'lstm': nn.LSTM, 'gru': nn.GRU}


class Net(nn.Module):
    def __init__(self, cell, features, hidden, classes, every=False, vocab=0):
        super().__init__()
        if vocab:
            self.embedding = nn.Embedding(vocab, features)
        self.rnn = CELLS[cell](features, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)
        self.every = every

    def hidden(self, x):
        """x: [1, len, F] (numeric or embedding vectors) -> per-step hidden states [1, len, H]."""
        out, _ = self.rnn(x)
        return out

    def forward(self, x):
        out = self.hidden(x)
        return self.fc(out) if self.every else self.fc(out[:, -1])


def scalar(net, x, target):
    """F(x) for one example x [len, F]; target: dict as in the fixture."""
    kind = target['kind']
    if kind == 'hidden':
        return net.hidden(x[None])[0, -1, target['unit']]
    y = net(x[None])
    if kind == 'step':
        y = y[:, target['step']]
    y = y[0]
    if target.get('probability'):
        y = torch.softmax(y, dim=0)
    return y[target['index']]


def grad(net, x, target):
    x = x.clone().requires_grad_(True)
    f = scalar(net, x, target)
    (g,) = torch.autograd.grad(f, x)
    return g, f.item()


def approximation(rule, n):
    if rule == 'gauss-legendre':
        nodes, weights = np.polynomial.legendre.leggauss(n)
        return list(0.5 * (1 + nodes)), list(0.5 * weights)
    deltas = [1 / n] * n
    if rule == 'riemann-trapezoid':
        deltas[0] /= 2
        deltas[-1] /= 2
        return list(np.linspace(0, 1, n)), deltas
    if rule == 'riemann-left':
        return list(np.linspace(0, 1 - 1 / n, n)), deltas
    if rule == 'riemann-middle':
        return list(np.linspace(1 / (2 * n), 1 - 1 / (2 * n), n)), deltas
    if rule == 'riemann-right':
        return list(np.linspace(1 / n, 1, n)), deltas
    raise ValueError(rule)


def integrated_gradients(net, x, b, target, rule, n):
    alphas, weights = approximation(rule, n)
    total = torch.zeros_like(x)
    for a, w in zip(alphas, weights):
        g, _ = grad(net, b + a * (x - b), target)
        total += w * g
    attr = total * (x - b)
    with torch.no_grad():
        delta = attr.sum().item() - (scalar(net, x, target).item() - scalar(net, b, target).item())
    return attr, delta


def occlusion(net, x, b, target, window, strides):
    L, F = x.shape
    wt, wf = window
    st, sf = strides
    with torch.no_grad():
        fx = scalar(net, x, target).item()
        total = torch.zeros_like(x)
        count = torch.zeros_like(x)
        # Windows over the full padded length T (as rnnlens); positions past len hold nothing.
        for i in range((T_PAD[0] - wt) // st + 1):
            for j in range((F - wf) // sf + 1):
                t0, f0 = i * st, j * sf
                m = torch.zeros(T_PAD[0], F)
                m[t0:t0 + wt, f0:f0 + wf] = 1
                m = m[:L]
                if m.sum() > 0:
                    xa = x * (1 - m) + b * m
                    total += (fx - scalar(net, xa, target).item()) * m
                count += m
        return torch.where(count > 0, total / count.clamp(min=1), torch.zeros_like(total))


def ablation(net, x, b, target, groups):
    L, F = x.shape
    with torch.no_grad():
        fx = scalar(net, x, target).item()
        attr = torch.zeros_like(x)
        gid = torch.tensor([[t * F + f if groups == 'elements' else t for f in range(F)] for t in range(L)])
        for g in gid.unique():
            m = (gid == g).double()
            attr += (fx - scalar(net, x * (1 - m) + b * m, target).item()) * m
        return attr


T_PAD = [0]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def pad(attr, T):
    L, F = attr.shape
    out = torch.zeros(T, F)
    out[:L] = attr
    return out


PERTURBATION = ('occlusion', 'feature-ablation')


def run_case(net, xs, bs, targets, method, opts, T, tokens=False):
    attrs, deltas, outputs = [], [], []
    for x, b, tg in zip(xs, bs, targets):
        with torch.no_grad():
            outputs.append(scalar(net, x, tg).item())
        if method == 'saliency':
            g, _ = grad(net, x, tg)
            a = g.abs()
        elif method == 'input-x-gradient':
            g, _ = grad(net, x, tg)
            a = x * g
        elif method == 'integrated-gradients':
            a, d = integrated_gradients(net, x, b, tg, opts['rule'], opts['steps'])
            deltas.append(d)
        elif method == 'occlusion':
            a = occlusion(net, x, b, tg, opts['window'], opts['strides'])
        elif method == 'feature-ablation':
            a = ablation(net, x, b, tg, opts['groups'])
        attrs.append(pad(a, T))
    A = torch.stack(attrs)
    per_token = A.sum(-1)
    if tokens and method in PERTURBATION:
        # every dimension of a token holds its group's value: that is the token's value
        per_token = A[..., 0]
        A = per_token[..., None].expand_as(A) / A.shape[-1]
    case = {'method': method, 'options': opts, 'attributions': flat(A), 'tokenAttributions': flat(per_token),
            'outputs': outputs}
    if deltas:
        case['delta'] = deltas
    return case


def ts_target(targets):
    t = targets[0]
    if t['kind'] == 'hidden':
        return {'kind': 'hidden', 'layer': 'rnn', 'unit': t['unit']}
    out = {'kind': t['kind'], 'index': [x['index'] for x in targets]}
    if t['kind'] == 'step':
        out['step'] = [x['step'] for x in targets]
    if t.get('probability'):
        out['probability'] = True
    return out


def make(name, cell, F, H, K, lengths, T, seed, every=False, vocab=0, specs=()):
    torch.manual_seed(seed)
    net = Net(cell, F, H, K, every, vocab)
    B = len(lengths)
    T_PAD[0] = T
    fixture = {'name': name, 'lengths': lengths, 'steps': T,
               'state': {k: {'shape': list(v.shape), 'data': flat(v)} for k, v in net.state_dict().items()}}
    layers = [{'kind': cell, 'name': 'rnn', 'units': H}]
    if every:
        layers = [{'kind': cell, 'name': 'rnn', 'units': H, 'returnSequences': True}, {'kind': 'head', 'pool': 'every'}]
    layers.append({'kind': 'dense', 'name': 'fc', 'units': K})
    if vocab:
        ids = torch.randint(1, vocab, (B, T))
        for b, L in enumerate(lengths):
            ids[b, L:] = 0
        fixture['ids'] = [int(v) for v in ids.reshape(-1)]
        fixture['config'] = {'input': {'kind': 'tokens', 'vocabSize': vocab},
                             'layers': [{'kind': 'embedding', 'name': 'embedding', 'vocabSize': vocab, 'dim': F}] + layers}
        with torch.no_grad():
            xs = [net.embedding(ids[b, :L]) for b, L in enumerate(lengths)]
    else:
        x = torch.randn(B, T, F)
        for b, L in enumerate(lengths):
            x[b, L:] = 0
        fixture['input'] = flat(x)
        fixture['config'] = {'input': {'kind': 'numeric', 'features': F}, 'layers': layers}
        xs = [x[b, :L] for b, L in enumerate(lengths)]
    cases = []
    for spec in specs:
        targets = spec['targets']
        bl = spec.get('baseline', 'zeros')
        if bl == 'zeros':
            bs = [torch.zeros_like(x) for x in xs]
        elif isinstance(bl, dict) and bl['kind'] == 'constant':
            bs = [torch.full_like(x, bl['value']) for x in xs]
        elif isinstance(bl, dict) and bl['kind'] == 'token':
            with torch.no_grad():
                bs = [net.embedding.weight[bl['id']].expand_as(x).clone() for x in xs]
        for method, opts in spec['methods']:
            case = run_case(net, xs, bs, targets, method, opts, T, tokens=bool(vocab))
            case['target'] = ts_target(targets)
            case['baseline'] = bl
            cases.append(case)
    fixture['cases'] = cases
    return fixture


def methods(F, occlusion_windows, ig_rules=True):
    out = [('saliency', {}), ('input-x-gradient', {})]
    if ig_rules:
        for rule in ['gauss-legendre', 'riemann-left', 'riemann-right', 'riemann-middle', 'riemann-trapezoid']:
            out.append(('integrated-gradients', {'rule': rule, 'steps': 20}))
    out.append(('integrated-gradients', {'rule': 'gauss-legendre', 'steps': 50}))
    for w, s in occlusion_windows:
        out.append(('occlusion', {'window': w, 'strides': s}))
    out.append(('feature-ablation', {'groups': 'elements'}))
    out.append(('feature-ablation', {'groups': 'steps'}))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    models = []
    lengths = [5, 3, 4]
    models.append(make('lstm_cls', 'lstm', 3, 6, 3, lengths, 5, 1, specs=[
        {'targets': [{'kind': 'output', 'index': k} for k in [0, 2, 1]],
         'methods': methods(3, [([1, 3], [1, 1]), ([2, 2], [1, 1]), ([2, 3], [2, 1])])},
        {'targets': [{'kind': 'output', 'index': 1}] * 3, 'baseline': {'kind': 'constant', 'value': 0.5},
         'methods': [('integrated-gradients', {'rule': 'gauss-legendre', 'steps': 50}),
                     ('occlusion', {'window': [1, 3], 'strides': [1, 1]}), ('feature-ablation', {'groups': 'elements'})]},
        {'targets': [{'kind': 'output', 'index': 2, 'probability': True}] * 3,
         'methods': [('saliency', {}), ('integrated-gradients', {'rule': 'gauss-legendre', 'steps': 50})]},
        {'targets': [{'kind': 'hidden', 'unit': 2}] * 3,
         'methods': [('saliency', {}), ('integrated-gradients', {'rule': 'riemann-middle', 'steps': 20})]},
    ]))
    models.append(make('gru_cls', 'gru', 4, 5, 2, [2, 6, 4], 6, 2, specs=[
        {'targets': [{'kind': 'output', 'index': k} for k in [1, 0, 1]],
         'methods': methods(4, [([1, 4], [1, 1]), ([2, 2], [1, 2]), ([3, 1], [2, 1])])},
    ]))
    models.append(make('lstm_tagger', 'lstm', 2, 4, 3, [4, 2], 4, 3, every=True, specs=[
        {'targets': [{'kind': 'step', 'index': 1, 'step': 2}, {'kind': 'step', 'index': 0, 'step': 1}],
         'methods': [('saliency', {}), ('input-x-gradient', {}),
                     ('integrated-gradients', {'rule': 'gauss-legendre', 'steps': 50}),
                     ('occlusion', {'window': [1, 2], 'strides': [1, 1]}), ('feature-ablation', {'groups': 'elements'})]},
    ]))
    models.append(make('emb_lstm', 'lstm', 4, 5, 2, [6, 3], 6, 4, vocab=12, specs=[
        {'targets': [{'kind': 'output', 'index': 1}, {'kind': 'output', 'index': 0}],
         'methods': [('saliency', {}), ('input-x-gradient', {}),
                     ('integrated-gradients', {'rule': 'gauss-legendre', 'steps': 50}),
                     ('occlusion', {'window': [1, 4], 'strides': [1, 1]}), ('feature-ablation', {'groups': 'steps'})]},
        {'targets': [{'kind': 'output', 'index': 1}] * 2, 'baseline': {'kind': 'token', 'id': 0},
         'methods': [('integrated-gradients', {'rule': 'gauss-legendre', 'steps': 50}),
                     ('feature-ablation', {'groups': 'steps'})]},
    ]))
    path = os.path.join(OUT, 'attribution.json')
    with open(path, 'w') as f:
        json.dump({'generator': 'tools/make_attribution_fixtures.py', 'torch': torch.__version__, 'models': models}, f)
    print(path, os.path.getsize(path), 'bytes,', sum(len(m['cases']) for m in models), 'cases')
    solvers()


def solvers():
    """Gauss-Legendre rules (numpy) and the surrogate fits of KernelSHAP/LIME (scikit-learn, as
    Captum calls them) on random binary coalitions -> test/fixtures/explain/solvers.json."""
    from sklearn.linear_model import Lasso, LinearRegression
    rng = np.random.default_rng(7)
    gl = {}
    for n in [1, 2, 3, 5, 8, 20, 50, 64]:
        x, w = np.polynomial.legendre.leggauss(n)
        gl[str(n)] = {'nodes': x.tolist(), 'weights': w.tolist()}
    fits = []
    for n, M, heavy in [(40, 6, False), (25, 10, False), (15, 20, False), (25, 10, True), (12, 20, True), (200, 15, True)]:
        z = (rng.random((n, M)) < 0.5).astype(float)
        y = z @ rng.normal(size=M) + 0.3 * rng.normal(size=n) + 1.5
        w = np.exp(-rng.random(n))
        if heavy:  # KernelSHAP's all-on / all-off rows with weight 1e6
            z[0], z[1] = 1, 0
            w[0] = w[1] = 1e6
        ols = LinearRegression().fit(z, y, sample_weight=w)
        fit = {'n': n, 'M': M, 'z': z.reshape(-1).tolist(), 'y': y.tolist(), 'w': w.tolist(),
               'ols': {'coef': ols.coef_.tolist(), 'intercept': float(ols.intercept_)}}
        if not heavy:  # LIME's weights lie in (0, 1]; the lasso is not fitted with 1e6 weights
            lasso = Lasso(alpha=0.01, tol=1e-14, max_iter=1000000).fit(z, y, sample_weight=w)
            fit['lasso'] = {'coef': lasso.coef_.tolist(), 'intercept': float(lasso.intercept_)}
        fits.append(fit)
    path = os.path.join(OUT, 'solvers.json')
    with open(path, 'w') as f:
        json.dump({'generator': 'tools/make_attribution_fixtures.py', 'gaussLegendre': gl, 'fits': fits}, f)
    print(path, os.path.getsize(path), 'bytes')


if __name__ == '__main__':
    main()
