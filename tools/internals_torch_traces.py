"""PyTorch gate activations for the trace tests (test/fixtures/internals/torch-traces.json).

torch.nn.LSTM and torch.nn.GRU do not expose their gates, so each step is recomputed from the
module's own weights with PyTorch's documented equations (gate order i f g o and r z n), and the
recomputed hidden states are checked against the module's packed-sequence output before anything
is written. Backward directions are stored by input position, as rnnlens traces are.
Run: /usr/bin/python3 tools/internals_torch_traces.py
"""
import json
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_default_dtype(torch.float64)
B, T, D, H, O = 3, 5, 3, 4, 2
LENGTHS = [5, 3, 1]


def arr(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def cell_steps(kind, x, w_ih, w_hh, b_ih, b_hh):
    """One sequence x [L, D]: per step gates, pre-activations, h (and c)."""
    h = torch.zeros(H)
    c = torch.zeros(H)
    out = {'gates': [], 'preact': [], 'h': [], 'c': []}
    for t in range(x.shape[0]):
        gi = w_ih @ x[t] + b_ih
        gh = w_hh @ h + b_hh
        if kind == 'lstm':
            a = gi + gh
            i, f, g, o = a.chunk(4)
            act = torch.cat([torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)])
            pre = a
            c = act[H:2 * H] * c + act[:H] * act[2 * H:3 * H]
            h = act[3 * H:] * torch.tanh(c)
            out['c'].append(c)
        else:
            r = torch.sigmoid(gi[:H] + gh[:H])
            z = torch.sigmoid(gi[H:2 * H] + gh[H:2 * H])
            npre = gi[2 * H:] + r * gh[2 * H:]
            n = torch.tanh(npre)
            act = torch.cat([r, z, n])
            pre = torch.cat([gi[:H] + gh[:H], gi[H:2 * H] + gh[H:2 * H], npre])
            h = (1 - z) * n + z * h
        out['gates'].append(act)
        out['preact'].append(pre)
        out['h'].append(h)
    return {k: torch.stack(v) if v else None for k, v in out.items()}


def make(kind, bidir, seed):
    torch.manual_seed(seed)
    rnn = (nn.LSTM if kind == 'lstm' else nn.GRU)(D, H, batch_first=True, bidirectional=bidir)
    fc = nn.Linear(H * (2 if bidir else 1), O)
    x = torch.randn(B, T, D)
    mask = torch.arange(T)[None, :] < torch.tensor(LENGTHS)[:, None]
    x = x * mask[:, :, None]
    packed = pack_padded_sequence(x, torch.tensor(LENGTHS), batch_first=True, enforce_sorted=False)
    ref, _ = pad_packed_sequence(rnn(packed)[0], batch_first=True, total_length=T)
    p = dict(rnn.named_parameters())
    directions = []
    for d, suffix in enumerate(['', '_reverse'] if bidir else ['']):
        w = [p[f'{n}_l0{suffix}'] for n in ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']]
        rows = {'gates': [], 'preact': [], 'h': [], 'c': []}
        for b, L in enumerate(LENGTHS):
            xs = x[b, :L] if d == 0 else x[b, :L].flip(0)
            s = cell_steps(kind, xs, *w)
            for k, v in s.items():
                if v is None:
                    continue
                rows[k].append(v if d == 0 else v.flip(0))  # back to input positions
            torch.testing.assert_close(rows['h'][-1], ref[b, :L, d * H:(d + 1) * H], rtol=1e-12, atol=1e-12)
        directions.append({k: arr(torch.cat(v)) for k, v in rows.items() if v})
    state = {f'rnn.{k}': {'shape': list(v.shape), 'data': arr(v)} for k, v in rnn.state_dict().items()}
    state.update({f'fc.{k}': {'shape': list(v.shape), 'data': arr(v)} for k, v in fc.state_dict().items()})
    inner = {'kind': kind, 'units': H, 'returnSequences': True}
    layers = [{'kind': 'bidirectional', 'merge': 'concat', 'layer': inner} if bidir else inner, {'kind': 'dense', 'units': O}]
    return {
        'name': f'{kind}{"_bi" if bidir else ""}',
        'config': {'input': {'kind': 'numeric', 'features': D}, 'layers': layers},
        'lengths': LENGTHS, 'steps': T, 'input': arr(x), 'state': state, 'directions': directions,
    }


fixtures = [make('lstm', False, 1), make('gru', True, 2)]
with open('test/fixtures/internals/torch-traces.json', 'w') as f:
    json.dump(fixtures, f)
print('wrote test/fixtures/internals/torch-traces.json')
