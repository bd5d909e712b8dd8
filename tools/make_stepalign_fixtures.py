#!/usr/bin/python3
"""Step-alignment fixtures of rnnlens (test/io/step-alignment.test.ts): run with /usr/bin/python3 (torch 1.13).

A speech-style CRNN whose front-end changes the number of steps before the recurrent layer:
Conv1d(kernel 5, stride 2, padding 2) -> ReLU -> MaxPool1d(2, stride 2) -> GRU -> Linear on the
last step, exported to test/fixtures/stepalign/conv_pool_gru.onnx, plus two --data files of 12
sequences of 16 frames: sequences.json (labels: the model's own predicted class) and tagged.json
(per-frame tags: 1 where the first feature is positive).

reference.json holds, for 16 input frames, the recurrent steps and the input range [a_s, b_s]
each recurrent step depends on, computed two ways that must agree: analytically from the op
attributes (a conv output j reads frames stride*j - pad + dilation*k, k < kernel; a pool output
reads conv outputs stride*s .. stride*s + kernel - 1; clipped to the sequence) and from the
nonzero pattern of the autograd Jacobian of the front-end with ReLU and MaxPool replaced by
identity and AvgPool1d (the same connectivity, without value-dependent zeros). It also holds
PyTorch's GRU hidden states of sequence 0, to check the traced states of the aligned run.
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'stepalign')
N, T, F, C1, H, C = 12, 16, 3, 6, 5, 2
CONV = dict(kernel=5, stride=2, pad=2, dilation=1)
POOL = dict(kernel=2, stride=2)


class ConvPoolGRU(nn.Module):
    """Conv1d(stride 2) -> ReLU -> MaxPool1d(2) -> GRU -> last step -> Linear."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(F, C1, kernel_size=CONV['kernel'], stride=CONV['stride'], padding=CONV['pad'], dilation=CONV['dilation'])
        self.pool = nn.MaxPool1d(POOL['kernel'], stride=POOL['stride'])
        self.gru = nn.GRU(C1, H, batch_first=True)
        self.fc = nn.Linear(H, C)

    def front(self, x, linear=False):
        z = self.conv(x.transpose(1, 2))
        if linear:
            return nn.functional.avg_pool1d(z, POOL['kernel'], stride=POOL['stride']).transpose(1, 2)
        return self.pool(torch.relu(z)).transpose(1, 2)

    def forward(self, x):
        y, _ = self.gru(self.front(x))
        return self.fc(y[:, -1])


def analytic_ranges(steps):
    k, s, p, d = CONV['kernel'], CONV['stride'], CONV['pad'], CONV['dilation']
    conv_out = (steps + 2 * p - d * (k - 1) - 1) // s + 1
    conv = [[j * s - p + d * i for i in range(k)] for j in range(conv_out)]
    pool_out = (conv_out - POOL['kernel']) // POOL['stride'] + 1
    out = []
    for q in range(pool_out):
        frames = [t for j in range(q * POOL['stride'], q * POOL['stride'] + POOL['kernel']) for t in conv[j] if 0 <= t < steps]
        out.append([min(frames), max(frames)])
    return out


def jacobian_ranges(m, steps):
    x = torch.randn(1, steps, F, dtype=torch.float64)
    mm = ConvPoolGRU().double()
    mm.load_state_dict(m.state_dict())
    jac = torch.autograd.functional.jacobian(lambda v: mm.front(v, linear=True), x)  # [1, S, C1, 1, T, F]
    dep = jac.abs().sum(dim=(0, 2, 3, 5)) > 0  # [S, T]
    return [[int(r.nonzero().min()), int(r.nonzero().max())] for r in dep]


def intervened_change(m, x, units, frm, to):
    """Mean total-variation change of the class probabilities when `units` of the GRU's h are set to
    their mean over every recurrent step of every sequence, after each recurrent step in [frm, to)."""
    with torch.no_grad():
        z = m.front(x)
        clean, _ = m.gru(z)
        mean = clean.reshape(-1, H).mean(dim=0)
        cell = nn.GRUCell(C1, H)
        cell.weight_ih.copy_(m.gru.weight_ih_l0)
        cell.weight_hh.copy_(m.gru.weight_hh_l0)
        cell.bias_ih.copy_(m.gru.bias_ih_l0)
        cell.bias_hh.copy_(m.gru.bias_hh_l0)
        h = torch.zeros(x.shape[0], H)
        for t in range(z.shape[1]):
            h = cell(z[:, t], h)
            if frm <= t < to:
                h = h.clone()
                h[:, units] = mean[units]
        p0 = torch.softmax(m.fc(clean[:, -1]), dim=1)
        p1 = torch.softmax(m.fc(h), dim=1)
        return float(((p0 - p1).abs().sum(dim=1) / 2).mean())


def majority(values):
    """The most frequent value, ties going to the one seen latest."""
    best, count = values[-1], 0
    for v in reversed(values):
        if values.count(v) > count:
            best, count = v, values.count(v)
    return best


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(140)
    m = ConvPoolGRU().eval()
    g = torch.Generator().manual_seed(141)
    x = torch.randn(N, T, F, generator=g)
    path = os.path.join(OUT, 'conv_pool_gru.onnx')
    torch.onnx.export(m, (x[:2],), path, input_names=['x'], output_names=['y'], opset_version=14, dynamic_axes={'x': {0: 'batch', 1: 'steps'}, 'y': {0: 'batch'}})
    ranges = analytic_ranges(T)
    assert ranges == jacobian_ranges(m, T), (ranges, jacobian_ranges(m, T))
    with torch.no_grad():
        y = m(x)
        h, _ = m.gru(m.front(x[:1]))
    inputs = [[[round(float(v), 4) for v in step] for step in seq] for seq in x]
    xr = torch.tensor(inputs)
    with torch.no_grad():
        labels = m(xr).argmax(dim=1).tolist()
        h, _ = m.gru(m.front(xr[:1]))
    tags = [[1 if step[0] > 0 else 0 for step in seq] for seq in inputs]
    with open(os.path.join(OUT, 'sequences.json'), 'w') as f:
        json.dump({'name': 'stepalign-sequences', 'inputs': inputs, 'labels': labels}, f)
    with open(os.path.join(OUT, 'tagged.json'), 'w') as f:
        json.dump({'name': 'stepalign-tagged', 'inputs': inputs, 'tags': tags}, f)
    ref = {
        'doc': ConvPoolGRU.__doc__,
        'inputSteps': T,
        'recurrentSteps': len(ranges),
        'units': H,
        'conv': CONV,
        'pool': POOL,
        'ranges': ranges,
        'h0': [[float(v) for v in row] for row in h[0].double()],
        'labels': labels,
        'tags': tags,
        # the per-frame tags carried to recurrent steps: the majority over each step's range
        'alignedTags': [[majority(seq[a:b + 1]) for a, b in ranges] for seq in tags],
        'outputMax': float(y.abs().max()),
        # intervene --units 0,1 --mode mean --steps 1:3 (recurrent steps)
        'intervention': {'units': [0, 1], 'from': 1, 'to': 3, 'outputChange': intervened_change(m, xr, [0, 1], 1, 3)},
    }
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(ref, f)
    print('ranges', ranges, 'labels', labels)


if __name__ == '__main__':
    main()
