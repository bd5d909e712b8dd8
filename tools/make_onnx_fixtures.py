#!/usr/bin/python3
"""ONNX import fixtures for rnnlens (src/io/onnx): run with /usr/bin/python3 (torch 1.13).

Exports small float32 PyTorch models with torch.onnx.export (opset 14) to
test/fixtures/io/<name>.onnx and writes <name>.json beside it holding the input(s), PyTorch's
output and, for models marked `grads`, a random upstream gradient G with the gradients of
loss = sum(output * G) for the input and every parameter (under PyTorch state_dict names, which
src/nn/names.ts maps to rnnlens: modules are called rnn, fc, fc_1, embedding).

Covered: LSTM/GRU/RNN (tanh and relu), batch_first and time-major inputs, two stacked layers,
bidirectional, a Linear head on the last step or on h_n, per-step Linear heads, Relu/Tanh between
Linear layers, a final Softmax, an Embedding input, an initial state given as a graph input, h_n
made batch-first by transpose + Shape-driven reshape, and static as well as dynamic batch/time axes.
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'io')
F, H, O, B, T = 3, 4, 2, 2, 5
CELLS = {'rnn': nn.RNN, 'lstm': nn.LSTM, 'gru': nn.GRU}


class LastStep(nn.Module):
    """rnn -> output[:, -1] (or output[-1] time-major) -> Linear."""

    def __init__(self, cell, batch_first=True, layers=1, bidir=False, act=None):
        super().__init__()
        kw = {'nonlinearity': act} if cell == 'rnn' and act else {}
        self.bf = batch_first
        self.rnn = CELLS[cell](F, H, num_layers=layers, bidirectional=bidir, batch_first=batch_first, **kw)
        self.fc = nn.Linear(H * (2 if bidir else 1), O)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y[:, -1] if self.bf else y[-1])


class FinalState(nn.Module):
    """rnn -> h_n of the top layer (both directions concatenated) -> Linear -> Tanh -> Linear [-> Softmax]."""

    def __init__(self, cell, batch_first=True, layers=1, bidir=False, softmax=False):
        super().__init__()
        self.bidir = bidir
        self.cell = cell
        self.rnn = CELLS[cell](F, H, num_layers=layers, bidirectional=bidir, batch_first=batch_first)
        self.fc = nn.Linear(H * (2 if bidir else 1), 3)
        self.fc_1 = nn.Linear(3, O)
        self.softmax = softmax

    def forward(self, x):
        _, h = self.rnn(x)
        if self.cell == 'lstm':
            h = h[0]
        top = torch.cat((h[-2], h[-1]), dim=1) if self.bidir else h[-1]
        y = self.fc_1(torch.tanh(self.fc(top)))
        return torch.softmax(y, dim=-1) if self.softmax else y


class EveryStep(nn.Module):
    """rnn -> Linear on every step -> Sigmoid."""

    def __init__(self, cell, layers=1, bidir=False):
        super().__init__()
        self.rnn = CELLS[cell](F, H, num_layers=layers, bidirectional=bidir, batch_first=True)
        self.fc = nn.Linear(H * (2 if bidir else 1), O)

    def forward(self, x):
        y, _ = self.rnn(x)
        return torch.sigmoid(self.fc(y))


class Embedded(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.embedding = nn.Embedding(11, F)
        self.rnn = CELLS[cell](F, H, batch_first=True)
        self.fc = nn.Linear(H, O)

    def forward(self, ids):
        y, _ = self.rnn(self.embedding(ids))
        return self.fc(torch.relu(y[:, -1]))


class WithH0(nn.Module):
    """Initial hidden state as a second graph input."""

    def __init__(self, cell):
        super().__init__()
        self.rnn = CELLS[cell](F, H, batch_first=True, nonlinearity='relu') if cell == 'rnn' else CELLS[cell](F, H, batch_first=True)
        self.fc = nn.Linear(H, O)

    def forward(self, x, h0):
        y, _ = self.rnn(x, h0)
        return self.fc(y[:, -1])


class FinalView(nn.Module):
    """h_n of a bidirectional layer, batch-first via transpose + a Shape-driven reshape -> Linear."""

    def __init__(self, cell):
        super().__init__()
        self.rnn = CELLS[cell](F, H, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(2 * H, O)

    def forward(self, x):
        _, h = self.rnn(x)
        if isinstance(h, tuple):
            h = h[0]
        return self.fc(h.transpose(0, 1).reshape(x.size(0), -1))


def tensor_json(t):
    return {'shape': list(t.shape), 'data': [float(v) for v in t.detach().reshape(-1).tolist()]}


def export(name, model, inputs, input_names, dynamic=True, grads=False, batch_first=True):
    model.eval()
    path = os.path.join(OUT, name + '.onnx')
    axes = {}
    if dynamic:
        for n, x in zip(input_names, inputs):
            if n == 'h0':
                axes[n] = {1: 'batch'}
            elif x.dim() >= 2:
                axes[n] = {0: 'batch', 1: 'steps'} if batch_first else {0: 'steps', 1: 'batch'}
        axes['output'] = {0: 'batch'}
    torch.onnx.export(model, tuple(inputs), path, input_names=input_names, output_names=['output'],
                      opset_version=14, dynamic_axes=axes or None, do_constant_folding=True)
    leaves = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    y = model(*leaves)
    fx = {'name': name, 'onnx': name + '.onnx', 'batchFirst': batch_first,
          'inputs': {n: dict(tensor_json(x), dtype='float32' if x.is_floating_point() else 'int64') for n, x in zip(input_names, inputs)},
          'output': tensor_json(y)}
    if grads:
        g = torch.randn(y.shape)
        (y * g).sum().backward()
        fx['gradOutput'] = tensor_json(g)
        fx['inputGrads'] = {n: tensor_json(x.grad) for n, x in zip(input_names, leaves) if x.grad is not None}
        fx['paramGrads'] = {k: tensor_json(p.grad) for k, p in model.named_parameters()}
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(fx, f)
    return name


def main():
    torch.manual_seed(7)
    os.makedirs(OUT, exist_ok=True)
    x_bf = torch.randn(B, T, F)
    x_tm = torch.randn(T, B, F)
    names = [
        export('lstm_bf_last', LastStep('lstm'), [x_bf], ['input'], grads=True),
        export('gru_tm_last', LastStep('gru', batch_first=False), [x_tm], ['input'], batch_first=False, grads=True),
        export('rnn_bf_l2_last_static', LastStep('rnn', layers=2), [x_bf], ['input'], dynamic=False),
        export('rnn_relu_bi_last', LastStep('rnn', bidir=True, act='relu'), [x_bf], ['input']),
        export('lstm_l2_bi_final_softmax', FinalState('lstm', layers=2, bidir=True, softmax=True), [x_bf], ['input']),
        export('gru_tm_l2_final', FinalState('gru', batch_first=False, layers=2), [x_tm], ['input'], batch_first=False, grads=True),
        export('rnn_bi_final', FinalState('rnn', bidir=True), [x_bf], ['input']),
        export('gru_bi_every', EveryStep('gru', bidir=True), [x_bf], ['input'], grads=True),
        export('lstm_l2_every_static', EveryStep('lstm', layers=2), [x_bf], ['input'], dynamic=False),
        export('embedding_lstm_last', Embedded('lstm'), [torch.randint(0, 11, (B, T))], ['input'], grads=True),
        export('rnn_relu_h0', WithH0('rnn'), [x_bf, torch.randn(1, B, H)], ['input', 'h0'], grads=True),
        export('gru_h0', WithH0('gru'), [x_bf, torch.randn(1, B, H)], ['input', 'h0']),
        export('gru_bi_final_view', FinalView('gru'), [x_bf], ['input'], grads=True),
        export('lstm_bi_final_view_static', FinalView('lstm'), [x_bf], ['input'], dynamic=False),
    ]
    with open(os.path.join(OUT, 'index.json'), 'w') as f:
        json.dump(names, f, indent=1)


if __name__ == '__main__':
    main()
