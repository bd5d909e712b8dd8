#!/usr/bin/python3
"""Keras semantics in float64 numpy, the reference of tools/make_keras_fixtures.py (and, through it,
tools/make_evaluate_fixtures.py): kernels [in, G·u], LSTM gates i f c o, GRU z r h with reset_after
(bias [2, 3u], rows input / recurrent) and reset-before (bias [3u]), hard_sigmoid by Keras version
(2.x: clip(0.2x + 0.5), 3.x: clip(x/6 + 0.5)), Masking / mask_zero as right padding (masked steps
keep the state; Bidirectional zeroes masked outputs; pooling skips them). Where torch.nn has the
same cell (LSTM and reset-after GRU with the logistic gates, tanh/relu RNN), each recurrent run is
checked against torch.nn.LSTM / GRU / RNN (`CHECKED` names the cells that were).
"""
import numpy as np
import torch


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def hard_sigmoid(version):
    if version.startswith('3.'):
        return lambda x: np.clip(x / 6 + 0.5, 0, 1)
    return lambda x: np.clip(0.2 * x + 0.5, 0, 1)


ACT = {'tanh': np.tanh, 'relu': lambda x: np.maximum(x, 0), 'sigmoid': sigmoid, 'linear': lambda x: x}


def gate_act(name, version):
    return sigmoid if name == 'sigmoid' else hard_sigmoid(version)


def run_cell(kind, cfg, w, xs, version):
    """One direction over the valid steps xs [L, D]: outputs [L, H] (Keras cell equations)."""
    H = cfg['units']
    K, R, b = (np.asarray(a, dtype=np.float64) for a in w)
    h = np.zeros(H)
    c = np.zeros(H)
    ys = []
    ra = gate_act(cfg.get('recurrent_activation', 'sigmoid'), version)
    for x in xs:
        if kind == 'SimpleRNN':
            h = ACT[cfg.get('activation', 'tanh')](x @ K + h @ R + b)
        elif kind == 'LSTM':
            z = x @ K + h @ R + b
            i, f, g, o = (z[k * H:(k + 1) * H] for k in range(4))
            c = ra(f) * c + ra(i) * np.tanh(g)
            h = ra(o) * np.tanh(c)
        else:  # GRU, gates z r h
            if cfg.get('reset_after', True):
                mx = x @ K + b[0]
                mh = h @ R + b[1]
                z = ra(mx[:H] + mh[:H])
                r = ra(mx[H:2 * H] + mh[H:2 * H])
                hh = np.tanh(mx[2 * H:] + r * mh[2 * H:])
            else:
                mx = x @ K + b
                z = ra(mx[:H] + h @ R[:, :H])
                r = ra(mx[H:2 * H] + h @ R[:, H:2 * H])
                hh = np.tanh(mx[2 * H:] + (r * h) @ R[:, 2 * H:])
            h = z * h + (1 - z) * hh
        ys.append(h)
    return np.stack(ys)


def torch_check(kind, cfg, w, xs):
    """The same direction through torch.nn (only where torch has the cell); asserts agreement."""
    ra = cfg.get('recurrent_activation', 'sigmoid')
    if kind != 'SimpleRNN' and ra != 'sigmoid':
        return False
    if kind == 'GRU' and not cfg.get('reset_after', True):
        return False
    K, R, b = (np.asarray(a, dtype=np.float64) for a in w)
    D, H = K.shape[0], cfg['units']
    if kind == 'SimpleRNN':
        m = torch.nn.RNN(D, H, nonlinearity=cfg.get('activation', 'tanh'), batch_first=True).double()
        wi, wh, bi, bh = K.T, R.T, b, np.zeros_like(b)
    elif kind == 'LSTM':
        m = torch.nn.LSTM(D, H, batch_first=True).double()
        wi, wh, bi, bh = K.T, R.T, b, np.zeros_like(b)
    else:
        m = torch.nn.GRU(D, H, batch_first=True).double()
        perm = np.concatenate([np.arange(H, 2 * H), np.arange(0, H), np.arange(2 * H, 3 * H)])  # z r h -> r z n
        wi, wh, bi, bh = K[:, perm].T, R[:, perm].T, b[0][perm], b[1][perm]
    with torch.no_grad():
        m.weight_ih_l0.copy_(torch.tensor(wi))
        m.weight_hh_l0.copy_(torch.tensor(wh))
        m.bias_ih_l0.copy_(torch.tensor(bi))
        m.bias_hh_l0.copy_(torch.tensor(bh))
        y, _ = m(torch.tensor(xs[None]))
    return y[0].numpy()


def run_rnn(kind, cfg, w, seq, length, version, backwards=False):
    """Keras RNN layer on one right-padded sequence: [T, H] outputs (zeros on padded steps) and the last output."""
    xs = seq[:length][::-1] if backwards else seq[:length]
    ys = run_cell(kind, cfg, w, xs, version)
    ref = torch_check(kind, cfg, w, np.ascontiguousarray(xs))
    if ref is not False:
        assert np.abs(ref - ys).max() < 1e-10, f'{kind}: reference cell and torch.nn disagree'
        CHECKED.add(kind + ('' if kind != 'GRU' else ' reset_after'))
    last = ys[-1]
    if backwards:
        ys = ys[::-1]
    out = np.zeros((seq.shape[0], cfg['units']))
    out[:length] = ys
    return out, last


CHECKED = set()


def forward(model, x, lengths, version):
    """Runs the layer list (each {class, cfg, weights}) on a batch; returns [B, ...] outputs."""
    outs = []
    for b in range(x.shape[0]):
        v, seq_mode, L = x[b], True, int(lengths[b])
        for layer in model:
            cls, cfg, w = layer['class'], layer['cfg'], layer.get('weights')
            if cls == 'Embedding':
                v = np.asarray(w[0], dtype=np.float64)[v.astype(int)]
            elif cls in ('Masking', 'Dropout', 'InputLayer'):
                pass
            elif cls in ('SimpleRNN', 'LSTM', 'GRU'):
                ys, last = run_rnn(cls, cfg, w, v, L, version, cfg.get('go_backwards', False))
                v, seq_mode = (ys, True) if cfg.get('return_sequences') else (last, False)
            elif cls == 'Bidirectional':
                inner = cfg['layer']
                fy, fl = run_rnn(inner['class'], inner['cfg'], w[0], v, L, version)
                by, bl = run_rnn(inner['class'], inner['cfg'], w[1], v, L, version, backwards=True)
                a, c = (fy, by) if inner['cfg'].get('return_sequences') else (fl, bl)
                mm = cfg.get('merge_mode', 'concat')
                v = {'concat': lambda: np.concatenate([a, c], -1), 'sum': lambda: a + c, 'ave': lambda: (a + c) / 2, 'mul': lambda: a * c}[mm]()
                seq_mode = bool(inner['cfg'].get('return_sequences'))
            elif cls in ('Dense', 'TimeDistributed'):
                act = cfg.get('activation', 'linear')
                z = v @ np.asarray(w[0], dtype=np.float64) + np.asarray(w[1], dtype=np.float64)
                if seq_mode:
                    z[L:] = 0  # padded steps are not compared
                if act == 'softmax':
                    e = np.exp(z - z.max(-1, keepdims=True))
                    v = e / e.sum(-1, keepdims=True)
                else:
                    v = ACT[act](z)
            elif cls == 'GlobalAveragePooling1D':
                v, seq_mode = v[:L].mean(0), False
            elif cls == 'GlobalMaxPooling1D':
                v, seq_mode = v[:L].max(0), False
            else:
                raise ValueError(cls)
        outs.append(v)
    return np.stack(outs)
