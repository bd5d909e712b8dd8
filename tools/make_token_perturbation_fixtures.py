#!/usr/bin/python3
"""Token-model perturbation fixtures for rnnlens (src/explain): run with /usr/bin/python3 (torch 1.13).

A tiny token model (float64): Embedding(9, 5) -> LSTM(4) -> last step -> Linear(2), and a padded
batch of three short texts (4, 3 and 2 tokens). Captum is not installed, so its definitions are
re-implemented here with torch, one text at a time and at its own length (no padding), with whole
tokens as the perturbation units (a token's embedding vector replaced by the baseline's: the PAD
token's embedding, or zeros):

  occlusion         window of w tokens sliding over the padded length T with stride 1; a token's
                    value is the mean over the windows covering it of F(x) - F(x with the window's
                    tokens replaced)  (Captum's Occlusion with a window over the whole embedding)
  feature-ablation  F(x) - F(x with the token's group replaced)  (groups: every token, or a mask)
  shapley (exact)   phi_g = sum_S |S|! (M - |S| - 1)! / M! (F(S + g) - F(S)) over coalitions S of
                    the M groups (Captum's ShapleyValues, every permutation); each token gets its
                    group's value
  kernel-shap       its infinite-sample limit: the exact Shapley values above
  lime              its infinite-sample limit: the weighted least squares (scikit-learn
                    LinearRegression, intercept, alpha = 0) over all 2^M coalitions, each with
                    Captum's default kernel exp(-d^2 / 2), d = 1 - cos(x, x(z)) on the flattened
                    embedding vectors

Expected values are per token ([B, T], zero at padding): a token's value is its group's value
(not summed over the embedding dimensions). Each case also lists, per text, the largest output
change |F(x) - F(x')| over the perturbed inputs x' the method makes. Writes
test/fixtures/explain/token-perturbation.json.
"""
import itertools
import json
import math
import os

import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'explain')
VOCAB, DIM, HIDDEN, CLASSES = 9, 5, 4, 2
LENGTHS, T = [4, 3, 2], 4


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, DIM)
        self.rnn = nn.LSTM(DIM, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, CLASSES)

    def forward(self, e):
        """e: embedding vectors [len, E] of one text -> logits [K]."""
        out, _ = self.rnn(e[None])
        return self.fc(out[0, -1])


def value(net, e, target):
    y = net(e)
    if target.get('probability'):
        y = torch.softmax(y, dim=0)
    return y[target['index']].item()


def replaced(x, b, tokens):
    """x with the embedding vectors of `tokens` set to the baseline's."""
    y = x.clone()
    for t in tokens:
        y[t] = b[t]
    return y


def occlusion(net, x, b, target, w):
    L = x.shape[0]
    fx = value(net, x, target)
    total, count = [0.0] * L, [0] * L
    changes = []
    for t0 in range(T - w + 1):
        cover = [t for t in range(t0, t0 + w) if t < L]
        for t in range(t0, t0 + w):
            if t < L:
                count[t] += 1
        if not cover:
            continue
        d = fx - value(net, replaced(x, b, cover), target)
        changes.append(abs(d))
        for t in cover:
            total[t] += d
    return [total[t] / count[t] for t in range(L)], max(changes)


def group_list(mask, L):
    """Groups of a text of L tokens: lists of token positions, in order of first appearance."""
    ids = list(range(L)) if mask is None else mask[:L]
    order = list(dict.fromkeys(ids))
    return [[t for t in range(L) if ids[t] == g] for g in order]


def coalition_values(net, x, b, target, groups):
    """F at every coalition (bit g on = group g keeps the input, else the baseline)."""
    M = len(groups)
    vals = {}
    for z in range(1 << M):
        off = [t for g in range(M) if not (z >> g) & 1 for t in groups[g]]
        vals[z] = value(net, replaced(x, b, off), target)
    return vals


def per_token(groups, phi, L):
    out = [0.0] * L
    for g, ts in enumerate(groups):
        for t in ts:
            out[t] = phi[g]
    return out


def ablation(net, x, b, target, mask):
    L = x.shape[0]
    groups = group_list(mask, L)
    fx = value(net, x, target)
    d = [fx - value(net, replaced(x, b, ts), target) for ts in groups]
    return per_token(groups, d, L), max(abs(v) for v in d)


def shapley(net, x, b, target, mask):
    L = x.shape[0]
    groups = group_list(mask, L)
    M = len(groups)
    vals = coalition_values(net, x, b, target, groups)
    full = (1 << M) - 1
    phi = []
    for g in range(M):
        s = 0.0
        for z in range(1 << M):
            if (z >> g) & 1:
                continue
            k = bin(z).count('1')
            s += math.factorial(k) * math.factorial(M - k - 1) / math.factorial(M) * (vals[z | 1 << g] - vals[z])
        phi.append(s)
    return per_token(groups, phi, L), max(abs(vals[full] - v) for v in vals.values())


