#!/usr/bin/env python3
"""Fixtures for test/explain/lrp-arras.test.ts: LRP relevances computed by Arras et al.'s own
reference implementation (https://github.com/ArrasL/LRP_for_LSTM, code/LSTM/LSTM_bidi.py, tested
at commit 1c3073b) on small random bidirectional LSTM text classifiers.

Their model: word embeddings E [V, e]; a left-to-right and a right-to-left LSTM (gate rows ordered
i, g, f, o; weights [4d, e] and [4d, d]; two biases); scores s = Why_Left·h_Left[T−1] +
Why_Right·h_Right[T−1] without bias. In rnnlens this is a token model
embedding → bidirectional(lstm, merge concat) → dense(kernel [Why_Leftᵀ; Why_Rightᵀ], bias 0), with
gate blocks reordered to i, f, g, o and weights transposed to input-major.

Their `lrp(w, class, eps, bias_factor)` is run with eps = 0.001 and bias_factor 0 (rnnlens
bias: 'keep', the input relevance is the same) and 1 (rnnlens bias: 'redistribute'); the fixture
keeps the input relevance per embedding dimension (Rx + Rx_rev) and the relevance left on the
initial states.

Usage: /usr/bin/python3 tools/make_lrp_fixtures.py PATH/TO/LRP_for_LSTM
Writes test/fixtures/explain-lrp/arras.json.
"""
import json
import os
import sys

import numpy as np

if len(sys.argv) != 2:
    sys.exit(__doc__)
sys.path.insert(0, os.path.abspath(sys.argv[1]))
from code.LSTM.LSTM_bidi import LSTM_bidi  # noqa: E402  (their package is called 'code')

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'explain-lrp', 'arras.json')


def to_rnnlens(m, d):
    """Their [4d, ·] rows in order i, g, f, o → rnnlens input-major [·, 4d] in order i, f, g, o."""
    i, g, f, o = (m[k * d:(k + 1) * d] for k in range(4))
    return np.concatenate([i, f, g, o], axis=0).T


def make_case(rng, V, e, d, C, T):
    net = LSTM_bidi.__new__(LSTM_bidi)  # skip __init__: it loads their trained model from disk
    net.E = rng.normal(0, 0.8, (V, e))
    for side in ('Left', 'Right'):
        setattr(net, 'Wxh_' + side, rng.normal(0, 0.8, (4 * d, e)))
        setattr(net, 'Whh_' + side, rng.normal(0, 0.8, (4 * d, d)))
        setattr(net, 'bxh_' + side, rng.normal(0, 0.5, (4 * d,)))
        setattr(net, 'bhh_' + side, rng.normal(0, 0.5, (4 * d,)))
        setattr(net, 'Why_' + side, rng.normal(0, 0.8, (C, d)))
    w = rng.integers(0, V, T)
    net.set_input(w)
    s = net.forward()
    target = int(np.argmax(np.abs(s)))
    params = {'embedding/embeddings': net.E.reshape(-1)}
    for side, direction in (('Left', 'forward'), ('Right', 'backward')):
        pre = 'bidirectional/' + direction + '/'
        params[pre + 'W'] = to_rnnlens(getattr(net, 'Wxh_' + side), d).reshape(-1)
        params[pre + 'U'] = to_rnnlens(getattr(net, 'Whh_' + side), d).reshape(-1)
        params[pre + 'bx'] = to_rnnlens(getattr(net, 'bxh_' + side)[:, None], d).reshape(-1)
        params[pre + 'bh'] = to_rnnlens(getattr(net, 'bhh_' + side)[:, None], d).reshape(-1)
    params['dense/kernel'] = np.concatenate([net.Why_Left.T, net.Why_Right.T], axis=0).reshape(-1)
    params['dense/bias'] = np.zeros(C)
    out = {
        'config': {
            'input': {'kind': 'tokens', 'vocabSize': V},
            'layers': [
                {'kind': 'embedding', 'vocabSize': V, 'dim': e},
                {'kind': 'bidirectional', 'merge': 'concat', 'layer': {'kind': 'lstm', 'units': d}},
                {'kind': 'dense', 'units': C},
            ],
        },
        'params': {k: v.tolist() for k, v in params.items()},
        'ids': w.tolist(),
        'target': target,
        'scores': s.tolist(),
    }
    for name, bias_factor in (('keep', 0.0), ('redistribute', 1.0)):
        Rx, Rx_rev, R_rest = net.lrp(w, target, eps=0.001, bias_factor=bias_factor)
        out[name] = {'relevance': (Rx + Rx_rev).reshape(-1).tolist(), 'initial': float(R_rest)}
    return out


def main():
    rng = np.random.default_rng(20170621)
    cases = [make_case(rng, 11, 4, 3, 3, 6), make_case(rng, 9, 5, 4, 2, 8)]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'source': 'ArrasL/LRP_for_LSTM@1c3073b code/LSTM/LSTM_bidi.py lrp(eps=0.001)', 'cases': cases}, f)
    print('wrote', OUT)


if __name__ == '__main__':
    main()