def lime_limit(net, x, b, target, mask):
    from sklearn.linear_model import LinearRegression
    L = x.shape[0]
    groups = group_list(mask, L)
    M = len(groups)
    vals = coalition_values(net, x, b, target, groups)
    xf = x.reshape(-1).numpy()
    Z, y, w = [], [], []
    for z in range(1 << M):
        off = [t for g in range(M) if not (z >> g) & 1 for t in groups[g]]
        xz = replaced(x, b, off).reshape(-1).numpy()
        d = 1 - float(xf @ xz) / max(float(np.linalg.norm(xf) * np.linalg.norm(xz)), 1e-8)
        Z.append([(z >> g) & 1 for g in range(M)])
        y.append(vals[z])
        w.append(math.exp(-d * d / 2))
    fit = LinearRegression().fit(np.array(Z, float), np.array(y), sample_weight=np.array(w))
    full = (1 << M) - 1
    return per_token(groups, list(fit.coef_), L), max(abs(vals[full] - v) for v in vals.values())


def main():
    torch.manual_seed(11)
    net = Net()
    B = len(LENGTHS)
    g = torch.Generator().manual_seed(5)
    ids = torch.randint(2, VOCAB, (B, T), generator=g)
    for i, L in enumerate(LENGTHS):
        ids[i, L:] = 0
    with torch.no_grad():
        xs = [net.embedding(ids[i, :L]) for i, L in enumerate(LENGTHS)]
        baselines = {
            'pad': [net.embedding.weight[0].expand_as(x).clone() for x in xs],
            'zeros': [torch.zeros_like(x) for x in xs],
        }
        specs = {'pad': {'kind': 'token', 'id': 0}, 'zeros': 'zeros'}
        mask = [0, 0, 1, 2]
        cases = []
        for bname in ['pad', 'zeros']:
            for target in [{'index': 1}, {'index': 0, 'probability': True}]:
                runs = [
                    ('occlusion', {'window': [1, DIM]}, lambda x, b: occlusion(net, x, b, target, 1)),
                    ('occlusion', {'window': [2, DIM], 'strides': [1, 1]}, lambda x, b: occlusion(net, x, b, target, 2)),
                    ('feature-ablation', {}, lambda x, b: ablation(net, x, b, target, None)),
                    ('feature-ablation', {'groups': {'mask': mask}}, lambda x, b: ablation(net, x, b, target, mask)),
                    ('shapley-sampling', {'permutations': 'all'}, lambda x, b: shapley(net, x, b, target, None)),
                    ('shapley-sampling', {'permutations': 'all', 'groups': {'mask': mask}},
                     lambda x, b: shapley(net, x, b, target, mask)),
                    ('kernel-shap', {'samples': 4000}, lambda x, b: shapley(net, x, b, target, None)),
                    ('lime', {'samples': 4000, 'alpha': 0}, lambda x, b: lime_limit(net, x, b, target, None)),
                ]
                for method, opts, fn in runs:
                    attr = [[0.0] * T for _ in range(B)]
                    largest = []
                    for i, (x, bl) in enumerate(zip(xs, baselines[bname])):
                        a, m = fn(x, bl)
                        attr[i][:len(a)] = a
                        largest.append(m)
                    tg = {'kind': 'output', 'index': target['index']}
                    if target.get('probability'):
                        tg['probability'] = True
                    cases.append({
                        'method': method, 'options': opts, 'target': tg, 'baseline': specs[bname],
                        'limit': method in ('kernel-shap', 'lime'),
                        'tokenAttributions': [v for row in attr for v in row],
                        'outputs': [value(net, x, target) for x in xs],
                        'baselineOutputs': [value(net, bl, target) for bl in baselines[bname]],
                        'largestChange': largest,
                    })
    state = {k: {'shape': list(v.shape), 'data': [float(u) for u in v.reshape(-1).tolist()]}
             for k, v in net.state_dict().items()}
    fixture = {
        'generator': 'tools/make_token_perturbation_fixtures.py', 'torch': torch.__version__,
        'name': 'emb_lstm_short', 'lengths': LENGTHS, 'steps': T, 'state': state,
        'ids': [int(v) for v in ids.reshape(-1)],
        'config': {'input': {'kind': 'tokens', 'vocabSize': VOCAB},
                   'layers': [{'kind': 'embedding', 'name': 'embedding', 'vocabSize': VOCAB, 'dim': DIM},
                              {'kind': 'lstm', 'name': 'rnn', 'units': HIDDEN},
                              {'kind': 'dense', 'name': 'fc', 'units': CLASSES}]},
        'cases': cases,
    }
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'token-perturbation.json')
    with open(path, 'w') as f:
        json.dump(fixture, f)
    print(path, os.path.getsize(path), 'bytes,', len(cases), 'cases')


if __name__ == '__main__':
    main()
